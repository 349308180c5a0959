/**
 * The baseline summariser of the summaries bench: the `ts-textrank` npm package, the one people reach
 * for, set to three sentences in article order. One configuration for the quality tables
 * (bench/summarizer.ts) and the as-deployed speed run (bench/summary-speed-child.ts).
 */
import { AbsoluteSummarizerConfig, DefaultTextParser, NullLogger, SorensenDiceSimilarity, Summarizer } from 'ts-textrank';

const textRank = new Summarizer(
  new AbsoluteSummarizerConfig(3, new SorensenDiceSimilarity(), new DefaultTextParser(), 0.85, Summarizer.SORT_OCCURENCE),
  new NullLogger(),
);

/** ts-textrank's three summary sentences of an English text. */
export function textRankSentences(text: string): string[] {
  return textRank.summarize(text, 'en');
}
