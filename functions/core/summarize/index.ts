/**
 * The embedded summariser. `summarize` turns one article into a {@link Summary}; `splitSentences` is
 * the sentence segmenter it uses, exported for other parts of Gazette that need sentences.
 */
export { summarize, readingMinutes, LIMITS, type SummarizeInput } from './summarize.js';
export { splitSentences } from './segment.js';
export { DEFAULT_TUNING, type Tuning } from './rank.js';
