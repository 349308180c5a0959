/**
 * The digest archive as a JSON Lines journal (`out/state/archive.jsonl`): one line per stored version of
 * a digest, the last line for an id wins. Conditional puts behave like the DynamoDB adapter's.
 */
import { ArchiveConflictError } from '../../core/errors.js';
import type { Digest } from '../../core/model.js';
import type { Archive } from '../../core/publish/ports.js';
import { SerialQueue } from './atomic-file.js';
import { JsonLinesJournal } from './json-lines-journal.js';

function isDigest(value: unknown): value is Digest {
  const digest = value as Partial<Digest> | null;
  return typeof digest === 'object' && digest !== null && typeof digest.id === 'string' && typeof digest.contentHash === 'string';
}

/** The `Archive` port over an append-only file; safe for one process (the run lease keeps processes apart). */
export class JsonFileArchive implements Archive {
  private readonly queue = new SerialQueue();
  private readonly digests = new Map<string, Digest>();
  private readonly journal: JsonLinesJournal<Digest>;

  constructor(
    /** Path of the journal; created on the first put. */
    readonly path: string,
  ) {
    this.journal = new JsonLinesJournal(path, (digest) => this.digests.set(digest.id, digest), isDigest);
  }

  /** Every stored digest, sorted by id. */
  list(): Promise<Digest[]> {
    return this.queue.run(async () => {
      await this.journal.refresh();
      return [...this.digests.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((digest) => structuredClone(digest));
    });
  }

  /**
   * Stores `digest` if the stored copy's contentHash is `expectedHash` (`undefined`: only if none is
   * stored); otherwise throws `ArchiveConflictError` and changes nothing.
   */
  put(digest: Digest, expectedHash: string | undefined): Promise<void> {
    return this.queue.run(async () => {
      await this.journal.refresh();
      const stored = this.digests.get(digest.id);
      if (stored?.contentHash !== expectedHash) {
        throw new ArchiveConflictError(stored ? `digest ${digest.id} changed since it was read` : `digest ${digest.id} is not stored yet`);
      }
      await this.journal.append(digest);
      this.digests.set(digest.id, structuredClone(digest));
    });
  }
}
