/**
 * Sentence segmentation with Node's built-in `Intl.Segmenter` (ICU's sentence rules) plus the fixes news
 * text needs. ICU on its own breaks after every abbreviation ("Mr. |Smith", "Sen. |Jones", "U.S. |Army")
 * and after initials ("J. |K. |Rowling"); it already keeps "aged 82. 23 people" and decimals together.
 * Why not a library: ICU ships inside Node (no bundle cost), splits about six times faster than wink's
 * splitter did, and with the merges below lands on the dataset's reference Lead-3 figures (the bench
 * prints the check against the wink-based splitter this replaced).
 */

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/**
 * Abbreviations that end with a full stop but almost never end a sentence in news text: titles before a
 * name, months before a day, and short forms before a number or a name. Lower-case, without the stop.
 */
const ABBREVIATIONS = new Set(
  `mr mrs ms dr prof sen rep gov gen lt col capt sgt maj cmdr adm rev st mt ft jr sr messrs mme mlle
  pres supt det insp cpl pvt hon no nos vs v etc approx inc corp co ltd bros dept univ ave blvd rd
  jan feb mar apr jun jul aug sep sept oct nov dec fig vol op pp p ch art sec para est`.split(/\s+/),
);

/**
 * Dotted short forms ("U.S.", "U.K.", "D.C.", "a.m.") that end a sentence only when the next word is an
 * ordinary sentence opener; before a capital ("U.S. Army", "U.S. President") they are part of a name.
 * "in the U.S. The …" is then joined: rarer in news than "U.S. Senator", and harmless to a summary.
 */
