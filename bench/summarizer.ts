/**
 * Summariser benchmark (`npm run bench -- summaries`): quality as ROUGE F1 against the dev sets'
 * reference highlights, for Gazette, Lead-3, Lead-3 cut to Gazette's length and the `ts-textrank` npm
 * package, on v1 and v2, whole and re-weighted to 226 Daily Mail : 24 CNN, with paired bootstrap 95 %
 * intervals against Lead-3; v1 and v2 pooled (85 distinct Daily Mail articles) against the lead of the
 * cleaned sentences at exactly Gazette's length; then the segmenter's Lead-3 against the wink-based
 * reference, the copied fraction on short articles, proxies for the headlines written from the text,
 * speed against ts-textrank, and the publisher bundle. The report part
 * (bench/lib/split.ts) is what the README quotes; the train part is what tuning may read.
 * It prints; it never fails on a number.
 */
import { LEARNED_TUNING, LIMITS, splitSentences, summarize } from '../functions/core/summarize/index.js';
import { LEANING_START, rankSentences, selectSentences } from '../functions/core/summarize/rank.js';
import { articleSentences } from '../functions/core/summarize/summarize.js';
import { DAILY_MAIL_MIX, mixedMean, pairedInterval, type Mix } from './lib/bootstrap.js';
import { loadDevSet, loadPooledDevSets, type DevArticle, type DevSetName } from './lib/dataset.js';
import { rouge, rougeTokens } from './lib/rouge.js';
import { textRankSentences } from './lib/textrank.js';
import { winkSplitSentences } from './lib/wink-segment.js';
import { publisherFootprint } from './cold-start.js';
import { deployedSpeed } from './summary-speed.js';
import { formatBytes, formatMs, formatRatio, median } from './lib/measure.js';
import { countWords } from '../functions/core/summarize/text.js';

/** A system under test: article text in, summary sentences out (one line each for R-Lsum). */
type System = (article: DevArticle, gazette: readonly string[]) => string[];

const words = (text: string): string[] => text.split(/\s+/).filter((word) => word.length > 0);

/** The first `count` words of the sentences, keeping the sentence lines. */
function truncateTo(sentences: readonly string[], count: number): string[] {
  const out: string[] = [];
  let left = count;
  for (const sentence of sentences) {
    if (left <= 0) break;
    const kept = words(sentence).slice(0, left);
    left -= kept.length;
    out.push(kept.join(' '));
  }
  return out;
}

const lead3: System = (article) => splitSentences(article.article).slice(0, 3);

const SYSTEMS: ReadonlyArray<readonly [string, System]> = [
  ['Gazette', (_article, gazette) => [...gazette]],
  ['Lead-3', lead3],
  ["Lead-3 cut to Gazette's length", (article, gazette) => truncateTo(lead3(article, gazette), words(gazette.join(' ')).length)],
  ['ts-textrank (3 sentences)', (article) => textRankSentences(article.article)],
  // The learned scorer (bench/train-scorer.ts), not the default: shown so the comparison stays visible.
  ['Gazette with the learned scorer (off)', (article) => summarize({ text: article.article }, LEARNED_TUNING).sentences],
];

/** Per-article scores of one system. */
interface Scores {
  name: string;
  r1: number[];
  r2: number[];
  rl: number[];
  words: number[];
}

function score(name: string, outputs: readonly string[][], articles: readonly DevArticle[]): Scores {
  const scores: Scores = { name, r1: [], r2: [], rl: [], words: [] };
  outputs.forEach((sentences, index) => {
    const candidate = sentences.join('\n');
    const result = rouge(candidate, articles[index]!.reference);
    scores.r1.push(100 * result.rouge1.f1);
    scores.r2.push(100 * result.rouge2.f1);
    scores.rl.push(100 * result.rougeLsum.f1);
    scores.words.push(words(candidate).length);
  });
  return scores;
}

