/**
 * Plain text out of HTML with a real parser (linkedom, over htmlparser2; the same DOM the full-text
 * extractor reads): scripts, styles and page chrome are dropped, block elements become paragraph
 * breaks, entities are decoded by the parser. Used for `.html` articles and, after marked has rendered
 * them, for `.md` bodies too, so both share one text path.
 */
import { DOMParser } from 'linkedom';
import type { ArticleBlock, BlockKind } from '../model.js';
import { normaliseInline } from './text.js';

/** Elements whose content is never article text (code, styling, embedded media, forms, page chrome). */
const DROPPED = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'head',
  'svg',
  'math',
  'canvas',
  'iframe',
  'object',
  'embed',
  'video',
  'audio',
  'picture',
  'img',
  'map',
  'form',
  'button',
  'select',
  'textarea',
  'input',
  'nav',
  'aside',
  'footer',
  'dialog',
]);

/** Elements that end one paragraph and start another (a table row is one; its cells are not). */
const BLOCKS = new Set([
  'address',
  'article',
  'blockquote',
  'body',
  'br',
  'caption',
  'dd',
  'details',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'html',
  'li',
  'main',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'tfoot',
  'thead',
  'tr',
  'ul',
]);

/** The part of the DOM this module reads; linkedom's nodes provide it (its own typings are loose). */
export interface HtmlNode {
  readonly nodeType: number;
  readonly textContent: string | null;
  readonly childNodes: ArrayLike<HtmlNode> & Iterable<HtmlNode>;
}

/** An element, or the parsed document itself (the root every query starts from). */
export interface HtmlElement extends HtmlNode {
  /** Lower-case tag name; absent on the document. */
  readonly localName?: string;
  readonly previousElementSibling?: HtmlElement | null;
  getAttribute?(name: string): string | null;
  querySelector(selector: string): HtmlElement | null;
  querySelectorAll(selector: string): Iterable<HtmlElement>;
  closest?(selector: string): HtmlElement | null;
}

const TEXT_NODE = 3;
const ELEMENT_NODE = 1;
const DOCUMENT_NODE = 9;

/** What an HTML document says about itself, all optional and already normalised to one line. */
export interface HtmlMetadata {
  title?: string;
  /** `<link rel=canonical>` or `og:url`, only if it is an absolute http(s) URL. */
  url?: string;
  author?: string;
  /** `article:published_time`, left as written; the caller validates it. */
  published?: string;
}

/**
 * Parses HTML (a document or a fragment) once. htmlparser2 reads script and style content as raw text,
 * so a `</div>` inside a script cannot end an element early (it is then dropped with the element), and
 * closes unclosed elements at the end, as browsers do, which keeps their text and keeps parsing linear.
 */
export function parseHtml(html: string): HtmlElement {
  return new DOMParser().parseFromString(html, 'text/html') as unknown as HtmlElement;
}

/** The kind of block an element starts; prose containers inside a list item or caption keep that kind. */
function kindOf(tag: string, parent: BlockKind): BlockKind {
  if (/^h[1-6]$/u.test(tag)) return 'heading';
  if (tag === 'li' || tag === 'dt' || tag === 'dd') return 'list-item';
  if (tag === 'figcaption' || tag === 'caption') return 'caption';
  if (tag === 'blockquote') return 'quote';
  if (tag === 'pre') return 'code';
  if (tag === 'tr') return 'table-row';
  return parent === 'paragraph' || parent === 'heading' ? 'paragraph' : parent;
}

/**
 * The readable blocks of a document or fragment, each with its kind (heading, list item, caption…).
 * `<main>` (else `<body>`, else everything) is the root; a `<header>` outside an `<article>` is page
 * chrome and is dropped with nav, aside and footer. `skip` is an element left out on purpose (the
 * `<h1>` that became the title).
 */
export function htmlBlocks(root: HtmlElement, skip?: HtmlElement): ArticleBlock[] {
  const start = root.querySelector('main') ?? root.querySelector('body') ?? root;
  const blocks: ArticleBlock[] = [];
  let current = '';
  const flush = (kind: BlockKind): void => {
    const clean = normaliseInline(current);
    if (clean) blocks.push({ kind, text: clean });
    current = '';
  };
  const walk = (node: HtmlNode, insideArticle: boolean, kind: BlockKind): void => {
    if (node.nodeType === TEXT_NODE) {
      current += node.textContent ?? '';
      return;
    }
    if (node.nodeType !== ELEMENT_NODE && node.nodeType !== DOCUMENT_NODE) return;
    const element = node as HtmlElement;
    const tag = element.localName ?? '';
    if (element === skip || DROPPED.has(tag) || (tag === 'header' && !insideArticle)) return;
    const block = BLOCKS.has(tag);
    const inner = block ? kindOf(tag, kind) : kind;
    // Text before a block element belongs to the enclosing block.
    if (block) flush(kind);
    // Table cells on one row stay one paragraph, kept apart by a separator.
    if ((tag === 'td' || tag === 'th') && element.previousElementSibling) current += ' | ';
    const nowInside = insideArticle || tag === 'article';
    for (const child of element.childNodes) walk(child, nowInside, inner);
    if (block) flush(inner);
  };
  walk(start, start.localName === 'article' || (start.closest?.('article') ?? null) !== null, 'paragraph');
  flush('paragraph');
  return blocks;
}

/** The readable paragraphs of a document or fragment: the text of {@link htmlBlocks}. */
export function htmlParagraphs(root: HtmlElement, skip?: HtmlElement): string[] {
  return htmlBlocks(root, skip).map((block) => block.text);
}

/** The text of one element as a single normalised line (for titles). */
export function elementText(element: HtmlElement): string {
  return normaliseInline(htmlParagraphs(element).join(' '));
}

function absoluteHttpUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** An attribute's value; `undefined` when the element or the attribute is missing. */
export function attribute(element: HtmlElement | null, name: string): string | undefined {
  return element?.getAttribute?.(name) ?? undefined;
}

function metaContent(root: HtmlElement, selector: string): string | undefined {
  const value = attribute(root.querySelector(selector), 'content');
  const clean = value === undefined ? '' : normaliseInline(value);
  return clean || undefined;
}

/**
 * Title from `<title>`, else the first `<h1>` (returned as `titleElement`, when it is or repeats the
 * title, so the body can leave it out); url, author and publication time from the usual link and meta tags when present. Junk values
 * (a relative canonical, an empty meta) are ignored: these are hints a page gives, not declarations.
 */
export function htmlMetadata(root: HtmlElement): HtmlMetadata & { titleElement?: HtmlElement } {
  const metadata: HtmlMetadata & { titleElement?: HtmlElement } = {};
  const titleTag = root.querySelector('title');
  const fromTitleTag = titleTag ? normaliseInline(titleTag.textContent ?? '') : '';
  const h1 = root.querySelector('h1');
  const fromH1 = h1 ? elementText(h1) : '';
  if (fromTitleTag) metadata.title = fromTitleTag;
  else if (fromH1) metadata.title = fromH1;
  // The heading that repeats the title is not body text.
  if (h1 && fromH1 && fromH1 === metadata.title) metadata.titleElement = h1;
  const url =
    absoluteHttpUrl(attribute(root.querySelector('link[rel="canonical"]'), 'href')) ??
    absoluteHttpUrl(metaContent(root, 'meta[property="og:url"]'));
  if (url) metadata.url = url;
  const author = metaContent(root, 'meta[name="author"]');
  if (author) metadata.author = author;
  const published = metaContent(root, 'meta[property="article:published_time"]');
  if (published) metadata.published = published;
  return metadata;
}
