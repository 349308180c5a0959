/**
 * Gazette's lexicon tagger against winkNLP's, the tagger it replaced (`npm run bench -- tagger`), on the
 * REPORT part of the dev sets only (the lexicon is learned from the train part, bench/build-lexicon.ts):
 *
 * - tag agreement with wink, token by token, overall and on the two distinctions the summariser reads
 *   (a finite verb or not; a proper noun or not);
 * - the digests each tagger gives, scored against the reference highlights: keyword precision (share
 *   of keywords whose every stem is in the highlights), key-point precision (ROUGE-1 precision of the
 *   points), points per article, and how often headline, points and keywords come out the same;
 * - tagging time per article and the size of what each ships.
 *
 * Differences carry paired bootstrap 95 % intervals (lexicon minus wink). Prints; never fails on a number.
 */
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DEFAULT_TUNING, summarize, tagSentences, type Tagger } from '../functions/core/summarize/index.js';
import { stem } from '../functions/core/summarize/text.js';
import { pairedInterval } from './lib/bootstrap.js';
import { loadDevSet, type DevArticle } from './lib/dataset.js';
import { formatBytes, formatMs } from './lib/measure.js';
import { rouge, rougeTokens } from './lib/rouge.js';
import { goldSentences } from './build-lexicon.js';
import { winkTagger } from './lib/wink-tagger.js';

const finite = (tag: string): boolean => tag === 'VERB' || tag === 'AUX';

/** Token agreement of the lexicon tagger with wink on the report part's sentences. */
function agreement(): void {
  let tokens = 0;
  let same = 0;
  let sameFinite = 0;
  let sameName = 0;
  for (const sentence of goldSentences('report')) {
    const ours = tagSentences([sentence.map((token) => token.text).join(' ')])[0] ?? [];
    if (ours.length !== sentence.length) continue;
    sentence.forEach((token, index) => {
      if (token.gold === 'X') return;
      const pos = ours[index]!.pos;
      tokens++;
      if (pos === token.gold) same++;
      if (finite(pos) === finite(token.gold)) sameFinite++;
      if ((pos === 'PROPN') === (token.gold === 'PROPN')) sameName++;
    });
  }
  const share = (n: number): string => `${((100 * n) / tokens).toFixed(1)}%`;
  console.log(`\nTag agreement with wink on the report part (${tokens} tokens)`);
  console.log('| all tags | finite verb or not | proper noun or not |');
  console.log('|---|---|---|');
  console.log(`| ${share(same)} | ${share(sameFinite)} | ${share(sameName)} |`);
}

/** What one tagger's digests score on one article. */
interface DigestScores {
  keywordPrecision: number;
  pointPrecision: number;
  points: number;
  headline: string;
  keyPoints: string[];
  keywords: string[];
}

function digestScores(article: DevArticle, tagger: Tagger): DigestScores {
  const summary = summarize({ text: article.article }, DEFAULT_TUNING, tagger);
  const reference = new Set(rougeTokens(article.reference));
  const inReference = (keyword: string): boolean =>
    rougeTokens(keyword).every((token) => reference.has(token) || reference.has(stem(token)));
  const keywordPrecision = summary.keywords.length === 0 ? 0 : summary.keywords.filter(inReference).length / summary.keywords.length;
  const pointPrecision = summary.keyPoints.length === 0 ? 0 : rouge(summary.keyPoints.join('\n'), article.reference).rouge1.precision;
  return { keywordPrecision, pointPrecision, points: summary.keyPoints.length, ...summary };
}

function digests(name: string, articles: readonly DevArticle[]): void {
  const wink = articles.map((article) => digestScores(article, winkTagger));
  const ours = articles.map((article) => digestScores(article, tagSentences));
  const outlets = articles.map((article) => article.outlet);
  const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
  const signed = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;
  const row = (label: string, pick: (s: DigestScores) => number, scale = 100): void => {
    const a = ours.map(pick).map((v) => v * scale);
    const b = wink.map(pick).map((v) => v * scale);
    const [low, high] = pairedInterval(a, b, outlets, undefined);
    const signed = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;
    console.log(
      `| ${label} | ${mean(b).toFixed(2)} | ${mean(a).toFixed(2)} | ${signed(mean(a) - mean(b))} [${signed(low)}, ${signed(high)}] |`,
    );
  };
  console.log(`\n${name} report part (${articles.length} articles): digests with wink's tags vs the lexicon's`);
  console.log('| measure | wink | lexicon | lexicon − wink [95% CI] |');
  console.log('|---|---|---|---|');
  row('keyword precision vs highlights, %', (s) => s.keywordPrecision);
  row('key points per article', (s) => s.points, 1);
  row('key-point ROUGE-1 precision vs highlights, %', (s) => s.pointPrecision);
  // Point precision again only where both taggers gave points, so a missing list does not count as 0.
  const both = articles.flatMap((_, index) => (wink[index]!.points > 0 && ours[index]!.points > 0 ? [index] : []));
  const a = both.map((i) => 100 * ours[i]!.pointPrecision);
  const b = both.map((i) => 100 * wink[i]!.pointPrecision);
  const [low, high] = pairedInterval(
    a,
    b,
    both.map((i) => outlets[i]!),
    undefined,
  );
  console.log(
    `| … on the ${both.length} articles where both give points | ${mean(b).toFixed(2)} | ${mean(a).toFixed(2)} | ${signed(mean(a) - mean(b))} [${signed(low)}, ${signed(high)}] |`,
  );
  const sameShare = (pick: (s: DigestScores) => string): string =>
    `${((100 * articles.filter((_, i) => pick(wink[i]!) === pick(ours[i]!)).length) / articles.length).toFixed(0)}%`;
  console.log(
    `same headline: ${sameShare((s) => s.headline)}; same key points: ${sameShare((s) => s.keyPoints.join('|'))}; same keywords: ${sameShare((s) => s.keywords.join('|'))}`,
  );
}

/** Bytes of every file under a folder. */
function folderBytes(folder: string): number {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
}

function speedAndSize(articles: readonly DevArticle[]): void {
  const sentences = articles.map((article) => article.article.split(/\n+/));
  const time = (tagger: Tagger): number => {
    tagger(['Warm up.']);
    const started = performance.now();
    for (const list of sentences) tagger(list);
    return (performance.now() - started) / articles.length;
  };
  const winkMs = time(winkTagger);
  const oursMs = time(tagSentences);
  const require = createRequire(import.meta.url);
  const modelBytes = folderBytes(dirname(require.resolve('wink-eng-lite-web-model/package.json')));
  const lexiconBytes = statSync(new URL('../functions/core/summarize/lexicon.json', import.meta.url)).size;
  console.log(`\nTagging all of an article (${articles.length} report-part articles) and what each ships`);
  console.log('| tagger | ms/article | data |');
  console.log('|---|---|---|');
  console.log(`| wink (lite web model) | ${formatMs(winkMs)} | ${formatBytes(modelBytes)} package |`);
  console.log(`| lexicon | ${formatMs(oursMs)} | ${formatBytes(lexiconBytes)} lexicon.json |`);
}

/** Runs the comparison and prints its tables. */
export async function run(): Promise<void> {
  agreement();
  for (const name of ['v2', 'v1'] as const) {
    const articles = (loadDevSet(name) ?? []).filter((article) => article.part === 'report');
    if (articles.length > 0) digests(name, articles);
  }
  speedAndSize((loadDevSet('v2') ?? []).filter((article) => article.part === 'report'));
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
