/**
 * Word-level helpers shared by the ranker, the headline and the key points: counting words, turning a
 * sentence into comparable terms, and shortening text at a clause or word boundary.
 */
import { porterStem } from './porter.js';
import { FUNCTION_WORDS } from './stopwords.js';

const WORD_CHARACTER = /[\p{L}\p{N}]/u;
const SPACE_CHARACTER = /\s/u;

/**
 * Words as a reader counts them: whitespace-separated tokens that contain a letter or digit. One pass
 * over the characters, ASCII decided without a regex: it is called for every sentence, cut and point.
 * Inside a word already counted only the end of the word matters, so that stretch is skipped quickly.
 */
export function countWords(text: string): number {
  let count = 0;
  const length = text.length;
  let i = 0;
  while (i < length) {
    const code = text.charCodeAt(i);
    let space: boolean;
    let word: boolean;
    let width = 1;
    if (code < 128) {
      space = code === 32 || (code >= 9 && code <= 13);
      word = (code >= 48 && code <= 57) || ((code | 32) >= 97 && (code | 32) <= 122);
    } else {
      const point = text.codePointAt(i)!;
      const char = String.fromCodePoint(point);
      if (point > 0xffff) width = 2;
      space = SPACE_CHARACTER.test(char);
      word = !space && WORD_CHARACTER.test(char);
    }
    i += width;
    if (!word) continue;
    count++;
    // The rest of this word, up to the next whitespace.
    while (i < length) {
      const next = text.charCodeAt(i);
      if (next < 128 ? next === 32 || (next >= 9 && next <= 13) : isSpaceAt(text, i)) break;
      i++;
    }
  }
  return count;
}

/** True when the character at `index` (not ASCII) is whitespace. */
function isSpaceAt(text: string, index: number): boolean {
  return SPACE_CHARACTER.test(String.fromCodePoint(text.codePointAt(index)!));
}

const UPPER_START = /^\p{Lu}/u;
const LOWER_START = /^\p{Ll}/u;

/** True when the text starts with a capital letter. ASCII is decided without a regex: keywords ask it of every word. */
export function startsUpperCase(text: string): boolean {
  const code = text.charCodeAt(0);
  return code < 128 ? code >= 65 && code <= 90 : UPPER_START.test(text);
}

/** True when the text starts with a lower-case letter (ASCII without a regex, as above). */
export function startsLowerCase(text: string): boolean {
  const code = text.charCodeAt(0);
  return code < 128 ? code >= 97 && code <= 122 : LOWER_START.test(text);
}

/** Lower-case runs of letters and digits ("Xi’s" gives "xi", "s"). */
export function rawWords(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Stems already computed: news repeats its words, and stemming was a tenth of the summariser's time. */
const stems = new Map<string, string>();
/** Past this many entries the cache starts again, so a long-running process stays small. */
const STEM_CACHE_LIMIT = 50_000;

/** Stems a lower-case word the way ROUGE does: words of up to three characters stay as they are. */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  let stemmed = stems.get(word);
  if (stemmed === undefined) {
    if (stems.size >= STEM_CACHE_LIMIT) stems.clear();
    stemmed = porterStem(word);
    stems.set(word, stemmed);
  }
  return stemmed;
}

/** The content terms of a text: stemmed, without function words, for similarity between sentences. */
export function contentTerms(text: string): string[] {
  const terms: string[] = [];
  for (const word of rawWords(text)) if (!FUNCTION_WORDS.has(word)) terms.push(stem(word));
  return terms;
}

/** Words that may not end a shortened phrase, because the phrase would read as cut off. */
const DANGLING = new Set(
  `a an the and or but nor of to in on at by for from with as that which who whom whose than
  into onto about after before over under while when where if his her their its our your my this these
  those is are was were be been being has have had do does did will would can could should may might must
  said says added explained admitted insisted warned claimed stated wrote saying because although though since until unless so than not no very also just more most both such
  what how why whether he she it they we i you there`.split(/\s+/),
);

/** Where the last `open` mark stands when no `close` follows it, else -1. */
function unmatchedOpening(text: string, open: string, close: string): number {
  const last = text.lastIndexOf(open);
  return last >= 0 && text.indexOf(close, last + 1) < 0 ? last : -1;
}

