/**
 * The seed articles bundled with the publisher Lambda (a plain folder, `/var/task/seeds` on AWS).
 * Deliberately tiny: it only lists and reads files; parsing happens in the core.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArticleSource, RawArticle } from '../../core/publish/ports.js';

/** File extensions the article parser understands; anything else in the folder (READMEs aside) is ignored. */
const ARTICLE_EXTENSIONS = /\.(txt|md|markdown|html?)$/i;

/** `ArticleSource` over the files directly inside one folder, sorted by name. */
export class SeedFolderSource implements ArticleSource {
  constructor(private readonly folder: string) {}

  /** Every article file in the folder (not recursive), named by file name. */
  async list(): Promise<RawArticle[]> {
    const entries = await readdir(this.folder, { withFileTypes: true });
    const names = entries
      .filter((entry) => entry.isFile() && ARTICLE_EXTENSIONS.test(entry.name) && !/^readme\./i.test(entry.name))
      .map((entry) => entry.name)
      .sort();
    return Promise.all(names.map(async (name) => ({ name, bytes: await readFile(join(this.folder, name)) })));
  }
}
