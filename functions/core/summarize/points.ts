/**
 * How well a candidate key point stands on its own. A key point is read without its article around it,
 * so it must be a statement: a subject and a finite verb, not an opening subordinate clause ("With both
 * nations seeking to…", "As he was reading…"), not a name followed by an aside ("Mata, according to the
 * complaint"), not a photo caption ("Retread: David Cameron with Samantha yesterday"). A point that opens
 * with a pronoun or a connective ("He affirmed…", "But…") is readable but leans on what came before, so
 * it is only used when there are not enough better ones.
 */
import { tagSentences, type TaggedToken } from './tagger.js';

/**
 * Best first: `good` stands on its own; `leaning` names its subject but points back ("these
 * sentiments"); `weak` opens by leaning on the sentence before ("He affirmed…"). The last two are used
 * only to reach the minimum, `leaning` first; `unusable` never.
 */
export const POINT_QUALITIES = ['good', 'leaning', 'weak', 'unusable'] as const;
export type PointQuality = (typeof POINT_QUALITIES)[number];

/** Words that open a subordinate clause or an adverbial phrase, which a cut then leaves without a main clause. */
const SUBORDINATE_OPENERS = new Set(
  `as while when whenever after before although though because since if unless until once with without
  despite amid amidst following during whereas whether having being to`.split(/\s+/),
);
/** Two words that open a quantity ("At least 12 people…"), not a phrase before the subject. */
const QUANTITY_OPENERS: ReadonlySet<string> = new Set(['at least', 'at most', 'up to', 'more than', 'fewer than', 'less than']);

/** Words that make a point lean on the sentence before it. */
const LEANING_OPENERS = new Set(
  `he she it they we i you his her its their this these those that there but and so yet or also however
  meanwhile still then instead nevertheless moreover furthermore`.split(/\s+/),
);
/**
 * Words that point back to the sentences before wherever they stand ("Putin echoed these sentiments",
 * "the move followed those talks"): out of its paragraph such a point says nothing. "This" is left out,
 * as news writes "this week" and "this year" far more often than "this decision".
 */
const LEANING_WORDS = new Set(['these', 'those', 'such']);
/** Words that open a relative clause: a cut that ends in one has left its main verb behind. */
const RELATIVE_OPENERS = new Set(['who', 'whom', 'whose', 'which', 'where', 'when', 'while']);

/** Parts of speech a cut cannot end on: the word it qualifies or introduces was cut away. */
const CUT_OFF_ENDINGS = new Set(['ADJ', 'DET', 'ADP', 'CCONJ', 'SCONJ', 'PART', 'AUX']);

