/**
 * Builds functions/core/summarize/lexicon.json (`npx tsx bench/build-lexicon.ts`): the tagger's lexicon,
 * learned from winkNLP's tags on the TRAIN part of the dev sets (bench/lib/split.ts; v1 and v2, each id
 * once). Only word statistics leave the corpus, never its text. The report part is left for
 * bench/tagger.ts, which compares the two taggers there. Deterministic: the same data give the same file.
 *
 * What is kept (each is an exception to a simpler rule, so the file stays small):
 * - endings: the class of rare lower-case words by their last 1–4 letters, where it differs from the
 *   class of a shorter ending (rare words stand in for the words the lexicon will not know);
 * - words: lower-case words seen at least twice whose class differs from their ending's, plus the words
 *   that start sentences in capitals ("Police"), so a capitalised first word can be looked up;
 * - capitalised: forms for which the lexicon's class is right more often than the capitals rule;
 * - context: for each class, the tag after a previous tag (and before the next word's first tag) where
 *   it is not the class's first tag, seen at least three times ("to attack": a noun's class, a verb).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { splitSentences } from '../functions/core/summarize/segment.js';
import {
  capitalisedRule,
  classOf,
  contextKeys,
  endingClass,
  lexiconKey,
  MAX_ENDING,
  readLexicon,
  tokenize,
  type Lexicon,
  type LexiconFile,
} from '../functions/core/summarize/tagger.js';
import { loadDevSet, type DevArticle } from './lib/dataset.js';
import { winkTagsFor } from './lib/wink-tagger.js';

/** A second tag joins a word's class when it has at least this share of the word's uses. */
const AMBIGUITY_SHARE = 0.2;
/** Uses an ending needs before its class is trusted. */
const MIN_ENDING_USES = 8;
/** Uses a context needs before it overrides a class's first tag. */
const MIN_CONTEXT_USES = 3;
/** Type frequency up to which a word counts as rare (its ending then speaks for unknown words). */
const RARE_USES = 2;

/** One token of the train part with wink's tag. */
export interface GoldToken {
  text: string;
  first: boolean;
  gold: string;
}

