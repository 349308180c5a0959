/**
 * `gazette publish` (`npm start`): the whole pipeline on local folders, no AWS and no server.
 * Articles from `seeds/`, the site and feeds to `out/site/`, one `.eml` per subscriber and digest to
 * `out/outbox/`, the archive, delivery ledger, lease, token keys and subscribers in the database
 * `out/state/gazette.sqlite` (the subscribers file is read-only seed input). Running it again
 * with the same input changes no byte and writes no mail.
 */
import { localFeedSource, localPublishDeps } from '../../composition/local.js';
import { randomUUID } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { ConfigError } from '../../core/errors.js';
import type { Digest, MailConfig, SiteConfig } from '../../core/model.js';
import { FEED_LENGTH, SETTING_DEFAULTS, type SummarizerChoice } from '../../core/settings.js';
import type { EditionDefaults } from '../../core/editions/plan.js';
import type { Clock, Log } from '../../core/publish/ports.js';
import { publishDigests, type PublishReport } from '../../core/publish/publish-digests.js';
import { feedPaths } from '../../core/render/outputs.js';
import { LOCAL_SITE_PORT, localSiteUrl } from '../site-server.js';
import { FolderSitePublisher } from '../../adapters/local/folder-site-publisher.js';
import { SqliteRunLease } from '../../adapters/local/sqlite-run-lease.js';
import { loadOrCreateKeyring, loadOrCreateSubscriberIdKey } from '../../adapters/local/file-keyring.js';
import { localLayout } from '../../adapters/local/layout.js';
import { memoryBedrockSummarizer } from '../../adapters/local/memory-summary-state.js';
import { openLocalState, type LocalState } from '../../adapters/local/local-state.js';
import type { FeedArticleSource } from '../../core/sources/feed-article-source.js';
import type { SourcePollReport } from '../../core/sources/poll-sources.js';
import { summaryOf } from '../../core/publish/run-summary.js';
import { exitCodeOfRun, inDoubtLines, summaryLines } from '../run-report.js';
import { fixedNow, parseFlags } from '../flag-values.js';
import { readFeedList } from '../../core/sources/source-list.js';
import { newSource } from '../../core/sources/source.js';
import { DEFAULTS, settingsFromFlags } from '../setting-flags.js';
import { EXIT_CODES, reportError, terminalSafe, type CommandIo, type ExitCode } from '../cli-errors.js';

/** Help text of `gazette publish`. */
export const PUBLISH_USAGE = `usage: gazette publish [options]        (npm start -- [options])

Turns the articles in a folder into digests, publishes the site and feeds, and writes one email per
confirmed subscriber and edition (every new digest in one email). Running it again with the same articles changes nothing.

  --seeds DIR          article folder (.txt, .md, .html)           default: seeds
  --out DIR            output folder: DIR/site, DIR/outbox, DIR/state  default: out
  --base-url URL       public URL of the site, used in links      default: ${localSiteUrl(LOCAL_SITE_PORT)}
  --subscribers FILE   JSON list of {"email","status"}             default: subscribers.example.json
  --from "NAME <ADDR>" sender of the emails                        default: ${DEFAULTS.from}
  --title TEXT         site and feed title                          default: ${SETTING_DEFAULTS.siteTitle}
  --description TEXT   site and feed description
  --language TAG       BCP 47 language of the site and feeds        default: ${SETTING_DEFAULTS.language}
  --feed-length N      digests per feed (${FEED_LENGTH.min}-${FEED_LENGTH.max})                     default: ${SETTING_DEFAULTS.feedLength}
  --summarizer NAME    extractive, or bedrock (a model on Amazon Bedrock, extractive as fallback; AWS credentials)
                                                                   default: ${SETTING_DEFAULTS.summarizer}
  --bedrock-model ID   Bedrock model for --summarizer bedrock       default: ${SETTING_DEFAULTS.bedrockModelId}
  --bedrock-daily-tokens N  model tokens this run may use         default: ${SETTING_DEFAULTS.bedrockDailyTokenBudget}
  --sources FILE       feeds to follow: OPML or one URL a line (added to the followed feeds, see
                       "gazette sources"); every followed feed that is due is polled
  --allow-private-network  let feed fetches reach loopback and private addresses (intranet feeds)
  --cadences LIST      cadences readers may choose (instant,daily,weekly) default: ${SETTING_DEFAULTS.cadences}
  --default-cadence C  cadence of a reader who chose none            default: ${SETTING_DEFAULTS.defaultCadence}
  --time-zone TZ       IANA zone of edition dates and default hours  default: ${SETTING_DEFAULTS.timeZone}
  --max-age-to-mail H  hours after which a new article is not mailed default: ${SETTING_DEFAULTS.maxAgeToMailHours}
  --postal-address TEXT  sender's postal address, printed in every email's footer (bulk mail needs one)
  --edition-max-items N  digests an email shows in full; the rest link to the edition page  default: ${SETTING_DEFAULTS.editionMaxItems}
  --now ISO            fixed clock, for reproducible output (e.g. 2025-05-09T12:00:00Z)
  --dry-run            compute and report, write and send nothing
  --no-mail            publish the site and feeds, mail nothing (the new digests are never mailed)
  --verbose            log every step to stderr; stack traces on errors
  -h, --help           this text
`;

