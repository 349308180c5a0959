import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { repairSlugCollisions, slugFor } from '../../functions/core/publish/digest.js';
import { publishDigests } from '../../functions/core/publish/publish-digests.js';
import { MemoryArchive, memoryPublishWorld, TEST_PUBLISH_SETTINGS as settings } from '../fakes/index.js';

/**
 * Two identities whose SHA-256 starts with the same 32 bits: found by a birthday search (about 2^16
 * hashes, a few tens of milliseconds), so the test needs no stored magic values.
 */
function collidingIds(): [string, string] {
  const seen = new Map<string, string>();
  for (let i = 0; ; i += 1) {
    const id = `story-${i}`;
    const prefix = createHash('sha256').update(id).digest('hex').slice(0, 8);
    const earlier = seen.get(prefix);
    if (earlier !== undefined) return [earlier, id];
    seen.set(prefix, id);
  }
}

const [FIRST, SECOND] = collidingIds();
const TITLE = 'Council approves the new budget for next year';

function article(id: string): string {
  return [
    '---',
    `id: ${id}`,
    `title: ${TITLE}`,
    '---',
    'The city council approved a new budget on Monday after a long debate about public transport.',
    'Council members voted nine to four in favour of the plan, which raises spending on buses.',
    'Opponents argued that the plan would increase local taxes for small businesses in the centre.',
    'The mayor said the budget reflects what residents asked for during months of consultation.',
  ].join('\n');
}

function deps(files: Record<string, string>, archive = new MemoryArchive()) {
  return memoryPublishWorld({ files, archive });
}

describe('slug collisions', () => {
  it('the test really has two identities with the same 32-bit slug hash', () => {
    expect(FIRST).not.toBe(SECOND);
    expect(slugFor(FIRST, TITLE)).toBe(slugFor(SECOND, TITLE));
  });

  it('gives the second digest a longer hash, and the same one on every run', () => {
    const first = slugFor(FIRST, TITLE);
    const second = slugFor(SECOND, TITLE, new Set([first]));
    expect(second).not.toBe(first);
    expect(second).toMatch(/-[0-9a-f]{12}$/);
    expect(slugFor(SECOND, TITLE, new Set([first]))).toBe(second);
  });

  it('publishes both colliding articles, each on its own page, instead of stopping every run', async () => {
    const world = deps({ 'a.md': article(FIRST), 'b.md': article(SECOND) });
    const report = await publishDigests(world, settings);
    expect(report.articleErrors).toEqual([]);
    expect(report.created).toHaveLength(2);
    const slugs = report.created.map((digest) => digest.slug);
    expect(new Set(slugs).size).toBe(2);
    for (const slug of slugs) expect(report.site.written).toContain(`digests/${slug}/index.html`);
    // Run again: nothing changes, both still publish.
    const again = await publishDigests(world, settings);
    expect(again.unchanged).toBe(2);
  });

  it('repairs an archive that already holds a collision, so publishing resumes (removing one article is not needed)', async () => {
    const first = await publishDigests(deps({ 'a.md': article(FIRST) }), settings);
    const second = await publishDigests(deps({ 'b.md': article(SECOND) }), settings);
    const [older, newer] = [first.created[0]!, { ...second.created[0]!, firstSeen: '2026-11-29T07:00:00.000Z' }];
    expect(older.slug).toBe(newer.slug);
    const archive = new MemoryArchive();
    archive.digests.set(older.id, older);
    archive.digests.set(newer.id, newer);

    expect(repairSlugCollisions([newer, older]).map((digest) => digest.id)).toEqual([newer.id]);
    const report = await publishDigests(deps({}, archive), settings);
    const stored = [...archive.digests.values()];
    expect(new Set(stored.map((digest) => digest.slug)).size).toBe(2);
    expect(archive.digests.get(older.id)?.slug).toBe(older.slug);
    expect(report.site.written).toContain(`digests/${archive.digests.get(newer.id)!.slug}/index.html`);
  });
});
