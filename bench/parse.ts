/**
 * Article parsing cost (`parseArticle`) for ordinary articles of 600 words, 20,000 words and 1 MiB (the
 * size limit) in each format, and for hostile inputs built to make the parsers stall: deeply nested
 * HTML, long emphasis runs and deep quote nesting in Markdown. Each row is set beside a baseline over
 * the same bytes, measured in the same run: strict UTF-8 decoding plus whitespace normalisation, the
 * least any reader of the file must do. The ratio is what the format's parser costs on top of that.
 * A hostile input may be refused (an `ArticleError`); then the time shown is how long the refusal took.
 * Inputs are synthetic (bench/lib/synthetic-articles.ts). Prints, never fails on a time.
 */
import { ArticleError } from '../functions/core/errors.js';
import { parseArticleFile } from '../functions/adapters/article-files.js';
import { MAX_ARTICLE_BYTES } from '../functions/core/articles/parse.js';
import { formatBytes, formatMs, formatRatio, median, msSince } from './lib/measure.js';
import { syntheticArticle, type ArticleFormat } from './lib/synthetic-articles.js';

interface Case {
  label: string;
  name: string;
  bytes: Uint8Array;
}

const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The baseline: decode the bytes and collapse whitespace, as every format must at least do. Without the
 * `u` flag on purpose: `\s` matches the same characters either way, and V8 runs `/\s+/g` about four
 * times faster than `/\s+/gu` on large strings, so the baseline stays the cheap floor it is meant to be.
 */
function decodeAndNormalise(bytes: Uint8Array): string {
  return strictUtf8.decode(bytes).replace(/\s+/g, ' ').trim();
}

/** The ordinary articles: three sizes in each of the three formats. */
function ordinaryCases(): Case[] {
  const cases: Case[] = [];
  const formats: ArticleFormat[] = ['txt', 'md', 'html'];
  const sizes = [
    { label: '600 words', options: { targetWords: 600 } },
    { label: '20,000 words', options: { targetWords: 20_000 } },
    { label: '1 MiB', options: { maxBytes: MAX_ARTICLE_BYTES } },
  ];
  let seed = 1;
  for (const size of sizes) {
    for (const format of formats) {
      seed += 1;
      cases.push({
        label: `${size.label} .${format}`,
        name: `article.${format}`,
        bytes: syntheticArticle(format, { seed, ...size.options }),
      });
    }
  }
  return cases;
}

/** Repeats `unit` until the text reaches about `bytes` bytes (never more). */
function fill(prefix: string, unit: string, suffix: string, bytes: number): string {
  const count = Math.max(1, Math.floor((bytes - prefix.length - suffix.length) / unit.length));
  return `${prefix}${unit.repeat(count)}${suffix}`;
}

/** Inputs made to stall a parser: what a careless or malicious author could drop in the inbox. */
function hostileCases(): Case[] {
  const nestedDivs = (levels: number) => `<html><body>${'<div>'.repeat(levels)}Deep text here.${'</div>'.repeat(levels)}</body></html>`;
  const almostOneMiB = MAX_ARTICLE_BYTES - 64;
  const html: Case[] = [
    { label: 'HTML: 1,000 nested <div>', name: 'nested.html', bytes: encoder.encode(nestedDivs(1_000)) },
    { label: 'HTML: 90,000 nested <div> (~1 MiB)', name: 'nested.html', bytes: encoder.encode(nestedDivs(90_000)) },
    {
      label: 'HTML: ~1 MiB of unclosed <b><i><span>',
      name: 'unclosed.html',
      bytes: encoder.encode(fill('<html><body><p>', '<b><i><span>word ', '</p></body></html>', almostOneMiB)),
    },
  ];
  // A paragraph just under the per-paragraph emphasis limit, repeated: the worst the parser accepts.
  const underLimit = `${'*a_'.repeat(333)}\n\n`;
  const markdown: Case[] = [
    {
      label: 'MD: one 16 KB run of "*a_"',
      name: 'emphasis.md',
      bytes: encoder.encode(`# Title\n\nIntro sentence here.\n\n${'*a_'.repeat(5_461)}\n`),
    },
    {
      label: 'MD: ~1 MiB, one run of "*a_"',
      name: 'emphasis.md',
      bytes: encoder.encode(fill('# Title\n\nIntro sentence here.\n\n', '*a_', '\n', almostOneMiB)),
    },
    {
      label: 'MD: 999-marker paragraphs up to the budget',
      name: 'emphasis.md',
      bytes: encoder.encode(`# Title\n\nIntro sentence here.\n\n${underLimit.repeat(40)}`),
    },
    {
      label: 'MD: ~1 MiB of 999-marker paragraphs',
      name: 'emphasis.md',
      bytes: encoder.encode(fill('# Title\n\nIntro sentence here.\n\n', underLimit, '', almostOneMiB)),
    },
    {
      label: 'MD: ~1 MiB of "**" runs, no text',
      name: 'stars.md',
      bytes: encoder.encode(fill('# Title\n\nIntro sentence here.\n\n', '** ', '\n', almostOneMiB)),
    },
    {
      label: 'MD: 10,000 nested "> " quotes',
      name: 'quotes.md',
      bytes: encoder.encode(`# Title\n\nIntro sentence here.\n\n${'> '.repeat(10_000)}deep\n`),
    },
  ];
  return [...html, ...markdown];
}

