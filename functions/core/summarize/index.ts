/**
 * The embedded summariser. `ExtractiveSummarizer` is it behind the core's `Summarizer` port; `summarize`
 * is the same thing as a plain synchronous function (for the CLI and the benchmarks); `splitSentences`
 * is the sentence segmenter it uses, exported for other parts of Gazette that need sentences.
 */
export { ExtractiveSummarizer, summarize, LIMITS, type SummarizeInput } from './summarize.js';
export { splitSentences } from './segment.js';
export { tagSentences, type Tagger } from './tagger.js';
export { DEFAULT_TUNING, FEATURES, HAND_TUNING, LEARNED_TUNING, type Scorer, type Tuning } from './rank.js';
