/**
 * Part-of-speech tags for the three places that need them: keywords (names and nouns apart from verbs),
 * key points (a statement has a finite verb) and headline cuts (no cut ends on a preposition).
 *
 * Why our own: winkNLP's model was 3.5 MiB of the publisher's bundle and ~180 ms of its first article,
 * for tags that only these three heuristics read. This tagger is a lexicon lookup with two fallbacks and
 * one step of context, learned from wink's tags on the train part of the dev sets
 * (bench/build-lexicon.ts writes lexicon.json; bench/tagger.ts compares the two on the report part):
 *
 * - a lower-case word takes its class from the lexicon, else from its ending ("-ly", "-tion");
 * - a capitalised word inside a sentence is a proper noun unless the lexicon says otherwise
 *   ("President", "Russian", "I"); at the start of a sentence it is read as its lower-case word when the
 *   lexicon knows that word ("Police", "The"), else as a name;
 * - a word then takes the tag that followed the previous tag and preceded the next word's class most often
 *   in the train part, where that is not its class's first tag ("to attack": a noun's class, a verb).
 *
 * Tags are the Universal POS tags wink used (NOUN, PROPN, VERB, AUX, ADP, DET, PUNCT, …), on tokens
 * split the way wink split them (hyphens, "n't", "'s" and punctuation apart), so the heuristics read
 * the same tokens as before. Pure and synchronous: nothing to load.
 */
import LEXICON_JSON from './lexicon.json' with { type: 'json' };

/** One word of a tagged text: its surface form, its part of speech and whether a space precedes it. */
export interface TaggedToken {
  text: string;
  /** Universal POS tag: NOUN, PROPN, ADJ, VERB, AUX, ADP, DET, PUNCT, … */
  pos: string;
  spaceBefore: boolean;
}

/**
 * Tags the words of each given sentence; one token list per sentence (empty sentences give none).
 * `lookahead`, when a tagger sets it, says how many tokens after a word its tag can depend on: then the
 * tags of a text's start are those of the whole text (see {@link openingTags}). Unset, any later word
 * may matter (wink's tagger, in the benchmarks).
 */
export type Tagger = ((sentences: readonly string[]) => TaggedToken[][]) & { readonly lookahead?: number };

/**
 * The lexicon as stored in lexicon.json. A class is one tag or several, most frequent first, joined by
 * ">" ("NOUN>VERB"). Each map is keyed by class and lists its words separated by spaces, which keeps the
 * file small and readable in a diff.
 */
export interface LexiconFile {
  /** Lower-case words whose class is not the one their ending gives. */
  words: Record<string, string>;
  /** Capitalised forms that are not proper nouns inside a sentence ("President", "Russian"). */
  capitalised: Record<string, string>;
  /** Word endings (1–4 letters) whose class differs from the class of their own last letters. */
  endings: Record<string, string>;
  /**
   * For a class, the tag to use after a previous tag ("PRON") or after a previous tag and before the
   * next word's first tag ("DET,NOUN"), where that differs from the class's first tag.
   * Listed as "context=TAG" pairs separated by spaces.
   */
  context: Record<string, string>;
}

/** The lexicon ready for lookups. */
export interface Lexicon {
  words: Map<string, string[]>;
  capitalised: Map<string, string[]>;
  endings: Map<string, string[]>;
  context: Map<string, ContextTable>;
  /** Classes already looked up, by token: inside a sentence, and at its start. */
  seen: Map<string, readonly string[]>;
  seenFirst: Map<string, readonly string[]>;
  /** Each class's context table (or none), by the class's array: no key is built per token. */
  contextOf: Map<readonly string[], ContextTable | undefined>;
}

/**
 * One class's context, by previous tag: the tag after it (`tag`, when the table lists one) and the tags
 * after it and before a given next class (`beforeNext`). Nested, so tagging builds no key per token.
 */
export type ContextTable = Map<string, { tag?: string; beforeNext: Map<string, string> }>;

/** Past this many entries the lookup cache starts again, so a long-running process stays small. */
const SEEN_LIMIT = 50_000;

/** The class a word has when neither the lexicon nor any ending says otherwise. */
export const DEFAULT_CLASS: readonly string[] = ['NOUN'];
/** Longest word ending the lexicon keeps. */
export const MAX_ENDING = 4;

