/**
 * Whole-file writes that a reader or a crash never sees half done: write a temporary file in the same
 * folder (same file system, so the rename is atomic), flush it to disk, then rename it over the target.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

let sequence = 0;

/** Writes `data` to `path` atomically, creating parent folders. `mode` applies to a new file (e.g. 0o600). */
export async function writeFileAtomic(path: string, data: Uint8Array | string, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  sequence += 1;
  const temporary = `${path}.tmp-${process.pid}-${sequence}`;
  const handle = await open(temporary, 'w', mode);
  try {
    await handle.writeFile(data);
    // Flush before the rename so a power cut cannot leave the new name pointing at empty blocks.
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** The file's bytes, or `undefined` when it does not exist. */
export async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Reads a JSON state file, or returns `fallback` when it does not exist. A file that is not valid JSON
 * is an error naming it: silently starting from empty state would re-send every email.
 */
export async function readJsonFile<T>(path: string, fallback: T): Promise<T> {
  const bytes = await readIfExists(path);
  if (bytes === undefined) return fallback;
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message}); fix it (it is state: do not delete it)`);
  }
}

/** Writes a JSON state file atomically, pretty-printed with a final newline so diffs stay readable. */
export async function writeJsonFile(path: string, value: unknown, mode?: number): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, mode);
}

/**
 * Runs read-modify-write steps one at a time, so two calls from the same process never interleave and
 * lose an update. (Across processes the run lease keeps publishers apart.)
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `step` after every step queued before it; its result or error is passed through. */
  run<T>(step: () => Promise<T>): Promise<T> {
    const result = this.tail.then(step);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
