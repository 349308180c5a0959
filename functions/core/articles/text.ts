import type { ArticleBlock } from '../model.js';

/**
 * Byte-level checks and whitespace normalisation shared by every article format. Pure functions: the
 * caller wraps the reasons these return into an `ArticleError` naming the file.
 */

/** Largest article accepted, in bytes (1 MiB). Bigger files are refused, not truncated. */
export const MAX_ARTICLE_BYTES = 1024 * 1024;

/**
 * Share of control characters above which text counts as binary. Real prose has none besides tab and
 * newline; a stray escape code is tolerated (and removed), a file full of them is not text.
 */
const CONTROL_RATIO_LIMIT = 0.01;
/** Below this many control characters a file is never called binary, however short it is. */
const CONTROL_COUNT_FLOOR = 4;

// C0 controls other than tab, LF, VT, FF, CR; DEL; and the C1 block. Format characters (ZWJ in emoji,
// bidi marks in right-to-left text) are not controls and are kept.
const CONTROL_CHARS = /[\u0000-\u0008\u000E-\u001F\u007F-\u009F]/gu;
// Also lone surrogates (with the `u` flag the range matches only unpaired ones) and U+FFFE/U+FFFF:
// bytes cannot carry them, but YAML escapes ("\ud800") can, and no feed, page or mail may.
const ANY_CONTROL_CLASS = '\\u0000-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF\\uFFFE\\uFFFF';
const ANY_CONTROL = new RegExp(`[${ANY_CONTROL_CLASS}]+`, 'gu');

/**
 * Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069). In a headline or a subject an
 * override reverses how the rest of the line displays ("‮gpj.exe" shows as "exe.jpg"), which is a
 * spoofing tool, not typography; right-to-left text needs none of them (the marks U+200E/U+200F stay).
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/gu;

/** `value` without bidi embedding, override and isolate characters; for headlines and subjects. */
export function stripBidiControls(value: string): string {
  return value.replace(BIDI_CONTROLS, '');
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns raw bytes into text, or returns the reason they are not an acceptable article: too large, empty,
 * binary (NUL bytes or many control characters) or not UTF-8. A UTF-8 byte-order mark is dropped.
 */
export function decodeArticleBytes(bytes: Uint8Array): { text: string } | { reason: string } {
  if (bytes.length > MAX_ARTICLE_BYTES) {
    return { reason: `too large: ${bytes.length} bytes (the limit is 1 MiB = ${MAX_ARTICLE_BYTES} bytes)` };
  }
  if (bytes.length === 0) return { reason: 'empty article' };
  if (bytes.includes(0)) {
    return { reason: 'binary content (contains NUL bytes; UTF-16 is not supported, save the file as UTF-8)' };
  }
  let text: string;
  try {
    // The decoder drops a leading UTF-8 BOM itself (ignoreBOM defaults to false).
    text = strictUtf8.decode(bytes);
  } catch {
    return { reason: 'not valid UTF-8' };
  }
  const controls = text.match(CONTROL_CHARS)?.length ?? 0;
  if (controls >= CONTROL_COUNT_FLOOR && controls / text.length > CONTROL_RATIO_LIMIT) {
    return { reason: `binary content (${controls} control characters)` };
  }
  return { text };
}

/**
 * One paragraph or one-line field (title, author, tag) as clean text: Unicode NFC, control characters
 * (including CR and LF), lone surrogates and the noncharacters U+FFFE/U+FFFF turned into spaces, runs of whitespace collapsed, ends trimmed.
 */
export function normaliseInline(value: string): string {
  return collapseWhitespace(value.normalize('NFC').replace(ANY_CONTROL, ' ')).trim();
}

/**
 * Every run of whitespace as one space. A lone space, by far the commonest run, matches neither branch
 * and is left in place: rewriting each of them made this 5× slower (v2 dev-set paragraphs: 51 vs 10 µs per article).
 */
const WHITESPACE_TO_COLLAPSE = /\s{2,}|[^\S ]/gu;

/** `text` with each run of whitespace (tabs, line breaks, Unicode spaces) turned into one space; not trimmed. */
export function collapseWhitespace(text: string): string {
  return text.replace(WHITESPACE_TO_COLLAPSE, ' ');
}

/** A character {@link normaliseInline} keeps: neither whitespace nor a control, lone surrogate or noncharacter. */
const VISIBLE_CHAR = new RegExp(`[^\\s${ANY_CONTROL_CLASS}]`, 'u');

/** True when {@link normaliseInline} leaves something of the text; cheaper than normalising to find out. */
export function hasVisibleText(value: string): boolean {
  return VISIBLE_CHAR.test(value);
}

/** Joins paragraphs into the article's text form: each normalised, empty ones dropped, "\n\n" between. */
export function joinParagraphs(paragraphs: Iterable<string>): string {
  const kept: string[] = [];
  for (const paragraph of paragraphs) {
    const clean = normaliseInline(paragraph);
    if (clean) kept.push(clean);
  }
  return kept.join('\n\n');
}

/**
 * Splits plain text into paragraphs. When the text has blank lines, they separate paragraphs and single
 * newlines are hard wraps inside one; when it has none (like the seed), every line is a paragraph.
 */
export function plainTextParagraphs(text: string): string[] {
  const lines = text.replace(/\r\n?/gu, '\n');
  return /\n[ \t\u00A0]*\n/u.test(lines) ? lines.split(/\n[ \t\u00A0]*\n/u) : lines.split('\n');
}

/** A list marker opening a line: "- ", "* ", "• ", "1. ", "2) ". */
const LIST_MARKER = /^(?:[-*•·–]|\d{1,3}[.)])\s+(?=\S)/u;
/** Words that cannot end a heading: a line ending in one is prose wrapped mid-sentence. */
const CONTINUES = /\b(?:a|an|the|of|to|in|on|at|by|for|from|with|and|or|but|that|is|are|was|were)$/iu;