/** Reads the stored form into maps (see {@link LexiconFile}). */
export function readLexicon(file: LexiconFile): Lexicon {
  const byWord = (groups: Record<string, string>): Map<string, string[]> => {
    const map = new Map<string, string[]>();
    for (const [kind, words] of Object.entries(groups)) {
      const tags = kind.split('>');
      for (const word of words.split(' ')) if (word.length > 0) map.set(word, tags);
    }
    return map;
  };
  const context = new Map<string, ContextTable>();
  for (const [kind, pairs] of Object.entries(file.context)) {
    const table: ContextTable = new Map();
    const entryFor = (previous: string) => {
      let entry = table.get(previous);
      if (entry === undefined) table.set(previous, (entry = { beforeNext: new Map() }));
      return entry;
    };
    for (const pair of pairs.split(' ')) {
      const at = pair.lastIndexOf('=');
      if (at <= 0) continue;
      const [previous, next] = pair.slice(0, at).split(',');
      if (next === undefined) entryFor(previous!).tag = pair.slice(at + 1);
      else entryFor(previous!).beforeNext.set(next, pair.slice(at + 1));
    }
    context.set(kind, table);
  }
  return {
    words: byWord(file.words),
    capitalised: byWord(file.capitalised),
    endings: byWord(file.endings),
    context,
    seen: new Map(),
    seenFirst: new Map(),
    contextOf: new Map(),
  };
}

/** Abbreviations that keep their full stop as part of the word ("Mr.", "St.", "Sen."). */
const ABBREVIATIONS = new Set(
  `mr mrs ms dr st sen rep gov gen col capt sgt lt cpl prof rev jr sr no inc ltd co corp vs mt ft ave
  jan feb mar apr aug sept sep oct nov dec`.split(/\s+/),
);

/**
 * Dotted acronyms ("U.S.", "e.g."), numbers with their separators ("1,000", "3.5"), words with inner
 * apostrophes ("won't", "O'Brien"), a lone apostrophe-led clitic ("'s"), or one other character.
 */
const TOKEN = /(?:\p{L}\.){2,}|\p{N}+(?:[.,:]\p{N}+)*|[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*|['’](?:s|re|ve|ll|d|m)\b|\S/giu;
/** Clitics written onto the word before them, split off as wink did ("they're" → "they" "'re"). */
const CLITIC = /^(.+?)(n['’]t|['’](?:s|re|ve|ll|d|m))$/iu;

/** A token before tagging: its text and whether a space precedes it. */
export interface RawToken {
  text: string;
  spaceBefore: boolean;
}

/**
 * Splits one sentence into tokens (see {@link TOKEN}); exported for the lexicon builder. The pattern's
 * last branch takes any character but whitespace, so only whitespace lies between two tokens: each token
 * starts at its first occurrence after the one before, and has a space before it when that is not where
 * the one before ended. (One `match` call instead of a match object per token: tagging reads every
 * token of every sentence it is given.)
 */
export function tokenize(sentence: string): RawToken[] {
  const texts = sentence.match(TOKEN) ?? [];
  const tokens: RawToken[] = [];
  let end = 0;
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i]!;
    const index = sentence.indexOf(text, end);
    const spaceBefore = index > end;
    end = index + text.length;
    // "Mr." and a single initial ("J.") keep their full stop, the next token: that stop ends no sentence.
    if (sentence.charCodeAt(end) === 46 && (ABBREVIATIONS.has(text.toLowerCase()) || /^\p{Lu}$/u.test(text))) {
      tokens.push({ text: `${text}.`, spaceBefore });
      end += 1;
      i += 1;
      continue;
    }
    const clitic = text.length > 2 && (text.includes("'") || text.includes('’')) ? CLITIC.exec(text) : null;
    if (clitic !== null && /\p{L}/u.test(clitic[1]!))
      tokens.push({ text: clitic[1]!, spaceBefore }, { text: clitic[2]!, spaceBefore: false });
    else tokens.push({ text, spaceBefore });
  }
  return tokens;
}

