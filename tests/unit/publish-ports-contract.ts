/**
 * One behavioural contract per publish port that has a local and an AWS adapter (delivery ledger,
 * archive, run lease), run against the SQLite adapters and the test fakes in tests/unit and against
 * the DynamoDB adapters on dynalite in tests/integration, so the adapters `npm start` uses and the ones
 * the deployed stack uses cannot drift: the same conditional rules, the same answers.
 *
 * Each fixture's `open()` gives another handle on the same storage, the way a later run sees it. The
 * ledger and archive races go through one handle (a DynamoDB handle races in the service's conditional
 * writes anyway); the lease race uses two, the way two processes meet.
 */
import { describe, expect, it } from 'vitest';
import type { Digest } from '../../functions/core/model.js';
import { deliveryIdForDigest } from '../../functions/core/publish/delivery.js';
import { archiveEntry } from '../../functions/core/publish/digest.js';
import type { Archive, DeliveryLedger, RunLease } from '../../functions/core/publish/ports.js';

/** Fresh, empty storage for one test; each `open()` is another handle on it. */
export interface PortFixture<Port> {
  open(): Port;
}

const T0 = new Date('2025-05-09T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

/** Registers the delivery ledger contract for one adapter. */
export function describeDeliveryLedger(name: string, fresh: () => Promise<PortFixture<DeliveryLedger>>): void {
  describe(`${name}: delivery ledger contract`, () => {
    const delivery = deliveryIdForDigest('sha256:0123456789abcdef');

    it('claims a (delivery, subscriber) pair once, whoever asks again and whatever became of it', async () => {
      const storage = await fresh();
      const ledger = storage.open();
      expect(await ledger.claim(delivery, 's1', T0)).toBe('claimed');
      expect(await ledger.claim(delivery, 's1', at(1))).toBe('already-claimed');
      expect(await storage.open().claim(delivery, 's1', at(2))).toBe('already-claimed');
      await ledger.markSent(delivery, 's1', 'message-1', at(3));
      expect(await storage.open().claim(delivery, 's1', at(4))).toBe('already-claimed');
    });

    it('keeps pairs apart by delivery and by subscriber', async () => {
      const ledger = (await fresh()).open();
      const other = deliveryIdForDigest('https://news.example.com/other');
      expect(await ledger.claim(delivery, 's1', T0)).toBe('claimed');
      expect(await ledger.claim(delivery, 's2', T0)).toBe('claimed');
      expect(await ledger.claim(other, 's1', T0)).toBe('claimed');
    });

    it('releases only a claim that was neither sent nor failed, so only an unsent pair is tried again', async () => {
      const storage = await fresh();
      const ledger = storage.open();
      for (const subscriber of ['unsent', 'sent', 'failed']) expect(await ledger.claim(delivery, subscriber, T0)).toBe('claimed');
      await ledger.markSent(delivery, 'sent', 'message-1', at(1));
      await ledger.markFailed(delivery, 'failed', 'Address blacklisted', at(1));
      for (const subscriber of ['unsent', 'sent', 'failed']) await storage.open().release(delivery, subscriber);
      expect(await ledger.claim(delivery, 'unsent', at(2))).toBe('claimed');
      expect(await ledger.claim(delivery, 'sent', at(2))).toBe('already-claimed');
      expect(await ledger.claim(delivery, 'failed', at(2))).toBe('already-claimed');
    });

    it('treats releasing a pair nobody claimed as nothing to do', async () => {
      const ledger = (await fresh()).open();
      await ledger.release(delivery, 'nobody');
      expect(await ledger.claim(delivery, 'nobody', T0)).toBe('claimed');
    });

    it('lists in one query every subscriber a claim would refuse, for that delivery only', async () => {
      const storage = await fresh();
      const ledger = storage.open();
      const other = deliveryIdForDigest('https://news.example.com/other');
      expect(await ledger.sentSubscribers(delivery)).toEqual(new Set());
      for (const subscriber of ['sent', 'failed', 'in-doubt', 'released']) await ledger.claim(delivery, subscriber, T0);
      await ledger.claim(other, 'elsewhere', T0);
      await ledger.markSent(delivery, 'sent', 'message-1', at(1));
      await ledger.markFailed(delivery, 'failed', 'Address blacklisted', at(1));
      await ledger.release(delivery, 'released');
      expect(await storage.open().sentSubscribers(delivery)).toEqual(new Set(['sent', 'failed', 'in-doubt']));
      expect(await storage.open().sentSubscribers(other)).toEqual(new Set(['elsewhere']));
    });

    it('gives exactly one of many concurrent claims of a pair', async () => {
      const ledger = (await fresh()).open();
      const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => ledger.claim(delivery, 's1', at(i))));
      expect(outcomes.filter((outcome) => outcome === 'claimed')).toHaveLength(1);
    });
  });
}