/** Everything `publish` needs, validated from the flags. */
export interface PublishOptions {
  seedsDir: string;
  outDir: string;
  subscribersFile: string;
  site: SiteConfig;
  mail: MailConfig;
  /** Who writes the digests (the extractive summariser unless `--summarizer bedrock`). */
  summarizer: SummarizerChoice;
  /** Enabled cadences, the default one, the time zone. */
  editions: EditionDefaults;
  /** A new article older than this (by its own date) is archived, not mailed. */
  maxAgeToMailMs: number;
  now?: Date;
  dryRun: boolean;
  /** Publish without mailing; the subscribers file is then not needed. */
  noMail: boolean;
  /** A list of feeds to follow (OPML or text), added to the followed sources before polling. */
  sourcesFile?: string;
  allowPrivateNetwork: boolean;
  verbose: boolean;
}

/** Parses and validates the flags; throws `ConfigError` with a one-line reason. */
export function parsePublishOptions(args: string[]): PublishOptions | 'help' {
  const { values } = parseFlags({
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
      language: { type: 'string' },
      'feed-length': { type: 'string' },
      summarizer: { type: 'string' },
      'bedrock-model': { type: 'string' },
      'bedrock-daily-tokens': { type: 'string' },
      cadences: { type: 'string' },
      'default-cadence': { type: 'string' },
      'time-zone': { type: 'string' },
      'max-age-to-mail': { type: 'string' },
      'postal-address': { type: 'string' },
      'edition-max-items': { type: 'string' },
      now: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'no-mail': { type: 'boolean' },
      sources: { type: 'string' },
      'allow-private-network': { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const { site, mail, summarizer, editions, maxAgeToMailMs } = settingsFromFlags({
    title: values.title,
    description: values.description,
    baseUrl: values['base-url'] ?? DEFAULTS.baseUrl,
    language: values.language,
    feedLength: values['feed-length'],
    postalAddress: values['postal-address'],
    editionMaxItems: values['edition-max-items'],
    from: values.from ?? DEFAULTS.from,
    summarizer: values.summarizer,
    bedrockModel: values['bedrock-model'],
    bedrockDailyTokens: values['bedrock-daily-tokens'],
    cadences: values.cadences,
    defaultCadence: values['default-cadence'],
    timeZone: values['time-zone'],
    maxAgeToMailHours: values['max-age-to-mail'],
  });
  const options: PublishOptions = {
    seedsDir: values.seeds ?? DEFAULTS.seeds,
    outDir: values.out ?? DEFAULTS.out,
    subscribersFile: values.subscribers ?? DEFAULTS.subscribers,
    site,
    mail,
    summarizer,
    editions,
    maxAgeToMailMs,
    dryRun: values['dry-run'] === true,
    noMail: values['no-mail'] === true,
    allowPrivateNetwork: values['allow-private-network'] === true,
    verbose: values.verbose === true,
  };
  if (values.sources !== undefined) options.sourcesFile = values.sources;
  if (values.now !== undefined) options.now = fixedNow(values.now);
  return options;
}

/** Writes a line to stdout. */
function say(io: CommandIo, line = ''): void {
  io.stdout.write(`${line}\n`);
}

/**
 * Runs `gazette publish` with `args` (without the command name). Returns the exit code (see
 * functions/cli/cli-errors.ts): 0 all published, 3 some articles or recipients refused, 75 another
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
    const result = await runPublish(options, io);
    return printReport(result, options, io, performance.now() - started);
  } catch (error) {
    return reportError(io, 'publish', error, verbose);
  }
}

/** What a run did, for the summary. */
interface RunResult {
  runId: string;
  report: PublishReport;
  emails: string[];
  sources: SourcePollReport[];
}

/**
 * The followed feeds as an article source: the `--sources` list added first (never removing any), then
 * every due source polled when the run lists its articles. With no feed followed nothing is fetched.
 */
async function followedFeeds(
  options: PublishOptions,
  state: LocalState,
  clock: Clock,
  warn: (message: string) => void,
): Promise<FeedArticleSource> {
  const { sources, feeds } = localFeedSource(state, {
    allowPrivateNetwork: options.allowPrivateNetwork,
    siteUrl: options.site.baseUrl,
    clock,
    warn,
  });
  if (options.sourcesFile) {
    const text = await readFile(options.sourcesFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new ConfigError(`--sources: cannot read ${options.sourcesFile} (${error.code ?? error.message})`);
    });
    const read = readFeedList(text, options.sourcesFile);
    if ('error' in read) throw new ConfigError(`--sources ${read.error}`);
    for (const problem of read.problems) warn(problem);
    for (const feed of read.feeds) {
      await sources.add({ ...newSource(feed.url, clock.now()), ...(feed.title ? { title: feed.title } : {}) });
    }
  }
  return feeds;
}

async function runPublish(options: PublishOptions, io: CommandIo): Promise<RunResult> {
  const paths = localLayout(options.outDir);
  const fixed = options.now;
  const clock: Clock = { now: () => (fixed ? new Date(fixed.getTime()) : new Date()) };
  const warn = (message: string): void => {
    io.stderr.write(`warning: ${message}\n`);
  };
  if (!options.noMail) {
    try {
      await access(options.subscribersFile);
    } catch {
      // Publishing on would mark the new digests mailed with nobody mailed: the real list never gets them.
      throw new ConfigError(
        `subscribers file not found: ${options.subscribersFile} (pass --subscribers FILE, or --no-mail to publish without mailing)`,
      );
    }
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
    const idKey = await loadOrCreateSubscriberIdKey(state, { create: !options.dryRun });
    const log: Log = (level, message, data) => {
      // The summary reports article errors and counts; the log is for --verbose (and real errors).
      if (!options.verbose && level !== 'error') return;
      io.stderr.write(`[${level}] ${message}${data ? ` ${JSON.stringify(data)}` : ''}\n`);
    };
    const feeds = await followedFeeds(options, state, clock, warn);
    const deps = localPublishDeps({
      state,
      paths,
      clock,
      log,
      warn,
      seedsDir: options.seedsDir,
      subscribersFile: options.subscribersFile,
      idKey,
      lease,
      feeds,
      ...(options.summarizer.kind === 'bedrock' ? { summarizer: memoryBedrockSummarizer({ ...options.summarizer, clock, log }) } : {}),
    });
    const report = await publishDigests(deps, {
      site: options.site,
      mail: options.mail,
      keyring,
      runId,
      dryRun: options.dryRun,
      noMail: options.noMail,
      editions: options.editions,
      maxAgeToMailMs: options.maxAgeToMailMs,
    });
    return { runId, report, emails: deps.mailer.written, sources: feeds.reports };
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

/** One line per polled feed, under the summary's `Sources:` line, and each feed's item warnings. */
function printSources(io: CommandIo, sources: SourcePollReport[]): void {
  for (const source of sources) {
    const what =
      source.outcome === 'error'
        ? `error: ${source.message ?? 'failed'}`
        : source.outcome === 'new-items'
          ? `${source.newItems} new`
          : source.outcome;
    const state = source.status === 'active' ? '' : ` [${source.status}]`;
    say(io, `         ${terminalSafe(`${source.title ?? source.url}: ${what}${state}`)}`);
    for (const message of source.itemMessages) io.stderr.write(`source warning: ${terminalSafe(message)}\n`);
  }
}

function printReport({ report, emails, sources, runId }: RunResult, options: PublishOptions, io: CommandIo, elapsedMs: number): ExitCode {
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
  const feeds = feedPaths().filter((path) => published.has(path));
  if (feeds.length > 0) say(io, `Feeds:   ${feeds.map((path) => site.pathOf(path)).join('  ')}`);
  if (emails.length > 0) {
    say(io, `Emails:  ${emails.length} written to ${paths.outbox}`);
    for (const path of emails.slice(0, MAX_LISTED_EMAILS)) say(io, `         ${path}`);
    if (emails.length > MAX_LISTED_EMAILS) say(io, `         … and ${emails.length - MAX_LISTED_EMAILS} more`);
  }
  const summary = summaryOf(runId, report, sources);
  const lines = summaryLines(summary, { dryRun: options.dryRun, maxAgeToMailHours: options.maxAgeToMailMs / 3_600_000 });
  for (const line of lines) say(io, line);
  printSources(io, sources);
  for (const error of report.articleErrors) io.stderr.write(`article error: ${terminalSafe(error.message)}\n`);
  for (const line of inDoubtLines(summary)) io.stderr.write(`${line}\n`);
  if (report.articleErrors.length > 0)
    say(io, `Errors:  ${report.articleErrors.length} article(s) skipped (see stderr); the rest were published`);
  say(io, `Done in ${(elapsedMs / 1000).toFixed(2)} s`);

  return exitCodeOfRun(summary);
}

/**
 * `gazette import DIR [publish options]`: publishes the articles of DIR into the archive, the site and
 * the feeds, and mails nothing, then or later (`publish --seeds DIR --no-mail`): moving an old blog in
 * must not send its whole history to every reader.
 */
export async function importCommand(args: string[], io: CommandIo): Promise<ExitCode> {
  const [dir, ...rest] = args;
  if (dir === undefined || dir.startsWith('-')) {
    if (dir === '--help' || dir === '-h') {
      io.stdout.write(
        'usage: gazette import DIR [publish options]\n\nPublishes the articles of DIR, mailing nothing (publish --seeds DIR --no-mail).\n',
      );
      return EXIT_CODES.ok;
    }
    return reportError(io, 'import', new ConfigError('name the folder to import: gazette import DIR'));
  }
  return publishCommand(['--seeds', dir, '--no-mail', ...rest], io);
}
