/**
 * The digest archive as a JSON Lines journal (`out/state/archive.jsonl`): one line per stored version of
 * a digest, the last line for an id wins. Conditional puts behave like the DynamoDB adapter's.
 */
import type { Digest } from '../../core/model.js';
import type { Archive, ArchivePutOutcome } from '../../core/publish/ports.js';
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
   * stored); otherwise answers `conflict` and changes nothing.
   */
  put(digest: Digest, expectedHash: string | undefined): Promise<ArchivePutOutcome> {
    return this.queue.run(async () => {
      await this.journal.refresh();
      if (this.digests.get(digest.id)?.contentHash !== expectedHash) return 'conflict';
      await this.journal.append(digest);
      this.digests.set(digest.id, structuredClone(digest));
      return 'stored';
    });
  }
}
