/**
 * In-memory fakes of the feed-source ports, held to the same contract as the SQLite and DynamoDB
 * adapters (tests/unit/sources-store-contract.ts).
 */
import type { AddSourceOutcome, SeenItems, Source, SourceStore, UpdateSourceOutcome } from '../../functions/core/sources/source.js';

/** Sources in a map; copies in and out, so a caller cannot change what is stored by accident. */
export class MemorySources implements SourceStore {
  readonly records = new Map<string, Source>();

  async list(): Promise<Source[]> {
    return [...this.records.values()].map(copy).sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : a.id < b.id ? -1 : 1));
  }
  async get(id: string): Promise<Source | undefined> {
    const source = this.records.get(id);
    return source ? copy(source) : undefined;
  }
  async add(source: Source): Promise<AddSourceOutcome> {
    if (this.records.has(source.id)) return 'exists';
    this.records.set(source.id, copy(source));
    return 'added';
  }
  async remove(id: string): Promise<boolean> {
    return this.records.delete(id);
  }
  async update(source: Source, expectedVersion: number): Promise<UpdateSourceOutcome> {
    const stored = this.records.get(source.id);
    if (!stored || stored.version !== expectedVersion) return 'conflict';
    this.records.set(source.id, copy({ ...source, version: expectedVersion + 1 }));
    return 'stored';
  }
}

/** Seen items in a set of (source, item) pairs. */
export class MemorySeenItems implements SeenItems {
  readonly seen = new Set<string>();
  async isSeen(sourceId: string, itemId: string): Promise<boolean> {
    return this.seen.has(JSON.stringify([sourceId, itemId]));
  }
  async markSeen(sourceId: string, itemId: string): Promise<'new' | 'seen'> {
    const key = JSON.stringify([sourceId, itemId]);
    if (this.seen.has(key)) return 'seen';
    this.seen.add(key);
    return 'new';
  }
}

function copy(source: Source): Source {
  return structuredClone(source);
}