/** A caption label before the statement: "Campaign: ", "'Scared': ", "Retread: ". */
const CAPTION_LABEL = /^['‘"“]?[\p{Lu}][\p{L}'’ -]{0,30}['’"”]?:\s+(?=\S)/u;

/** Removes a caption label from the start of a point, when there is one. */
export function stripCaptionLabel(text: string): string {
  const label = CAPTION_LABEL.exec(text);
  // A label is a few words; "Mr Smith said: …" is speech, not a label.
  if (label === null || label[0].trim().split(/\s+/).length > 3 || /\bsaid\b|\bsays\b|\badded\b/i.test(label[0])) return text;
  return text.slice(label[0].length);
}

/** A token with whether it can head a clause. */
interface Word extends TaggedToken {
  /** An auxiliary, or a verb that is neither an -ing form nor after "to": "representing a woman" is no clause. */
  finite: boolean;
}

function markFinite(tokens: readonly TaggedToken[]): Word[] {
  // Fields copied by name, not spread: this runs for every cut of every candidate point.
  return tokens.map(({ text, pos, spaceBefore }, index) => ({
    text,
    pos,
    spaceBefore,
    finite: pos === 'AUX' || (pos === 'VERB' && !/ing$/i.test(text) && tokens[index - 1]?.text.toLowerCase() !== 'to'),
  }));
}

/** Tokens that end a clause inside a point: comma, semicolon and the dashes. */
const CLAUSE_MARKS: ReadonlySet<string> = new Set([',', ';', '–', '—']);

/** The words between commas, semicolons and dashes (a hyphen inside "China-Russia" is no dash). */
function segments(tokens: readonly Word[]): Word[][] {
  const parts: Word[][] = [[]];
  for (const token of tokens) {
    if (CLAUSE_MARKS.has(token.text) || (token.text === '-' && token.spaceBefore)) parts.push([]);
    else parts[parts.length - 1]!.push(token);
  }
  return parts.filter((part) => part.some((token) => token.pos !== 'PUNCT'));
}

const hasFiniteVerb = (words: readonly Word[]): boolean => words.some((word) => word.finite);

/**
 * True when the part between commas at `index` has a verb of a main clause: a finite verb not inside a
 * relative clause the part opens. A verb opening the part right after the subject is a participle
 * ("The letter, | published in 2004"); after an aside it is the main verb ("The software, dubbed the
 * Dehumaniser, | produced…").
 */
function hasMainVerb(part: readonly Word[], index: number): boolean {
  const words = part.filter((word) => word.pos !== 'PUNCT');
  if (words[0]?.pos === 'VERB' && index === 1) return false;
  const relative = words.findIndex((word) => RELATIVE_OPENERS.has(word.text.toLowerCase()));
  return hasFiniteVerb(relative < 0 ? words : words.slice(0, relative));
}

/** True when the tagged text has a finite verb (see `Word.finite`): a clause, not a phrase. */
export const hasClause = (tokens: readonly TaggedToken[]): boolean => hasFiniteVerb(markFinite(tokens));

/**
 * Judges one key point. `whole` says whether the point is its sentence in full (a whole sentence is
 * grammatical by construction, so only the caption and lean tests apply) or a leading cut of it.
 * `tagged` are the point's tokens when the caller has them already; `endsBeforePhrase` says the cut
 * was made before a prepositional phrase (a headline's "… in Moscow"), after which an adjective is
 * predicative, not a noun's modifier.
 */
export function pointQuality(point: string, whole: boolean, tagged?: readonly TaggedToken[], endsBeforePhrase = false): PointQuality {
  const tokens = markFinite(tagged ?? tagSentences([point])[0] ?? []);
  const words = tokens.filter((token) => token.pos !== 'PUNCT');
  const first = words[0];
  if (first === undefined) return 'unusable';
  // A sentence that starts in lower case is the tail of a sentence the splitter cut in two.
  if (/^\p{Ll}/u.test(first.text)) return 'unusable';
  // A statement has a finite verb; a caption or an appositive does not.
  if (!hasFiniteVerb(tokens)) return 'unusable';
  if (!whole) {
    const opener = first.text.toLowerCase();
    const parts = segments(tokens);
    // "With both nations seeking to …, SCO, and BRICS", "In an age where it is hard to unplug": an
    // opening clause or phrase must be followed by a main clause within the cut.
    // "At least 12 people died", "Up to 40 homes": a number's modifier, not a phrase before the subject.
    const quantity = QUANTITY_OPENERS.has(`${opener} ${words[1]?.text.toLowerCase() ?? ''}`);
    const opensSubordinate = !quantity && (SUBORDINATE_OPENERS.has(opener) || ['VERB', 'SCONJ', 'ADP'].includes(first.pos));
    if (opensSubordinate && !parts.slice(1).some(hasFiniteVerb)) return 'unusable';
    const last = parts[parts.length - 1] ?? [];
    const lastWords = last.filter((token) => token.pos !== 'PUNCT').map((token) => token.text.toLowerCase());
    const lastOpener = lastWords.find((word) => word !== 'and' && word !== 'but' && word !== 'or') ?? '';
    // "Tony Pulis believes that Fletcher, who has agreed a contract": the main verb comes after the cut;
    // "…a first-half lead, and although it was later cancelled out": the cut ends inside a new clause.
    if (parts.length > 1 && (RELATIVE_OPENERS.has(lastOpener) || SUBORDINATE_OPENERS.has(lastOpener))) return 'unusable';
    // "…on Australian television Monday when, on the show": a relative or time clause the cut opened has
    // no verb yet.
    const lastRelative = words.findLastIndex((word) => RELATIVE_OPENERS.has(word.text.toLowerCase()));
    if (lastRelative >= 0 && !hasFiniteVerb(words.slice(lastRelative + 1))) return 'unusable';
    // "In the case of the Boeing 777, Campbell": the subject is there, its verb is not.
    if (parts.length > 1 && !hasFiniteVerb(last) && !hasFiniteVerb(parts[0]!)) return 'unusable';
    // "The letter, published in 2004", "Nickolay Lamm, a digital artist who majored in marketing": after
    // a verbless opening, the only verbs are in a participle or a relative clause, so no main clause.
    if (parts.length > 1 && !hasFiniteVerb(parts[0]!) && !parts.some((part, index) => index > 0 && hasMainVerb(part, index)))
      return 'unusable';
    // "…emphasized the steady" (of "the steady, high-quality development"): the cut left its noun behind.
    // Before a dropped phrase an adjective ends its clause ("…find reporting increasingly difficult | in").
    const lastPos = words[words.length - 1]?.pos ?? '';
    if (CUT_OFF_ENDINGS.has(lastPos) && !(endsBeforePhrase && lastPos === 'ADJ')) return 'unusable';
  }
  if (LEANING_OPENERS.has(first.text.toLowerCase())) return 'weak';
  return words.some((word) => LEANING_WORDS.has(word.text.toLowerCase())) ? 'leaning' : 'good';
}

/**
 * True when a cut stops inside a series: the word after the break is a verb (not an -ing form) or an
 * adjective like the cut's last word ("Each memory board is cleaned | , dried in an oven and read out"),
 * so the point keeps one item of several and reads as a fragment. `cut` and `rest` are the tokens
 * before and after the break.
 */
export function cutsSeries(cut: readonly TaggedToken[], rest: readonly TaggedToken[]): boolean {
  const last = cut.findLast((token) => token.pos !== 'PUNCT');
  const next = rest.find((token) => token.pos !== 'PUNCT');
  if (last === undefined || next === undefined || last.pos !== next.pos) return false;
  return next.pos === 'ADJ' || (next.pos === 'VERB' && !/ing$/iu.test(next.text));
}
