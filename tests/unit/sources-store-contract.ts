/**
 * One behaviour contract for the feed-source ports (`SourceStore`, `SeenItems`), run against the SQLite
 * adapters and the memory fakes in tests/unit and against the DynamoDB adapters on dynalite in
 * tests/integration: the same conditional rules and the same answers everywhere.
 */
import { describe, expect, it } from 'vitest';
import { newSource, type SeenItems, type SourceStore } from '../../functions/core/sources/source.js';
import type { PortFixture } from './publish-ports-contract.js';

const T0 = new Date('2026-12-01T08:00:00.000Z');

/** Registers the source store contract for one adapter. */
export function describeSourceStore(name: string, fresh: () => Promise<PortFixture<SourceStore>>): void {
  describe(`${name}: source store contract`, () => {
    it('adds a source once, lists sources by URL and reads one back exactly', async () => {
      const storage = await fresh();
      const store = storage.open();
      const b = { ...newSource('https://b.example.com/feed.xml', T0), title: 'B — ünïcode', validators: { etag: '"x"' } };
      const a = newSource('https://a.example.com/feed.xml', T0, 'always');
      expect(await store.add(b)).toBe('added');
      expect(await store.add(a)).toBe('added');
      expect(await storage.open().add({ ...b, title: 'other' })).toBe('exists');
      expect((await storage.open().list()).map((source) => source.url)).toEqual([a.url, b.url]);
      expect(await storage.open().get(b.id)).toEqual(b);
      expect(await storage.open().get('src-none')).toBeUndefined();
    });

    it('updates only the version it read, and bumps it', async () => {
      const storage = await fresh();
      const source = newSource('https://news.example.com/rss', T0);
      await storage.open().add(source);
      const moved = { ...source, url: 'https://news.example.com/new-rss', consecutiveErrors: 2 };
      expect(await storage.open().update(moved, 0)).toBe('stored');
      expect(await storage.open().update({ ...source, title: 'stale writer' }, 0)).toBe('conflict');
      const stored = await storage.open().get(source.id);
      expect(stored).toEqual({ ...moved, version: 1 });
      expect(await storage.open().update({ ...stored!, status: 'paused' }, 1)).toBe('stored');
      expect((await storage.open().get(source.id))?.status).toBe('paused');
      expect(await storage.open().update(newSource('https://absent.example.com/', T0), 0)).toBe('conflict');
    });

    it('removes a source, and says whether there was one', async () => {
      const storage = await fresh();
      const source = newSource('https://news.example.com/rss', T0);
      await storage.open().add(source);
      expect(await storage.open().remove(source.id)).toBe(true);
      expect(await storage.open().remove(source.id)).toBe(false);
      expect(await storage.open().list()).toEqual([]);
    });
  });
}

/** Registers the seen-items contract for one adapter. */
export function describeSeenItems(name: string, fresh: () => Promise<PortFixture<SeenItems>>): void {
  describe(`${name}: seen items contract`, () => {
    it('an item is new exactly once per source, whoever asks again; isSeen only reads', async () => {
      const storage = await fresh();
      expect(await storage.open().isSeen('src-a', 'guid-1')).toBe(false);
      expect(await storage.open().isSeen('src-a', 'guid-1')).toBe(false);
      expect(await storage.open().markSeen('src-a', 'guid-1', T0)).toBe('new');
      expect(await storage.open().isSeen('src-a', 'guid-1')).toBe(true);
      expect(await storage.open().isSeen('src-b', 'guid-1')).toBe(false);
      expect(await storage.open().markSeen('src-a', 'guid-1', T0)).toBe('seen');
      expect(await storage.open().markSeen('src-b', 'guid-1', T0)).toBe('new');
      expect(await storage.open().markSeen('src-a', 'guid-2', T0)).toBe('new');
    });

    it('of many concurrent marks of one item exactly one is new (a retried or overlapping run)', async () => {
      const storage = await fresh();
      const answers = await Promise.all(Array.from({ length: 8 }, () => storage.open().markSeen('src-a', 'https://x.example/1', T0)));
      expect(answers.filter((answer) => answer === 'new')).toHaveLength(1);
    });

    it('keeps very long item ids apart (hashed where a store must)', async () => {
      const storage = await fresh();
      const long = `https://example.com/${'a'.repeat(3000)}`;
      expect(await storage.open().markSeen('src-a', `${long}1`, T0)).toBe('new');
      expect(await storage.open().markSeen('src-a', `${long}2`, T0)).toBe('new');
      expect(await storage.open().markSeen('src-a', `${long}1`, T0)).toBe('seen');
      expect(await storage.open().isSeen('src-a', `${long}2`)).toBe(true);
      expect(await storage.open().isSeen('src-a', `${long}3`)).toBe(false);
    });
  });
}
