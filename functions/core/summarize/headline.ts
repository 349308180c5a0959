/**
 * Headlines. An article's own title wins, without the site's name that pages append to it ("City
 * approves free night buses | Metro Daily"). Without a title, a heading above the first paragraph is
 * the headline; else one is written from the lead sentence the way an editor would: the dateline
 * ("LONDON (Reuters) -") and the attribution ("…, police said") go, and a sentence longer than 90
 * characters keeps its leading clauses, cut at a clause boundary, never inside a clause.
 */
import { stripBidiControls } from '../articles/text.js';
import { pointQuality } from './points.js';
import { tagSentences, type Tagger } from './tagger.js';
import { countWords, shorten, tidyEnding, wordsOnly } from './text.js';

/** The longest headline, in characters. */
export const HEADLINE_CHARS = 90;

/** The separators pages put between a title and the site's name: " | ", " - ", " – ", " — ", " :: ", " · ", " » ". */
const SITE_SEPARATOR = /\s+(?:\||-|–|—|::|·|»)\s+/gu;

/**
 * A title without the site's name after its last separator: the tail is dropped when it is short (at
 * most four words and 40 characters) and what stays has at least three words. "BBC News" and "Metro
 * Daily" go; "Heat pumps - a guide" keeps its tail because "Heat pumps" is too short to stand alone.
 */
export function stripSiteSuffix(title: string): string {
  let text = title;
  // A title can carry a section and the site ("… | Politics | The Herald"): two tails at most.
  for (let round = 0; round < 2; round++) {
    const separators = [...text.matchAll(SITE_SEPARATOR)];
    const last = separators[separators.length - 1];
    if (last === undefined) break;
    const head = text.slice(0, last.index).trim();
    const tail = text.slice(last.index + last[0].length).trim();
    if (countWords(tail) > 4 || tail.length > 40 || countWords(head) < 3) break;
    text = head;
  }
  return text;
}

