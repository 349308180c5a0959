/**
 * `gazette publish` (`npm start`): the whole pipeline on local folders, no AWS and no server.
 * Articles from `seeds/`, the site and feeds to `out/site/`, one `.eml` per subscriber and digest to
 * `out/outbox/`, the archive, delivery ledger, lease, token keys and subscribers in the database
 * `out/state/gazette.sqlite` (the subscribers file is read-only seed input). Running it again
 * with the same input changes no byte and writes no mail.
 */
import { randomUUID } from 'node:crypto';
import { access } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import { ConfigError } from '../../core/errors.js';
import type { Digest, MailConfig, SiteConfig } from '../../core/model.js';
import type { Clock } from '../../core/publish/ports.js';
import { publishDigests, type PublishReport } from '../../core/publish/publish-digests.js';
import { FEED_PATHS } from '../../core/render/links.js';
import { SqliteSubscribers } from '../../adapters/local/file-subscribers.js';
import { FolderArticleSource } from '../../adapters/local/folder-article-source.js';
import { FolderSitePublisher } from '../../adapters/local/folder-site-publisher.js';
import { OutboxMailer } from '../../adapters/local/outbox-mailer.js';
import { SqliteArchive } from '../../adapters/local/sqlite-archive.js';
import { SqliteLedger } from '../../adapters/local/sqlite-ledger.js';
import { SqliteRunLease } from '../../adapters/local/sqlite-run-lease.js';
import { loadOrCreateKeyring } from '../../adapters/local/file-keyring.js';
import { localLayout } from '../../adapters/local/layout.js';
import { openLocalState } from '../../adapters/local/local-state.js';
import { EXIT_CODES, reportError, type CommandIo, type ExitCode } from '../../shared/cli-errors.js';

/** Help text of `gazette publish`. */
export const PUBLISH_USAGE = `usage: gazette publish [options]        (npm start -- [options])

Turns the articles in a folder into digests, publishes the site and feeds, and writes one email per
confirmed subscriber and new digest. Running it again with the same articles changes nothing.

  --seeds DIR          article folder (.txt, .md, .html)           default: seeds
  --out DIR            output folder: DIR/site, DIR/outbox, DIR/state  default: out
  --base-url URL       public URL of the site, used in links      default: http://localhost:8080/
  --subscribers FILE   JSON list of {"email","status"}             default: subscribers.example.json
  --from "NAME <ADDR>" sender of the emails                        default: Gazette <digest@localhost>
  --title TEXT         site and feed title                          default: Gazette
  --description TEXT   site and feed description
  --feed-length N      digests per feed (1-500)                     default: 50
  --now ISO            fixed clock, for reproducible output (e.g. 2025-05-09T12:00:00Z)
  --dry-run            compute and report, write and send nothing
  --verbose            log every step to stderr; stack traces on errors
  -h, --help           this text
`;

/** The defaults of the flags; `gazette serve` uses the same subscribers file, output folder and sender. */
export const DEFAULTS = {
  seeds: 'seeds',
  out: 'out',
  baseUrl: 'http://localhost:8080/',
  subscribers: 'subscribers.example.json',
  from: 'Gazette <digest@localhost>',
  title: 'Gazette',
  description: 'Concise digests of the articles worth reading, as feeds, a web archive and email.',
  feedLength: 50,
} as const;

/** Everything `publish` needs, validated from the flags. */
export interface PublishOptions {
  seedsDir: string;
  outDir: string;
  subscribersFile: string;
  site: SiteConfig;
  mail: MailConfig;
  now?: Date;
  dryRun: boolean;
  verbose: boolean;
}

/** Parses and validates the flags; throws `ConfigError` with a one-line reason. */
export function parsePublishOptions(args: string[]): PublishOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      allowPositionals: false,
      strict: true,
      options: {
        seeds: { type: 'string' },
        out: { type: 'string' },
        'base-url': { type: 'string' },
        subscribers: { type: 'string' },
        from: { type: 'string' },
        title: { type: 'string' },
        description: { type: 'string' },
        'feed-length': { type: 'string' },
        now: { type: 'string' },
        'dry-run': { type: 'boolean' },
        verbose: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  if (values.help) return 'help';
  const title = oneLine(values.title ?? DEFAULTS.title, '--title');
  const options: PublishOptions = {
    seedsDir: values.seeds ?? DEFAULTS.seeds,
    outDir: values.out ?? DEFAULTS.out,
    subscribersFile: values.subscribers ?? DEFAULTS.subscribers,
    site: {
      baseUrl: baseUrl(values['base-url'] ?? DEFAULTS.baseUrl),
      title,
      description: oneLine(values.description ?? DEFAULTS.description, '--description'),
      language: 'en',
      authorName: title,
      feedLength: feedLength(values['feed-length']),
    },
    mail: mailConfig(values.from ?? DEFAULTS.from),
    dryRun: values['dry-run'] === true,
    verbose: values.verbose === true,
  };
  if (values.now !== undefined) options.now = fixedNow(values.now);
  return options;
}