const PUNCT: readonly string[] = ['PUNCT'];
const SYM: readonly string[] = ['SYM'];
const NUM: readonly string[] = ['NUM'];
const PROPN: readonly string[] = ['PROPN'];
/** Characters that may stand before the first word of a sentence: it still starts the sentence. */
const OPENER = /^[“"‘'(\[—–-]$/u;

/** The lexicon's key for a word: lower case, curly apostrophes straight. */
export const lexiconKey = (text: string): string => text.toLowerCase().replace(/’/gu, "'");

/** The class a lower-case word's ending gives it: the longest ending the lexicon lists, else NOUN. */
export function endingClass(lexicon: Lexicon, word: string): readonly string[] {
  let kind = DEFAULT_CLASS;
  for (let length = 1; length <= Math.min(MAX_ENDING, word.length); length++) kind = lexicon.endings.get(word.slice(-length)) ?? kind;
  return kind;
}

/**
 * The class a capitalised word gets by rule, before the lexicon's exceptions: the lower-case word's class
 * at the start of a sentence when the lexicon lists that word, else a proper noun.
 */
export function capitalisedRule(lexicon: Lexicon, text: string, first: boolean): readonly string[] {
  return (first ? lexicon.words.get(lexiconKey(text)) : undefined) ?? PROPN;
}

/** The class of one token before context (see the module comment); `first` when it opens the sentence. */
export function classOf(lexicon: Lexicon, text: string, first: boolean): readonly string[] {
  // News repeats its words: most tokens are answered from the lexicon's own cache.
  const seen = first ? lexicon.seenFirst : lexicon.seen;
  let kind = seen.get(text);
  if (kind === undefined) {
    if (seen.size >= SEEN_LIMIT) seen.clear();
    kind = lookUp(lexicon, text, first);
    seen.set(text, kind);
  }
  return kind;
}

function lookUp(lexicon: Lexicon, text: string, first: boolean): readonly string[] {
  if (!/[\p{L}\p{N}]/u.test(text)) return /^[$£€¥%#@&+=<>~^|°]$/u.test(text) ? SYM : PUNCT;
  if (/^\p{N}/u.test(text)) return NUM;
  if (/^\p{Lu}/u.test(text)) return lexicon.capitalised.get(text) ?? capitalisedRule(lexicon, text, first);
  const key = lexiconKey(text);
  return lexicon.words.get(key) ?? endingClass(lexicon, key);
}

/**
 * The context keys of a token as lexicon.json writes them: its previous tag, and that tag with the next
 * token's first tag ("DET,NOUN"). The builder counts by them; the tagger reads them nested (see {@link ContextTable}).
 */
export const contextKeys = (previous: string, next: string): [string, string] => [`${previous},${next}`, previous];

/** Tags one tokenised sentence with the lexicon: class by class, then context for the ambiguous ones. */
export function tagTokens(lexicon: Lexicon, tokens: readonly RawToken[]): TaggedToken[] {
  let opening = true;
  const classes: (readonly string[])[] = [];
  for (const { text } of tokens) {
    classes.push(classOf(lexicon, text, opening));
    opening &&= OPENER.test(text);
  }
  const tagged: TaggedToken[] = [];
  let previous = 'START';
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    const kind = classes[index]!;
    let table = lexicon.contextOf.get(kind);
    if (table === undefined && !lexicon.contextOf.has(kind)) {
      table = lexicon.context.get(kind.join('>'));
      lexicon.contextOf.set(kind, table);
    }
    let pos = kind[0]!;
    const entry = table?.get(previous);
    if (entry !== undefined) pos = entry.beforeNext.get(classes[index + 1]?.[0] ?? 'END') ?? entry.tag ?? pos;
    tagged.push({ text: token.text, pos, spaceBefore: token.spaceBefore });
    previous = pos;
  }
  return tagged;
}

/**
 * A tagger over the given lexicon (the shipped one is {@link tagSentences}). A word's tag reads the
 * words before it and the class of the one token after it (see {@link tagTokens}): its lookahead is 1.
 */
export function makeTagger(lexicon: Lexicon): Tagger {
  return Object.assign((sentences: readonly string[]) => sentences.map((sentence) => tagTokens(lexicon, tokenize(sentence))), {
    lookahead: 1,
  });
}

/** Whitespace-separated chunks of a text's start that {@link openingTags} tags first. */
const OPENING_CHUNKS = 4;

/**
 * Tags of the start of `text`, enough for its first token that is not punctuation to carry the tag it
 * has in the whole text; all of `text` is tagged when the tagger's lookahead is unknown or the start is
 * too short. Exact because the start ends at whitespace, where no token ends differently, and a tag
 * reads at most `lookahead` tokens ahead. For the key points' series test, which reads only that token
 * of the text after a cut: tagging the rest of a long sentence for it was half of the points' tagging.
 */
export function openingTags(text: string, tagger: Tagger): TaggedToken[] {
  const whole = (): TaggedToken[] => tagger([text])[0] ?? [];
  if (tagger.lookahead === undefined) return whole();
  const chunk = /\S+/gu;
  let end = -1;
  for (let count = 0; count < OPENING_CHUNKS; count++) {
    const match = chunk.exec(text);
    if (match === null) return whole();
    end = match.index + match[0].length;
  }
  if (end >= text.trimEnd().length) return whole();
  const tags = tagger([text.slice(0, end)])[0] ?? [];
  const first = tags.findIndex((token) => token.pos !== 'PUNCT');
  return first >= 0 && first + tagger.lookahead < tags.length ? tags : whole();
}

/**
 * `tagger` with a memory: each distinct sentence is tagged once, however often it is asked for. One
 * article's headline cuts, key points and keywords read the same sentences; make one per article.
 */
export function cachingTagger(tagger: Tagger): Tagger {
  const known = new Map<string, TaggedToken[]>();
  const caching = (sentences: readonly string[]): TaggedToken[][] =>
    sentences.map((sentence) => {
      let tagged = known.get(sentence);
      if (tagged === undefined) {
        tagged = tagger([sentence])[0] ?? [];
        known.set(sentence, tagged);
      }
      return tagged;
    });
  return tagger.lookahead === undefined ? caching : Object.assign(caching, { lookahead: tagger.lookahead });
}

/** Tags the given sentences with the shipped lexicon: one token list per sentence. */
export const tagSentences: Tagger = makeTagger(readLexicon(LEXICON_JSON as LexiconFile));
