/**
 * Articles from a local folder (`seeds/` for `npm start`). Every non-hidden regular file is returned, so
 * a file of an unsupported type surfaces as an article error naming it instead of being ignored
 * without a word.
 *
 * Nothing outside the folder is ever read, and nothing can make the run wait: a symbolic link is
 * refused (`ln -s ~/.env seeds/readme.txt` once published a secret in every page, feed and mail), and
 * so are FIFOs, sockets and devices (opening a FIFO blocks until a writer comes, which is forever). Each
 * file is opened without following links and without blocking, and checked to be a regular file on the
 * open handle, so swapping a file for a link or a FIFO after the listing changes nothing.
 */
import { constants } from 'node:fs';
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { MAX_ARTICLE_BYTES } from '../../core/articles/parse.js';
import type { RawArticle, RefusedArticle } from '../../core/model.js';
import type { ArticleSource } from '../../core/publish/ports.js';
import { articleFile } from '../article-files.js';

/** Reads at most this much of a file: enough for the parser to see that it is over the limit. */
const READ_LIMIT = MAX_ARTICLE_BYTES + 1;

/** Read-only, never through a symbolic link, never waiting for a FIFO's writer. */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

const NOT_A_FILE = 'not a regular file (a FIFO, socket or device); only regular files in the folder are read';
const A_LINK = 'a symbolic link; only regular files inside the folder are read, links are never followed';

/** The `ArticleSource` port over a folder (not recursive). */
export class FolderArticleSource implements ArticleSource {
  constructor(
    /** Folder holding the article files. */
    readonly dir: string,
  ) {}

  /**
   * Every non-hidden regular file, sorted by name (code-point order, independent of locale), in the
   * format its extension names; a file of another type, and every non-hidden link, FIFO, socket or
   * device, comes back as a refusal with its reason. Subfolders are not articles.
   */
  async list(): Promise<(RawArticle | RefusedArticle)[]> {
    let entries;
    try {
      entries = await readdir(this.dir, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new ConfigError(`article folder not found: ${this.dir}`);
      throw error;
    }
    const candidates = entries
      .filter((entry) => !entry.isDirectory() && !entry.name.startsWith('.'))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const articles: (RawArticle | RefusedArticle)[] = [];
    for (const entry of candidates) {
      const { name } = entry;
      if (entry.isSymbolicLink()) articles.push({ source: name, refusal: A_LINK });
      else if (!entry.isFile()) articles.push({ source: name, refusal: NOT_A_FILE });
      else {
        const read = await readRegularFile(join(this.dir, name));
        if (read !== 'gone') articles.push(read === 'refused' ? { source: name, refusal: NOT_A_FILE } : articleFile(name, read));
      }
    }
    return articles;
  }
}

/**
 * Reads up to READ_LIMIT bytes of a regular file, so a huge file costs 1 MiB of memory, not its size.
 * `refused` when the path is (now) a link, FIFO, socket or device; `gone` when it was removed since the
 * listing.
 */
async function readRegularFile(path: string): Promise<Uint8Array | 'refused' | 'gone'> {
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'gone';
    // ELOOP: it became a symbolic link; ENXIO: a FIFO or socket with nobody at the other end.
    if (code === 'ELOOP' || code === 'ENXIO') return 'refused';
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return 'refused';
    if (stats.size < READ_LIMIT) return await handle.readFile();
    const buffer = Buffer.alloc(READ_LIMIT);
    let filled = 0;
    while (filled < READ_LIMIT) {
      const { bytesRead } = await handle.read(buffer, filled, READ_LIMIT - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
