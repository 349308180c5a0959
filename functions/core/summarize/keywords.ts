/**
 * Keywords, which Gazette publishes as feed categories, so they should read like topics: proper names
 * ("xi jinping", "belt and road initiative"), noun phrases that the article repeats ("strategic
 * partnership") and its prominent nouns ("floods"), never verbs or news filler ("said", "president").
 *
 * Candidates come from part-of-speech tags (tagger.ts): runs of proper nouns are names, runs of adjectives and
 * nouns ending in a noun are noun phrases. Each candidate is scored like a term frequency with a lead
 * and headline bonus (a word that is in every article scores nothing because it is in the stop list, the
 * cheap stand-in for a corpus IDF); a lone surname or first name counts towards the full name it abbreviates.
 */
import { tagSentences, type TaggedToken, type Tagger } from './tagger.js';
import { FUNCTION_WORDS, KEYWORD_STOPWORDS } from './stopwords.js';
import { compareCodePoints } from '../publish/digest.js';
import { collapseWhitespace } from '../articles/text.js';
import { rawWords, startsLowerCase, startsUpperCase, stem } from './text.js';

/** What kind of candidate a keyword is; names and phrases read best as categories. */
type Kind = 'name' | 'phrase' | 'noun';

interface Candidate {
  kind: Kind;
  score: number;
  mentions: number;
  /** Surface forms (lower-case) and how often each was seen; the most common one is shown. */
  forms: Map<string, number>;
}

/** A word of the article after joining hyphenated parts ("China-Russia", "high-quality"). */
interface Word {
  text: string;
  pos: string;
}

/** Weight of one mention, by kind: a name or a repeated phrase says more about the topic than a noun. */
const MENTION_WEIGHT: Record<Kind, number> = { name: 1.5, phrase: 1.75, noun: 1 };
/** Extra weight of a mention in the first three sentences, where news puts its topic. */
const LEAD_BONUS = 0.5;
/** Extra weight when every word of the keyword is in the article's own title. */
const HEADLINE_BONUS = 2;
/** Below this score a keyword is only used to reach the minimum of three. */
const MIN_SCORE = 2;
/**
 * Keywords are read from the article's first sentences only. News puts its topics at the top; later
 * sentences mostly bring side topics (a quoted bystander, an earlier case) that crowd the categories.
 * Chosen on the train part of the dev sets with {@link MIN_SCORE} (2.5 → 2, as fewer sentences give
 * fewer mentions); on the report part, keywords whose every word is in the highlights rose from 2.75 to
 * 2.84 per article and from 46.9 % to 47.7 % of all keywords. Tagging every sentence of a long article
 * was also the biggest single cost of a digest.
 */
export const KEYWORD_SENTENCES = 20;
/** Words that may join proper nouns inside one name ("Bank of England", "Louis van Gaal"). */
const NAME_JOINERS = new Set([
  'of',
  'and',
  'van',
  'von',
  'de',
  'der',
  'den',
  'du',
  'da',
  'del',
  'della',
  'di',
  'la',
  'le',
  'al',
  'bin',
  'el',
]);
/**
 * "and" joins a name only when the name ends like an institution ("Belt and Road Initiative", "Food and
 * Drug Administration"); otherwise "Heidi and Maryellen Olson" or "China and Russia" are two names.
 */