const DOTTED = /(?:^|[\s(“"‘'])(?:\p{L}\.){2,}$/u;

/** What may stand before the word of {@link lastWordBeforeStop}: a space, an opening bracket or quote. */
const BEFORE_WORD = /[\s(“"‘']/u;
const LETTER = /\p{L}/u;
const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/**
 * The word before the final full stop of a part, lower-case, or '' when the part does not end in one:
 * the letters before the stop, after a space, bracket or quote or the start of the part. Read backwards
 * from the stop: a pattern anchored only at the end is tried at every position of every part. Exported
 * for the test that compares it with that pattern.
 */
export function lastWordBeforeStop(part: string): string {
  if (!part.endsWith('.')) return '';
  const stop = part.length - 1;
  let start = stop;
  while (start > 0) {
    const code = part.charCodeAt(start - 1);
    if (code < 128) {
      if ((code | 32) >= 97 && (code | 32) <= 122) start--;
      else break;
      continue;
    }
    // A letter outside the BMP is a surrogate pair.
    const pair = start >= 2 && code >= 0xdc00 && code <= 0xdfff && isHighSurrogate(part.charCodeAt(start - 2));
    const char = pair ? part.slice(start - 2, start) : part[start - 1]!;
    if (!LETTER.test(char)) break;
    start -= char.length;
  }
  if (start === stop || (start > 0 && !BEFORE_WORD.test(part[start - 1]!))) return '';
  return part.slice(start, stop).toLowerCase();
}

/**
 * True when `part` ends with a single initial ("George W.", "J."): a capital and a full stop, alone. Only
 * the last four code units can hold it (a space, a capital of up to two units, the stop).
 */
export function endsWithInitial(part: string): boolean {
  // In a longer part the capital cannot stand at the start, so a space must come before it.
  return part.length > 4 ? /\s\p{Lu}\.$/u.test(part.slice(-4)) : /(?:^|\s)\p{Lu}\.$/u.test(part);
}

/** True when the break between `before` and `after` is a false one the merges below undo. */
function isFalseBreak(before: string, after: string): boolean {
  const first = after[0] ?? '';
  // A lower-case word or a digit after a full stop continues the sentence ("Fortune. com", "No. 5").
  if (/\.["”’']?$/u.test(before) && /^[\p{Ll}\p{N}]/u.test(first)) return true;
  // "'No!' she replied": speech closed by ! or ? and then attributed.
  if (/[!?]["”’']$/u.test(before) && /^\p{Ll}/u.test(first)) return true;
  if (!before.endsWith('.')) return false;
  const word = lastWordBeforeStop(before);
  // A single initial: "J. K. Rowling", "George W. Bush".
  if (endsWithInitial(before)) return true;
  if (ABBREVIATIONS.has(word)) return true;
  return /^\p{Lu}/u.test(first) && DOTTED.test(before);
}

/**
 * How much of a paragraph ICU is given at once. V8's segmenter slows down with the length of the string
 * it walks, for every sentence it finds: a 640 KB paragraph of prose took 3.8 s to split whole and
 * 17 ms in 4 KB windows, and 256 KB of "1. 2. 3. " 20 s.
 */
export const SEGMENT_WINDOW_CHARS = 4096;

/**
 * Characters at which ICU's look-ahead past a sentence end stops (rule SB8 skips everything but letters,
 * sentence terminators and paragraph separators): a break with one of them after it, inside the
 * window, is decided by the window's own text.
 */
const LOOKAHEAD_STOP = /[\p{L}.!?]/u;

/**
 * ICU's sentence segments of `paragraph`, the same as segmenting it whole, read through windows of
 * `windowChars`. Each window starts at a break ICU made; the breaks in it are kept up to the last one
 * with a look-ahead stop after it (the window's end is no real break, and what lies past it could
 * change the breaks just before it), and the next window starts there. A window without such a break
 * is doubled until it has one or reaches the end. Exported for the equivalence test.
 */
export function* icuSegments(paragraph: string, windowChars: number, checkBudget: () => void = () => undefined): Generator<string> {
  let start = 0;
  let size = windowChars;
  while (start < paragraph.length) {
    checkBudget();
    const end = Math.min(start + size, paragraph.length);
    const window = paragraph.slice(start, end);
    const segments = [...segmenter.segment(window)];
    if (end === paragraph.length) {
      for (const { segment } of segments) yield segment;
      return;
    }
    let lastStop = window.length - 1;
    while (lastStop >= 0 && !LOOKAHEAD_STOP.test(window[lastStop]!)) lastStop--;
    // The breaks at the ends of the kept segments: all but the window's own end, up to the last stop.
    let kept = 0;
    for (let k = 0; k < segments.length - 1; k++) {
      const breakAt = segments[k]!.index + segments[k]!.segment.length;
      if (breakAt > lastStop) break;
      kept = k + 1;
    }
    if (kept === 0) {
      size *= 2;
      continue;
    }
    for (let k = 0; k < kept; k++) yield segments[k]!.segment;
    start += segments[kept]!.index;
    size = windowChars;
  }
}

/**
 * Runs of spaces and tabs (and non-breaking spaces) to collapse: two or more, or one that is not a plain
 * space. A lone space is left in place (see `collapseWhitespace` in articles/text.ts for why).
 */
const SPACES_TO_COLLAPSE = /[ \t\u00a0\u2000-\u200b\u202f\u3000]{2,}|[\t\u00a0\u2000-\u200b\u202f\u3000]/g;

/** Collapses runs of spaces and tabs (and non-breaking spaces) into one space. */
function tidy(text: string): string {
  return text.replace(SPACES_TO_COLLAPSE, ' ').trim();
}

/**
 * One paragraph's sentences. Parts are gathered into groups and joined once, so a paragraph of many
 * false breaks stays linear ("Mr. Mr. Mr. …" never re-tests a growing string). The paragraph comes
 * tidied, so its segments only need trimming.
 */
function splitParagraph(paragraph: string, checkBudget: () => void): string[] {
  const groups: string[][] = [];
  let previous = '';
  for (const segment of icuSegments(paragraph, SEGMENT_WINDOW_CHARS, checkBudget)) {
    const part = segment.trim();
    if (part.length === 0) continue;
    const group = groups[groups.length - 1];
    if (group !== undefined && isFalseBreak(previous, part)) group.push(part);
    else groups.push([part]);
    previous = part;
  }
  return groups.map((group) => group.join(' '));
}

/**
 * Splits plain text into sentences, in order, each trimmed and with inner runs of spaces collapsed.
 * A line break ends a paragraph and so always ends a sentence (headings and list items stay apart).
 * Empty input gives an empty array.
 */
export function splitSentences(text: string, checkBudget: () => void = () => undefined): string[] {
  const sentences: string[] = [];
  for (const paragraph of text.replace(/\r\n?/g, '\n').split(/\n+/)) {
    checkBudget();
    const clean = tidy(paragraph);
    if (clean.length === 0) continue;
    for (const sentence of splitParagraph(clean, checkBudget)) sentences.push(sentence);
  }
  return sentences;
}