/** Removes the last opening quote mark when the phrase has more openings than closings. */
export function dropUnmatchedQuote(text: string): string {
  const straight = (text.match(/"/g) ?? []).length % 2 === 1 ? text.lastIndexOf('"') : -1;
  const index = Math.max(straight, unmatchedOpening(text, '“', '”'), unmatchedOpening(text, '‘', '’'), unmatchedOpening(text, '«', '»'));
  return index < 0 ? text : text.slice(0, index) + text.slice(index + 1);
}

/** Strips trailing punctuation, unmatched quotes and dangling function words from a shortened phrase. */
export function tidyEnding(phrase: string): string {
  let text = phrase.trim();
  for (;;) {
    const before = text;
    text = text.replace(/[\s,;:–—\-(\[/|&…]+$/u, '');
    const lastSpace = text.lastIndexOf(' ');
    const lastWord = text.slice(lastSpace + 1).toLowerCase();
    // A possessive ("Crimea's") promises a noun that was cut off.
    if (lastSpace > 0 && (DANGLING.has(lastWord) || /\p{L}['’]s$/u.test(lastWord))) text = text.slice(0, lastSpace);
    text = dropUnmatchedQuote(text)
      .replace(/\s{2,}/g, ' ')
      .trim();
    if (text === before) return text;
  }
}

/** Where a clause ends: after , ; : or before a dash used as punctuation (an opening bracket is an aside inside a clause). */
const CLAUSE_BREAK = /(?:[,;:](?=\s))|(?:\s[–—-](?=\s))/g;

/** Limits for {@link shorten}; either may be omitted. */
export interface ShortenLimits {
  maxWords?: number;
  maxChars?: number;
}

function fits(text: string, limits: ShortenLimits): boolean {
  return (
    (limits.maxWords === undefined || countWords(text) <= limits.maxWords) &&
    (limits.maxChars === undefined || text.length <= limits.maxChars)
  );
}

/**
 * Shortens text to fit the limits without cutting a word: prefers the longest prefix that ends at a
 * clause boundary and keeps at least half the allowance, else cuts at the last whole word that fits.
 * Trailing punctuation and dangling words are removed; no ellipsis is added. Text that fits is returned
 * unchanged (trimmed).
 */
export function shorten(text: string, limits: ShortenLimits): string {
  const trimmed = text.trim();
  if (fits(trimmed, limits)) return trimmed;
  const words = trimmed.split(/\s+/);
  // The longest whole-word prefix that fits.
  let wordCut = '';
  for (let count = 1; count <= words.length; count++) {
    const candidate = words.slice(0, count).join(' ');
    if (!fits(candidate, limits)) break;
    wordCut = candidate;
  }
  let clauseCut = '';
  // Tidying takes only a few words off a prefix's end, so past twice the allowance no prefix can fit:
  // the scan stops there, and a megabyte sentence of commas stays linear.
  const charBound = 2 * (limits.maxChars ?? Number.POSITIVE_INFINITY);
  const wordBound = 2 * (limits.maxWords ?? Number.POSITIVE_INFINITY);
  let wordsBefore = 0;
  let scanned = 0;
  for (const match of trimmed.matchAll(CLAUSE_BREAK)) {
    wordsBefore += countWords(trimmed.slice(scanned, match.index));
    scanned = match.index;
    if (match.index > charBound || wordsBefore > wordBound) break;
    const candidate = tidyEnding(trimmed.slice(0, match.index));
    if (candidate.length > 0 && fits(candidate, limits)) clauseCut = candidate;
  }
  const allowance = limits.maxChars ?? Number.POSITIVE_INFINITY;
  const wordAllowance = limits.maxWords ?? Number.POSITIVE_INFINITY;
  const clauseIsLongEnough = clauseCut.length > 0 && (clauseCut.length >= allowance / 2 || countWords(clauseCut) >= wordAllowance / 2);
  return clauseIsLongEnough ? clauseCut : tidyEnding(wordCut);
}

/**
 * Every way to keep the start of `text` within `maxWords`: the text itself when it fits, then each
 * prefix that ends at a clause boundary and has at least `minWords` words, longest first.
 */
export function clauseCuts(text: string, maxWords: number, minWords: number): string[] {
  const trimmed = text.trim();
  const whole = countWords(trimmed) <= maxWords ? [trimmed] : [];
  const prefixes: string[] = [];
  for (const match of trimmed.matchAll(CLAUSE_BREAK)) {
    const candidate = tidyEnding(trimmed.slice(0, match.index));
    const words = countWords(candidate);
    if (words > maxWords) break;
    if (words >= minWords && candidate !== trimmed && !prefixes.includes(candidate)) prefixes.push(candidate);
  }
  return [...whole, ...prefixes.reverse()];
}

/**
 * The text itself when it fits in `maxWords`, else its longest prefix that ends at a clause boundary,
 * fits, and has at least `minWords` words; undefined when there is none.
 */
export function leadingClause(text: string, maxWords: number, minWords: number): string | undefined {
  const trimmed = text.trim();
  if (countWords(trimmed) <= maxWords) return trimmed;
  return clauseCuts(trimmed, maxWords, minWords)[0];
}

/** Runs of characters that are not letters or digits, except a lone space, which stays as it is (faster). */
const NOT_WORDS = /[^\p{L}\p{N}]{2,}|[^\p{L}\p{N} ]/gu;

/**
 * The words of a text, lower-case, without punctuation, one space apart: what "the same words" means
 * to a reader (a headline that is the summary's first line, a point that repeats the summary).
 */
export const wordsOnly = (text: string): string => text.toLowerCase().replace(NOT_WORDS, ' ').trim();