function oneLine(value: string, flag: string): string {
  const clean = value
    .replace(/[\u0000-\u001F\u007F]+/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  if (!clean) throw new ConfigError(`${flag} must not be empty`);
  return clean;
}

function baseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`--base-url is not an absolute URL: ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`--base-url must be http:// or https://: ${value}`);
  if (url.search || url.hash) throw new ConfigError(`--base-url must not have a query or fragment: ${value}`);
  // Links are built by appending paths, so the base always ends in "/".
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.href;
}

function feedLength(value: string | undefined): number {
  if (value === undefined) return DEFAULTS.feedLength;
  const n = Number(value);
  if (!/^\d+$/u.test(value) || n < 1 || n > 500) throw new ConfigError(`--feed-length must be a whole number from 1 to 500: ${value}`);
  return n;
}

function fixedNow(value: string): Date {
  // An explicit offset or Z keeps the result independent of the machine's time zone.
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/u;
  const date = new Date(value);
  if (!iso.test(value) || Number.isNaN(date.getTime())) {
    throw new ConfigError(`--now must be an ISO 8601 date-time with a zone, e.g. 2025-05-09T12:00:00Z: ${value}`);
  }
  return date;
}

/** `"Name <addr@domain>"` (or a bare address) to the mail settings; nodemailer's parser reads it. */
export function mailConfig(from: string): MailConfig {
  const parsed = addressparser(from, { flatten: true });
  const first = parsed[0];
  if (parsed.length !== 1 || !first || !/^[^@\s]+@[^@\s]+$/u.test(first.address)) {
    throw new ConfigError(`--from must be one address like "Gazette <digest@example.com>": ${from}`);
  }
  const domain = first.address.slice(first.address.lastIndexOf('@') + 1).toLowerCase();
  return {
    fromName: first.name.replace(/[\u0000-\u001F\u007F]+/gu, ' ').trim() || 'Gazette',
    fromAddress: first.address,
    unsubscribeMailbox: `unsubscribe@${domain}`,
    listId: `digest.${domain}`,
  };
}

/** Writes a line to stdout. */
function say(io: CommandIo, line = ''): void {
  io.stdout.write(`${line}\n`);
}

/**
 * Runs `gazette publish` with `args` (without the command name). Returns the exit code (see
 * functions/shared/cli-errors.ts): 0 all published, 3 some articles or recipients refused, 75 another
 * run holds the lease or sending stopped on quota, 2 bad flags, 1 unexpected failure.
 */
export async function publishCommand(args: string[], io: CommandIo): Promise<ExitCode> {
  const started = performance.now();
  let options: PublishOptions | 'help';
  try {
    options = parsePublishOptions(args);
  } catch (error) {
    const code = reportError(io, 'publish', error);
    io.stderr.write('run "gazette publish --help" for the options\n');
    return code;
  }
  if (options === 'help') {
    io.stdout.write(PUBLISH_USAGE);
    return EXIT_CODES.ok;
  }
  const { verbose } = options;
  try {
    const report = await runPublish(options, io);
    return printReport(report.report, report.emails, options, io, performance.now() - started);
  } catch (error) {
    return reportError(io, 'publish', error, verbose);
  }
}

