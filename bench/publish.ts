/**
 * The whole local publish (`publishDigests` with the adapters `npm start` uses: article folder, JSON
 * archive, site folder, subscribers file, JSON delivery ledger, outbox folder, file lease) on synthetic
 * articles and subscribers in a temporary folder, with a fixed clock. Each case runs twice on the same
 * folders: the first run summarises, renders, writes and mails everything; the second finds nothing
 * changed, which is the common case of a scheduled run and must be far cheaper. The ratio of the two,
 * measured in the same run, is the number to watch.
 *
 * The JSON ledger rewrites its whole file (and fsyncs it) on every claim and every sent mark, so its
 * cost per mail grows with the mails already in it: the mail rate is measured at the start and at the
 * end of the largest list to show whether sending is quadratic. Prints, never fails on a time; it does
 * fail when a run does not do what it must (wrong counts), since then the times mean nothing.
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MailConfig, OutgoingMail, SiteConfig } from '../functions/core/model.js';
import { buildMailConfig } from '../functions/core/settings.js';
import type { Mailer, SendOutcome } from '../functions/core/publish/ports.js';
import { publishDigests, type PublishReport } from '../functions/core/publish/publish-digests.js';
import type { TokenKeyring } from '../functions/core/tokens.js';
import { SqliteSubscribers } from '../functions/adapters/local/local-subscriptions.js';
import { FolderArticleSource } from '../functions/adapters/local/folder-article-source.js';
import { FolderSitePublisher } from '../functions/adapters/local/folder-site-publisher.js';
import { SqliteArchive } from '../functions/adapters/local/sqlite-archive.js';
import { SqliteLedger } from '../functions/adapters/local/sqlite-ledger.js';
import { SqliteRunLease } from '../functions/adapters/local/sqlite-run-lease.js';
import { openLocalState } from '../functions/adapters/local/local-state.js';
import { localLayout } from '../functions/adapters/local/layout.js';
import { OutboxMailer } from '../functions/adapters/local/outbox-mailer.js';
import { formatBytes, formatMs, formatRatio, median, msSince } from './lib/measure.js';
import { syntheticArticle, type ArticleFormat } from './lib/synthetic-articles.js';

/**
 * Articles × confirmed subscribers. Every new digest goes to every subscriber, so a case sends
 * articles × subscribers mails; with the JSON ledger's per-mail rewrite, 10 × 1,000 (10,000 mails)
 * alone would take minutes, so the big lists are paired with few articles.
 */
const GRID: ReadonlyArray<{ articles: number; subscribers: number }> = [
  { articles: 10, subscribers: 1 },
  { articles: 100, subscribers: 1 },
  { articles: 500, subscribers: 1 },
  { articles: 10, subscribers: 100 },
  { articles: 1, subscribers: 1_000 },
];

/** No-change runs per case (after the first run); the median is reported. */
const NO_CHANGE_RUNS = 3;
const NOW = new Date('2025-05-09T12:00:00.000Z');
const FORMATS: readonly ArticleFormat[] = ['txt', 'md', 'html'];

const site: SiteConfig = {
  baseUrl: 'https://gazette.example.com/',
  title: 'Gazette',
  description: 'Concise digests of the articles worth your time.',
  language: 'en',
  authorName: 'Gazette Editors',
  feedLength: 20,
};

const mail: MailConfig = buildMailConfig({ senderEmail: 'digest@gazette.example.com', senderName: 'Gazette' });

/** A fixed keyring: the bench needs valid tokens, not secret ones. */
const keyring: TokenKeyring = { currentKeyId: 'k1', secrets: { k1: 'bench-secret-bench-secret-bench-secret-0000' } };
const BENCH_SUBSCRIBER_ID_KEY = 'bench-subscriber-id-key-bench-subscriber-id-key';

/** Wraps the outbox mailer and notes when each send finished, for the mail rate over the run. */
class TimedMailer implements Mailer {
  readonly finishedAt: number[] = [];

  constructor(private readonly inner: Mailer) {}

  async send(outgoing: OutgoingMail): Promise<SendOutcome> {
    const result = await this.inner.send(outgoing);
    this.finishedAt.push(performance.now());
    return result;
  }

  maxSendRate(): Promise<number> {
    return this.inner.maxSendRate();
  }
}

/** Milliseconds spent inside each adapter during one run, keyed by adapter. */
type AdapterTimes = Record<'archive' | 'ledger' | 'outbox', number>;

/**
 * Wraps an adapter so every async method call adds its wall time to `times[key]`. The core awaits one
 * call at a time, so the sums do not overlap and can be set beside the run's total.
 */