const INSTITUTION_ENDINGS = new Set(
  `initiative union council party association department agency company corporation commission committee
  institute university college school organization organisation foundation trust society bank group
  authority service services office board fund ministry court museum hospital centre center club forces
  league alliance network administration bureau industries`.split(/\s+/),
);
/** Titles and roles that precede a name without being part of it ("Prime Minister David Cameron"). */
const TITLES = new Set(
  `president vice prime minister chancellor secretary senator sen rep representative congressman
  congresswoman governor gov mayor judge justice general gen colonel col captain capt lieutenant lt
  sergeant sgt officer detective inspector superintendent constable chief executive director chairman
  chairwoman spokesman spokeswoman king queen prince princess duke duchess lord lady sir dame pope
  bishop archbishop cardinal father rev reverend rabbi imam sheikh dr doctor professor prof coach
  manager boss striker midfielder defender goalkeeper star actor actress singer rapper presenter
  host author writer senior junior deputy acting former investigator barrister lawyer attorney
  ambassador commander admiral marshal leader grandmother grandfather mother father mum dad wife husband
  son daughter brother sister widow uncle aunt`.split(/\s+/),
);
/** Words that never begin or end a name: function words, dates, honorifics, newsroom furniture. */
const NAME_EDGE_FILLER: ReadonlySet<string> = new Set([
  ...FUNCTION_WORDS,
  ...`monday tuesday wednesday thursday friday saturday sunday january february march april may june july
  august september october november december today yesterday tomorrow mr mrs ms dr cnn mail daily
  published updated pictured video click read scroll`.split(/\s+/),
]);
/** Longest name kept whole; longer runs are usually a title block before the name itself. */
const MAX_NAME_WORDS = 4;

/** Joins tokens written without spaces around a hyphen into one word, tagged like its last part. */
function joinHyphenated(tokens: readonly TaggedToken[]): Word[] {
  const words: Word[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const previous = words[words.length - 1];
    const next = tokens[i + 1];
    if (
      token.text === '-' &&
      !token.spaceBefore &&
      previous !== undefined &&
      next !== undefined &&
      !next.spaceBefore &&
      /\w/.test(next.text)
    ) {
      words[words.length - 1] = { text: `${previous.text}-${next.text}`, pos: next.pos };
      i++;
      continue;
    }
    // Tokens are read, never changed: a joined word is a new one (above), the others are shared.
    words.push(token);
  }
  return words;
}

/** Whether the article writes this capitalised word in lower case somewhere ("Senior" and "senior"). */
type LowerCaseTest = (word: string) => boolean;
const isCapitalised = (word: Word): boolean => startsUpperCase(word.text);
const isProperNoun = (word: Word | undefined): boolean => word !== undefined && word.pos === 'PROPN' && isCapitalised(word);
/** A word that could be part of a topic at all: letters (and hyphens), not filler. */
const isTopical = (text: string): boolean =>
  /^\p{L}[\p{L}-]*\p{L}$/u.test(text) &&
  (text.includes('-')
    ? !text.split('-').every((part) => KEYWORD_STOPWORDS.has(part.toLowerCase()))
    : !KEYWORD_STOPWORDS.has(text.toLowerCase()));
/**
 * A word that may stand at the edge of a name: the filler test is narrower than for common words, since
 * "New York", "White House" and "Manchester United" begin or end with words that are filler on their own.
 */
const canEdgeName = (text: string): boolean => /^\p{L}[\p{L}.-]*$/u.test(text) && !NAME_EDGE_FILLER.has(text.toLowerCase());

/**
 * True when `word`, first of what is left of a run, is no part of the name: no edge of a name, a title,
 * a joiner, or a word the article writes in lower case, when three words of a joiner-free run follow
 * from it or it opens the sentence (`atRunStart`: nothing of the run was trimmed yet).
 */
function isLeadIn(
  word: string,
  atRunStart: boolean,
  longPlainRun: boolean,
  startsSentence: boolean,
  lowerCaseWords: LowerCaseTest,
): boolean {
  return (
    !canEdgeName(word) ||
    TITLES.has(word.toLowerCase().replace(/\.$/, '')) ||
    NAME_JOINERS.has(word) ||
    (lowerCaseWords(word) && (longPlainRun || (startsSentence && atRunStart)))
  );
}

/**
 * Trims a run of capitalised words to the name in it: no filler or titles at the start, no filler at the
 * end, no sentence-initial word the article otherwise writes in lower case ("Intrepid", "Senior").
 */
function trimName(run: string[], startsSentence: boolean, lowerCaseWords: LowerCaseTest): string[] {
  const name = [...run];
  // A word the article also writes in lower case is an ordinary word at the start of a sentence
  // ("Intrepid"), or a description before a full name ("grandmother Barbara Challons").
  const hasJoiner = run.some((word) => NAME_JOINERS.has(word));
  while (
    name.length > 0 &&
    isLeadIn(name[0]!, name.length === run.length, name.length >= 3 && !hasJoiner, startsSentence, lowerCaseWords)
  ) {
    name.shift();
  }
  while (name.length > 0 && (!canEdgeName(name[name.length - 1]!) || NAME_JOINERS.has(name[name.length - 1]!))) name.pop();
  if (name.length > MAX_NAME_WORDS && !name.some((word) => NAME_JOINERS.has(word))) return name.slice(-2);
  return name;
}

