/**
 * The file sources' edge (the seeds folder, the S3 inbox, `gazette summarize FILE`): a file's extension
 * decides its article format here, once, so the core only ever sees a format and sources that are not
 * files need none of this.
 */
import { parseArticle } from '../core/articles/parse.js';
import { ArticleError } from '../core/errors.js';
import type { Article, ArticleFormat, RawArticle, RefusedArticle } from '../core/model.js';

/** The article formats of files, by lower-case extension. */
const FORMAT_BY_EXTENSION: Readonly<Record<string, ArticleFormat>> = {
  '.txt': 'text',
  '.text': 'text',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.html': 'html',
  '.htm': 'html',
};

/** The lower-case extension of a file name or object key (`''` when it has none). */
export function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

/**
 * A file as an article in the format its extension names, or a refusal naming the file when the
 * extension is not one Gazette reads (reported like any bad article, never silently skipped).
 */
export function articleFile(name: string, bytes: Uint8Array): RawArticle | RefusedArticle {
  const extension = extensionOf(name);
  const format = Object.hasOwn(FORMAT_BY_EXTENSION, extension) ? FORMAT_BY_EXTENSION[extension] : undefined;
  if (!format) return { source: name, refusal: `unsupported file type ${extension || '(none)'} (expected .txt, .md or .html)` };
  return { source: name, format, bytes };
}

/** Parses one file by its extension; throws `ArticleError` naming the file for an unknown type or bad content. */
export function parseArticleFile(name: string, bytes: Uint8Array): Article {
  const raw = articleFile(name, bytes);
  if ('refusal' in raw) throw new ArticleError(raw.source, raw.refusal);
  return parseArticle(raw);
}
