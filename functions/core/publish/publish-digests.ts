/**
 * The publish use case: articles → digests → archive → site and feeds → email, once per digest and
 * subscriber. The same function runs behind `npm start`, `npm run dev` and the scheduled Lambda; only
 * the adapters in `deps` differ.
 */
import { parseArticle } from '../articles/parse.js';
import { ArticleError, GazetteError } from '../errors.js';
import type { Article, Digest, MailConfig, SiteConfig, SiteFile, Subscriber } from '../model.js';
import { digestEmailParts } from '../render/email.js';
import { ConcurrentSender } from '../send/concurrent-sender.js';
import type { DeliveryDispatcher, DeliveryJob } from '../send/ports.js';
import { inFlightFor, limiterFor } from '../send/rate-limiter.js';
import { mailTemplateOf } from '../send/template.js';
import { renderOutputs } from '../render/outputs.js';
import { SETTING_DEFAULTS } from '../settings.js';
import { ExtractiveSummarizer } from '../summarize/index.js';
import type { TokenKeyring } from '../tokens.js';
import { deliveryIdForDigest } from './delivery.js';
import { unsubscribeUrl } from '../subscriptions/links.js';
import { buildDigest, repairSlugCollisions, sortNewestFirst } from './digest.js';
import type {
  Archive,
  ArticleSource,
  Clock,
  DeliveryLedger,
  Log,
  Mailer,
  PublishResult,
  RunLease,
  SitePublisher,
  Sleep,
  SubscriberStore,
  Summarizer,
} from './ports.js';

/** Everything the use case talks to, built once by a composition root (CLI, handler, test). */
export interface PublishDeps {
  clock: Clock;
  source: ArticleSource;
  archive: Archive;
  site: SitePublisher;
  subscribers: SubscriberStore;
  ledger: DeliveryLedger;
  mailer: Mailer;
  /**
   * Where each pending digest's mail goes: the in-process concurrent sender (paced at the mailer's
   * MaxSendRate) unless given, e.g. the SQS enqueuer that hands recipients to the sender function.
   */
  dispatcher?: DeliveryDispatcher;
  /** Keeps overlapping runs apart; optional where only one process can run (the local CLI). */
  lease?: RunLease;
  sleep: Sleep;
  /** The summariser; the embedded extractive one unless another is passed (a model-backed one, say). */
  summarizer?: Summarizer;
  /** Uniform in [0, 1): jitter for retry backoff. */
  random: () => number;
  log?: Log;
}

/** Settings of one run. */
export interface PublishSettings {
  site: SiteConfig;
  mail: MailConfig;
  keyring: TokenKeyring;
  /** Identifies this run in the lease and the logs. */
  runId: string;
  /** When the schedule meant this run to happen; a run much later than this mails nothing. */
  scheduledAt?: Date;
  /** How late is too late to email a digest (default: the settings schema's `staleAfterMinutes`). */
  staleAfterMs?: number;
  /**
   * Stop sending at this time and leave the rest for the next run (a Lambda's own deadline, less a
   * margin), so a big list never gets a run killed half way through a send.
   */
  sendUntil?: Date;
  /** Compute and report everything, write and send nothing. */
  dryRun?: boolean;
  /**
   * Publish the site and feeds but mail nothing: new digests are archived as `not-mailed` (never mailed
   * later either), digests still pending from earlier runs stay pending.
   */
  noMail?: boolean;
}

/** What the mailing part of a run did. */
export interface MailReport {
  /** Mails sent; when the publisher fans out (`deps.dispatcher` is the send queue), recipients enqueued. */
  sent: number;
  /** Pairs some earlier (or concurrent) run had already claimed. */
  alreadySent: number;
  /** Recipients the mail service refused for good. */
  failed: number;
  /** Pairs left for the next run because sending had to stop. */
  deferred: number;
  /** Digests that were too old to email. */
  stale: number;
  /**
   * Why sending stopped early, if it did: `sender-rejected` means the mail service refused the sender
   * or the account (unverified identity, sending paused); the operator must act before the next run.
   */
  stoppedBy?: 'quota' | 'throttling' | 'deadline' | 'sender-rejected';
}

