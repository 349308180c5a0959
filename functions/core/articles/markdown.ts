/**
 * Markdown bodies to plain text. marked (zero dependencies, CommonMark + GFM) tokenises the body and
 * the tokens are walked here: emphasis and links keep their text, images are dropped, code stays as
 * text (it is part of what the author wrote), and raw HTML goes through the same HTML extractor as
 * `.html` articles, so `<script>` is dropped the same way. Walking tokens instead of rendering HTML and
 * parsing it again keeps a 1 MiB Markdown article at about 1.5 s instead of 7 s.
 */
import { decodeHTML } from 'entities';
import { Marked, type Token, type Tokens } from 'marked';
import type { ArticleBlock, BlockKind } from '../model.js';
import { htmlBlocks, parseHtml } from './html.js';
import { normaliseInline } from './text.js';

// One private instance, so no other module's marked.use() can change how articles are read.
const markdown = new Marked({ gfm: true, async: false });

/** A Markdown body as paragraphs and blocks, plus the text of a leading `# Heading` (removed from the body). */
export interface MarkdownText {
  paragraphs: string[];
  /** The same text as `paragraphs`, one block each, with its kind from the Markdown syntax. */
  blocks: ArticleBlock[];
  heading?: string;
}

/** A Markdown body that would take the parser too long; the caller names the file. */
export class MarkdownComplexityError extends Error {
  override name = 'MarkdownComplexityError';
}

/**
 * Emphasis markers marked will pair up within one paragraph. marked resolves
 * emphasis in time that grows faster than linearly with the number of `*`, `_` and `~` in one inline
 * run (measured: 16 KB of "*a_" takes 2.4 s, 1000 markers about 35 ms), so an adversarial article could
 * stall a run for minutes. Real prose stays far below these limits.
 */
export const MAX_EMPHASIS_MARKERS_PER_PARAGRAPH = 1000;
/**
 * Budget for the whole article: the sum over paragraphs of (markers in the paragraph)². The cost grows
 * with that sum (1 MiB of 1000-marker paragraphs, a sum of 3.5e8, took 17 s); this budget keeps the
 * worst case near 2 s while a long article with ordinary emphasis (a few hundred per paragraph at
 * most) stays far below it.
 */
export const EMPHASIS_BUDGET = 40_000_000;
/**
 * Quote and list markers opening one line (`> > - 1. text`), and columns of indentation. marked
 * recurses per level and re-scans the rest at each one: thousands of levels take seconds and then
 * overflow the stack. Real documents nest a handful of levels.
 */
export const MAX_NESTING = 16;
/** See MAX_NESTING: lists can also nest by indentation, two or more columns a level. */
export const MAX_INDENT_COLUMNS = 128;

const STAR = 42;
const UNDERSCORE = 95;
const TILDE = 126;

/** How many quote or list markers open `line`, and how far its text is indented. */
function lineNesting(line: string): { markers: number; indent: number } {
  let markers = 0;
  let indent = 0;
  let i = 0;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') {
      indent += line[i] === '\t' ? 4 : 1;
      i += 1;
    }
    const char = line[i];
    const next = line[i + 1];
    if (char === '>') {
      markers += 1;
      i += 1;
    } else if ((char === '-' || char === '+' || char === '*') && (next === ' ' || next === '\t')) {
      markers += 1;
      i += 1;
    } else {
      const ordered = /^\d{1,9}[.)](?=[ \t])/u.exec(line.slice(i, i + 11));
      if (!ordered) return { markers, indent };
      markers += 1;
      i += ordered[0].length;
    }
  }
}

/** Throws `MarkdownComplexityError` when the body would take marked too long (see the limits above). */
function checkComplexity(body: string): void {
  for (const [index, line] of body.split('\n').entries()) {
    const { markers, indent } = lineNesting(line);
    if (markers > MAX_NESTING || indent > MAX_INDENT_COLUMNS) {
      throw new MarkdownComplexityError(
        `Markdown too complex to read safely: line ${index + 1} nests quotes or lists deeper than ${MAX_NESTING} levels or ${MAX_INDENT_COLUMNS} columns`,
      );
    }
  }
  let spent = 0;
  // An inline run never crosses a blank line, so counting per blank-line block bounds every run.
  for (const block of body.split(/\n[ \t]*\n/u)) {
    let markers = 0;
    for (let i = 0; i < block.length; i += 1) {
      const code = block.charCodeAt(i);
      if (code === STAR || code === UNDERSCORE || code === TILDE) markers += 1;
    }
    if (markers > MAX_EMPHASIS_MARKERS_PER_PARAGRAPH) {
      throw new MarkdownComplexityError(
        `Markdown too complex to read safely: one paragraph has ${markers} emphasis markers (*, _ or ~; the limit is ${MAX_EMPHASIS_MARKERS_PER_PARAGRAPH})`,
      );
    }
    spent += markers * markers;
    if (spent > EMPHASIS_BUDGET) {
      throw new MarkdownComplexityError('Markdown too complex to read safely: too many emphasis markers (*, _ or ~) across its paragraphs');
    }
  }
}

