import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArticleError } from '../../functions/core/errors.js';
import type { Summary } from '../../functions/core/model.js';
import { readingMinutes, readingTime } from '../../functions/core/reading-time.js';
import { ExtractiveSummarizer, LIMITS, splitSentences, summarize } from '../../functions/core/summarize/index.js';
import { cleanSentences } from '../../functions/core/summarize/clean.js';
import { icuSegments, SEGMENT_WINDOW_CHARS } from '../../functions/core/summarize/segment.js';

const SEED = readFileSync(new URL('../../seeds/000_89c895b2b4859281.txt', import.meta.url), 'utf8');

/** A made-up news story, long enough for every part of the digest. */
const STORY = [
  'The city council of Riverton voted on Tuesday to build a new flood barrier along the Grey River, ending a decade of debate over how to protect the old town.',
  'The barrier, a 4.5-kilometre wall of concrete and steel, will cost about $310 million and take six years to finish, according to the council’s own estimate.',
  'Mayor Ellen Hart said the vote was the most important decision the council had taken in a generation.',
  '“We have watched the river come into our homes three times in ten years,” she said. “That ends now.”',
  'Opponents argued that the wall would cut the town off from its waterfront and hurt the tourism that keeps many shops open.',
  'A group of residents has already said it will ask a court to review the decision, claiming the public consultation was too short.',
  'Engineers from the regional water authority told the meeting that the river had risen faster in the last five years than at any time since records began in 1890.',
  'The national government has promised to pay half of the cost, but the money depends on the barrier being approved by the environment agency before the end of the year.',
  'Work on the first section, near the railway bridge, could begin next spring if the agency agrees.',
  'Shop owners in the old town were divided, with some welcoming the certainty and others fearing years of building work.',
  'The council will publish the full design in March and hold three public meetings before construction starts.',
].join('\n\n');

function wordsOf(text: string): number {
  return text.split(/\s+/).filter((token) => /[\p{L}\p{N}]/u.test(token)).length;
}

function checkLimits(summary: Summary, articleWords: number): void {
  expect(summary.headline.length).toBeLessThanOrEqual(LIMITS.headlineChars);
  expect(summary.headline).toBe(summary.headline.trim());
  expect(summary.sentences.length).toBeGreaterThanOrEqual(2);
  expect(summary.sentences.length).toBeLessThanOrEqual(3);
  const summaryWords = wordsOf(summary.sentences.join(' '));
  expect(summaryWords).toBeLessThanOrEqual(80);
  expect(summaryWords).toBeLessThanOrEqual(articleWords * 0.3);
  // Key points: three to five, or none when three would not fit the digest's share of the article.
  expect(summary.keyPoints.length === 0 || summary.keyPoints.length >= 3).toBe(true);
  expect(summary.keyPoints.length).toBeLessThanOrEqual(5);
  const digestWords = summaryWords + wordsOf(summary.keyPoints.join(' '));
  expect(digestWords).toBeLessThan(articleWords * (articleWords < 300 ? 0.4 : 0.3));
  expect(summary.keywords.length).toBeGreaterThanOrEqual(3);
  expect(summary.keywords.length).toBeLessThanOrEqual(6);
  for (const keyword of summary.keywords) expect(keyword).toBe(keyword.toLowerCase());
  expect(new Set(summary.keywords).size).toBe(summary.keywords.length);
}