/** A digest with every optional field set, so a lossy round trip shows. */
function digest(id: string, contentHash: string, changes: Partial<Digest> = {}): Digest {
  return {
    id,
    slug: `headline-${contentHash}`,
    headline: `Headline of ${id}`,
    summary: ['One sentence.', 'Another one, with “quotes” and ü.'],
    keyPoints: ['A point'],
    keywords: ['news', 'tests'],
    sourceUrl: `https://news.example.com/${encodeURIComponent(id)}`,
    sourceName: 'inbox/story.md',
    author: 'Ann Author',
    published: '2025-05-09T00:00:00.000Z',
    updated: '2025-05-09T00:00:00.000Z',
    firstSeen: '2025-05-09T08:00:00.000Z',
    mailStatus: 'pending',
    contentHash,
    articleWords: 420,
    articleReadingMinutes: 2,
    digestReadingMinutes: 1,
    ...changes,
  };
}

const byId = <T extends { id: string }>(digests: T[]): T[] => [...digests].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** Registers the archive contract for one adapter. */
export function describeArchive(name: string, fresh: () => Promise<PortFixture<Archive>>): void {
  describe(`${name}: archive contract`, () => {
    it('starts empty and gives back exactly what was stored, to any later reader', async () => {
      const storage = await fresh();
      expect(await storage.open().list()).toEqual([]);
      // One digest in each mail state, so an adapter that forgets a state (and drops the row) shows.
      const statuses: Digest['mailStatus'][] = ['pending', 'done', 'stale', 'not-mailed'];
      const digests = statuses.map((mailStatus) => digest(`https://news.example.com/${mailStatus}`, 'h1', { mailStatus }));
      for (const stored of digests) expect(await storage.open().put(stored, undefined)).toBe('stored');
      expect(byId(await storage.open().list())).toEqual(byId(digests));
    });

    it('keeps the editions a digest was in and its tombstone', async () => {
      const storage = await fresh();
      const stored = digest('https://news.example.com/e', 'h1', {
        editions: ['edition:instant:2026-12-01-0700-instant', 'edition:daily:2026-12-02-0700-daily'],
        unpublishedAt: '2026-12-03T10:00:00.000Z',
      });
      expect(await storage.open().put(stored, undefined)).toBe('stored');
      expect(await storage.open().list()).toEqual([stored]);
    });

    it('stores a new digest only if none has its id, and a change only over the hash it was read with', async () => {
      const storage = await fresh();
      const archive = storage.open();
      expect(await archive.put(digest('a', 'h1'), undefined)).toBe('stored');
      expect(await archive.put(digest('a', 'h2'), undefined)).toBe('conflict');
      expect(await archive.put(digest('a', 'h2'), 'not-the-stored-hash')).toBe('conflict');
      expect(await archive.put(digest('missing', 'h1'), 'h0')).toBe('conflict');
      expect(await storage.open().list()).toEqual([digest('a', 'h1')]);
      expect(await archive.put(digest('a', 'h2'), 'h1')).toBe('stored');
      expect(await storage.open().list()).toEqual([digest('a', 'h2')]);
    });

    it('saves a mail-state change under the same hash, and refuses it once the digest was edited', async () => {
      const storage = await fresh();
      const archive = storage.open();
      await archive.put(digest('a', 'h1'), undefined);
      expect(await archive.put(digest('a', 'h1', { mailStatus: 'done' }), 'h1')).toBe('stored');
      expect(await storage.open().put(digest('a', 'h2'), 'h1')).toBe('stored');
      expect(await archive.put(digest('a', 'h1', { mailStatus: 'stale' }), 'h1')).toBe('conflict');
      expect(await storage.open().list()).toEqual([digest('a', 'h2')]);
    });

    it('gives the stored digests among the ids asked for, a digest just stored included', async () => {
      const storage = await fresh();
      const archive = storage.open();
      expect(await archive.get(['a'])).toEqual([]);
      await archive.put(digest('a', 'h1'), undefined);
      await archive.put(digest('b', 'h1', { unpublishedAt: '2026-12-03T10:00:00.000Z' }), undefined);
      await archive.put(digest('c', 'h1'), undefined);
      expect(byId(await storage.open().get(['a', 'b', 'missing', 'a']))).toEqual([
        digest('a', 'h1'),
        digest('b', 'h1', { unpublishedAt: '2026-12-03T10:00:00.000Z' }),
      ]);
      expect(await archive.put(digest('a', 'h2'), 'h1')).toBe('stored');
      expect(await storage.open().get(['a'])).toEqual([digest('a', 'h2')]);
      expect(await storage.open().get([])).toEqual([]);
    });

    it('lists the entry of every digest, tombstones included, as archiveEntry makes it, and keeps it current', async () => {
      const storage = await fresh();
      expect(await storage.open().entries()).toEqual([]);
      const stored = [
        digest('a', 'h1', {
          editions: ['edition:daily:2026-12-02-0700-daily'],
          provenance: { title: 'Feed', url: 'https://feed.example/' },
        }),
        digest('b', 'h1', { unpublishedAt: '2026-12-03T10:00:00.000Z', mailStatus: 'not-mailed', sourceUrl: undefined, summary: [] }),
      ];
      for (const each of stored) await storage.open().put(each, undefined);
      expect(byId(await storage.open().entries())).toEqual(stored.map(archiveEntry));
      const edited = digest('a', 'h2', { headline: 'A new headline', summary: ['A new lead.'] });
      await storage.open().put(edited, 'h1');
      expect(byId(await storage.open().entries())).toEqual([archiveEntry(edited), archiveEntry(stored[1]!)]);
    });

    it('gives the entries of the digests first seen strictly after an instant', async () => {
      const storage = await fresh();
      const archive = storage.open();
      const seen = ['2026-12-01T07:00:00.000Z', '2026-12-02T07:00:00.000Z', '2026-12-02T07:00:00.001Z', '2026-12-03T07:00:00.000Z'];
      for (const [index, firstSeen] of seen.entries()) await archive.put(digest(`d${index}`, 'h1', { firstSeen }), undefined);
      const after = async (instant: string) => (await storage.open().entriesSeenAfter(instant)).map((entry) => entry.id).sort();
      expect(await after('2026-12-02T07:00:00.000Z')).toEqual(['d2', 'd3']);
      expect(await after('2026-11-01T00:00:00.000Z')).toEqual(['d0', 'd1', 'd2', 'd3']);
      expect(await after('2026-12-03T07:00:00.000Z')).toEqual([]);
      expect((await storage.open().entriesSeenAfter('2026-12-02T12:00:00.000Z'))[0]).toEqual(
        archiveEntry(digest('d3', 'h1', { firstSeen: seen[3]! })),
      );
    });

    it('lets exactly one of two concurrent first writes win, and keeps the winner', async () => {
      const storage = await fresh();
      const archive = storage.open();
      const outcomes = await Promise.all([archive.put(digest('x', 'one'), undefined), archive.put(digest('x', 'two'), undefined)]);
      expect([...outcomes].sort()).toEqual(['conflict', 'stored']);
      const winner = outcomes[0] === 'stored' ? 'one' : 'two';
      expect((await storage.open().list()).map((stored) => stored.contentHash)).toEqual([winner]);
    });
  });
}

