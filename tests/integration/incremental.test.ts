/**
 * A run with nothing new costs the same whatever the archive holds: the real publish handler against
 * the emulators, over archives of 20 and 200 digests, counted request by request (a count, not a time).
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { archiveWorld, type ArchiveWorld, type CountedRun } from '../support/idle-run.js';

const worlds: ArchiveWorld[] = [];
afterEach(() => {
  for (const world of worlds.splice(0)) world.close();
});

async function idleRun(count: number): Promise<{ world: ArchiveWorld; idle: CountedRun }> {
  const world = await archiveWorld(inject('emulators'), count);
  worlds.push(world);
  return { world, idle: await world.invoke() };
}

describe('a publisher run with nothing new', () => {
  it('makes the same requests with 200 archived digests as with 20, and no more than 20', async () => {
    const small = await idleRun(20);
    const large = await idleRun(200);
    for (const { idle } of [small, large]) {
      expect(idle.summary).toMatchObject({ created: 0, updated: 0, filesWritten: 0, filesUnchanged: 0, articleErrors: 0 });
      expect(idle.summary.mail.sent).toBe(0);
    }
    expect(small.idle.summary.digests).toBe(20);
    expect(large.idle.summary.digests).toBe(200);
    expect(Object.fromEntries(large.idle.requests)).toEqual(Object.fromEntries(small.idle.requests));
    expect(large.idle.total).toBeLessThanOrEqual(20);
    // Nothing read whole, nothing listed but the inbox, nothing written but the lease.
    expect(large.idle.requests.get('ScanCommand')).toBe(1); // the confirmed subscribers, not the archive
    expect(large.idle.requests.get('ListObjectsV2Command')).toBe(1);
    expect(
      [...large.idle.requests.keys()].filter((command) => /^(PutObject|CopyObject|DeleteObject|BatchWriteItem|UpdateItem)/.test(command)),
    ).toEqual([]);
  });

  it('while a run with one new digest reads the listing and renders a few pages, not the archive', async () => {
    const small = await idleRun(20);
    const large = await idleRun(200);
    // The seed's run: one new digest on top of the archive.
    for (const { world } of [small, large]) {
      expect(world.seeded.summary).toMatchObject({ created: 1, articleErrors: 0 });
      expect(world.seeded.requests.get('ScanCommand')).toBe(1);
      expect(world.seeded.summary.filesWritten).toBeLessThan(15);
    }
    // The 200-digest archive has numbered archive pages the 20-digest one has not; the requests differ
    // by those few files, not by 180 digests.
    expect(large.world.seeded.total - small.world.seeded.total).toBeLessThanOrEqual(8);
  });
});