function timeAdapter<T extends object>(adapter: T, times: AdapterTimes, key: keyof AdapterTimes): T {
  return new Proxy(adapter, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const start = process.hrtime.bigint();
        try {
          return await (value as (...parameters: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          times[key] += msSince(start);
        }
      };
    },
  });
}

/** Writes `count` ~600-word articles (formats in turn) and the subscriber list into `root`. */
async function seedFolder(root: string, articles: number, subscribers: number): Promise<{ seeds: string; subscribersFile: string }> {
  const seeds = join(root, 'seeds');
  await mkdir(seeds, { recursive: true });
  for (let index = 0; index < articles; index += 1) {
    const format = FORMATS[index % FORMATS.length]!;
    const name = `article-${String(index).padStart(4, '0')}.${format}`;
    await writeFile(join(seeds, name), syntheticArticle(format, { seed: 1_000 + index, targetWords: 600 }));
  }
  const subscribersFile = join(root, 'subscribers.json');
  const rows = Array.from({ length: subscribers }, (_, index) => ({ email: `reader${index}@example.org`, status: 'confirmed' }));
  await writeFile(subscribersFile, `${JSON.stringify(rows, null, 2)}\n`);
  return { seeds, subscribersFile };
}

/** One publish run with fresh adapters (as a new `npm start` process would build them). */
async function publishOnce(
  root: string,
  paths: { seeds: string; subscribersFile: string },
  runId: string,
): Promise<{ ms: number; report: PublishReport; mailer: TimedMailer; times: AdapterTimes }> {
  const layout = localLayout(join(root, 'out'));
  const times: AdapterTimes = { archive: 0, ledger: 0, outbox: 0 };
  const mailer = new TimedMailer(timeAdapter(new OutboxMailer(layout.outbox), times, 'outbox'));
  const state = openLocalState(layout);
  const start = process.hrtime.bigint();
  const report = await publishDigests(
    {
      clock: { now: () => new Date(NOW.getTime()) },
      source: new FolderArticleSource(paths.seeds),
      archive: timeAdapter(new SqliteArchive(state), times, 'archive'),
      site: new FolderSitePublisher(layout.site),
      subscribers: new SqliteSubscribers(state, { seedFile: paths.subscribersFile, idKey: BENCH_SUBSCRIBER_ID_KEY }),
      ledger: timeAdapter(new SqliteLedger(state), times, 'ledger'),
      mailer,
      lease: new SqliteRunLease(state),
      sleep: async () => undefined,
      random: () => 0.5,
    },
    { site, mail, keyring, runId },
  );
  const ms = msSince(start);
  state.close();
  return { ms, report, mailer, times };
}

/** Mails per second between the `from`-th and `to`-th finished send (indexes into `finishedAt`). */
function rate(finishedAt: readonly number[], from: number, to: number): number {
  return (to - from) / ((finishedAt[to]! - finishedAt[from]!) / 1000);
}

/** Stops the benchmark when a run did not do its job: its time would mean nothing. */
function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(`publish bench: ${message}`);
}

interface Row {
  articles: number;
  subscribers: number;
  firstMs: number;
  secondMs: number;
  mails: number;
  mailRate: number;
  earlyRate: number;
  lateRate: number;
  ledgerBytes: number;
  archiveBytes: number;
  times: AdapterTimes;
  finishedAt: number[];
}