/** Scores every system on the articles (Gazette's output is computed once and shared). */
export function scoreSystems(articles: readonly DevArticle[], systems: ReadonlyArray<readonly [string, System]> = SYSTEMS): Scores[] {
  const gazette = articles.map((article) => summarize({ text: article.article }).sentences);
  return systems.map(([name, system]) =>
    score(
      name,
      articles.map((article, index) => system(article, gazette[index]!)),
      articles,
    ),
  );
}

function cell(
  values: readonly number[],
  baseline: readonly number[],
  outlets: DevArticle['outlet'][],
  mix: Mix,
  isBaseline: boolean,
): string {
  const mean = mixedMean(values, outlets, mix).toFixed(2);
  if (isBaseline) return mean;
  const delta = mixedMean(values, outlets, mix) - mixedMean(baseline, outlets, mix);
  const [low, high] = pairedInterval(values, baseline, outlets, mix);
  const signed = (value: number): string => `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
  return `${mean} (${signed(delta)} [${signed(low)}, ${signed(high)}])`;
}

function printTable(title: string, articles: readonly DevArticle[], scores: readonly Scores[], mix: Mix, baseline = 'Lead-3'): void {
  const outlets = articles.map((article) => article.outlet);
  const lead = scores.find((s) => s.name === baseline)!;
  console.log(`\n${title}`);
  console.log(`| system | R-1 (Δ vs ${baseline} [95% CI]) | R-2 | R-Lsum | words |`);
  console.log('|---|---|---|---|---|');
  for (const s of scores) {
    const isLead = s === lead;
    const cells = [
      cell(s.r1, lead.r1, outlets, mix, isLead),
      cell(s.r2, lead.r2, outlets, mix, isLead),
      cell(s.rl, lead.rl, outlets, mix, isLead),
    ];
    console.log(`| ${s.name} | ${cells.join(' | ')} | ${mixedMean(s.words, outlets, mix).toFixed(1)} |`);
  }
}

function qualityTables(name: DevSetName, articles: readonly DevArticle[]): void {
  const count = (rows: readonly DevArticle[], outlet: string): number => rows.filter((a) => a.outlet === outlet).length;
  for (const [label, rows] of [
    ['report part (never tuned on)', articles.filter((a) => a.part === 'report')],
    ['whole set', articles],
  ] as const) {
    const scores = scoreSystems(rows);
    const sizes = `${rows.length} articles, ${count(rows, 'dailymail')} Daily Mail / ${count(rows, 'cnn')} CNN`;
    printTable(`${name} ${label}, as it is: ${sizes}`, rows, scores, undefined);
    printTable(`${name} ${label}, re-weighted 226 Daily Mail : 24 CNN`, rows, scores, DAILY_MAIL_MIX);
  }
}

/** The sentences Gazette ranks: the article split and cleaned (no byline blocks, no datelines). */
const cleanedSentences = (article: DevArticle): string[] => articleSentences({ text: article.article }).sentences;

/**
 * v1 and v2 pooled, each article once (85 distinct Daily Mail articles, where v2 alone has 42), against the
 * lead of the same cleaned sentences Gazette reads, so v1's byline blocks count for neither side. "Cut to
 * exactly" takes words of a fourth sentence when Lead-3 is shorter than Gazette: equal length, no games.
 */
function pooledTables(pooled: readonly DevArticle[]): void {
  const cleanLead: System = (article) => cleanedSentences(article).slice(0, 3);
  const equalLength = "the cleaned lead cut to exactly Gazette's length";
  const systems: ReadonlyArray<readonly [string, System]> = [
    ['Gazette', (_article, gazette) => [...gazette]],
    ['Lead-3 of the cleaned sentences', cleanLead],
    [equalLength, (article, gazette) => truncateTo(cleanedSentences(article), words(gazette.join(' ')).length)],
    ['Lead-3 of the raw text (byline blocks in)', lead3],
  ];
  for (const part of ['report', 'train'] as const) {
    const rows = pooled.filter((article) => article.part === part);
    const scores = scoreSystems(rows, systems);
    const dailyMail = rows.flatMap((article, index) => (article.outlet === 'dailymail' ? [index] : []));
    const only = (values: readonly number[]): number[] => dailyMail.map((index) => values[index]!);
    const dailyMailScores = scores.map((s) => ({ name: s.name, r1: only(s.r1), r2: only(s.r2), rl: only(s.rl), words: only(s.words) }));
    const label = part === 'report' ? 'report part (never tuned on)' : 'train part';
    const dailyMailRows = dailyMail.map((index) => rows[index]!);
    printTable(
      `v1 + v2 pooled, ${label}, Daily Mail rows only: ${dailyMailRows.length} articles`,
      dailyMailRows,
      dailyMailScores,
      undefined,
      equalLength,
    );
    printTable(
      `v1 + v2 pooled, ${label}, re-weighted 226 Daily Mail : 24 CNN: ${rows.length} articles`,
      rows,
      scores,
      DAILY_MAIL_MIX,
      equalLength,
    );
  }
}

/**
 * Lead-3 as the data folder's README gives it, interleaved as `segmenterCheck` keeps its means:
 * 226:24, R-2, R-2 226:24, R-Lsum, R-Lsum 226:24 (v1 has no re-weighted reference).
 */
const REFERENCE_LEAD3: Record<DevSetName, (number | undefined)[]> = {
  v1: [31.32, undefined, 11.8, undefined, 28.15, undefined],
  v2: [32.21, 40.55, 11.89, 17.57, 28.83, 37.1],
};

/** Lead-3 with the Intl.Segmenter splitter against the wink-based splitter it replaced and the README reference. */
export function segmenterCheck(name: DevSetName, articles: readonly DevArticle[]): void {
  const outlets = articles.map((article) => article.outlet);
  const rows = [
    ['Intl.Segmenter + fixes', (text: string) => splitSentences(text)],
    ['wink (reference)', winkSplitSentences],
  ] as const;
  console.log(`\n${name}: Lead-3 by splitter, all ${articles.length} rows (whole | re-weighted)`);
  console.log('| splitter | R-1 | R-2 | R-Lsum | R-1 226:24 | R-2 226:24 | R-Lsum 226:24 | ms to split all |');
  console.log('|---|---|---|---|---|---|---|---|');
  const means: number[][] = [];
  for (const [label, split] of rows) {
    const started = performance.now();
    const outputs = articles.map((article) => split(article.article).slice(0, 3));
    const elapsed = performance.now() - started;
    const s = score(label, outputs, articles);
    const values = [s.r1, s.r2, s.rl].flatMap((v) => [mixedMean(v, outlets, undefined), mixedMean(v, outlets, DAILY_MAIL_MIX)]);
    means.push(values);
    const order = [0, 2, 4, 1, 3, 5].map((i) => values[i]!.toFixed(2));
    console.log(`| ${label} | ${order.join(' | ')} | ${formatMs(elapsed)} |`);
  }
  const worst = Math.max(...means[0]!.map((value, i) => Math.abs(value - means[1]![i]!)));
  console.log(`largest difference to wink: ${worst.toFixed(3)} (target ±0.05)`);
  // The dataset README's reference Lead-3 (a standard splitter), in the same order as `means`.
  const reference = REFERENCE_LEAD3[name];
  const order = [0, 2, 4, 1, 3, 5];
  const cells = order.map((i) => (reference[i] === undefined ? '–' : reference[i]!.toFixed(2)));
  console.log(`| dataset README reference | ${cells.join(' | ')} | |`);
  const gaps = order.flatMap((i) => (reference[i] === undefined ? [] : [Math.abs(means[0]![i]! - reference[i]!)]));
  console.log(`largest difference to the README reference: ${Math.max(...gaps).toFixed(3)} (target ±0.05)`);
}

/** Short articles: the first paragraphs of longer ones, cut at a sentence to about `target` words. */
function shortArticle(text: string, target: number): string {
  const kept: string[] = [];
  let count = 0;
  for (const sentence of splitSentences(text)) {
    if (count >= target) break;
    kept.push(sentence);
    count += words(sentence).length;
  }
  return kept.join(' ');
}

function copiedFraction(articles: readonly DevArticle[]): void {
  console.log(
    '\nCopied fraction: (summary + key points words) / article words (words as reading time counts them), on report-part articles cut to a length',
  );
  console.log('| about | articles | mean words | summary sentences | key points | copied (mean) | copied (max) | over its own limit |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const target of [60, 100, 125, 160, 220, 300, 450]) {
    const texts = articles.slice(0, 60).map((article) => shortArticle(article.article, target));
    let sentences = 0;
    let points = 0;
    let over = 0;
    const fractions = texts.map((text) => {
      const summary = summarize({ text });
      sentences += summary.sentences.length;
      points += summary.keyPoints.length;
      const articleWords = countWords(text);
      const fraction = countWords([...summary.sentences, ...summary.keyPoints].join(' ')) / articleWords;
      // The limit: under 40 % below 300 words, under 30 % from 300 on.
      if (fraction >= (articleWords < 300 ? 0.4 : 0.3)) over++;
      return fraction;
    });
    const meanWords = texts.reduce((sum, text) => sum + countWords(text), 0) / texts.length;
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    console.log(
      `| ${target} | ${texts.length} | ${meanWords.toFixed(0)} | ${(sentences / texts.length).toFixed(2)} | ${(points / texts.length).toFixed(2)} | ${(100 * mean).toFixed(1)}% | ${(100 * Math.max(...fractions)).toFixed(1)}% | ${over} |`,
    );
  }
}

/**
 * Headlines of title-less articles, which Gazette writes from the text. The dev sets have no reference
 * headlines, so these are proxies: how many come from the lead, lean on a sentence before, or are the
 * lead cut at a word with an ellipsis, and their ROUGE-1 precision against the highlights.
 */
function headlines(articles: readonly DevArticle[]): void {
  let fromLead = 0;
  let leaning = 0;
  let ellipsis = 0;
  let precision = 0;
  let characters = 0;
  for (const article of articles) {
    const { headline } = summarize({ text: article.article });
    const lead = new Set(rougeTokens(articleSentences({ text: article.article }).sentences[0] ?? ''));
    if (rougeTokens(headline).every((token) => lead.has(token))) fromLead++;
    if (LEANING_START.test(headline)) leaning++;
    if (headline.endsWith('…')) ellipsis++;
    precision += rouge(headline, article.reference).rouge1.precision;
    characters += headline.length;
  }
  const share = (count: number): string => `${count} (${((100 * count) / articles.length).toFixed(1)}%)`;
  console.log(`\nHeadlines of the ${articles.length} report-part articles of v1 and v2, written from the text (no titles)`);
  console.log(
    '| from the lead | leaning on a sentence before | lead cut with an ellipsis | ROUGE-1 precision vs highlights | mean characters |',
  );
  console.log('|---|---|---|---|---|');
  console.log(
    `| ${share(fromLead)} | ${share(leaning)} | ${share(ellipsis)} | ${((100 * precision) / articles.length).toFixed(2)} | ${(characters / articles.length).toFixed(1)} |`,
  );
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

/**
 * Gazette's share of the job ts-textrank does: sentences, ranked, the summary's sentences chosen. The
 * headline, key points and keywords (about two thirds of a digest's time) are left out.
 */
function summarySentencesOnly(text: string): string[] {
  const { sentences } = articleSentences({ text });
  return selectSentences(rankSentences(sentences), LIMITS.summaryWords).map((sentence) => sentence.text);
}

/** Alternating passes of the speed comparison. */
const SPEED_ROUNDS = 7;

async function speed(articles: readonly DevArticle[]): Promise<void> {
  const texts = articles.map((article) => article.article);
  // As deployed first (a fresh process: see bench/summary-speed.ts), then in this process under tsx.
  const deployed = await deployedSpeed(texts);
  const deployedRatios = deployed.gazette.map((ms, round) => ms / deployed.rank[round]!).sort((a, b) => a - b);
  // Passes alternate, so a change in the machine's load hits both systems; the ratio is per round.
  const rounds: { gazette: number; sentencesOnly: number; rank: number }[] = [];
  for (let round = 0; round < SPEED_ROUNDS; round++) {
    const gazette = timeMedian(() => texts.forEach((text) => summarize({ text })), 1) / texts.length;
    const sentencesOnly = timeMedian(() => texts.forEach((text) => summarySentencesOnly(text)), 1) / texts.length;
    const rank = timeMedian(() => texts.forEach((text) => textRankSentences(text)), 1) / texts.length;
    rounds.push({ gazette, sentencesOnly, rank });
  }
  const gazette = median(rounds.map((r) => r.gazette));
  const sentencesOnly = median(rounds.map((r) => r.sentencesOnly));
  const rank = median(rounds.map((r) => r.rank));
  const ratios = rounds.map((r) => r.gazette / r.rank).sort((a, b) => a - b);
  const sentenceRatios = rounds.map((r) => r.sentencesOnly / r.rank).sort((a, b) => a - b);
  const ratioCell = (sorted: readonly number[]): string =>
    `${formatRatio(median(sorted), 2)} of ts-textrank (per pass ${formatRatio(sorted[0]!, 2)}–${formatRatio(sorted[sorted.length - 1]!, 2)})`;
  console.log(
    `\nSpeed on ${texts.length} v2 articles (medians over alternating passes; Gazette includes segmentation, headline, key points and keywords)`,
  );
  console.log('| system | ms/article | ratio |');
  console.log('|---|---|---|');
  console.log(
    `| Gazette as deployed (esbuild bundle, fresh node, ${deployed.gazette.length} passes) | ${formatMs(median(deployed.gazette))} | ${ratioCell(deployedRatios)} |`,
  );
  console.log(`| ts-textrank in the same process | ${formatMs(median(deployed.rank))} | 1.00× |`);
  console.log(`| Gazette under tsx, in this process (${SPEED_ROUNDS} passes) | ${formatMs(gazette)} | ${ratioCell(ratios)} |`);
  console.log(
    `| Gazette under tsx, summary sentences only (the part ts-textrank does) | ${formatMs(sentencesOnly)} | ${ratioCell(sentenceRatios)} |`,
  );
  console.log(`| ts-textrank under tsx | ${formatMs(rank)} | 1.00× |`);
  const long = texts.join('\n\n').split(/\s+/).slice(0, 20_000).join(' ');
  const longGazette = timeMedian(() => summarize({ text: long }), 3);
  const longRank = timeMedian(() => textRankSentences(long), 1);
  console.log(
    `| 20,000 words, Gazette under tsx | ${formatMs(longGazette)} | ${formatRatio(longGazette / longRank, 2)} of ts-textrank (${formatMs(longRank)}) |`,
  );
}

async function footprint(): Promise<void> {
  const { bytes, gzipBytes, importMs, bareMs, winkBytes, summarizerBytes } = await publisherFootprint();
  console.log('\nPublisher bundle (esbuild, as deployed) and import time vs bare node');
  console.log('| bundle | gzip | of which the summariser (code + lexicon) | of which wink | node + import ms | bare node ms | ratio |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(
    `| ${formatBytes(bytes)} | ${formatBytes(gzipBytes)} | ${formatBytes(summarizerBytes)} | ${formatBytes(winkBytes)} | ${formatMs(importMs)} | ${formatMs(bareMs)} | ${formatRatio(importMs / bareMs)} |`,
  );
}

/** Runs the benchmark and prints its tables. */
export async function run(): Promise<void> {
  console.log('## Summariser: ROUGE F1 x 100 (rouge-score compatible, Porter stemming) against reference highlights');
  const v1 = loadDevSet('v1');
  const v2 = loadDevSet('v2');
  for (const [name, articles] of [
    ['v2', v2],
    ['v1', v1],
  ] as const) {
    if (articles === undefined) continue;
    qualityTables(name, articles);
    segmenterCheck(name, articles);
  }
  const pooled = loadPooledDevSets();
  if (pooled !== undefined) pooledTables(pooled);
  if (v2 !== undefined) {
    copiedFraction(v2.filter((a) => a.part === 'report'));
    headlines([...(v1 ?? []), ...v2].filter((a) => a.part === 'report'));
    await speed(v2);
  }
  await footprint();
}