/** Registers the run lease contract for one adapter. */
export function describeRunLease(name: string, fresh: () => Promise<PortFixture<RunLease>>): void {
  describe(`${name}: run lease contract`, () => {
    const MINUTE = 60_000;

    it('keeps a second owner out while the lease is held and unexpired', async () => {
      const storage = await fresh();
      expect(await storage.open().acquire('run-a', T0, MINUTE)).toBe(true);
      expect(await storage.open().acquire('run-b', T0, MINUTE)).toBe(false);
      expect(await storage.open().acquire('run-b', at(MINUTE / 2), MINUTE)).toBe(false);
    });

    it('lets the holder take it again (a retried invocation of the same run)', async () => {
      const storage = await fresh();
      expect(await storage.open().acquire('run-a', T0, MINUTE)).toBe(true);
      expect(await storage.open().acquire('run-a', at(1000), MINUTE)).toBe(true);
    });

    it('lapses after its time, so a crashed run does not lock out the next', async () => {
      const storage = await fresh();
      expect(await storage.open().acquire('run-a', T0, MINUTE)).toBe(true);
      // Past the expiry by more than a second: the DynamoDB lease counts in whole seconds (its TTL attribute).
      expect(await storage.open().acquire('run-b', at(MINUTE + 2000), MINUTE)).toBe(true);
      expect(await storage.open().acquire('run-a', at(MINUTE + 3000), MINUTE)).toBe(false);
    });

    it('is given back only by its holder', async () => {
      const storage = await fresh();
      expect(await storage.open().acquire('run-a', T0, MINUTE)).toBe(true);
      await storage.open().release('run-b');
      expect(await storage.open().acquire('run-b', at(1000), MINUTE)).toBe(false);
      await storage.open().release('run-a');
      expect(await storage.open().acquire('run-b', at(2000), MINUTE)).toBe(true);
      await storage.open().release('run-a');
      expect(await storage.open().acquire('run-c', at(3000), MINUTE)).toBe(false);
    });

    it('lets exactly one of two owners racing for a free lease win', async () => {
      const storage = await fresh();
      const outcomes = await Promise.all([storage.open().acquire('run-a', T0, MINUTE), storage.open().acquire('run-b', T0, MINUTE)]);
      expect(outcomes.filter(Boolean)).toHaveLength(1);
    });
  });
}