/** What a run did, for the CLI's summary, the handler's log line and the tests. */
export interface PublishReport {
  /** Set when another run held the lease and this one did nothing. */
  skipped?: 'lease-busy';
  /** The whole archive after the run, newest first. */
  digests: Digest[];
  created: Digest[];
  updated: Digest[];
  unchanged: number;
  articleErrors: { source: string; message: string }[];
  site: PublishResult;
  mail: MailReport;
}

const DEFAULT_SUMMARIZER: Summarizer = new ExtractiveSummarizer();

/**
 * Time one article may take to summarise. A 1 MiB article (the size limit) takes about a second; thirty
 * leaves room for a slow model and still lets a run with a few stuck articles finish in a Lambda's 15
 * minutes.
 */
export const ARTICLE_TIME_BUDGET_MS = 30_000;
const DEFAULT_STALE_AFTER_MS = SETTING_DEFAULTS.staleAfterMinutes * 60_000;
/** How long later runs keep mailing a digest whose sending had to stop; after that it is old news. */
const RESUME_WINDOW_MS = 48 * 60 * 60 * 1000;
const LEASE_TTL_MS = 15 * 60 * 1000;

/** Runs the whole pipeline once. Safe to run again with the same input: it then writes and sends nothing. */
export async function publishDigests(deps: PublishDeps, settings: PublishSettings): Promise<PublishReport> {
  const log = deps.log ?? (() => undefined);
  const emptyReport: PublishReport = {
    digests: [],
    created: [],
    updated: [],
    unchanged: 0,
    articleErrors: [],
    site: { written: [], unchanged: [] },
    mail: { sent: 0, alreadySent: 0, failed: 0, deferred: 0, stale: 0 },
  };
  const useLease = deps.lease !== undefined && !settings.dryRun;
  if (useLease && !(await deps.lease!.acquire(settings.runId, deps.clock.now(), LEASE_TTL_MS))) {
    log('warn', 'another publisher run holds the lease; skipping', { runId: settings.runId });
    return { ...emptyReport, skipped: 'lease-busy' };
  }
  try {
    const report = { ...emptyReport };
    const articles = await readArticles(deps.source, report.articleErrors, log);
    const archived = new Map((await deps.archive.list()).map((digest) => [digest.id, digest]));
    await mergeIntoArchive(deps, settings, articles, archived, report, log);

    report.digests = sortNewestFirst([...archived.values()]);
    if (report.digests.length > 0) {
      // Render everything before writing anything: a render failure must not leave a half-updated site.
      const files: SiteFile[] = renderOutputs(report.digests, settings.site);
      report.site = settings.dryRun ? { written: files.map((file) => file.path), unchanged: [] } : await deps.site.publish(files);
    }
    if (!settings.noMail) report.mail = await mailPendingDigests(deps, settings, archived, log);
    report.digests = sortNewestFirst([...archived.values()]);
    return report;
  } finally {
    if (useLease) await deps.lease!.release(settings.runId);
  }
}

/** Parses every raw article; a bad or refused one is reported and skipped, never fatal. */
async function readArticles(
  source: ArticleSource,
  errors: PublishReport['articleErrors'],
  log: NonNullable<PublishDeps['log']>,
): Promise<Article[]> {
  const seen = new Set<string>();
  const articles: Article[] = [];
  for (const raw of await source.list()) {
    try {
      if ('refusal' in raw) throw new ArticleError(raw.source, raw.refusal);
      const article = parseArticle(raw);
      if (seen.has(article.id)) throw new GazetteError(`${raw.source}: same identity as an earlier article (${article.id}); skipped`);
      seen.add(article.id);
      articles.push(article);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      errors.push({ source: raw.source, message });
      log('warn', 'article skipped', { source: raw.source, error: message });
    }
  }
  return articles;
}