/**
 * True when a line reads as a heading rather than prose: a few words, no sentence-ending or continuing
 * punctuation, not ending in a word that needs the next line ("…talks over the").
 */
export function looksLikeHeading(line: string): boolean {
  const text = line.trim();
  const words = text.split(/\s+/u).length;
  return (
    words >= 1 &&
    words <= 12 &&
    text.length <= 100 &&
    /^[\p{Lu}\p{N}"“‘']/u.test(text) &&
    !/[.!?…:;,"”’)\]-]$/u.test(text) &&
    !CONTINUES.test(text) &&
    !LIST_MARKER.test(text)
  );
}

/** One paragraph's line as a block: list items lose their marker, heading-like lines become headings. */
function lineBlock(line: string, isLast: boolean): ArticleBlock {
  const text = normaliseInline(line);
  const marker = LIST_MARKER.exec(text);
  if (marker) return { kind: 'list-item', text: text.slice(marker[0].length) };
  return { kind: !isLast && looksLikeHeading(text) ? 'heading' : 'paragraph', text };
}

/**
 * Plain text as blocks. Paragraphs as in {@link plainTextParagraphs}; within a paragraph of several lines,
 * a heading-like first line ("Heat pumps outsold gas boilers" above "Sales rose 18 percent…") and lines
 * that start with a list marker are blocks of their own, so a heading never runs into the sentence after
 * it. A heading-like paragraph is a heading unless it is the last one.
 */
export function plainTextBlocks(text: string): ArticleBlock[] {
  const paragraphs = plainTextParagraphs(text).filter(hasVisibleText);
  const blocks: ArticleBlock[] = [];
  paragraphs.forEach((paragraph, index) => {
    const lines = paragraph.split('\n').filter((line) => line.trim() !== '');
    const isLastParagraph = index === paragraphs.length - 1;
    let prose: string[] = [];
    const flushProse = (): void => {
      if (prose.length > 0) blocks.push({ kind: 'paragraph', text: normaliseInline(prose.join(' ')) });
      prose = [];
    };
    lines.forEach((line, lineIndex) => {
      const isLast = isLastParagraph && lineIndex === lines.length - 1;
      const next = lines[lineIndex + 1];
      const headingAbove = lineIndex === 0 && next !== undefined && /^\s*[\p{Lu}"“‘]/u.test(next);
      if (LIST_MARKER.test(line.trim()) || (lines.length === 1 && !isLast) || (headingAbove && looksLikeHeading(line))) {
        flushProse();
        blocks.push(lineBlock(line, isLast));
      } else prose.push(line);
    });
    flushProse();
  });
  return blocks;
}
