/**
 * Articles from a local folder (`seeds/` for `npm start`). Every regular file whose name does not start
 * with a dot is returned, so a file of an unsupported type surfaces as an article error naming it
 * instead of being ignored without a word.
 */
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { MAX_ARTICLE_BYTES } from '../../core/articles/parse.js';
import type { RawArticle, RefusedArticle } from '../../core/model.js';
import type { ArticleSource } from '../../core/publish/ports.js';
import { articleFile } from '../article-files.js';

/** Reads at most this much of a file: enough for the parser to see that it is over the limit. */
const READ_LIMIT = MAX_ARTICLE_BYTES + 1;

/** The `ArticleSource` port over a folder (not recursive). */
export class FolderArticleSource implements ArticleSource {
  constructor(
    /** Folder holding the article files. */
    readonly dir: string,
  ) {}

  /**
   * Every non-hidden regular file, sorted by name (code-point order, independent of locale), in the
   * format its extension names; a file of another type comes back as a refusal naming it.
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
    const names = entries
      .filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const articles: (RawArticle | RefusedArticle)[] = [];
    for (const name of names) {
      const bytes = await readCapped(join(this.dir, name));
      if (bytes) articles.push(articleFile(name, bytes));
    }
    return articles;
  }
}

/** Reads up to READ_LIMIT bytes, so a huge file costs 1 MiB of memory, not its size. */
async function readCapped(path: string): Promise<Uint8Array | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    // A dangling symlink or a file removed since the listing: not an article any more.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return undefined;
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