/** Summarises new and edited articles and stores their digests; unchanged ones are left alone. */
async function mergeIntoArchive(
  deps: PublishDeps,
  settings: PublishSettings,
  articles: Article[],
  archived: Map<string, Digest>,
  report: PublishReport,
  log: NonNullable<PublishDeps['log']>,
): Promise<void> {
  const now = deps.clock.now();
  const tooLateToMail = isRunStale(settings, now);
  await repairArchiveSlugs(deps, settings, archived, log);
  const slugsInUse = new Set([...archived.values()].map((digest) => digest.slug));
  for (const article of articles) {
    const previous = archived.get(article.id);
    if (previous && previous.contentHash === article.contentHash) {
      report.unchanged += 1;
      continue;
    }
    let digest: Digest;
    try {
      const started = deps.clock.now().getTime();
      const deadline = { passed: () => deps.clock.now().getTime() - started > ARTICLE_TIME_BUDGET_MS };
      const summary = await (deps.summarizer ?? DEFAULT_SUMMARIZER).summarize(article, { deadline });
      digest = buildDigest(article, summary, now, previous, slugsInUse);
      // Render it alone before it enters the archive: a digest no feed or page can carry would
      // otherwise stop every later run from publishing anything.
      renderOutputs([digest], settings.site);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      report.articleErrors.push({
        source: article.source,
        message: message.startsWith(article.source) ? message : `${article.source}: ${message}`,
      });
      log('warn', 'article could not be summarised or rendered', { source: article.source, error: message });
      continue;
    }
    if (!previous && settings.noMail) digest = { ...digest, mailStatus: 'not-mailed' };
    else if (!previous && tooLateToMail) digest = { ...digest, mailStatus: 'stale' };
    if (!settings.dryRun && (await deps.archive.put(digest, previous?.contentHash)) === 'conflict') {
      // Another run stored this article first; its copy wins and this run treats it as unchanged.
      log('info', 'digest stored by a concurrent run', { id: digest.id });
      report.unchanged += 1;
      continue;
    }
    archived.set(digest.id, digest);
    slugsInUse.add(digest.slug);
    (previous ? report.updated : report.created).push(digest);
  }
}

/**
 * Gives every digest that shares its slug with an earlier one a longer slug and stores it, so an
 * archive written before slugs were checked publishes again instead of failing every run.
 */
async function repairArchiveSlugs(
  deps: PublishDeps,
  settings: PublishSettings,
  archived: Map<string, Digest>,
  log: NonNullable<PublishDeps['log']>,
): Promise<void> {
  for (const digest of repairSlugCollisions(archived.values())) {
    log('warn', 'digest slug collided with an earlier digest; given a longer slug', { id: digest.id, slug: digest.slug });
    // On a conflict a concurrent run changed it; its copy is stored, and the next run repairs it if needed.
    if (!settings.dryRun && (await deps.archive.put(digest, digest.contentHash)) === 'conflict') continue;
    archived.set(digest.id, digest);
  }
}

/** True when the schedule meant this run for long enough ago that email would be old news. */
function isRunStale(settings: PublishSettings, now: Date): boolean {
  if (!settings.scheduledAt) return false;
  return now.getTime() - settings.scheduledAt.getTime() > (settings.staleAfterMs ?? DEFAULT_STALE_AFTER_MS);
}

/**
 * Mails every digest still marked `pending` to every confirmed subscriber, each pair at most once. Each
 * digest is rendered once into a template; what the ledger already holds for it is read with one query
 * (so a resumed run does not claim every earlier pair again); the rest goes to the dispatcher, the
 * in-process concurrent sender unless `deps.dispatcher` hands it to a queue. When sending must stop
 * (quota, persistent throttling, the deadline) the digest stays pending and the next run carries on.
 */
