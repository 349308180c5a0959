/**
 * Reading-time statistics, computed here once for every summariser: a model-backed summariser returns
 * only its words, and the numbers readers see stay comparable whichever summariser wrote the digest.
 */
import type { ReadingTime, Summary } from './model.js';
import { countWords } from './summarize/text.js';

/** Reading speed behind every "min read" Gazette prints. */
export const WORDS_PER_MINUTE = 230;

/** Whole minutes to read `words` words, at least 1. */
export function readingMinutes(words: number): number {
  return Math.max(1, Math.round(words / WORDS_PER_MINUTE));
}

/** Word count and reading minutes of the article (`articleText`, plain text) and of its digest. */
export function readingTime(articleText: string, summary: Summary): ReadingTime {
  const articleWords = countWords(articleText);
  const digestWords = countWords([summary.headline, ...summary.sentences, ...summary.keyPoints].join(' '));
  return {
    articleWords,
    articleReadingMinutes: readingMinutes(articleWords),
    digestReadingMinutes: readingMinutes(digestWords),
  };
}