describe('icuSegments: ICU read through windows', () => {
  const whole = (text: string): string[] =>
    [...new Intl.Segmenter('en', { granularity: 'sentence' }).segment(text)].map((part) => part.segment);
  // Sentence ends, quotes, digits, capitals, lower case, spaces and non-BMP characters: the cases ICU's
  // break rules look ahead through.
  const pieces = fc.constantFrom(
    '. ',
    '! ',
    '? ',
    '." ',
    '.” ',
    ' ',
    'Mr',
    'The',
    'the',
    'U.S.',
    '3',
    '1. ',
    ', ',
    '(',
    ')',
    '…',
    '😀',
    'é',
    '\u2029',
    'ABC',
    'x',
  );
  const paragraph = fc.array(pieces, { minLength: 0, maxLength: 120 }).map((parts) => parts.join(''));

  it('gives the segments of the whole paragraph, for any paragraph and window', () => {
    fc.assert(
      fc.property(paragraph, fc.integer({ min: 1, max: 40 }), (text, windowChars) => {
        expect([...icuSegments(text, windowChars)]).toEqual(whole(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('gives the segments of a long article split whole, with the shipped window', () => {
    const text = Array.from(
      { length: 400 },
      (_, i) => `Officials said on day ${i} that the plan would cost ${i % 91} million. Mr. Smith agreed.`,
    ).join(' ');
    expect(text.length).toBeGreaterThan(4 * SEGMENT_WINDOW_CHARS);
    expect([...icuSegments(text, SEGMENT_WINDOW_CHARS)]).toEqual(whole(text));
  });
});

describe('splitSentences', () => {
  it('does not break after abbreviations such as U.S. and Dr. or inside decimals', () => {
    expect(splitSentences('Dr. Smith flew to the U.S. capital on Monday. The trip cost $3.5 million.')).toEqual([
      'Dr. Smith flew to the U.S. capital on Monday.',
      'The trip cost $3.5 million.',
    ]);
  });

  it('keeps closing straight and curly quotes with their sentence', () => {
    expect(splitSentences('He said, "It is over." Then he left. She wrote: “We won.” Nobody replied.')).toEqual([
      'He said, "It is over."',
      'Then he left.',
      'She wrote: “We won.”',
      'Nobody replied.',
    ]);
  });

  it('treats question and exclamation marks as ends and keeps an ellipsis inside a sentence', () => {
    expect(splitSentences('Is it true? Yes! Prices rose... and then fell again.')).toEqual([
      'Is it true?',
      'Yes!',
      'Prices rose... and then fell again.',
    ]);
  });

  it('does not split before a lower-case continuation after a full stop, as punkt would not', () => {
    expect(splitSentences('A man said he saw a woman who . claims to have met him. Police are looking for her.')).toEqual([
      'A man said he saw a woman who . claims to have met him.',
      'Police are looking for her.',
    ]);
    expect(splitSentences('He wrote last week for Fortune. com, the business magazine. It sold well.')).toEqual([
      'He wrote last week for Fortune. com, the business magazine.',
      'It sold well.',
    ]);
    // A question mark still ends its sentence.
    expect(splitSentences('Is it over? yes, said the coach. Then he left.')).toEqual([
      'Is it over?',
      'yes, said the coach.',
      'Then he left.',
    ]);
  });

  it('ends a sentence at every paragraph break and collapses runs of spaces', () => {
    expect(splitSentences('A heading without a stop\n\nThe   first  sentence.\r\nThe second one.')).toEqual([
      'A heading without a stop',
      'The first sentence.',
      'The second one.',
    ]);
    expect(splitSentences('   \n\n ')).toEqual([]);
  });
});

/** Made up: a short lead (it becomes the headline) and long sentences whose clauses key points cut. */
const WORKSHOP_SENTENCES = [
  'At first sight, the workshop looks like any other garage.',
  'Inside, three engineers rebuild the flight recorders that investigators pull from crashed aircraft every year.',
  'The recorders arrive scorched, dented and sometimes soaked in sea water after weeks on the ocean floor.',
  'Each memory board is cleaned, dried in an oven and read out slowly on a bench that the team built itself.',
  'The lead engineer has done this work for twenty years and has recovered data from more than four hundred units.',
  'Investigators say the recovered data explained the cause of most of the accidents the team examined last year.',
  'The workshop now trains staff from six other countries, who stay for a month and take the methods home.',
  'A new building for the team will open next spring beside the airport, with room for twice as many benches.',
  'The regulator pays for the building, which replaces a shed that has leaked through every winter since it opened.',
  'Airlines send their own recorders for checks too, and the team charges them for the bench time they use.',
  'Most recorders still hold their data when they arrive, although some have been crushed beyond any repair.',
  'The engineers keep a log of every unit, with its flight, its damage and the hours spent recovering it.',
  'That log has become a guide for the makers, who have changed the casing twice because of what it showed.',
  'The team hopes the next generation of recorders will stream their data before an aircraft ever goes down.',
  'Until then, the benches, the ovens and the patient reading-out of damaged memory boards will carry on.',
];
const WORKSHOP = WORKSHOP_SENTENCES.join(' ');

describe('summarize', () => {
  it('keeps every limit on a normal article', () => {
    checkLimits(summarize({ text: STORY }), wordsOf(STORY));
  });

  it('keeps every limit on the seed article, and its summary opens with the lead', () => {
    const summary = summarize({ text: SEED, source: 'seeds/000_89c895b2b4859281.txt' });
    checkLimits(summary, wordsOf(SEED));
    expect(summary.sentences[0]).toMatch(/^Chinese President Xi Jinping and Russian President Vladimir Putin held extensive talks/);
    expect(summary.headline.startsWith('Chinese President Xi Jinping')).toBe(true);
    expect(summary.keywords).toEqual(expect.arrayContaining(['xi jinping', 'vladimir putin', 'china']));
    expect(readingTime(SEED, summary).articleWords).toBe(wordsOf(SEED));
  });

  it('never repeats the headline as a key point (a short lead becomes the headline, the summary starts after it)', () => {
    const text = WORKSHOP;
    const summary = summarize({ text });
    expect(summary.headline).toBe('At first sight, the workshop looks like any other garage');
    expect(summary.keyPoints.length).toBeGreaterThanOrEqual(3);
    const words = (line: string): string =>
      line
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, ' ')
        .trim();
    for (const point of summary.keyPoints) expect(words(point).startsWith(words(summary.headline))).toBe(false);
  });

  it('never cuts a key point inside a series ("is cleaned, dried in an oven and read out")', () => {
    // Thirteen sentences: the budget then cuts points to about a dozen words, at clause boundaries.
    const { keyPoints } = summarize({ text: WORKSHOP_SENTENCES.slice(0, 13).join(' ') });
    expect(keyPoints.length).toBeGreaterThanOrEqual(3);
    expect(keyPoints.some((point) => point.startsWith('Each memory board is cleaned'))).toBe(false);
  });

  it('derives a headline from the text that is not cut mid-word and has no trailing punctuation', () => {
    const { headline } = summarize({ text: STORY });
    expect(headline.length).toBeLessThanOrEqual(90);
    expect(STORY.replace(/\s+/g, ' ')).toContain(headline);
    // The next character in the article after the headline ends a word.
    const after = STORY.replace(/\s+/g, ' ').slice(STORY.replace(/\s+/g, ' ').indexOf(headline) + headline.length);
    expect(after === '' || /^[\s,.;:!?]/.test(after)).toBe(true);
    expect(headline).not.toMatch(/[,;:\-–—.]$/);
  });

  it('uses the given title as the headline, shortened at a word boundary when longer than 90 characters', () => {
    expect(summarize({ text: STORY, title: '  Riverton   approves flood wall ' }).headline).toBe('Riverton approves flood wall');
    const long = 'Riverton council approves a flood barrier along the Grey River after a decade of arguments, lawsuits and consultations';
    const headline = summarize({ text: STORY, title: long }).headline;
    expect(headline.length).toBeLessThanOrEqual(90);
    expect(long.startsWith(headline)).toBe(true);
    expect(long[headline.length]).toMatch(/[\s,]/);
  });

  it('gives key points that do not repeat the summary sentences', () => {
    const summary = summarize({ text: STORY });
    for (const point of summary.keyPoints) {
      for (const sentence of summary.sentences) {
        expect(sentence.includes(point)).toBe(false);
        expect(point.includes(sentence.replace(/[.…]$/u, ''))).toBe(false);
      }
    }
    expect(new Set(summary.keyPoints).size).toBe(summary.keyPoints.length);
  });

  it('puts tags first among the keywords, lower-cased, and stops at six', () => {
    const summary = summarize({ text: STORY, tags: ['Floods', 'Local Politics'] });
    expect(summary.keywords.slice(0, 2)).toEqual(['floods', 'local politics']);
    expect(summary.keywords.length).toBeLessThanOrEqual(6);
    const many = summarize({ text: STORY, tags: ['A1', 'B2', 'C3', 'D4', 'E5', 'F6', 'G7'] });
    expect(many.keywords).toEqual(['a1', 'b2', 'c3', 'd4', 'e5', 'f6']);
  });

  it('makes a one-sentence article a one-sentence summary of at least eight words, with no key points', () => {
    const text = 'The Riverton council voted on Tuesday to build a new flood barrier along the Grey River.';
    const summary = summarize({ text });
    // 40 % of 16 words is under 7; no summary sentence is cut below eight words, and the cut is marked.
    expect(summary.sentences).toEqual(['The Riverton council voted on Tuesday to build…']);
    expect(summary.keyPoints).toEqual([]);
    expect(summary.headline).toBe('The Riverton council voted on Tuesday to build a new flood barrier along the Grey River');
    expect(readingTime(text, summary)).toEqual({ articleWords: 16, articleReadingMinutes: 1, digestReadingMinutes: 1 });
  });

  it('throws an ArticleError naming the source for an empty or wordless article', () => {
    expect(() => summarize({ text: '', source: 'inbox/empty.txt' })).toThrow(ArticleError);
    expect(() => summarize({ text: ' \n\n … — ', source: 'inbox/blank.txt' })).toThrow(/^inbox\/blank\.txt: /);
  });

  it('is the same summary behind the async Summarizer port, with the article title and tags', async () => {
    const article = { id: 'x', source: 'x.md', title: 'Riverton approves flood wall', tags: ['Floods'], text: STORY, contentHash: 'h' };
    expect(await new ExtractiveSummarizer().summarize(article)).toEqual(summarize({ text: STORY, title: article.title, tags: ['Floods'] }));
    await expect(new ExtractiveSummarizer().summarize({ ...article, source: 'inbox/empty.txt', text: '' })).rejects.toThrow(
      /^inbox\/empty\.txt: /,
    );
  });

  it('is deterministic', () => {
    expect(JSON.stringify(summarize({ text: STORY }))).toBe(JSON.stringify(summarize({ text: STORY })));
  });

  it('drops Daily-Mail-style byline blocks and wire datelines', () => {
    const text = `By . Jane Doe . PUBLISHED: . 14:11 EST, 25 October 2013 . | . UPDATED: . 15:36 EST, 25 October 2013 . ${STORY.replace(/\n\n/g, ' ')}`;
    const summary = summarize({ text });
    expect(summary.sentences.join(' ')).not.toMatch(/PUBLISHED|UPDATED|Jane Doe|EST/);
    expect(summary.headline).not.toMatch(/^By\b/);
    const wire = summarize({ text: `LONDON, England (CNN) -- ${STORY}` });
    expect(wire.sentences[0]).not.toContain('(CNN)');
  });

  it("drops reporters' credit lines, never the sentences that only mention a report", () => {
    const credits = [
      "CNN's Jane Doe and Ana Ruiz contributed to this report .",
      'Tom Brown contributed reporting from Lagos.',
      "CNN's Melissa Gray reported and wrote from Atlanta.",
    ];
    const kept = 'The charity contributed to the report on rural poverty, which was published in May.';
    expect(cleanSentences(['The river burst its banks on Monday.', kept, ...credits])).toEqual([
      'The river burst its banks on Monday.',
      kept,
    ]);
    const summary = summarize({ text: [STORY, ...credits].join('\n\n') });
    expect([...summary.sentences, ...summary.keyPoints].join(' ')).not.toMatch(/contributed|reported and wrote/);
  });

  it('computes reading times in whole minutes at 230 words a minute, at least one', () => {
    expect(readingMinutes(0)).toBe(1);
    expect(readingMinutes(230)).toBe(1);
    expect(readingMinutes(1150)).toBe(5);
    const long = Array.from({ length: 12 }, () => STORY).join('\n\n');
    expect(readingTime(long, summarize({ text: long })).articleReadingMinutes).toBe(Math.round(wordsOf(long) / 230));
  });

  it('counts the digest as its headline, summary and key points', () => {
    const summary = { headline: 'one two', sentences: ['three four five.'], keyPoints: ['six'], keywords: ['ignored', 'words'] };
    expect(readingTime('a b c', summary)).toEqual({ articleWords: 3, articleReadingMinutes: 1, digestReadingMinutes: 1 });
    const long = { ...summary, sentences: [Array.from({ length: 700 }, () => 'word').join(' ')] };
    expect(readingTime('a', long).digestReadingMinutes).toBe(3);
  });

  it('stays within 80 words on a long article whose sentences are long', () => {
    const longSentence = (n: number): string =>
      `Sentence ${n} of the report describes how the regional water authority measured the rising river, the failing banks, the flooded streets and the cost of repairs across the whole valley over many years of work.`;
    const text = Array.from({ length: 20 }, (_, i) => longSentence(i + 1)).join(' ');
    const summary = summarize({ text });
    expect(summary.sentences.length).toBeGreaterThanOrEqual(2);
    expect(wordsOf(summary.sentences.join(' '))).toBeLessThanOrEqual(80);
    expect(summary.headline.length).toBeLessThanOrEqual(90);
  });
});