const OPENER = /^[“"‘'(\[—–-]$/u;

/** The train (or report) part's sentences as tokens with wink's tags, each article id once. */
export function goldSentences(part: DevArticle['part']): GoldToken[][] {
  const seen = new Set<string>();
  const sentences: GoldToken[][] = [];
  for (const name of ['v2', 'v1'] as const) {
    for (const row of loadDevSet(name) ?? []) {
      if (row.part !== part || seen.has(row.id)) continue;
      seen.add(row.id);
      for (const sentence of splitSentences(row.article)) {
        const tokens = tokenize(sentence);
        const tags = winkTagsFor(sentence, tokens);
        let opening = true;
        sentences.push(
          tokens.map((token, index) => {
            const gold = { text: token.text, first: opening, gold: tags[index]! };
            opening &&= OPENER.test(token.text);
            return gold;
          }),
        );
      }
    }
  }
  return sentences;
}

type Counts = Map<string, number>;
const bump = (map: Map<string, Counts>, key: string, tag: string): void => {
  const counts = map.get(key) ?? new Map<string, number>();
  counts.set(tag, (counts.get(tag) ?? 0) + 1);
  map.set(key, counts);
};
const total = (counts: Counts): number => [...counts.values()].reduce((a, b) => a + b, 0);
/** Tags by use, most used first (ties alphabetical, so the file is deterministic). */
const ranked = (counts: Counts): [string, number][] => [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
/** A word's class: its tags with at least {@link AMBIGUITY_SHARE} of its uses, most used first. */
function classFrom(counts: Counts): string[] {
  const sum = total(counts);
  return ranked(counts)
    .filter(([, n], i) => i === 0 || n / sum >= AMBIGUITY_SHARE)
    .slice(0, 3)
    .map(([tag]) => tag);
}
const same = (a: readonly string[], b: readonly string[]): boolean => a.join('>') === b.join('>');
const isLetters = (text: string): boolean => /^\p{L}/u.test(text);
const isLower = (text: string): boolean => /^\p{Ll}/u.test(text);
const isCapital = (text: string): boolean => /^\p{Lu}/u.test(text);

/** Groups word → class entries into the stored form (class → sorted words). */
function group(entries: Iterable<[string, readonly string[]]>): Record<string, string> {
  const byClass = new Map<string, string[]>();
  for (const [word, kind] of entries) byClass.set(kind.join('>'), [...(byClass.get(kind.join('>')) ?? []), word]);
  return Object.fromEntries(
    [...byClass].sort((a, b) => a[0].localeCompare(b[0])).map(([kind, words]) => [kind, words.sort().join(' ')] as const),
  );
}

/** Learns the lexicon from tagged sentences (see the module comment). */
export function learnLexicon(sentences: readonly GoldToken[][]): LexiconFile {
  const tokens = sentences.flat().filter((token) => token.gold !== 'X' && token.gold !== 'SPACE');
  const empty = (): Lexicon => readLexicon({ words: {}, capitalised: {}, endings: {}, context: {} });

  // Endings, from rare lower-case words.
  const uses = new Map<string, number>();
  for (const token of tokens) if (isLower(token.text)) uses.set(lexiconKey(token.text), (uses.get(lexiconKey(token.text)) ?? 0) + 1);
  const endingCounts = new Map<string, Counts>();
  for (const token of tokens) {
    const key = lexiconKey(token.text);
    if (!isLower(token.text) || (uses.get(key) ?? 0) > RARE_USES) continue;
    for (let length = 1; length <= Math.min(MAX_ENDING, key.length); length++) bump(endingCounts, key.slice(-length), token.gold);
  }
  const lexicon = empty();
  for (let length = 1; length <= MAX_ENDING; length++) {
    for (const [ending, counts] of [...endingCounts].sort((a, b) => a[0].localeCompare(b[0]))) {
      if (ending.length !== length || total(counts) < MIN_ENDING_USES) continue;
      const kind = classFrom(counts);
      if (!same(kind, endingClass(lexicon, ending))) lexicon.endings.set(ending, kind);
    }
  }

  // Words: lower-case uses, and capitalised first words that wink did not call names.
  const wordCounts = new Map<string, Counts>();
  const startsSentences = new Set<string>();
  for (const token of tokens) {
    if (!isLetters(token.text) && !/^['’]/u.test(token.text)) continue;
    const key = lexiconKey(token.text);
    if (!isCapital(token.text)) bump(wordCounts, key, token.gold);
    else if (token.first && token.gold !== 'PROPN') {
      bump(wordCounts, key, token.gold);
      startsSentences.add(key);
    }
  }
  for (const [word, counts] of [...wordCounts].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (total(counts) < 2) continue;
    const kind = classFrom(counts);
    if (!same(kind, endingClass(lexicon, word)) || startsSentences.has(word)) lexicon.words.set(word, kind);
  }

  // Capitalised forms: kept where the lexicon's first tag beats the rule's on this form's uses.
  const capitalCounts = new Map<string, Counts>();
  const ruleRight = new Map<string, number>();
  for (const token of tokens) {
    if (!isCapital(token.text)) continue;
    bump(capitalCounts, token.text, token.gold);
    if (capitalisedRule(lexicon, token.text, token.first)[0] === token.gold)
      ruleRight.set(token.text, (ruleRight.get(token.text) ?? 0) + 1);
  }
  for (const [form, counts] of [...capitalCounts].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (total(counts) < 2) continue;
    const kind = classFrom(counts);
    if ((counts.get(kind[0]!) ?? 0) > (ruleRight.get(form) ?? 0)) lexicon.capitalised.set(form, kind);
  }

  // Context for classes of several tags: wink's previous tag, and our class of the next token.
  const contextCounts = new Map<string, Map<string, Counts>>();
  for (const sentence of sentences) {
    const classes = sentence.map((token) => classOf(lexicon, token.text, token.first));
    sentence.forEach((token, index) => {
      const kind = classes[index]!;
      if (token.gold === 'X') return;
      const name = kind.join('>');
      const table = contextCounts.get(name) ?? new Map<string, Counts>();
      contextCounts.set(name, table);
      for (const key of contextKeys(sentence[index - 1]?.gold ?? 'START', classes[index + 1]?.[0] ?? 'END')) bump(table, key, token.gold);
    });
  }
  const context: Record<string, string> = {};
  for (const [name, table] of [...contextCounts].sort((a, b) => a[0].localeCompare(b[0]))) {
    const fallback = name.split('>')[0]!;
    const chosen = new Map<string, string>();
    const pick = (key: string, otherwise: string): void => {
      const counts = table.get(key);
      if (counts === undefined || total(counts) < MIN_CONTEXT_USES) return;
      const [best] = ranked(counts)[0]!;
      if (best !== otherwise) chosen.set(key, best);
    };
    const keys = [...table.keys()].sort();
    for (const key of keys) if (!key.includes(',')) pick(key, fallback);
    for (const key of keys) if (key.includes(',')) pick(key, chosen.get(key.split(',')[0]!) ?? fallback);
    if (chosen.size > 0)
      context[name] = [...chosen]
        .sort((a, b) => a[0].localeCompare(b[0]))
        .map(([key, tag]) => `${key}=${tag}`)
        .join(' ');
  }
  return {
    words: group(lexicon.words),
    capitalised: group(lexicon.capitalised),
    endings: group(lexicon.endings),
    context,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = learnLexicon(goldSentences('train'));
  const path = fileURLToPath(new URL('../functions/core/summarize/lexicon.json', import.meta.url));
  const text = `${JSON.stringify(file, null, 2)}\n`;
  writeFileSync(path, text);
  const count = (groups: Record<string, string>): number => Object.values(groups).reduce((n, words) => n + words.split(' ').length, 0);
  console.log(
    `wrote ${path}: ${text.length} bytes; ${count(file.words)} words, ${count(file.capitalised)} capitalised forms, ${count(file.endings)} endings, ${Object.keys(file.context).length} context tables`,
  );
}
