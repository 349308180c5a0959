/**
 * The digest archive as one JSON file (`out/state/archive.json`): every digest ever published, sorted by
 * id so the file itself is deterministic. Conditional puts behave like the DynamoDB adapter's.
 */
import { ArchiveConflictError } from '../../core/errors.js';
import type { Digest } from '../../core/model.js';
import type { Archive } from '../../core/publish/ports.js';
import { SerialQueue, readJsonFile, writeJsonFile } from './atomic-file.js';

interface ArchiveFile {
  version: 1;
  digests: Digest[];
}

/** The `Archive` port over a JSON file; safe for one process (the run lease keeps processes apart). */
export class JsonFileArchive implements Archive {
  private readonly queue = new SerialQueue();

  constructor(
    /** Path of the JSON file; created on the first put. */
    readonly path: string,
  ) {}

  /** Every stored digest (sorted by id). */
  async list(): Promise<Digest[]> {
    return (await this.read()).digests;
  }

  /**
   * Stores `digest` if the stored copy's contentHash is `expectedHash` (`undefined`: only if none is
   * stored); otherwise throws `ArchiveConflictError` and changes nothing.
   */
  put(digest: Digest, expectedHash: string | undefined): Promise<void> {
    return this.queue.run(async () => {
      const file = await this.read();
      const index = file.digests.findIndex((stored) => stored.id === digest.id);
      const stored = index >= 0 ? file.digests[index] : undefined;
      if (stored?.contentHash !== expectedHash) {
        throw new ArchiveConflictError(stored ? `digest ${digest.id} changed since it was read` : `digest ${digest.id} is not stored yet`);
      }
      const digests = file.digests.filter((other) => other.id !== digest.id);
      digests.push(digest);
      digests.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      await writeJsonFile(this.path, { version: 1, digests } satisfies ArchiveFile);
    });
  }

  private async read(): Promise<ArchiveFile> {
    const file = await readJsonFile<ArchiveFile>(this.path, { version: 1, digests: [] });
    if (!file || !Array.isArray(file.digests)) throw new Error(`${this.path}: not an archive file (no "digests" list)`);
    return file;
  }
}
