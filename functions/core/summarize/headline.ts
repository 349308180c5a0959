/**
 * Headlines. An article's own title wins, without the site's name that pages append to it ("City
 * approves free night buses | Metro Daily"). Without a title, a heading above the first paragraph is
 * the headline; else one is written from the lead sentence the way an editor would: the dateline
 * ("LONDON (Reuters) -"), the attribution ("…, police said"), asides and an appositive after the subject
 * ("Conrad Hilton, the younger brother of…, has") go, and a sentence longer than 90 characters keeps
 * its leading clauses, cut at a clause or phrase boundary, never inside a clause; a lead that opens
 * with a phrase or a subordinate clause ("As the crew prepared…, coastguards announced…") gives its
 * main clause. A later sentence is used only when the lead gives nothing and it names its own subject.
 */
import { collapseWhitespace, stripBidiControls } from '../articles/text.js';
import { hasClause, pointQuality } from './points.js';
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
const ASIDE = /,\s+(?:who|whose|which|where)\s[^,]{1,160},\s+/gu;

/**
 * An appositive or an age between the subject's name and its verb: "Conrad Hilton, the younger brother of
 * celebrity heiress Paris Hilton, has reached…", "John Smith, 45, was…". The verb after it is lower case.
 */
const SUBJECT_APPOSITIVE = /^((?:\p{Lu}[\p{L}'’.-]*\s+){0,3}\p{Lu}[\p{L}'’.-]*),\s+(?:(?:the|a|an)\s[^,]{1,100}|\d{1,3}),\s+(?=\p{Ll})/u;

const WHOLE_ATTRIBUTION = new RegExp(`^(?:${ATTRIBUTION.source})`, ATTRIBUTION.flags);
const WHOLE_INVERTED_ATTRIBUTION = new RegExp(`^(?:${INVERTED_ATTRIBUTION.source})`, INVERTED_ATTRIBUTION.flags);
/** The longest attribution either pattern can match: a longer text is none, whatever it ends with. */
const ATTRIBUTION_MAX_CHARS = 500;

/**
 * True when the whole text is an attribution that ends a sentence (", police said."). Anchored and
 * length-bound: it is asked once per aside, and a sentence can be a megabyte of asides.
 */
const isAttribution = (text: string): boolean =>
  text.length <= ATTRIBUTION_MAX_CHARS && (WHOLE_ATTRIBUTION.test(text) || WHOLE_INVERTED_ATTRIBUTION.test(text));

/** A sentence as a headline: no dateline, no attribution, no asides, no closing full stop. */
function headlineBase(sentence: string): string {
  let text = collapseWhitespace(stripBidiControls(sentence)).trim().replace(/…$/u, '');
  text = text.replace(DATELINE, '');
  // An aside's closing comma is not the one before an attribution ("…, where he met…, the agency said").
  text = text.replace(ASIDE, (aside: string, offset: number) => (isAttribution(`, ${text.slice(offset + aside.length)}`) ? aside : ' '));
  text = text.replace(SUBJECT_APPOSITIVE, '$1 ');
  const withoutAttribution = text.replace(ATTRIBUTION, '').replace(INVERTED_ATTRIBUTION, '');
  if (countWords(withoutAttribution) >= 4) text = withoutAttribution;
  // A headline does not end with a full stop; a question or exclamation mark may stay.
  return text.replace(/\.+(["”’]?)$/u, '$1').trim();
}

/** Where a clause ends: a comma, semicolon or colon before a space, or a spaced dash (" -- " too). */
const CLAUSE_END = /[,;:](?=\s)|\s(?:--|[–—-])(?=\s)/gu;

/**
 * Words that open a phrase a headline can do without: "… in Moscow", "… on Thursday", "… after talks",
 * and a relative clause: "…has reversed a controversial law | that gave…".
 */
const PHRASE_OPENERS = new Set(
  `on in at for from with after before during over since amid into near under across against without
  until following along through by about around between toward towards off that which who whose`.split(/\s+/u),
);

/**
 * A cut of a sentence for a headline, and what it dropped: the clauses after a comma, semicolon, colon
 * or dash (`clause`), a trailing phrase ("… | in Moscow", `phrase`), or a clause a conjunction opens
 * ("… were injured | after the roof collapsed", `conjunction`).
 */
interface HeadlineCut {
  text: string;
  before: 'clause' | 'phrase' | 'conjunction';
}

/**
 * How far into a sentence headline cuts are looked for. A cut is at most {@link HEADLINE_CHARS} long and
 * tidying only takes a few words off its end, so breaks further in can give none; stopping here keeps
 * a megabyte sentence of commas linear.
 */
const CUT_SCAN_CHARS = 2 * HEADLINE_CHARS;

/** Every leading run of whole clauses with at least four words, longest first. */
function clausePrefixes(text: string): HeadlineCut[] {
  const cuts: HeadlineCut[] = [];
  for (const match of text.slice(0, CUT_SCAN_CHARS).matchAll(CLAUSE_END)) {
    // "…in Ferguson, police said, but claimed…": the attribution goes with what follows it, not "police".
    const cut = tidyEnding(text.slice(0, match.index).replace(ATTRIBUTION, ''));
    if (countWords(cut) >= 4) cuts.push({ text: cut, before: 'clause' });
  }
  return cuts.reverse();
}

/**
 * The first clause cut before each phrase opener ("…held extensive talks | in Moscow | on Thursday"),
 * longest first; with `acrossClauses`, cuts past the first comma too ("Stylists, a commentator and an
 * executive are speaking out about a movement | that…").
 */
function phrasePrefixes(text: string, acrossClauses = false): HeadlineCut[] {
  const firstEnd = acrossClauses ? text.length : (text.matchAll(CLAUSE_END).next().value?.index ?? text.length);
  // A cut of more than HEADLINE_CHARS words is longer than HEADLINE_CHARS characters: none is looked at,
  // and a first clause longer than that is read only as far as such cuts reach (its cut word dropped).
  const scanned = Math.min(firstEnd, CUT_SCAN_CHARS * 4);
  const words = text.slice(0, scanned).split(/\s+/u);
  if (scanned < firstEnd) words.pop();
  // A conjunction opens a clause of its own ("… next week after talks over pay broke down"): a cut may
  // drop that clause whole, never keep part of it ("…after talks").
  const opensClause = words.findIndex((word, index) => index > 0 && CLAUSE_OPENERS.has(word.toLowerCase()));
  const cuts: HeadlineCut[] = [];
  for (let count = Math.min(opensClause > 0 ? opensClause : words.length - 1, HEADLINE_CHARS); count >= 5; count--) {
    if (count === opensClause || PHRASE_OPENERS.has(words[count]!.toLowerCase()))
      cuts.push({ text: tidyEnding(words.slice(0, count).join(' ')), before: count === opensClause ? 'conjunction' : 'phrase' });
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

/**
 * Words that open a clause inside a headline; the clause needs its own verb. (A relative clause that
 * lost its verb, "who …", "which …", is already refused by {@link pointQuality}.)
 */
const CLAUSE_WORDS: ReadonlySet<string> = new Set(['that', 'whether', 'if', 'because', 'how', 'why']);

/** Words that qualify what follows them, so no headline ends on one. */
const MODIFIES_NEXT: ReadonlySet<string> = new Set([
  'even',
  'just',
  'only',
  'also',
  'still',
  'nearly',
  'almost',
  'right',
  'shortly',
  'soon',
  'long',
  'both',
  'either',
  'neither',
  'not',
]);

/** Words after which the next word is a noun or its modifier, whatever its tag. */
const FOLLOWS_NOUN_MARKER: ReadonlySet<string> = new Set(['his', 'her', 'their', 'its', 'my', 'our', 'your', 'the', 'a', 'an']);

/** Parts of speech a headline cannot end on: its object or clause was cut away ("…the weekend left"). */
const OPEN_ENDINGS = new Set(['VERB', 'AUX', 'ADP', 'DET', 'CCONJ', 'SCONJ', 'PART']);

/**
 * True when a cut reads as a statement on its own: a main clause with a finite verb (see
 * {@link pointQuality}), not a subordinate clause or an appositive ("But as these letters reveal",
 * "Conrad Hilton, the younger brother of…"), and not ending where its object was cut off. A participle
 * after its auxiliary ends a clause before a conjunction ("…more than 60 were injured | after"). `subjectLed`
 * also refuses a cut that opens with a pronoun or a connective ("It can…").
 */
function standsAlone(cut: HeadlineCut, tagger: Tagger, subjectLed = false): boolean {
  const tokens = tagger([cut.text])[0] ?? [];
  const quality = pointQuality(cut.text, false, tokens, cut.before !== 'clause');
  if (quality === 'unusable' || (subjectLed && quality === 'weak')) return false;
  const words = tokens.filter((token) => token.pos !== 'PUNCT');
  // "…announced that a pledge of allegiance": the clause "that" opens lost its verb to the cut.
  const lastOpener = words.findLastIndex((word) => CLAUSE_WORDS.has(word.text.toLowerCase()));
  if (lastOpener >= 0 && !hasClause(words.slice(lastOpener + 1))) return false;
  // "…made a bit of history even | before": the word modifies what was cut away.
  if (MODIFIES_NEXT.has(words[words.length - 1]?.text.toLowerCase() ?? '')) return false;
  // No verb follows a possessive or an article: "…stabbed his fiancée" ends on a noun the tagger missed.
  const last = FOLLOWS_NOUN_MARKER.has(words[words.length - 2]?.text.toLowerCase() ?? '') ? 'NOUN' : (words[words.length - 1]?.pos ?? 'X');
  // Before a phrase the participle may have lost its object ("…photos were seen | through"); before a
  // new clause it has not.
  if (last === 'VERB' && cut.before === 'conjunction') {
    const before = words
      .slice(0, -1)
      .reverse()
      .find((word) => word.pos !== 'ADV');
    return before?.pos === 'AUX';
  }
  return !OPEN_ENDINGS.has(last);
}

/**
 * The cut of `text` that fits in {@link HEADLINE_CHARS} and stands alone: leading clauses first, then
 * phrases of the first clause (of any clause with `acrossClauses`).
 */
function bestCut(text: string, tagger: Tagger, subjectLed = false, acrossClauses = false): string | undefined {
  const cuts: HeadlineCut[] = [{ text, before: 'clause' }, ...clausePrefixes(text), ...phrasePrefixes(text, acrossClauses)];
  return cuts.find((cut) => cut.text.length <= HEADLINE_CHARS && standsAlone(cut, tagger, subjectLed))?.text;
}

/**
 * The sentence without the phrases or subordinate clauses that open it ("Thankfully, no one was…",
 * "As the 74 people … readied for New Year's Eve, authorities revealed…"), capitalised; undefined when
 * it opens with its main clause.
 */
function withoutOpeningPhrase(text: string, tagger: Tagger): string | undefined {
  let rest = text;
  // Two opening phrases at most ("In March, after the vote, the council…").
  for (let round = 0; round < 2; round++) {
    const end = rest.matchAll(CLAUSE_END).next().value;
    if (end === undefined) break;
    const head = rest.slice(0, end.index);
    const tokens = (tagger([head])[0] ?? []).filter((token) => token.pos !== 'PUNCT');
    // "… -- and ahead of his wedding anniversary --": a conjunction may join two opening phrases.
    const first = tokens[0]?.pos === 'CCONJ' && round > 0 ? tokens[1] : tokens[0];
    if (first === undefined) break;
    // "As the 74 people … readied for New Year's Eve," is a clause, but not the main one.
    const subordinate = CLAUSE_OPENERS.has(first.text.toLowerCase());
    // "Thankfully,", "With its snow-capped mountains,", "Many years ago," — but "With a sweep of his
    // pen Putin wrote a new chapter," holds the main clause.
    const phrase = (OPENING_PHRASE_TAGS.has(first.pos) || /\bago$/iu.test(head)) && !hasClause(tokens);
    if (!subordinate && !phrase) break;
    rest = rest.slice(end.index + end[0].length).trim();
  }
  if (rest === text || countWords(rest) < 4) return undefined;
  const first = String.fromCodePoint(rest.codePointAt(0)!);
  return first.toUpperCase() + rest.slice(first.length);
}

/** The tags a phrase that opens a sentence before its subject starts with: "In March,", "Thankfully,", "Despite…". */
const OPENING_PHRASE_TAGS: ReadonlySet<string> = new Set(['ADP', 'ADV', 'SCONJ']);

/**
 * True when a sentence after the lead can be the headline: it names its subject, asks nothing and is no
 * stray subordinate clause ("That's how police are responding", "Why shouldn't they…?", "Although she
 * certainly pokes fun…" say nothing without the lead).
 */
function standsInForLead(base: string, tagger: Tagger): boolean {
  if (/\?["”’]?$/u.test(base) || CLAUSE_OPENERS.has(base.split(/\s/u)[0]!.toLowerCase())) return false;
  const quality = pointQuality(base, true, tagger([base])[0] ?? []);
  return quality === 'good' || quality === 'leaning';
}

/**
 * The headline of one sentence: the sentence itself when it fits, else its longest leading clauses, else
 * its first clause without trailing phrases, whichever fits in {@link HEADLINE_CHARS} and stands alone
 * (a sentence after the lead must also name its subject);
 * else, for the lead, the same of its main clause when it opens with a phrase or a subordinate clause
 * (a later sentence's main clause leans on what came before: "Under Section 66A, alleged offenders…"),
 * else a phrase cut of the lead past its first clause.
 */
function sentenceHeadline(sentence: string, tagger: Tagger, lead: boolean): string | undefined {
  const base = headlineBase(sentence);
  if (base.length === 0) return undefined;
  if (!lead && !standsInForLead(base, tagger)) return undefined;
  if (base.length <= HEADLINE_CHARS) return base;
  const cut = bestCut(base, tagger, !lead);
  if (cut !== undefined) return cut;
  if (!lead) return undefined;
  const main = withoutOpeningPhrase(base, tagger);
  const mainCut = main === undefined ? undefined : bestCut(main, tagger, true);
  // Last, a phrase cut past the lead's first comma ("Stylists, a commentator and an executive are
  // speaking out about a movement | that…").
  return mainCut ?? bestCut(base, tagger, false, true);
}

/**
 * The headline written from the candidate sentences (the lead first, then the next two): the first
 * that gives one (see {@link sentenceHeadline}). When none does, the lead cut at the last whole word
 * with an ellipsis, so the reader sees the words stop; a first word longer than the line is cut inside.
 */
function headlineFromSentences(candidates: readonly string[], tagger: Tagger): string {
  for (const [index, sentence] of candidates.slice(0, 3).entries()) {
    const headline = sentenceHeadline(sentence, tagger, index === 0);
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
  const given = title === undefined ? '' : stripSiteSuffix(collapseWhitespace(stripBidiControls(title)).trim());
  if (given.length > 0) return shorten(given, { maxChars: HEADLINE_CHARS }) || cutLongWord(given);
  const heading = leadHeading === undefined ? '' : collapseWhitespace(stripBidiControls(leadHeading)).trim();
  if (heading.length > 0 && heading.length <= HEADLINE_CHARS && countWords(heading) >= 2) return heading;
  return headlineFromSentences(candidates, tagger);
}

/** A test of whether a line says the same words as `line` (a headline that is the summary's first sentence). */
export function sameWordsAs(line: string): (text: string) => boolean {
  const words = wordsOnly(line);
  return (text) => wordsOnly(text) === words;
}