/** Splits "Heidi and Maryellen Olson" in two; keeps "Belt and Road Initiative" whole. */
function splitAtAnd(run: string[]): string[][] {
  const last = run[run.length - 1]?.toLowerCase() ?? '';
  if (!run.includes('and') || INSTITUTION_ENDINGS.has(last)) return [run];
  const parts: string[][] = [[]];
  for (const word of run) {
    if (word === 'and') parts.push([]);
    else parts[parts.length - 1]!.push(word);
  }
  return parts;
}

/** Marks after which the next word starts a sentence, as far as capitals go. */
const OPENERS: ReadonlySet<string> = new Set(['“', '"', '‘', "'", '(', '—', '–', '-']);

/** One mention of a name; `modifier` when it stands before a noun ("Russian President", "Syrian refugees"). */
interface NameMention {
  words: string[];
  modifier: boolean;
}

/**
 * Adds the names in one run of capitalised words to `names`; `opensSentence` when the run starts the
 * sentence, `next` the word after the run. A module function, not a closure made per sentence.
 */
function namesOfRun(
  run: string[],
  opensSentence: boolean,
  next: Word | undefined,
  lowerCaseWords: LowerCaseTest,
  names: NameMention[],
): void {
  splitAtAnd(run).forEach((part, partIndex) => {
    const name = trimName(part, opensSentence && partIndex === 0, lowerCaseWords);
    // One word alone must also be a topic ("World" is not), two or more make a name. Two-letter names
    // ("Xi") are kept to count towards a full name; too short to show alone, they are dropped later.
    if (name.length > 1 || (name.length === 1 && isTopical(name[0]!))) {
      names.push({ words: name.map((w) => w.toLowerCase()), modifier: next?.pos === 'NOUN' });
    }
  });
}

/** The names in one sentence: maximal runs of capitalised proper nouns, trimmed to the name itself. */
function namesIn(words: readonly Word[], lowerCaseWords: LowerCaseTest): NameMention[] {
  const names: NameMention[] = [];
  let run: string[] = [];
  let runStart = 0;
  words.forEach((word, index) => {
    const next = words[index + 1];
    const afterNext = words[index + 2];
    // The first word after an opening quote or dash starts a sentence too, as far as capitals go.
    const opensHere = index === 0 || OPENERS.has(words[index - 1]!.text);
    if (isProperNoun(word)) {
      if (run.length === 0) runStart = opensHere ? 0 : index;
      run.push(word.text);
      return;
    }
    // "Soviet Union", "Great Patriotic War": a capitalised adjective opens a name.
    if (run.length === 0 && word.pos === 'ADJ' && isCapitalised(word) && !opensHere && isProperNoun(next)) {
      runStart = index;
      run.push(word.text);
      return;
    }
    // "of" joins after one word or an institution ("Gulf of Thailand", "State University of New York"),
    // not after a person ("Tom Cleverley of Manchester United").
    if (run.length > 0 && NAME_JOINERS.has(word.text) && isProperNoun(next)) {
      const joinsHere =
        word.text === 'and'
          ? isProperNoun(afterNext)
          : word.text === 'of'
            ? run.length === 1 || INSTITUTION_ENDINGS.has(run[run.length - 1]!.toLowerCase())
            : true;
      if (joinsHere) {
        run.push(word.text);
        return;
      }
    }
    if (run.length > 0) {
      namesOfRun(run, runStart === 0, word, lowerCaseWords, names);
      run = [];
    }
  });
  namesOfRun(run, runStart === 0, undefined, lowerCaseWords, names);
  return names;
}