/** Inline HTML elements whose content is code or chrome, not text (as in the HTML extractor). */
const RAW_INLINE = /^<(script|style|noscript|template|textarea|iframe|object|svg|math)\b/iu;

/** The text of inline tokens; inline HTML tags are dropped, and so is the content of `<script>` & co. */
function inlineText(tokens: Token[] | undefined): string {
  if (!tokens) return '';
  let text = '';
  let skipUntil: RegExp | undefined;
  for (const token of tokens) {
    if (skipUntil) {
      if (token.type === 'html' && skipUntil.test(token.text as string)) skipUntil = undefined;
      continue;
    }
    switch (token.type) {
      case 'text':
        text += token.tokens ? inlineText(token.tokens) : decodeHTML(token.text as string);
        break;
      case 'escape':
      case 'codespan':
        // Code spans are literal: CommonMark does not decode entities inside them.
        text += token.text as string;
        break;
      case 'br':
        text += ' ';
        break;
      case 'image':
        break;
      case 'html': {
        const raw = RAW_INLINE.exec(token.text as string);
        if (raw) skipUntil = new RegExp(`^</${raw[1]}\\s*>`, 'iu');
        break;
      }
      default:
        // strong, em, del, link and extensions: their children carry the text.
        text += inlineText((token as Tokens.Generic).tokens);
    }
  }
  return text;
}

/**
 * Appends the blocks of block tokens to `out`. `context` is the kind of the container the tokens are in:
 * a paragraph inside a list item is part of the list item, one inside a blockquote part of the quote.
 */
function blockParagraphs(tokens: Token[], out: ArticleBlock[], context: BlockKind = 'paragraph'): void {
  const push = (kind: BlockKind, text: string): void => {
    out.push({ kind, text });
  };
  for (const token of tokens) {
    switch (token.type) {
      case 'heading':
        push('heading', inlineText(token.tokens));
        break;
      case 'paragraph':
        push(context, inlineText(token.tokens));
        break;
      case 'text':
        // Block-level text: the content of a tight list item.
        push(context, token.tokens ? inlineText(token.tokens) : decodeHTML(token.text as string));
        break;
      case 'code':
        push('code', token.text as string);
        break;
      case 'list':
        for (const item of (token as Tokens.List).items) blockParagraphs(item.tokens, out, 'list-item');
        break;
      case 'blockquote':
        blockParagraphs((token as Tokens.Blockquote).tokens, out, context === 'paragraph' ? 'quote' : context);
        break;
      case 'table': {
        const table = token as Tokens.Table;
        for (const row of [table.header, ...table.rows]) push('table-row', row.map((cell) => inlineText(cell.tokens)).join(' | '));
        break;
      }
      case 'html':
        out.push(...htmlBlocks(parseHtml(token.text as string)));
        break;
      case 'space':
      case 'hr':
      case 'def':
      case 'checkbox':
        break;
      default: {
        const generic = token as Tokens.Generic;
        if (generic.tokens) blockParagraphs(generic.tokens, out, context);
      }
    }
  }
}

/**
 * Reads a Markdown body (front matter already removed). Throws `MarkdownComplexityError` for bodies
 * the parser would take too long on, and lets a `RangeError` from absurd nesting through.
 */
export function markdownText(body: string): MarkdownText {
  checkComplexity(body);
  const tokens = markdown.lexer(body);
  const first = tokens.find((token) => token.type !== 'space');
  let heading: string | undefined;
  if (first && first.type === 'heading' && (first as Tokens.Heading).depth === 1) {
    heading = normaliseInline(inlineText(first.tokens)) || undefined;
    tokens.splice(tokens.indexOf(first), 1);
  }
  const raw: ArticleBlock[] = [];
  blockParagraphs(tokens, raw);
  // Normalised as the article's text will be, so blocks and paragraphs carry the same words.
  const blocks = raw.map((block) => ({ kind: block.kind, text: normaliseInline(block.text) })).filter((block) => block.text !== '');
  const result: MarkdownText = { paragraphs: raw.map((block) => block.text), blocks };
  if (heading) result.heading = heading;
  return result;
}
