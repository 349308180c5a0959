import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { splitSentences, summarize } from '../../functions/core/summarize/index.js';
import { chooseKeywords, KEYWORD_SENTENCES } from '../../functions/core/summarize/keywords.js';

const SEED = readFileSync(new URL('../../seeds/000_89c895b2b4859281.txt', import.meta.url), 'utf8');
const LIMITS = { min: 3, max: 6 };

/** A made-up story: a named minister, a named agency, a repeated noun phrase and plenty of news filler. */
const STORY = [
  'Prime Minister Jane Holloway said on Monday that the government would build a flood barrier along the Grey River in Riverton.',
  'Holloway told reporters that the flood barrier would protect thousands of people, and officials said it would take years.',
  'The Harbour and Rail Authority announced that it would pay for a third of the work, officials said.',
  'Holloway said the Harbour and Rail Authority had announced its share after talks with Norway and Sweden, which build similar walls.',
  'People in Riverton said the flood barrier was overdue, and the president of the residents’ association said so too.',
  'Holloway announced a public meeting for next year; the Grey River has flooded Riverton four times this century.',
].join(' ');

const keywordsOf = (text: string, title?: string, tags: string[] = []): string[] =>
  chooseKeywords(splitSentences(text), title, tags, LIMITS);

describe('chooseKeywords', () => {
  it('prefers full names and noun phrases to their fragments', () => {
    const keywords = keywordsOf(STORY);
    expect(keywords).toEqual(expect.arrayContaining(['jane holloway', 'flood barrier', 'harbour and rail authority', 'riverton']));
    // The surname alone and the title are not keywords: their mentions count towards the full name.
    expect(keywords).not.toContain('holloway');
    expect(keywords).not.toContain('minister');
    expect(keywords).not.toContain('barrier');
  });

  it('leaves out verbs and generic news words', () => {
    const keywords = keywordsOf(STORY);
    for (const filler of ['said', 'announced', 'people', 'officials', 'government', 'year', 'years', 'president', 'monday']) {
      expect(keywords).not.toContain(filler);
    }
  });

  it('keeps two names joined by "and" apart unless they name an institution', () => {
    const keywords = keywordsOf(
      'Norway and Sweden signed a fishing treaty on Friday. Norway and Sweden have argued over fishing rights for decades. ' +
        'The Food and Drug Administration was not involved. Norway called the fishing treaty fair; Sweden agreed.',
    );
    expect(keywords).toEqual(expect.arrayContaining(['norway', 'sweden', 'fishing treaty']));
    expect(keywords.some((keyword) => keyword.includes('norway and sweden'))).toBe(false);
  });

  it('gives 3 to 6 distinct lower-case keywords that share no word, the same every time', () => {
    for (const text of [STORY, SEED]) {
      const keywords = keywordsOf(text);
      expect(keywords.length).toBeGreaterThanOrEqual(3);
      expect(keywords.length).toBeLessThanOrEqual(6);
      for (const keyword of keywords) expect(keyword).toBe(keyword.toLowerCase());
      const words = keywords.flatMap((keyword) => keyword.split(/[\s-]+/));
      expect(new Set(words).size).toBe(words.length);
      expect(keywordsOf(text)).toEqual(keywords);
    }
  });

  it('names the seed article’s leaders in full', () => {
    const keywords = keywordsOf(SEED);
    expect(keywords).toEqual(expect.arrayContaining(['xi jinping', 'vladimir putin', 'china']));
    for (const fragment of ['jinping', 'putin', 'xi', 'president', 'russian']) expect(keywords).not.toContain(fragment);
  });

  it('puts tags first and lets a title lift the words in it', () => {
    expect(keywordsOf(STORY, undefined, ['Floods', 'Local Politics']).slice(0, 2)).toEqual(['floods', 'local politics']);
    const withTitle = keywordsOf(STORY, 'Sweden backs the Riverton wall');
    expect(withTitle.indexOf('sweden')).toBeGreaterThanOrEqual(0);
    expect(keywordsOf(STORY)).not.toContain('sweden');
  });

  it('reads the topics from the opening sentences, not from a side story further down', () => {
    // The story, padded to its last opening sentence with filler, then a long aside about another place.
    const opening = splitSentences(STORY);
    const filler = Array.from({ length: KEYWORD_SENTENCES - opening.length }, (_, i) => `Work on the site went on for day ${i + 1}.`);
    const aside = Array.from(
      { length: 12 },
      (_, i) => `In Lowmere, Mayor Tomas Brandt opened the Lowmere Ferry Terminal on its ${i + 2}nd anniversary.`,
    );
    const keywords = keywordsOf([...opening, ...filler, ...aside].join(' '));
    expect(keywords).toEqual(expect.arrayContaining(['jane holloway', 'flood barrier', 'riverton']));
    expect(keywords.some((keyword) => /lowmere|brandt|ferry/.test(keyword))).toBe(false);
    // The same aside inside the opening is a topic.
    const early = keywordsOf([...opening, ...aside.slice(0, 6), ...filler].join(' '));
    expect(early.some((keyword) => /lowmere|brandt|ferry/.test(keyword))).toBe(true);
  });

  it('is what summarize publishes', () => {
    expect(summarize({ text: STORY }).keywords).toEqual(keywordsOf(STORY));
  });
});