/** A wire dateline before the first words: "LONDON (Reuters) -", "WASHINGTON —", "PARIS, May 3 (AFP) -". */
const DATELINE =
  /^(?:\p{Lu}{3}[\p{Lu}.'’ -]{0,38}(?:,\s*[\p{L}.]+(?:\s+\d{1,2})?)?\s*(?:\([^()]{1,30}\))?\s*[-–—]{1,2}\s+|\([^()]{1,30}\)\s*[-–—]{1,2}\s*)/u;

/** Verbs of attribution that end a news sentence ("…, police said", "…, according to the council"). */
const ATTRIBUTION =
  /,\s+(?:(?:[\p{L}'’.-]+\s+){0,5}(?:said|says|say|told\s+[\p{L}'’ .-]{1,40}|added|reported|reports|announced|confirmed|claimed|warned|stated)(?:\s+(?:on|in|late|early|this|last)\s+[\p{L}\d ]{1,25})?|according\s+to\s+[^,]{1,60})[.!]?["”’]?$/iu;

/** A trailing attribution that opens with its verb: "…, said Jane Smith, a spokeswoman." */
const INVERTED_ATTRIBUTION = /,\s+(?:said|says|added|according\s+to)\s+[^,]{1,50}(?:,[^,]{1,60})?[.!]?$/iu;

/** A relative clause or aside between commas: "An Australian citizen, who has awaited trial …, could face". */
const ASIDE = /,\s+(?:who|whose|which|where)\s[^,]{1,120},\s+/gu;

/** A sentence as a headline: no dateline, no attribution, no asides, no closing full stop. */
function headlineBase(sentence: string): string {
  let text = stripBidiControls(sentence).replace(/\s+/gu, ' ').trim().replace(/…$/u, '');
  text = text.replace(DATELINE, '').replace(ASIDE, ' ');
  const withoutAttribution = text.replace(ATTRIBUTION, '').replace(INVERTED_ATTRIBUTION, '');
  if (countWords(withoutAttribution) >= 4) text = withoutAttribution;
  // A headline does not end with a full stop; a question or exclamation mark may stay.
  return text.replace(/\.+(["”’]?)$/u, '$1').trim();
}

/** Where a clause ends: a comma, semicolon or colon before a space, or a spaced dash. */
const CLAUSE_END = /[,;:](?=\s)|\s[–—-](?=\s)/gu;

/** Words that open a phrase a headline can do without: "… in Moscow", "… on Thursday", "… after talks". */
const PHRASE_OPENERS = new Set(
  `on in at for from with after before during over since amid into near under across against without
  until following along through by about around between toward towards off`.split(/\s+/u),
);

/** Every leading run of whole clauses with at least four words, longest first. */
function clausePrefixes(text: string): string[] {
  const cuts: string[] = [];
  for (const match of text.matchAll(CLAUSE_END)) {
    const cut = tidyEnding(text.slice(0, match.index));
    if (countWords(cut) >= 4) cuts.push(cut);
  }
  return cuts.reverse();
}

/** The first clause cut before each phrase opener ("…held extensive talks | in Moscow | on Thursday"), longest first. */
function phrasePrefixes(text: string): string[] {
  const firstEnd = [...text.matchAll(CLAUSE_END)][0]?.index ?? text.length;
  const words = text.slice(0, firstEnd).split(/\s+/u);
  // A conjunction opens a clause of its own ("… next week after talks over pay broke down"): a cut may
  // drop that clause whole, never keep part of it ("…after talks").
  const opensClause = words.findIndex((word, index) => index > 0 && CLAUSE_OPENERS.has(word.toLowerCase()));
  const cuts: string[] = [];
  for (let count = opensClause > 0 ? opensClause : words.length - 1; count >= 5; count--) {
    if (count === opensClause || PHRASE_OPENERS.has(words[count]!.toLowerCase())) cuts.push(tidyEnding(words.slice(0, count).join(' ')));
  }
  return cuts;
}

/** Words that open a subordinate clause inside a sentence's first clause. */
const CLAUSE_OPENERS = new Set([
  'after',
  'before',
  'since',
  'until',
  'while',
  'because',
  'when',
  'if',
  'although',
  'though',
  'unless',
  'as',
  'whether',
]);

/** Parts of speech a headline cannot end on: its object or clause was cut away ("…the weekend left"). */
const OPEN_ENDINGS = new Set(['VERB', 'AUX', 'ADP', 'DET', 'CCONJ', 'SCONJ', 'PART']);

/**
 * True when a cut reads as a statement on its own: a main clause with a finite verb (see
 * {@link pointQuality}), not a subordinate clause or an appositive ("But as these letters reveal",
 * "Conrad Hilton, the younger brother of…"), and not ending where its object was cut off.
 */
function standsAlone(cut: string, tagger: Tagger): boolean {
  const tokens = tagger([cut])[0] ?? [];
  if (pointQuality(cut, false, tokens) === 'unusable') return false;
  const words = tokens.filter((token) => token.pos !== 'PUNCT');
  return !OPEN_ENDINGS.has(words[words.length - 1]?.pos ?? 'X');
}

/**
 * The headline of one sentence: the sentence itself when it fits, else its longest leading clauses, else
 * its first clause without trailing phrases, whichever fits in {@link HEADLINE_CHARS} and stands alone.
 */
function sentenceHeadline(sentence: string, tagger: Tagger): string | undefined {
  const base = headlineBase(sentence);
  if (base.length <= HEADLINE_CHARS) return base.length > 0 ? base : undefined;
  return [...clausePrefixes(base), ...phrasePrefixes(base)].find((cut) => cut.length <= HEADLINE_CHARS && standsAlone(cut, tagger));
}

/**
 * The headline written from the candidate sentences (the lead first, then the next two): the first
 * that gives one (see {@link sentenceHeadline}). When none does, the lead cut at the last whole word
 * with an ellipsis, so the reader sees the words stop; a first word longer than the line is cut inside.
 */
function headlineFromSentences(candidates: readonly string[], tagger: Tagger): string {
  for (const sentence of candidates.slice(0, 3)) {
    const headline = sentenceHeadline(sentence, tagger);
    // A fragment of one or two words ("the.") is no headline while a real sentence follows.
    if (headline !== undefined && countWords(headline) >= 3) return headline;
  }
  const base = headlineBase(candidates[0] ?? '');
  if (base.length > 0 && base.length <= HEADLINE_CHARS) return base;
  const cut = tidyEnding(shorten(base, { maxChars: HEADLINE_CHARS - 1 }));
  return cut.length > 0 ? `${cut}…` : cutLongWord(base);
}

/**
 * The one exception to "never cut mid-word": a first word longer than the whole headline (a URL, a
 * run of characters). An empty headline would be worse: no feed can carry an entry without a title.
 */
function cutLongWord(text: string): string {
  let cut = '';
  // Whole code points only, so an emoji is never split into a lone surrogate.
  for (const char of text.trim()) {
    if (cut.length + char.length > HEADLINE_CHARS - 1) break;
    cut += char;
  }
  return `${cut}…`;
}

/**
 * Chooses the headline: the title (site suffix removed, shortened at a word boundary past 90
 * characters), else the heading above the first paragraph when it fits, else one written from the
 * candidate sentences (see {@link headlineFromSentences}).
 */
export function chooseHeadline(
  title: string | undefined,
  leadHeading: string | undefined,
  candidates: readonly string[],
  tagger: Tagger = tagSentences,
): string {
  const given = title === undefined ? '' : stripSiteSuffix(stripBidiControls(title).replace(/\s+/gu, ' ').trim());
  if (given.length > 0) return shorten(given, { maxChars: HEADLINE_CHARS }) || cutLongWord(given);
  const heading = leadHeading === undefined ? '' : stripBidiControls(leadHeading).replace(/\s+/gu, ' ').trim();
  if (heading.length > 0 && heading.length <= HEADLINE_CHARS && countWords(heading) >= 2) return heading;
  return headlineFromSentences(candidates, tagger);
}

/** A test of whether a line says the same words as `line` (a headline that is the summary's first sentence). */
export function sameWordsAs(line: string): (text: string) => boolean {
  const words = wordsOnly(line);
  return (text) => wordsOnly(text) === words;
}
