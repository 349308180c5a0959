/**
 * The digest archive in the local state database: one row per digest, its JSON in `body`. Conditional
 * puts run in a `BEGIN IMMEDIATE` transaction and behave like the DynamoDB adapter's.
 *
 * Rows are validated when read: a row that is valid JSON but not a digest (a hand edit, an imported
 * line from an older version) is reported by id and skipped, never fatal to every run; a later put of
 * that id replaces it.
 */
import { z } from 'zod';
import { MAIL_STATUSES, type Digest } from '../../core/model.js';
import type { Archive, ArchivePutOutcome } from '../../core/publish/ports.js';
import type { LocalState } from './local-state.js';

const digestSchema = z.object({
  id: z.string(),
  slug: z.string().min(1),
  headline: z.string(),
  summary: z.array(z.string()),
  keyPoints: z.array(z.string()),
  keywords: z.array(z.string()),
  sourceUrl: z.string().optional(),
  sourceName: z.string(),
  provenance: z.object({ title: z.string(), url: z.string() }).optional(),
  author: z.string().optional(),
  published: z.string(),
  updated: z.string(),
  firstSeen: z.string(),
  mailStatus: z.enum(MAIL_STATUSES),
  contentHash: z.string(),
  editions: z.array(z.string()).optional(),
  unpublishedAt: z.string().optional(),
  articleWords: z.number(),
  articleReadingMinutes: z.number(),
  digestReadingMinutes: z.number(),
}) satisfies z.ZodType<Digest>;

/** Reports a skipped row (its id and why). */
export type ArchiveWarning = (message: string) => void;

/** The `Archive` port over the `digests` table. */
export class SqliteArchive implements Archive {
  constructor(
    private readonly state: LocalState,
    private readonly warn: ArchiveWarning = () => undefined,
  ) {}

  /** Every valid stored digest, sorted by id; invalid rows are reported and skipped. */
  async list(): Promise<Digest[]> {
    const rows = this.state.db.prepare<[], { id: string; body: string }>('SELECT id, body FROM digests ORDER BY id').all();
    const digests: Digest[] = [];
    for (const row of rows) {
      const parsed = parseRow(row);
      if (parsed.ok) digests.push(parsed.digest);
      else this.warn(`${this.state.path}: archive row ${JSON.stringify(row.id)} skipped: ${parsed.reason}`);
    }
    return digests;
  }

  /**
   * Stores `digest` if the stored copy's contentHash is `expectedHash` (`undefined`: only if no valid
   * copy is stored); otherwise answers `conflict` and changes nothing.
   */
  async put(digest: Digest, expectedHash: string | undefined): Promise<ArchivePutOutcome> {
    const read = this.state.db.prepare<[string], { id: string; body: string }>('SELECT id, body FROM digests WHERE id = ?');
    const write = this.state.db.prepare('INSERT OR REPLACE INTO digests (id, content_hash, body) VALUES (?, ?, ?)');
    return this.state.immediate((): ArchivePutOutcome => {
      const row = read.get(digest.id);
      const stored = row ? parseRow(row) : undefined;
      // An invalid row counts as absent, so the run that recomputes the digest repairs it.
      const storedHash = stored?.ok ? stored.digest.contentHash : undefined;
      if (storedHash !== expectedHash) return 'conflict';
      write.run(digest.id, digest.contentHash, JSON.stringify(digest));
      return 'stored';
    });
  }
}

function parseRow(row: { id: string; body: string }): { ok: true; digest: Digest } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(row.body);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  const parsed = digestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: issue ? `${issue.path.join('.') || 'value'}: ${issue.message}` : 'not a digest' };
  }
  if (parsed.data.id !== row.id) return { ok: false, reason: `its body has id ${JSON.stringify(parsed.data.id)}` };
  return { ok: true, digest: parsed.data };
}
