/**
 * The feed sources and the items seen in each, in the local state database. Updates are conditional on
 * the source's version inside a `BEGIN IMMEDIATE` transaction; marking an item seen is one
 * `INSERT OR IGNORE`, so of two runs that find the same item exactly one gets `new`.
 */
import { parseStoredSource, type Source, type SeenItems, type SourceStore } from '../../core/sources/source.js';
import type { AddSourceOutcome, UpdateSourceOutcome } from '../../core/sources/source.js';
import type { LocalState } from './local-state.js';

interface SourceRow {
  id: string;
  record: string;
}

/** `SourceStore` over the `sources` table. */
export class SqliteSources implements SourceStore {
  constructor(
    private readonly state: LocalState,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  /** Every readable source, sorted by URL; an unreadable row is reported and skipped. */
  async list(): Promise<Source[]> {
    const rows = this.state.db.prepare<[], SourceRow>('SELECT id, record FROM sources ORDER BY url, id').all();
    return rows.flatMap((row) => {
      const source = this.read(row);
      return source ? [source] : [];
    });
  }

  async get(id: string): Promise<Source | undefined> {
    const row = this.state.db.prepare<[string], SourceRow>('SELECT id, record FROM sources WHERE id = ?').get(id);
    return row ? this.read(row) : undefined;
  }

  async add(source: Source): Promise<AddSourceOutcome> {
    const result = this.state.db
      .prepare('INSERT OR IGNORE INTO sources (id, url, version, record) VALUES (?, ?, ?, ?)')
      .run(source.id, source.url, source.version, JSON.stringify(source));
    return result.changes === 1 ? 'added' : 'exists';
  }

  /**
   * Removes the record. Its seen items stay, as in DynamoDB: adding the same URL again gives the same
   * id, and an item seen once is never new again.
   */
  async remove(id: string): Promise<boolean> {
    return this.state.db.prepare('DELETE FROM sources WHERE id = ?').run(id).changes === 1;
  }

  async update(source: Source, expectedVersion: number): Promise<UpdateSourceOutcome> {
    const stored = { ...source, version: expectedVersion + 1 };
    const result = this.state.db
      .prepare('UPDATE sources SET url = ?, version = ?, record = ? WHERE id = ? AND version = ?')
      .run(stored.url, stored.version, JSON.stringify(stored), stored.id, expectedVersion);
    return result.changes === 1 ? 'stored' : 'conflict';
  }

  private read(row: SourceRow): Source | undefined {
    let value: unknown;
    try {
      value = JSON.parse(row.record);
    } catch {
      this.warn(`${this.state.path}: source ${JSON.stringify(row.id)} skipped: not valid JSON`);
      return undefined;
    }
    const parsed = parseStoredSource(value);
    if (parsed.ok) return parsed.source;
    this.warn(`${this.state.path}: source ${JSON.stringify(row.id)} skipped: ${parsed.reason}`);
    return undefined;
  }
}

/** `SeenItems` over the `seen_items` table. */
export class SqliteSeenItems implements SeenItems {
  constructor(private readonly state: LocalState) {}

  async isSeen(sourceId: string, itemId: string): Promise<boolean> {
    return this.state.db.prepare('SELECT 1 FROM seen_items WHERE source_id = ? AND item_id = ?').get(sourceId, itemId) !== undefined;
  }

  async markSeen(sourceId: string, itemId: string, at: Date): Promise<'new' | 'seen'> {
    const result = this.state.db
      .prepare('INSERT OR IGNORE INTO seen_items (source_id, item_id, seen_at) VALUES (?, ?, ?)')
      .run(sourceId, itemId, at.toISOString());
    return result.changes === 1 ? 'new' : 'seen';
  }
}
