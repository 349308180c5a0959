/**
 * Feed sources (`npm run bench -- sources`), three parts, each beside a baseline from the same run:
 * 1. Feed parsing over the real feeds in ../shared/feeds (read in place, never copied): feeds per second
 *    and MB/s of `parseFeed`, next to fast-xml-parser alone on the same bytes (the XML tokenising every
 *    parser must do) and to rss-parser (the common alternative, a dev dependency), with the share of
 *    files each recovers items from.
 * 2. Full-text extraction (`extractFullText`) on news-shaped pages built around the dev set's articles
 *    (../shared/data, read in place): ms per page, ms per page of linkedom's parse alone (baseline), the
 *    peak RSS growth, and how much of the article's words come back (bag-of-words F1).
 * 3. `safeFetch` polling 200 loopback feeds twice, 8 at a time: first plain GETs, then with the
 *    validators of the first pass (every answer a 304).
 * Prints, never fails on a time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { DOMParser } from 'linkedom';
import Parser from 'rss-parser';
import { extractFullText } from '../functions/adapters/http/full-text.js';
import { safeFetch, type FetchOutcome } from '../functions/adapters/http/safe-fetch.js';
import { htmlParagraphs, parseHtml } from '../functions/core/articles/html.js';
import { parseFeed } from '../functions/core/sources/parse-feed.js';
import { startFeedServer } from '../tests/support/feed-server.js';
import { loadDevSet } from './lib/dataset.js';
import { formatMs, formatRatio, median, msSince } from './lib/measure.js';
import { feedCorpusFiles } from './lib/feed-corpus.js';
import { sharedPath } from './lib/shared-dir.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FEEDS = sharedPath('feeds');
const NOW = new Date('2026-12-01T12:00:00Z');
const ROUNDS = 5;

/** Feed files of the corpus, with their bytes. */
function corpus(): { name: string; bytes: Buffer }[] {
  return feedCorpusFiles(FEEDS).map((name) => ({ name, bytes: readFileSync(join(FEEDS, name)) }));
}

/** Median over ROUNDS of the time to run `parse` over every file; also how many files gave items. */
async function timeOver(
  files: { bytes: Buffer }[],
  parse: (bytes: Buffer) => Promise<number> | number,
): Promise<{ ms: number; recovered: number }> {
  const samples: number[] = [];
  let recovered = 0;
  for (let round = 0; round <= ROUNDS; round += 1) {
    let withItems = 0;
    const start = process.hrtime.bigint();
    for (const file of files) if ((await parse(file.bytes)) > 0) withItems += 1;
    // Round 0 warms the JIT and is not counted.
    if (round > 0) samples.push(msSince(start));
    recovered = withItems;
  }
  return { ms: median(samples), recovered };
}

async function benchParsing(): Promise<void> {
  if (!existsSync(FEEDS)) {
    console.log(`Feed corpus not found at ${FEEDS}: skipping the parsing part.`);
    return;
  }
  const files = corpus();
  const megabytes = files.reduce((sum, file) => sum + file.bytes.length, 0) / 1e6;
  const xml = new XMLParser({ ignoreAttributes: false, processEntities: false });
  const rssParser = new Parser();
  const rows = [
    ['fast-xml-parser only (baseline)', (bytes: Buffer) => (xml.parse(bytes.toString('utf8')) ? 1 : 0)],
    [
      'parseFeed (feed-parser / zod)',
      (bytes: Buffer) => {
        const result = parseFeed(bytes, undefined, 'https://feeds.example.com/feed', NOW);
        return 'error' in result ? 0 : result.items.length;
      },
    ],
    [
      'rss-parser',
      async (bytes: Buffer) => {
        try {
          return (await rssParser.parseString(bytes.toString('utf8'))).items.length;
        } catch {
          return 0;
        }
      },
    ],
  ] as const;
  console.log(`\n## Feed parsing: ${files.length} real feeds, ${megabytes.toFixed(2)} MB, median of ${ROUNDS} rounds`);
  console.log('| parser | ms per pass | feeds/s | MB/s | vs baseline | files with items |');
  console.log('|---|---|---|---|---|---|');
  let baseline = 0;
  for (const [label, parse] of rows) {
    const { ms, recovered } = await timeOver(files, parse);
    if (!baseline) baseline = ms;
    const recovery = label.includes('baseline') ? '—' : `${recovered}/${files.length} (${((100 * recovered) / files.length).toFixed(1)}%)`;
    console.log(
      `| ${label} | ${formatMs(ms)} | ${((files.length * 1000) / ms).toFixed(0)} | ${((megabytes * 1000) / ms).toFixed(2)} | ${formatRatio(ms / baseline)} | ${recovery} |`,
    );
  }
}

/** A news page around `article`: navigation, the story in paragraphs, a sidebar, comments, a footer, scripts. */
function newsPage(title: string, article: string, seed: number): string {
  const sentences = article.split(/(?<=[.!?])\s+(?=[A-Z])/);
  const paragraphs: string[] = [];
  for (let index = 0; index < sentences.length; index += 3) paragraphs.push(sentences.slice(index, index + 3).join(' '));
  const links = (count: number, prefix: string) =>
    Array.from(
      { length: count },
      (_, index) => `<li><a href="/${prefix}/${seed}-${index}">${prefix} headline number ${index}</a></li>`,
    ).join('');
  return `<!doctype html><html><head><title>${title} | Daily Example</title><script>var ads = ${seed};</script></head>
<body><header><a href="/">Daily Example</a><nav><ul>${links(12, 'section')}</ul></nav></header>
<main><article><h1>${title}</h1><p class="byline">By A Reporter</p>${paragraphs.map((text) => `<p>${text}</p>`).join('\n')}</article>
<section class="comments"><h2>Comments</h2><ul>${links(5, 'comment')}</ul></section></main>
<aside><h2>Most read</h2><ul>${links(10, 'story')}</ul></aside>
<footer><ul>${links(8, 'legal')}</ul></footer><script>track(${seed})</script></body></html>`;
}

