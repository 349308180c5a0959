/**
 * Summariser benchmark: quality (ROUGE F1 against the dev set's reference highlights) and speed, side by
 * side for Gazette, Lead-3 and the `ts-textrank` npm package, on the train rows (used for tuning), the
 * validation rows (held out) and all 250; then how the time scales with article length.
 * It prints; it never fails on a number.
 */
import { AbsoluteSummarizerConfig, DefaultTextParser, NullLogger, SorensenDiceSimilarity, Summarizer } from 'ts-textrank';
import { splitSentences, summarize } from '../functions/core/summarize/index.js';
import { loadDevSet, type DevArticle } from './lib/dataset.js';
import { rouge } from './lib/rouge.js';

/** A system under test: article text in, summary sentences out. */
type System = (text: string) => string[];

const textRank = new Summarizer(
  new AbsoluteSummarizerConfig(3, new SorensenDiceSimilarity(), new DefaultTextParser(), 0.85, Summarizer.SORT_OCCURENCE),
  new NullLogger(),
);

const SYSTEMS: ReadonlyArray<readonly [string, System]> = [
  ['Gazette', (text) => summarize({ text }).sentences],
  ['Lead-3', (text) => splitSentences(text).slice(0, 3)],
  ['ts-textrank (3 sentences)', (text) => textRank.summarize(text, 'en')],
];

interface Row {
  name: string;
  rouge1: number;
  rouge2: number;
  rougeLsum: number;
  words: number;
  msPerArticle: number;
}

function evaluate(name: string, system: System, articles: readonly DevArticle[]): Row {
  let rouge1 = 0;
  let rouge2 = 0;
  let rougeLsum = 0;
  let words = 0;
  let elapsed = 0;
  for (const article of articles) {
    const started = performance.now();
    const sentences = system(article.article);
    elapsed += performance.now() - started;
    // One sentence per line: R-Lsum's sentence boundaries.
    const candidate = sentences.join('\n');
    const scores = rouge(candidate, article.reference);
    rouge1 += scores.rouge1.f1;
    rouge2 += scores.rouge2.f1;
    rougeLsum += scores.rougeLsum.f1;
    words += candidate.split(/\s+/).filter((word) => word.length > 0).length;
  }
  const n = Math.max(articles.length, 1);
  return {
    name,
    rouge1: (100 * rouge1) / n,
    rouge2: (100 * rouge2) / n,
    rougeLsum: (100 * rougeLsum) / n,
    words: words / n,
    msPerArticle: elapsed / n,
  };
}

function printTable(title: string, rows: readonly Row[]): void {
  console.log(`\n${title}`);
  console.log('| system | R-1 | R-2 | R-Lsum | words | ms/article |');
  console.log('|---|---|---|---|---|---|');
  for (const row of rows) {
    const cells = [row.rouge1, row.rouge2, row.rougeLsum].map((value) => value.toFixed(2));
    console.log(`| ${row.name} | ${cells.join(' | ')} | ${row.words.toFixed(1)} | ${row.msPerArticle.toFixed(2)} |`);
  }
}

/** Median of several timed runs, in milliseconds. */
function timeMedian(action: () => unknown, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    action();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function scaling(articles: readonly DevArticle[]): void {
  const countWords = (text: string): number => text.split(/\s+/).filter((word) => word.length > 0).length;
  const medium = articles.map((a) => a.article).find((text) => Math.abs(countWords(text) - 600) < 60) ?? articles[0]!.article;
  // The long article is built in memory by concatenating dev articles, paragraph by paragraph.
  const parts: string[] = [];
  for (const article of articles) {
    if (countWords(parts.join(' ')) >= 20_000) break;
    parts.push(article.article);
  }
  const long = parts.join('\n\n');
  console.log('\nScaling (median of 5 runs; Gazette includes segmentation)');
  console.log('| article | words | Gazette ms | ts-textrank ms |');
  console.log('|---|---|---|---|');
  for (const [label, text] of [
    ['medium', medium],
    ['long', long],
  ] as const) {
    const gazette = timeMedian(() => summarize({ text }), 5);
    const rank = timeMedian(() => textRank.summarize(text, 'en'), label === 'long' ? 1 : 5);
    console.log(`| ${label} | ${countWords(text)} | ${gazette.toFixed(1)} | ${rank.toFixed(1)} |`);
  }
}

/** Runs the benchmark and prints its tables. */
export async function run(): Promise<void> {
  console.log('## Summariser: ROUGE F1 x 100 (rouge-score compatible, Porter stemming) against reference highlights');
  const articles = loadDevSet();
  if (articles === undefined) return;
  // Warm up the segmenter's model load so it is not charged to the first article.
  summarize({ text: 'Warm up. The model loads once.' });
  const subsets: ReadonlyArray<readonly [string, DevArticle[]]> = [
    ['train rows (tuning)', articles.filter((a) => a.split === 'train')],
    ['validation rows (held out)', articles.filter((a) => a.split === 'validation')],
    ['all rows', articles],
  ];
  for (const [label, subset] of subsets) {
    printTable(
      `${label}: ${subset.length} articles`,
      SYSTEMS.map(([name, system]) => evaluate(name, system, subset)),
    );
  }
  scaling(articles);
}