/** Adds one run's head noun and its last two words, once the run is cut back to end in a noun. */
function addNounRun(run: Word[], nouns: string[], phrases: string[][]): void {
  while (run.length > 0 && run[run.length - 1]!.pos !== 'NOUN') run.pop();
  const head = run[run.length - 1];
  if (head === undefined) return;
  nouns.push(head.text.toLowerCase());
  const before = run[run.length - 2];
  if (before !== undefined) phrases.push([before.text.toLowerCase(), head.text.toLowerCase()]);
}

/**
 * The noun phrases in one sentence: runs of lower-case adjectives and nouns that end in a noun. Each run
 * gives its head noun and its last two words ("comprehensive strategic partnership" gives "partnership"
 * and "strategic partnership").
 */
function nounsIn(words: readonly Word[]): { nouns: string[]; phrases: string[][] } {
  const nouns: string[] = [];
  const phrases: string[][] = [];
  let run: Word[] = [];
  for (const word of words) {
    const fits = (word.pos === 'NOUN' || word.pos === 'ADJ') && word.text.length >= 3 && !isCapitalised(word) && isTopical(word.text);
    if (fits) run.push(word);
    else if (run.length > 0) {
      addNounRun(run, nouns, phrases);
      run = [];
    }
  }
  addNounRun(run, nouns, phrases);
  return { nouns, phrases };
}

/** Stems every word of a phrase, so "floods" and "flood" count together. */
const keyOf = (words: readonly string[]): string => words.map((word) => stem(word)).join(' ');

/**
 * Counts one mention. `stemmedForms` remembers each form's stems for the article: an article repeats its
 * names and nouns, and a small map answers faster than stemming each word again.
 */
function add(
  candidates: Map<string, Candidate>,
  stemmedForms: Map<string, string>,
  kind: Kind,
  words: readonly string[],
  lead: boolean,
  weight = 1,
): void {
  const form = words.join(' ');
  let stemmed = stemmedForms.get(form);
  if (stemmed === undefined) stemmedForms.set(form, (stemmed = keyOf(words)));
  const key = `${kind === 'name' ? 'n' : 'c'}:${stemmed}`;
  let candidate = candidates.get(key);
  if (candidate === undefined) candidates.set(key, (candidate = { kind, score: 0, mentions: 0, forms: new Map<string, number>() }));
  candidate.score += weight * (MENTION_WEIGHT[kind] + (lead ? LEAD_BONUS : 0));
  candidate.mentions += 1;
  candidate.forms.set(form, (candidate.forms.get(form) ?? 0) + 1);
}

/** The most common surface form; ties go to the shorter, then the alphabetically first. */
function shownForm(candidate: Candidate): string {
  return [...candidate.forms.entries()].sort((a, b) => b[1] - a[1] || a[0].length - b[0].length || compareCodePoints(a[0], b[0]))[0]![0];
}

/** True when `inner` occurs in `outer` as consecutive words ("van gaal" in "louis van gaal"). */
function isWithin(inner: readonly string[], outer: readonly string[]): boolean {
  for (let start = 0; start + inner.length <= outer.length; start++) {
    if (inner.every((word, offset) => outer[start + offset] === word)) return true;
  }
  return false;
}

/**
 * A short form of a longer name ("Putin" beside "Vladimir Putin", "Van Gaal" beside "Louis van Gaal")
 * hands its mentions to the most mentioned longer name that contains it: the article is talking about
 * that person or body.
 */
function absorbShortNames(candidates: Map<string, Candidate>): void {
  const names = [...candidates.entries()]
    .filter(([, c]) => c.kind === 'name')
    .map(([key, candidate]) => ({ key, candidate, words: key.slice(2).split(' ') }))
    // Shortest first, so a short form never hands its mentions to a name that is itself absorbed.
    .sort((a, b) => a.words.length - b.words.length || compareCodePoints(a.key, b.key));
  for (const short of names) {
    const owner = names
      .filter((long) => long.words.length > short.words.length && candidates.has(long.key) && isWithin(short.words, long.words))
      .sort((a, b) => b.candidate.mentions - a.candidate.mentions || compareCodePoints(a.key, b.key))[0];
    if (owner === undefined) continue;
    owner.candidate.score += short.candidate.score;
    owner.candidate.mentions += short.candidate.mentions;
    candidates.delete(short.key);
  }
}

