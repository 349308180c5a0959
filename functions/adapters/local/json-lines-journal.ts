/**
 * An append-only JSON Lines file: each change is one line, flushed to disk before the call returns.
 *
 * Why not rewrite one JSON file per change: a send to n subscribers would then rewrite O(n²) bytes
 * (measured by bench/publish.ts: 84 mails/s falling to 33 mails/s over 1,000 subscribers). Appending
 * costs the same for the first change and the ten-thousandth.
 *
 * Readers replay the lines in order. Each instance remembers how far it has read, so a refresh reads only
 * what other instances appended since. A crash can leave a last line without its newline: that change
 * never completed (its call never returned), so readers skip it and the next append cuts it off.
 */
import { mkdir, open, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Replays and appends the entries of one JSON Lines file. */
export class JsonLinesJournal<Entry> {
  private offset = 0;
  /** True when the file ends in an unfinished line (a crash mid-append) that the next append removes. */
  private tornTail = false;

  constructor(
    /** Path of the file; created on the first append. */
    readonly path: string,
    /** Applies one entry, in file order, to the caller's in-memory state. */
    private readonly apply: (entry: Entry) => void,
    /** Rejects a line that parses but is not an entry (names the file in the error). */
    private readonly isEntry: (value: unknown) => value is Entry,
  ) {}

  /** Applies every complete line appended since the last refresh (by any instance). */
  async refresh(): Promise<void> {
    let handle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    try {
      const { size } = await handle.stat();
      if (size <= this.offset) return;
      const buffer = Buffer.alloc(size - this.offset);
      await handle.read(buffer, 0, buffer.length, this.offset);
      const end = buffer.lastIndexOf(0x0a) + 1;
      for (const line of buffer.subarray(0, end).toString('utf8').split('\n')) {
        if (line.trim() !== '') this.apply(this.parse(line));
      }
      this.offset += end;
      this.tornTail = end < buffer.length;
    } finally {
      await handle.close();
    }
  }

  /** Appends one entry and flushes it; the caller applies it to its state itself. */
  async append(entry: Entry): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    if (this.tornTail) await truncate(this.path, this.offset);
    const handle = await open(this.path, 'a', 0o644);
    try {
      await handle.write(`${JSON.stringify(entry)}\n`);
      await handle.sync();
      this.offset = (await handle.stat()).size;
      this.tornTail = false;
    } finally {
      await handle.close();
    }
  }

  private parse(line: string): Entry {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      // Only the unfinished last line may be broken, and refresh() never reads it; a broken line in the
      // middle means the file was damaged, and guessing would re-send or lose email.
      throw new Error(`${this.path}: a line is not valid JSON (${(error as Error).message}); fix or delete it`);
    }
    if (!this.isEntry(value)) throw new Error(`${this.path}: a line is not a valid entry; fix or delete it`);
    return value;
  }
}