/** What one parse did: the article's word count, or the refusal. */
function outcomeOf(testCase: Case): string {
  try {
    const article = parseArticleFile(testCase.name, testCase.bytes);
    return `ok, ${article.text.split(/\s+/u).length.toLocaleString('en')} words`;
  } catch (error) {
    if (!(error instanceof ArticleError)) throw error;
    const reason = error.message.slice(testCase.name.length).replace(/^[:\s]+/u, '');
    return `refused: ${reason.length > 60 ? `${reason.slice(0, 57)}…` : reason}`;
  }
}

/** Median ms of repeated calls; slow cases are repeated less so the whole benchmark stays short. */
function medianMs(work: () => void): number {
  const first = process.hrtime.bigint();
  work(); // warm-up, also tells how long one call takes
  const firstMs = msSince(first);
  const repeat = firstMs > 300 ? 3 : firstMs > 30 ? 5 : 15;
  const samples: number[] = [];
  for (let index = 0; index < repeat; index += 1) {
    const start = process.hrtime.bigint();
    work();
    samples.push(msSince(start));
  }
  return median(samples);
}

function parseOnce(testCase: Case): void {
  try {
    parseArticleFile(testCase.name, testCase.bytes);
  } catch (error) {
    if (!(error instanceof ArticleError)) throw error;
  }
}

function printTable(title: string, cases: Case[]): void {
  console.log(`\n${title}`);
  console.log('| input | size | outcome | parse ms | MB/s | baseline ms | parse / baseline |');
  console.log('|---|---:|---|---:|---:|---:|---:|');
  for (const testCase of cases) {
    const outcome = outcomeOf(testCase);
    const parseMs = medianMs(() => parseOnce(testCase));
    const baselineMs = medianMs(() => decodeAndNormalise(testCase.bytes));
    const megabytesPerSecond = testCase.bytes.length / 1e6 / (parseMs / 1000);
    console.log(
      `| ${testCase.label} | ${formatBytes(testCase.bytes.length)} | ${outcome} | ${formatMs(parseMs)} | ${megabytesPerSecond.toFixed(1)} | ${formatMs(
        baselineMs,
      )} | ${formatRatio(parseMs / baselineMs)} |`,
    );
  }
}

/** Runs the benchmark and prints one table of ordinary articles and one of hostile inputs. */
export async function run(): Promise<void> {
  // Warm the parsers' JIT on a mid-size article of each format, so the first row is not a compile.
  for (const format of ['txt', 'md', 'html'] as const) {
    const warm = syntheticArticle(format, { seed: 99, targetWords: 3_000 });
    for (let index = 0; index < 5; index += 1) parseArticleFile(`warm.${format}`, warm);
  }
  console.log('parseArticle vs baseline (strict UTF-8 decode + whitespace collapse of the same bytes); median of repeated runs');
  printTable('Ordinary articles (synthetic prose; the 1 MiB rows are just under the size limit)', ordinaryCases());
  printTable('Hostile inputs (refusals are timed too: a refusal must come quickly)', hostileCases());
}

// Allows `npx tsx bench/parse.ts` on its own as well as through bench/run.ts.
if (import.meta.url === `file://${process.argv[1]}`) await run();