/** The stems a keyword is made of, hyphenated parts apart, to keep two keywords from sharing a word. */
const stemsOf = (keyword: string): string[] => rawWords(keyword).map((word) => stem(word));

/** "russia" and "russian", "china" and "chinese", "britain" and "british": one is enough. */
const sameRoot = (a: string, b: string): boolean =>
  !a.includes(' ') && !b.includes(' ') && a.length >= 4 && b.length >= 4 && a.slice(0, 4) === b.slice(0, 4);

/**
 * Chooses the keywords: the article's tags first (lower-cased, in order), then the best-scoring
 * candidates that share no word with one already chosen, 3–6 in all, lower-case and deterministic.
 */
export function chooseKeywords(
  sentences: readonly string[],
  title: string | undefined,
  tags: readonly string[],
  limits: { min: number; max: number },
  tagger: Tagger = tagSentences,
): string[] {
  const keywords: string[] = [];
  for (const tag of tags) {
    const clean = collapseWhitespace(tag).trim().toLowerCase();
    if (clean.length > 0 && !keywords.includes(clean)) keywords.push(clean);
    if (keywords.length === limits.max) return keywords;
  }
  const candidates = new Map<string, Candidate>();
  const stemmedForms = new Map<string, string>();
  const tagged = tagger(sentences.slice(0, KEYWORD_SENTENCES)).map(joinHyphenated);
  // Words the article writes in lower case somewhere are ordinary words when capitalised at the start.
  // The words are kept as written (no new strings per token); a capitalised word is looked up lowered.
  const lowerCaseTexts = new Set<string>();
  for (const words of tagged) for (const { text } of words) if (startsLowerCase(text)) lowerCaseTexts.add(text);
  const lowerCaseWords: LowerCaseTest = (word) => {
    if (!startsUpperCase(word)) return false;
    const first = String.fromCodePoint(word.codePointAt(0)!);
    return lowerCaseTexts.has(first.toLowerCase() + word.slice(first.length));
  };
  tagged.forEach((words, index) => {
    const lead = index < 3;
    // A one-word name used as a modifier ("Syrian refugees") is more adjective than topic.
    for (const { words: name, modifier } of namesIn(words, lowerCaseWords))
      add(candidates, stemmedForms, 'name', name, lead, modifier && name.length === 1 ? 0.5 : 1);
    const { nouns, phrases } = nounsIn(words);
    for (const noun of nouns) add(candidates, stemmedForms, 'noun', [noun], lead);
    for (const phrase of phrases) add(candidates, stemmedForms, 'phrase', phrase, lead);
  });
  // A phrase seen once is a turn of phrase, not a topic.
  for (const [key, candidate] of candidates) if (candidate.kind === 'phrase' && candidate.mentions < 2) candidates.delete(key);
  absorbShortNames(candidates);
  // Without a title the headline is the first sentence, which the lead bonus already counts.
  const titleStems = new Set(stemsOf(title ?? ''));
  // Each candidate's shown form once: it is sorted out of all the forms seen.
  const shown = new Map([...candidates.values()].map((candidate) => [candidate, shownForm(candidate)]));
  if (titleStems.size > 0) {
    for (const candidate of candidates.values()) {
      if (stemsOf(shown.get(candidate)!).every((s) => titleStems.has(s))) candidate.score += HEADLINE_BONUS;
    }
  }
  const ranked = [...candidates.values()]
    .map((candidate) => ({ form: shown.get(candidate)!, score: candidate.score }))
    .filter(({ form }) => form.length >= 3)
    .sort((a, b) => b.score - a.score || compareCodePoints(a.form, b.form));
  const usedStems = new Set(keywords.flatMap(stemsOf));
  for (const { form, score } of ranked) {
    if (keywords.length === limits.max) break;
    if (keywords.length >= limits.min && score < MIN_SCORE) break;
    const stems = stemsOf(form);
    if (stems.some((s) => usedStems.has(s)) || keywords.some((k) => k === form || sameRoot(k, form))) continue;
    keywords.push(form);
    for (const s of stems) usedStems.add(s);
  }
  return keywords;
}
