/**
 * Raw articles (plain text, Markdown, HTML) to `Article`s: plain text in paragraphs, metadata, a stable
 * identity and a content hash. Pure: bytes in, data out; every refusal is an `ArticleError` whose
 * message starts with the article's source name. The format comes with the raw article (file sources
 * map extensions to it at their edge), so nothing here knows about file names.
 */
import { createHash } from 'node:crypto';
import { ArticleError } from '../errors.js';
import type { Article, ArticleBlock, ArticleFormat, ItemMetadata, RawArticle } from '../model.js';
import { FrontMatterError, parseIsoDate, splitFrontMatter } from './front-matter.js';
import { htmlBlocks, htmlMetadata, parseHtml } from './html.js';
import { MarkdownComplexityError, markdownText } from './markdown.js';
import { decodeArticleBytes, joinParagraphs, normaliseInline, plainTextBlocks, plainTextParagraphs } from './text.js';

export { MAX_ARTICLE_BYTES } from './text.js';

interface Parts {
  paragraphs: string[];
  blocks: ArticleBlock[];
  title?: string;
  url?: string;
  author?: string;
  published?: Date;
  tags?: string[];
  id?: string;
}

/** Prefix of the identity of an article without `id` or `url`: its source name follows. */
export const PATH_ID_PREFIX = 'path:';
/** Prefix of the identity earlier versions gave such articles: a hash of the text. */
export const LEGACY_TEXT_ID_PREFIX = 'sha256:';
/** Ids with this prefix are editions' (see core/editions/edition.ts); no article may take one. */
const RESERVED_ID_PREFIX = 'edition:';

function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/**
 * Parses one raw article in the format it declares. Its `source` is the `source` of the result and
 * the start of every error message.
 *
 * A feed item's metadata (`raw.item`: id, title, link, author, date, tags) wins over what the bytes say;
 * its provenance and mail hold are copied to the article.
 *
 * Identity: the feed item's id, else front-matter `id`, else the article's `url`, else `path:` plus its
 * source name (the file name relative to the folder, or the object key), so fixing a typo in a `.txt`
 * file updates its digest in place instead of making a second one (a hash of the text changed with every
 * edit). `contentHash` covers text and metadata, so an edit changes the hash but not the id. An id
 * beginning with `edition:` is refused: that prefix is the editions' own in the delivery ledger.
 *
 * Throws `ArticleError` for more than 1 MiB, no text, binary content, invalid
 * UTF-8, malformed front matter (bad YAML, a url that is not http(s), a date that is not ISO 8601,
 * tags that are not a list of strings), Markdown with so many emphasis markers that parsing would stall
 * (see MAX_EMPHASIS_MARKERS_PER_PARAGRAPH), or nesting too deep for the parsers.
 */
export function parseArticle(raw: RawArticle): Article {
  const { source: name, format, bytes } = raw;
  const decoded = decodeArticleBytes(bytes);
  if ('reason' in decoded) throw new ArticleError(name, decoded.reason);

  let parts: Parts;
  try {
    parts = readFormat(format, decoded.text);
  } catch (error) {
    if (error instanceof FrontMatterError || error instanceof MarkdownComplexityError) throw new ArticleError(name, error.message);
    // The parsers recurse per level of nesting; thousands of nested quotes, lists or elements overflow
    // the stack. That is a property of the file, so it is the file's error, not a crash of the run.
    if (error instanceof RangeError) throw new ArticleError(name, 'too deeply nested to read (quotes, lists or elements)');
    throw error;
  }

  // A feed item's own metadata beats what its HTML says (a content fragment rarely has a <title>).
  if (raw.item) parts = { ...parts, ...itemParts(raw.item) };
  const text = joinParagraphs(parts.paragraphs);
  if (!text) throw new ArticleError(name, 'empty article (no text)');
  if (parts.id?.startsWith(RESERVED_ID_PREFIX)) throw new ArticleError(name, `front-matter id must not begin with "${RESERVED_ID_PREFIX}"`);

  const article: Article = {
    id: parts.id ?? parts.url ?? `${PATH_ID_PREFIX}${name}`,
    source: name,
    tags: parts.tags ?? [],
    text,
    contentHash: '',
  };
  const blocks = parts.blocks
    .map((block) => ({ kind: block.kind, text: normaliseInline(block.text) }))
    .filter((block) => block.text !== '');
  if (blocks.length > 0) article.blocks = blocks;
  if (parts.title) article.title = parts.title;
  if (parts.url) article.url = parts.url;
  if (parts.author) article.author = parts.author;
  if (parts.published) article.published = parts.published;
  // An array, not a joined string, so no two different articles can produce the same hashed bytes.
  if (raw.provenance) article.provenance = { ...raw.provenance };
  if (raw.mailHold) article.mailHold = raw.mailHold;
  article.contentHash = sha256Hex(
    JSON.stringify([
      text,
      article.title ?? null,
      article.url ?? null,
      article.author ?? null,
      article.published?.toISOString() ?? null,
      article.tags,
    ]),
  );
  return article;
}

/** The parts a feed item's metadata gives; absent fields leave what the bytes said. */
function itemParts(item: ItemMetadata): Partial<Parts> {
  const parts: Partial<Parts> = { id: item.id };
  if (item.title) parts.title = item.title;
  if (item.url) parts.url = item.url;
  if (item.author) parts.author = item.author;
  if (item.published) parts.published = item.published;
  if (item.tags && item.tags.length > 0) parts.tags = item.tags;
  return parts;
}

function readFormat(format: ArticleFormat, source: string): Parts {
  switch (format) {
    case 'text':
      return { paragraphs: plainTextParagraphs(source), blocks: plainTextBlocks(source) };
    case 'markdown': {
      const { data, body } = splitFrontMatter(source);
      const { paragraphs, blocks, heading } = markdownText(body);
      // Front matter wins; a leading `# Heading` is the title only when front matter has none, and is
      // kept in the body when front matter gave a different title.
      const parts: Parts = { ...data, paragraphs, blocks };
      if (!data.title && heading) parts.title = heading;
      else if (heading && heading !== data.title) {
        paragraphs.unshift(heading);
        blocks.unshift({ kind: 'heading', text: heading });
      }
      return parts;
    }
    case 'html': {
      const root = parseHtml(source);
      const metadata = htmlMetadata(root);
      const blocks = htmlBlocks(root, metadata.titleElement);
      const parts: Parts = { paragraphs: blocks.map((block) => block.text), blocks };
      if (metadata.title) parts.title = metadata.title;
      if (metadata.url) parts.url = metadata.url;
      if (metadata.author) parts.author = metadata.author;
      if (metadata.published) {
        // A page's own meta tag is a hint: an unreadable one is ignored rather than failing the article.
        try {
          parts.published = parseIsoDate(metadata.published);
        } catch {
          /* ignored on purpose */
        }
      }
      return parts;
    }
  }
}