async function mailPendingDigests(
  deps: PublishDeps,
  settings: PublishSettings,
  archived: Map<string, Digest>,
  log: NonNullable<PublishDeps['log']>,
): Promise<MailReport> {
  const report: MailReport = { sent: 0, alreadySent: 0, failed: 0, deferred: 0, stale: 0 };
  const now = deps.clock.now();
  // Oldest first, so subscribers read the digests in the order they were published.
  const pending = sortNewestFirst([...archived.values()])
    .reverse()
    .filter((digest) => digest.mailStatus === 'pending');
  if (pending.length === 0) return report;

  const subscribers = await deps.subscribers.listConfirmed();
  const jobs: { digest: Digest; job: DeliveryJob }[] = [];
  for (const digest of pending) {
    // A digest left pending (quota, deadline) is resumed by later runs, but not forever.
    if (now.getTime() - Date.parse(digest.firstSeen) > RESUME_WINDOW_MS) {
      report.stale += 1;
      await finishDigest(deps, settings, archived, digest, 'stale');
      log('info', 'digest too old to email; feeds carry it', { id: digest.id });
      continue;
    }
    const job = await digestJob(deps, settings, digest, subscribers, now);
    report.alreadySent += subscribers.length - job.recipients.length;
    jobs.push({ digest, job });
  }
  if (settings.dryRun) {
    report.sent += jobs.reduce((sum, { job }) => sum + job.recipients.length, 0);
    return report;
  }
  const dispatcher = deps.dispatcher ?? (await inProcessSender(deps, settings, now));
  const results = await dispatcher.dispatch(jobs.map(({ job }) => job));
  for (const [index, { digest }] of jobs.entries()) {
    const result = results[index]!;
    report.sent += result.sent + result.enqueued;
    report.alreadySent += result.alreadySent;
    report.failed += result.failed;
    report.deferred += result.deferred.length;
    if (result.stoppedBy) report.stoppedBy ??= result.stoppedBy;
    else await finishDigest(deps, settings, archived, digest, 'done');
  }
  return report;
}

/** One digest's delivery: rendered once, to the confirmed subscribers the ledger has no record of. */
async function digestJob(
  deps: PublishDeps,
  settings: PublishSettings,
  digest: Digest,
  subscribers: Subscriber[],
  now: Date,
): Promise<DeliveryJob> {
  // One digest mailed on its own is one delivery; editions will derive their own delivery ids.
  const deliveryId = deliveryIdForDigest(digest.id);
  const template = mailTemplateOf((recipient) =>
    digestEmailParts({ digest, site: settings.site, mail: settings.mail, date: now, ...recipient }),
  );
  const done = settings.dryRun ? new Set<string>() : await deps.ledger.sentSubscribers(deliveryId);
  const recipients = subscribers.filter((subscriber) => !done.has(subscriber.id)).map(({ id, email }) => ({ subscriberId: id, email }));
  return { delivery: { deliveryId, template }, recipients };
}

/** The concurrent sender of `npm start` and of a direct Lambda run, paced at the mail service's rate. */
async function inProcessSender(deps: PublishDeps, settings: PublishSettings, now: Date): Promise<DeliveryDispatcher> {
  const rate = await deps.mailer.maxSendRate();
  return new ConcurrentSender(
    { ...deps, limiter: limiterFor(deps.clock, deps.sleep, rate) },
    {
      inFlight: inFlightFor(rate),
      partsFor: (recipient) => ({
        to: recipient.email,
        subscriberId: recipient.subscriberId,
        unsubscribeUrl: unsubscribeUrl(settings.site, settings.keyring, recipient.subscriberId, now),
      }),
      ...(settings.sendUntil ? { sendUntil: settings.sendUntil } : {}),
    },
  );
}

/** Records that a digest needs no more mailing. */
async function finishDigest(
  deps: PublishDeps,
  settings: PublishSettings,
  archived: Map<string, Digest>,
  digest: Digest,
  mailStatus: Digest['mailStatus'],
): Promise<void> {
  const finished = { ...digest, mailStatus };
  // A conflict means a concurrent edit changed the digest; its mail state is settled by whichever run
  // sees it next, so the outcome needs no handling here.
  if (!settings.dryRun) await deps.archive.put(finished, digest.contentHash);
  archived.set(digest.id, finished);
}
