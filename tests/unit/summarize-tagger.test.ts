import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  makeTagger,
  openingTags,
  readLexicon,
  tagSentences,
  tokenize,
  type LexiconFile,
  type TaggedToken,
  type Tagger,
} from '../../functions/core/summarize/tagger.js';

const tags = (sentence: string): string[] => (tagSentences([sentence])[0] ?? []).map((token) => `${token.text}/${token.pos}`);

describe('tokenize', () => {
  it('splits hyphens, clitics and punctuation apart as the heuristics expect, keeping dotted abbreviations whole', () => {
    const tokens = tokenize('Xi’s high-quality plan won’t work, U.S. officials told Mr. Smith.');
    expect(tokens.map((token) => token.text)).toEqual([
      'Xi',
      '’s',
      'high',
      '-',
      'quality',
      'plan',
      'wo',
      'n’t',
      'work',
      ',',
      'U.S.',
      'officials',
      'told',
      'Mr.',
      'Smith',
      '.',
    ]);
    // A hyphen inside a word has no space before it (keywords join "high-quality" back on that).
    expect(tokens.filter((token) => !token.spaceBefore).map((token) => token.text)).toEqual(['Xi', '’s', '-', 'quality', 'n’t', ',', '.']);
  });

  it('keeps numbers with their separators and an initial with its full stop', () => {
    expect(tokenize('J. Smith paid $1,000.50 for 3.5 tonnes.').map((token) => token.text)).toEqual([
      'J.',
      'Smith',
      'paid',
      '$',
      '1,000.50',
      'for',
      '3.5',
      'tonnes',
      '.',
    ]);
  });
});

describe('the shipped lexicon tagger', () => {
  it('tells names, nouns, verbs and function words apart', () => {
    expect(tags('The attack killed 12 people, and they were taken to St. Mary’s hospital.')).toEqual([
      'The/DET',
      'attack/NOUN',
      'killed/VERB',
      '12/NUM',
      'people/NOUN',
      ',/PUNCT',
      'and/CCONJ',
      'they/PRON',
      'were/AUX',
      'taken/VERB',
      'to/ADP',
      'St./PROPN',
      'Mary/PROPN',
      '’s/PART',
      'hospital/NOUN',
      './PUNCT',
    ]);
  });

  it('reads context: "to attack" is a verb, a title before a name is a noun', () => {
    expect(tags('Smith planned to attack the base.')).toContain('attack/VERB');
    expect(tags('Russian President Vladimir Putin spoke.')).toEqual([
      'Russian/PROPN',
      'President/NOUN',
      'Vladimir/PROPN',
      'Putin/PROPN',
      'spoke/VERB',
      './PUNCT',
    ]);
  });

  it('gives one token list per sentence, an empty one for an empty sentence', () => {
    const tagged = tagSentences(['Rain fell.', '', 'It stopped.']);
    expect(tagged.map((list) => list.length)).toEqual([3, 0, 3]);
  });
});

describe('a tagger over a hand-made lexicon', () => {
  // Endings: "-ly" is an adverb, "-ing" a verb unless "-thing"; "can" is AUX or NOUN; after DET it is a noun.
  const file: LexiconFile = {
    words: { DET: 'the a', 'AUX>NOUN': 'can', PRON: 'we' },
    capitalised: { NOUN: 'Mayor' },
    endings: { ADV: 'ly', VERB: 'ing', NOUN: 'hing' },
    context: { 'AUX>NOUN': 'DET=NOUN', NOUN: 'AUX=VERB' },
  };
  const tagger = makeTagger(readLexicon(file));
  const tagsOf = (sentence: string): string[] => (tagger([sentence])[0] ?? []).map((token) => `${token.text}/${token.pos}`);

  it('falls back from the word to its longest listed ending, then to NOUN', () => {
    expect(tagsOf('quickly singing something table')).toEqual(['quickly/ADV', 'singing/VERB', 'something/NOUN', 'table/NOUN']);
  });

  it('resolves a class by the previous tag, and only where the context table says so', () => {
    expect(tagsOf('we can swim')).toEqual(['we/PRON', 'can/AUX', 'swim/VERB']);
    expect(tagsOf('the can')).toEqual(['the/DET', 'can/NOUN']);
  });

  it('makes a capitalised word a name, unless it opens the sentence as a known word or the lexicon lists it', () => {
    expect(tagsOf('The Mayor met Jones')).toEqual(['The/DET', 'Mayor/NOUN', 'met/NOUN', 'Jones/PROPN']);
    expect(tagsOf('“Quickly, Jones')).toEqual(['“/PUNCT', 'Quickly/PROPN', ',/PUNCT', 'Jones/PROPN']);
  });
});

describe('openingTags', () => {
  // Words whose tags depend on their neighbours (to attack / the attack, Police / police), punctuation
  // and abbreviations, in any order and spacing.
  const word = fc.constantFrom(
    'to',
    'attack',
    'the',
    'Police',
    'said',
    '“',
    '—',
    ',',
    '.',
    'Mr.',
    'Smith',
    'U.S.',
    'won’t',
    'fast',
    'runs',
    '  ',
    '\t',
  );
  const text = fc.array(word, { maxLength: 14 }).map((words) => words.join(' '));
  const firstWord = (tokens: readonly TaggedToken[]): TaggedToken | undefined => tokens.find((token) => token.pos !== 'PUNCT');

  it('tags the first word that is not punctuation as the whole text does, for any text', () => {
    fc.assert(
      fc.property(text, (value) => {
        expect(firstWord(openingTags(value, tagSentences))).toEqual(firstWord(tagSentences([value])[0] ?? []));
      }),
      { numRuns: 3000 },
    );
  });

  it('tags only the start of a long text, and all of it for a tagger of unknown lookahead', () => {
    const long = 'Police said the attack was fast, and the mayor said it was over before anyone could call for help.';
    const start = openingTags(long, tagSentences);
    expect(start.map((token) => token.text)).toEqual(['Police', 'said', 'the', 'attack']);
    const unknown: Tagger = (sentences) => tagSentences(sentences);
    expect(openingTags(long, unknown)).toEqual(tagSentences([long])[0]);
  });
});