function words(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}

/** Bag-of-words F1 of `extracted` against `reference`. */
function wordF1(extracted: string, reference: string): number {
  const got = words(extracted);
  const want = words(reference);
  let overlap = 0;
  for (const [word, count] of got) overlap += Math.min(count, want.get(word) ?? 0);
  const total = (counts: Map<string, number>) => [...counts.values()].reduce((sum, count) => sum + count, 0);
  const precision = overlap / Math.max(1, total(got));
  const recall = overlap / Math.max(1, total(want));
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

async function benchFullText(): Promise<void> {
  const dev = loadDevSet();
  if (!dev) return;
  const pages = dev.slice(0, 100).map((row, index) => ({
    html: newsPage(`Story ${index}`, row.article, index),
    article: row.article,
  }));
  const parseOnly: number[] = [];
  const extract: number[] = [];
  const f1: number[] = [];
  let failures = 0;
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  for (const [index, page] of pages.entries()) {
    let start = process.hrtime.bigint();
    new DOMParser().parseFromString(page.html, 'text/html');
    parseOnly.push(msSince(start));
    start = process.hrtime.bigint();
    const extracted = extractFullText(page.html, `https://daily.example.com/story/${index}`);
    extract.push(msSince(start));
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    if (!extracted) failures += 1;
    f1.push(wordF1(htmlParagraphs(parseHtml(extracted?.html ?? '')).join(' '), page.article));
  }
  const sizeKb = pages.reduce((sum, page) => sum + page.html.length, 0) / pages.length / 1024;
  console.log(`\n## Full-text extraction: ${pages.length} news-shaped pages (dev-set articles, mean ${sizeKb.toFixed(1)} KB)`);
  console.log('| step | median ms per page | p90 ms | vs baseline |');
  console.log('|---|---|---|---|');
  const p90 = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length * 0.9)] ?? 0;
  console.log(`| linkedom parse only (baseline) | ${formatMs(median(parseOnly))} | ${formatMs(p90(parseOnly))} | 1.0× |`);
  console.log(
    `| extractFullText (Readability + sanitise) | ${formatMs(median(extract))} | ${formatMs(p90(extract))} | ${formatRatio(median(extract) / median(parseOnly))} |`,
  );
  console.log(
    `peak RSS growth ${((rssPeak - rssBefore) / 1e6).toFixed(1)} MB; article words recovered: median F1 ${median(f1).toFixed(3)}; no article found on ${failures} of ${pages.length}`,
  );
}

async function benchPolling(): Promise<void> {
  const server = await startFeedServer();
  const SOURCES = 200;
  const CONCURRENCY = 8;
  try {
    const urls = Array.from({ length: SOURCES }, (_, index) => {
      const items = Array.from(
        { length: 20 },
        (_, item) =>
          `<item><title>Source ${index} item ${item}</title><guid>${index}-${item}</guid><description>Text ${item}.</description></item>`,
      ).join('');
      server.feed(
        `/sources/${index}.xml`,
        `<?xml version="1.0"?><rss version="2.0"><channel><title>Source ${index}</title>${items}</channel></rss>`,
      );
      return server.url(`/sources/${index}.xml`);
    });
    const validators = new Map<string, { etag?: string; lastModified?: string }>();
    const pass = async (conditional: boolean) => {
      const outcomes: FetchOutcome['kind'][] = [];
      const queue = [...urls];
      const start = process.hrtime.bigint();
      const worker = async () => {
        for (let url = queue.shift(); url; url = queue.shift()) {
          const outcome = await safeFetch(url, { allowPrivateNetwork: true, ...(conditional ? { validators: validators.get(url) } : {}) });
          if (outcome.kind === 'ok') validators.set(url, { etag: outcome.headers.etag, lastModified: outcome.headers.lastModified });
          outcomes.push(outcome.kind);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      return { ms: msSince(start), outcomes };
    };
    const before = server.requests.length;
    const first = await pass(false);
    const second = await pass(true);
    const count = (kinds: string[], kind: string) => kinds.filter((entry) => entry === kind).length;
    console.log(`\n## Polling ${SOURCES} loopback feeds with safeFetch, ${CONCURRENCY} at a time`);
    console.log('| pass | total ms | ms per source | 200 | 304 | other |');
    console.log('|---|---|---|---|---|---|');
    for (const [label, run] of [
      ['first (plain GET)', first],
      ['second (conditional)', second],
    ] as const) {
      const ok = count(run.outcomes, 'ok');
      const notModified = count(run.outcomes, 'not-modified');
      console.log(
        `| ${label} | ${formatMs(run.ms)} | ${formatMs(run.ms / SOURCES)} | ${ok} | ${notModified} | ${run.outcomes.length - ok - notModified} |`,
      );
    }
    const conditional = server.requests.slice(before + SOURCES).filter((request) => request.headers['if-none-match']).length;
    console.log(`requests: ${server.requests.length - before}; second pass with If-None-Match: ${conditional}/${SOURCES}`);
  } finally {
    await server.close();
  }
}

/** Runs the three parts. */
export async function run(): Promise<void> {
  await benchParsing();
  await benchFullText();
  await benchPolling();
}