async function runCase(articles: number, subscribers: number): Promise<Row> {
  const root = await mkdtemp(join(tmpdir(), 'gazette-publish-bench-'));
  try {
    const paths = await seedFolder(root, articles, subscribers);
    const first = await publishOnce(root, paths, 'bench-first');
    const mails = articles * subscribers;
    expect(first.report.articleErrors.length === 0, `article errors: ${JSON.stringify(first.report.articleErrors.slice(0, 3))}`);
    expect(first.report.created.length === articles, `first run created ${first.report.created.length} digests, expected ${articles}`);
    expect(first.report.mail.sent === mails, `first run sent ${first.report.mail.sent} mails, expected ${mails}`);

    // The no-change run is cheap and so noisier: the median of three.
    const noChangeMs: number[] = [];
    for (let repeat = 0; repeat < NO_CHANGE_RUNS; repeat += 1) {
      const again = await publishOnce(root, paths, `bench-again-${repeat}`);
      expect(again.report.created.length + again.report.updated.length === 0, 'no-change run changed digests');
      expect(again.report.site.written.length === 0, `no-change run rewrote ${again.report.site.written.length} site files`);
      expect(again.report.mail.sent === 0, `no-change run sent ${again.report.mail.sent} mails`);
      noChangeMs.push(again.ms);
    }

    const sends = first.mailer.finishedAt;
    // Three tenths at each end: a single tenth is at the mercy of one slow fsync on a shared disk.
    const part = Math.max(1, Math.floor((sends.length * 3) / 10));
    const layout = localLayout(join(root, 'out'));
    // One database holds both now; the WAL counts too until it is checkpointed.
    const databaseBytes = (await stat(layout.database)).size + (await stat(`${layout.database}-wal`).catch(() => ({ size: 0 }))).size;
    const ledgerBytes = databaseBytes;
    const archiveBytes = 0; // in the same database, counted above
    return {
      articles,
      subscribers,
      firstMs: first.ms,
      secondMs: median(noChangeMs),
      mails,
      mailRate: sends.length > 1 ? rate(sends, 0, sends.length - 1) : Number.NaN,
      earlyRate: sends.length > 2 * part ? rate(sends, 0, part) : Number.NaN,
      lateRate: sends.length > 2 * part ? rate(sends, sends.length - 1 - part, sends.length - 1) : Number.NaN,
      ledgerBytes,
      archiveBytes,
      times: first.times,
      finishedAt: sends,
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** `part` as a percentage of `whole`. */
function share(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(0)}%`;
}

function formatRate(value: number): string {
  return Number.isFinite(value) ? value.toFixed(0) : '–';
}

/** Runs the grid and prints the run times, the mail rates, and a verdict on how sending scales. */
export async function run(): Promise<void> {
  console.log(
    `local adapters in a temp folder, fixed clock ${NOW.toISOString()}, ~600-word articles (.txt/.md/.html in turn); one first run, median of ${NO_CHANGE_RUNS} no-change runs`,
  );
  // Warm the summariser, renderers and MIME composer, so the first case does not pay for compiling them.
  await runCase(3, 2);

  const rows: Row[] = [];
  console.log(
    '| articles | subscribers | mails | first run ms | no-change run ms | first / no-change | mails/s (whole send) | first run in archive / ledger / outbox | - | state database |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const { articles, subscribers } of GRID) {
    const row = await runCase(articles, subscribers);
    rows.push(row);
    console.log(
      `| ${articles.toLocaleString('en')} | ${subscribers.toLocaleString('en')} | ${row.mails.toLocaleString('en')} | ${formatMs(row.firstMs)} | ${formatMs(
        row.secondMs,
      )} | ${formatRatio(row.firstMs / row.secondMs)} | ${formatRate(row.mailRate)} | ${share(row.times.archive, row.firstMs)} / ${share(
        row.times.ledger,
        row.firstMs,
      )} / ${share(row.times.outbox, row.firstMs)} | ${formatBytes(row.archiveBytes)} | ${formatBytes(row.ledgerBytes)} |`,
    );
  }

  // How the mail rate changes as the ledger fills: per-mail cost ∝ ledger size means quadratic total.
  const biggest = rows.reduce((best, row) => (row.subscribers > best.subscribers ? row : best));
  const sends = biggest.finishedAt;
  console.log(
    `\nmail rate through the largest list (${biggest.articles} article(s) × ${biggest.subscribers.toLocaleString('en')} subscribers), per tenth of the mails:`,
  );
  console.log('| mails done | mails/s in this tenth |');
  console.log('|---:|---:|');
  const tenth = Math.max(1, Math.floor(sends.length / 10));
  for (let start = 0; start < sends.length - 1; start += tenth) {
    const end = Math.min(start + tenth, sends.length - 1);
    console.log(`| ${(end + 1).toLocaleString('en')} | ${formatRate(rate(sends, start, end))} |`);
  }
  // The ledger appends one line per change, so each mail should cost the same however full it is: a
  // late/early slowdown here would mean some adapter went back to rewriting its whole file per change.
  const slowdown = biggest.earlyRate / biggest.lateRate;
  const verdict =
    slowdown >= 1.5
      ? `QUADRATIC: the last 30% of the mails go ${formatRatio(slowdown)} slower than the first 30%`
      : `flat: no slowdown as the ledger fills (${formatRatio(slowdown)} first 30% / last 30%)`;
  console.log(
    `\n${biggest.subscribers.toLocaleString('en')}-subscriber send: ${formatRate(biggest.mailRate)} mails/s overall (${formatRate(
      biggest.earlyRate,
    )} over the first 30%, ${formatRate(biggest.lateRate)} over the last 30%) — ${verdict}.`,
  );
  console.log(
    `The ledger and the archive share one SQLite database (${formatBytes(biggest.ledgerBytes)} with its WAL): one row per pair, ` +
      `one transaction per claim. Before, each change rewrote the whole JSON file (84 mails/s falling to 33 mails/s over this list).`,
  );
}

// Allows `npx tsx bench/publish.ts` on its own as well as through bench/run.ts.
if (import.meta.url === `file://${process.argv[1]}`) await run();
