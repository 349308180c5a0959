/**
 * The digest archive in the local state database: one row per digest, its JSON in `body`, and the
 * archive index beside it: the indexed `first_seen` column and the compact `entry` (core
 * `ArchiveEntry`), written with every put. Conditional puts run in a `BEGIN IMMEDIATE` transaction and
 * behave like the DynamoDB adapter's.
 *
 * Rows are validated when read: a row that is valid JSON but not a digest (a hand edit, an imported
 * line from an older version) is reported by id and skipped, never fatal to every run; a later put of
 * that id replaces it.
 */
import * as z from '../../core/zod.js';
import { MAIL_STATUSES, type ArchiveEntry, type Digest } from '../../core/model.js';
import { archiveEntry } from '../../core/publish/digest.js';
import type { Archive, ArchivePutOutcome } from '../../core/publish/ports.js';
import type { LocalState } from './local-state.js';

const digestSchema = z.object({
  id: z.string(),
  slug: z.string().check(z.minLength(1)),
  headline: z.string(),
  summary: z.array(z.string()),
  keyPoints: z.array(z.string()),
  keywords: z.array(z.string()),
  sourceUrl: z.optional(z.string()),
  sourceName: z.string(),
  provenance: z.optional(z.object({ title: z.string(), url: z.string() })),
  author: z.optional(z.string()),
  published: z.string(),
  updated: z.string(),
  firstSeen: z.string(),
  mailStatus: z.enum(MAIL_STATUSES),
  contentHash: z.string(),
  editions: z.optional(z.array(z.string())),
  unpublishedAt: z.optional(z.string()),
  articleWords: z.number(),
  articleReadingMinutes: z.number(),
  digestReadingMinutes: z.number(),
}) satisfies z.ZodMiniType<Digest>;

/** Reports a skipped row (its id and why). */
export type ArchiveWarning = (message: string) => void;

const entrySchema = z.object({
  id: z.string(),
  slug: z.string().check(z.minLength(1)),
  headline: z.string(),
  lead: z.string(),
  published: z.string(),
  firstSeen: z.string(),
  sourceName: z.string(),
  sourceUrl: z.optional(z.string()),
  provenance: z.optional(z.object({ title: z.string(), url: z.string() })),
  mailStatus: z.enum(MAIL_STATUSES),
  editions: z.optional(z.array(z.string())),
  unpublishedAt: z.optional(z.string()),
}) satisfies z.ZodMiniType<ArchiveEntry>;

interface DigestRow {
  id: string;
  body: string;
}

/** The `Archive` port over the `digests` table. */
export class SqliteArchive implements Archive {
  constructor(
    private readonly state: LocalState,
    private readonly warn: ArchiveWarning = () => undefined,
  ) {}

  /**
   * Every valid stored digest, sorted by id; invalid rows are reported and skipped. A row stored before
   * the index existed (an older database, an imported journal line) gets its index columns here.
   */
  async list(): Promise<Digest[]> {
    const rows = this.state.db
      .prepare<[], DigestRow & { indexed: number }>('SELECT id, body, entry IS NOT NULL AS indexed FROM digests ORDER BY id')
      .all();
    const index = this.state.db.prepare('UPDATE digests SET first_seen = ?, entry = ? WHERE id = ? AND body = ?');
    const digests: Digest[] = [];
    for (const row of rows) {
      const parsed = this.parse(row);
      if (!parsed) continue;
      digests.push(parsed);
      if (!row.indexed) index.run(parsed.firstSeen, JSON.stringify(archiveEntry(parsed)), row.id, row.body);
    }
    return digests;
  }

  /** The valid stored digests among `ids`. */
  async get(ids: readonly string[]): Promise<Digest[]> {
    const rows = this.state.db
      .prepare<[string], DigestRow>('SELECT id, body FROM digests WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id')
      .all(JSON.stringify([...new Set(ids)]));
    return rows.flatMap((row) => this.parse(row) ?? []);
  }

  /** Every indexed entry, from the `entry` column alone. */
  async entries(): Promise<ArchiveEntry[]> {
    return this.parseEntries(
      this.state.db.prepare<[], { id: string; entry: string }>('SELECT id, entry FROM digests WHERE entry IS NOT NULL ORDER BY id').all(),
    );
  }

  /** The entries first seen after `instant`, through the `first_seen` index. */
  async entriesSeenAfter(instant: string): Promise<ArchiveEntry[]> {
    return this.parseEntries(
      this.state.db
        .prepare<[string], { id: string; entry: string }>(
          'SELECT id, entry FROM digests WHERE first_seen > ? AND entry IS NOT NULL ORDER BY id',
        )
        .all(instant),
    );
  }

  /**
   * Stores `digest` if the stored copy's contentHash is `expectedHash` (`undefined`: only if no valid
   * copy is stored); otherwise answers `conflict` and changes nothing.
   */
  async put(digest: Digest, expectedHash: string | undefined): Promise<ArchivePutOutcome> {
    const read = this.state.db.prepare<[string], DigestRow>('SELECT id, body FROM digests WHERE id = ?');
    const write = this.state.db.prepare(
      'INSERT OR REPLACE INTO digests (id, content_hash, body, first_seen, entry) VALUES (?, ?, ?, ?, ?)',
    );
    return this.state.immediate((): ArchivePutOutcome => {
      const row = read.get(digest.id);
      const stored = row ? parseRow(row) : undefined;
      // An invalid row counts as absent, so the run that recomputes the digest repairs it.
      const storedHash = stored?.ok ? stored.digest.contentHash : undefined;
      if (storedHash !== expectedHash) return 'conflict';
      write.run(digest.id, digest.contentHash, JSON.stringify(digest), digest.firstSeen, JSON.stringify(archiveEntry(digest)));
      return 'stored';
    });
  }

  private parse(row: DigestRow): Digest | undefined {
    const parsed = parseRow(row);
    if (parsed.ok) return parsed.digest;
    this.warn(`${this.state.path}: archive row ${JSON.stringify(row.id)} skipped: ${parsed.reason}`);
    return undefined;
  }

  private parseEntries(rows: { id: string; entry: string }[]): ArchiveEntry[] {
    return rows.flatMap((row) => {
      const parsed = entrySchema.safeParse(safeJson(row.entry));
      if (parsed.success) return [parsed.data];
      this.warn(`${this.state.path}: archive entry ${JSON.stringify(row.id)} skipped: not an archive entry`);
      return [];
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseRow(row: DigestRow): { ok: true; digest: Digest } | { ok: false; reason: string } {
  const value = safeJson(row.body);
  if (value === undefined) return { ok: false, reason: 'not valid JSON' };
  const parsed = digestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: issue ? `${issue.path.join('.') || 'value'}: ${issue.message}` : 'not a digest' };
  }
  if (parsed.data.id !== row.id) return { ok: false, reason: `its body has id ${JSON.stringify(parsed.data.id)}` };
  return { ok: true, digest: parsed.data };
}