async function runPublish(options: PublishOptions, io: CommandIo): Promise<{ report: PublishReport; emails: string[] }> {
  const paths = localLayout(options.outDir);
  const fixed = options.now;
  const clock: Clock = { now: () => (fixed ? new Date(fixed.getTime()) : new Date()) };
  const warn = (message: string): void => {
    io.stderr.write(`warning: ${message}\n`);
  };
  try {
    await access(options.subscribersFile);
  } catch {
    warn(`subscribers file ${options.subscribersFile} not found: no emails will be written`);
  }
  // A dry run works on an in-memory copy of the state, so it writes nothing.
  const state = openLocalState(paths, { readOnly: options.dryRun, warn });
  const runId = `local-${process.pid}-${randomUUID().slice(0, 8)}`;
  const lease = new SqliteRunLease(state);
  // Ctrl-C or a kill gives the lease back at once (a claim in flight stays: at most once beats twice).
  const interrupted = (signal: NodeJS.Signals): void => {
    lease.releaseNow(runId);
    state.close();
    io.stderr.write(`gazette publish: stopped by ${signal}; the lease is released\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const { keyring, created } = await loadOrCreateKeyring(state, { create: !options.dryRun });
    if (created && options.verbose) io.stderr.write(`[info] created token keys in ${paths.database}\n`);
    const mailer = new OutboxMailer(paths.outbox);
    const report = await publishDigests(
      {
        clock,
        source: new FolderArticleSource(options.seedsDir),
        archive: new SqliteArchive(state, warn),
        site: new FolderSitePublisher(paths.site),
        subscribers: new SqliteSubscribers(state, { seedFile: options.subscribersFile, warn }),
        ledger: new SqliteLedger(state),
        mailer,
        lease,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        random: Math.random,
        log: (level, message, data) => {
          // The summary reports article errors and counts; the log is for --verbose (and real errors).
          if (!options.verbose && level !== 'error') return;
          io.stderr.write(`[${level}] ${message}${data ? ` ${JSON.stringify(data)}` : ''}\n`);
        },
      },
      { site: options.site, mail: options.mail, keyring, runId, dryRun: options.dryRun },
    );
    return { report, emails: mailer.written };
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    state.close();
  }
}

function printDigest(io: CommandIo, label: string, digest: Digest): void {
  say(io, `${label}: ${digest.headline}`);
  for (const sentence of digest.summary) say(io, `  ${sentence}`);
  if (digest.keyPoints.length > 0) {
    say(io, '  Key points:');
    for (const point of digest.keyPoints) say(io, `    - ${point}`);
  }
  say(io);
}

const MAX_LISTED_EMAILS = 10;

function printReport(report: PublishReport, emails: string[], options: PublishOptions, io: CommandIo, elapsedMs: number): ExitCode {
  if (report.skipped === 'lease-busy') {
    io.stderr.write(
      `gazette publish: another run holds the lease in ${localLayout(options.outDir).database}; nothing done, try again later\n`,
    );
    return EXIT_CODES.tryAgainLater;
  }
  const paths = localLayout(options.outDir);
  for (const digest of report.created) printDigest(io, 'New digest', digest);
  for (const digest of report.updated) printDigest(io, 'Updated digest', digest);

  const site = new FolderSitePublisher(paths.site);
  const published = new Set([...report.site.written, ...report.site.unchanged]);
  if (options.dryRun) say(io, 'Dry run: nothing was written or sent.');
  if (published.has('index.html')) say(io, `Site:    ${site.pathOf('index.html')}  (npm run serve, then ${options.site.baseUrl})`);
  const feeds = Object.values(FEED_PATHS).filter((path) => published.has(path));
  if (feeds.length > 0) say(io, `Feeds:   ${feeds.map((path) => site.pathOf(path)).join('  ')}`);
  if (emails.length > 0) {
    say(io, `Emails:  ${emails.length} written to ${paths.outbox}`);
    for (const path of emails.slice(0, MAX_LISTED_EMAILS)) say(io, `         ${path}`);
    if (emails.length > MAX_LISTED_EMAILS) say(io, `         … and ${emails.length - MAX_LISTED_EMAILS} more`);
  }
  say(
    io,
    `Digests: ${report.created.length} new, ${report.updated.length} updated, ${report.unchanged} unchanged (${report.digests.length} in the archive)`,
  );
  say(io, `Files:   ${report.site.written.length} written, ${report.site.unchanged.length} unchanged`);
  const { mail } = report;
  const mailParts = [`${mail.sent} sent`, `${mail.alreadySent} already sent`];
  if (mail.failed) mailParts.push(`${mail.failed} refused`);
  if (mail.deferred) mailParts.push(`${mail.deferred} left for the next run (${mail.stoppedBy ?? 'stopped'})`);
  if (mail.stale) mailParts.push(`${mail.stale} digests too old to email`);
  say(io, `Mail:    ${mailParts.join(', ')}`);
  for (const error of report.articleErrors) io.stderr.write(`article error: ${error.message}\n`);
  if (report.articleErrors.length > 0)
    say(io, `Errors:  ${report.articleErrors.length} article(s) skipped (see stderr); the rest were published`);
  say(io, `Done in ${(elapsedMs / 1000).toFixed(2)} s`);

  if (mail.stoppedBy) return EXIT_CODES.tryAgainLater;
  if (report.articleErrors.length > 0 || mail.failed > 0) return EXIT_CODES.partial;
  return EXIT_CODES.ok;
}
