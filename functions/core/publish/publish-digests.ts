/**
 * The publish use case: articles → digests → archive → site and feeds → email, once per digest and
 * subscriber. The same function runs behind `npm start`, `npm run dev` and the scheduled Lambda; only
 * the adapters in `deps` differ.
 */
import { parseArticle } from '../articles/parse.js';
import { ArticleError, GazetteError, InvalidAddressError } from '../errors.js';
import type { Article, Digest, MailConfig, MailHold, OutgoingMail, SiteConfig, SiteFile, Subscriber } from '../model.js';
import { renderDigestEmail } from '../render/email.js';
import { renderOutputs } from '../render/outputs.js';
import { SETTING_DEFAULTS } from '../settings.js';
import { ExtractiveSummarizer } from '../summarize/index.js';
import type { TokenKeyring } from '../tokens.js';
import { type DeliveryId, deliveryIdForDigest } from './delivery.js';
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
  SendOutcome,
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

/**
 * A pair whose send outcome is unknown: the mail service threw after the claim (a network failure, a
 * lost response), so the message may or may not have left. The claim stays (at most once beats at
 * least once) and no later run sends it by itself; `gazette deliveries --in-doubt` lists such pairs.
 */
export interface InDoubtSend {
  deliveryId: DeliveryId;
  subscriberId: string;
}

/** What the mailing part of a run did. */
export interface MailReport {
  sent: number;
  /** Pairs some earlier (or concurrent) run had already claimed. */
  alreadySent: number;
  /** Recipients the mail service refused for good. */
  failed: number;
  /** Pairs left for the next run because sending had to stop. */
  deferred: number;
  /** Digests that were too old to email. */
  stale: number;
  /** Pairs claimed whose send ended in an unexpected error: neither sent nor failed, and never retried. */
  inDoubt: InDoubtSend[];
  /**
   * Why sending stopped early, if it did: `sender-rejected` means the mail service refused the sender
   * or the account (unverified identity, sending paused); the operator must act before the next run.
   * `in-doubt` means a send failed in an unknown way; the next run carries on with the other pairs.
   */
  stoppedBy?: 'quota' | 'throttling' | 'deadline' | 'sender-rejected' | 'in-doubt';
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
  /**
   * New digests from feed items published but never mailed, by reason: the first fetch of a new source,
   * or an item older than `maxAgeToMailHours` when first seen.
   */
  held: Record<MailHold, number>;
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
const MAX_SEND_ATTEMPTS = 6;
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 20_000;

/** Runs the whole pipeline once. Safe to run again with the same input: it then writes and sends nothing. */
export async function publishDigests(deps: PublishDeps, settings: PublishSettings): Promise<PublishReport> {
  const log = deps.log ?? (() => undefined);
  const emptyReport: PublishReport = {
    digests: [],
    created: [],
    updated: [],
    unchanged: 0,
    held: { 'first-fetch': 0, 'too-old': 0 },
    articleErrors: [],
    site: { written: [], unchanged: [] },
    mail: { sent: 0, alreadySent: 0, failed: 0, deferred: 0, stale: 0, inDoubt: [] },
  };
  const useLease = deps.lease !== undefined && !settings.dryRun;
  if (useLease && !(await deps.lease!.acquire(settings.runId, deps.clock.now(), LEASE_TTL_MS))) {
    log('warn', 'another publisher run holds the lease; skipping', { runId: settings.runId });
    return { ...emptyReport, skipped: 'lease-busy' };
  }
  try {
    const report: PublishReport = { ...emptyReport, held: { ...emptyReport.held } };
    const articles = await readArticles(deps.source, report.articleErrors, log);
    const archived = new Map((await deps.archive.list()).map((digest) => [digest.id, digest]));
    await mergeIntoArchive(deps, settings, articles, archived, report, log);
    // The digests are stored: a source may now record what it handed out (a feed's seen items).
    if (!settings.dryRun) await deps.source.settle?.();

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
    else if (!previous && article.mailHold) digest = { ...digest, mailStatus: 'not-mailed' };
    else if (!previous && tooLateToMail) digest = { ...digest, mailStatus: 'stale' };
    if (!settings.dryRun && (await deps.archive.put(digest, previous?.contentHash)) === 'conflict') {
      // Another run stored this article first; its copy wins and this run treats it as unchanged.
      log('info', 'digest stored by a concurrent run', { id: digest.id });
      report.unchanged += 1;
      continue;
    }
    archived.set(digest.id, digest);
    slugsInUse.add(digest.slug);
    if (!previous && article.mailHold && !settings.noMail) report.held[article.mailHold] += 1;
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
 * Mails every digest still marked `pending` to every confirmed subscriber, each pair at most once: the
 * ledger claim comes before the send and the message id is recorded after it. When sending must stop
 * (quota, persistent throttling) the digest stays pending and the next run carries on where this one
 * stopped.
 */
async function mailPendingDigests(
  deps: PublishDeps,
  settings: PublishSettings,
  archived: Map<string, Digest>,
  log: NonNullable<PublishDeps['log']>,
): Promise<MailReport> {
  const report: MailReport = { sent: 0, alreadySent: 0, failed: 0, deferred: 0, stale: 0, inDoubt: [] };
  const now = deps.clock.now();
  // Oldest first, so subscribers read the digests in the order they were published.
  const pending = sortNewestFirst([...archived.values()])
    .reverse()
    .filter((digest) => digest.mailStatus === 'pending');
  if (pending.length === 0) return report;

  const subscribers = await deps.subscribers.listConfirmed();
  const pacer = createPacer(deps, await deps.mailer.maxSendRate());
  for (const digest of pending) {
    // A digest left pending (quota, deadline) is resumed by later runs, but not forever.
    if (now.getTime() - Date.parse(digest.firstSeen) > RESUME_WINDOW_MS) {
      report.stale += 1;
      await finishDigest(deps, settings, archived, digest, 'stale');
      log('info', 'digest too old to email; feeds carry it', { id: digest.id });
      continue;
    }
    for (const subscriber of subscribers) {
      if (settings.dryRun) {
        report.sent += 1;
        continue;
      }
      const outcome = await deliverOnce(deps, settings, digest, subscriber, pacer, log);
      if (outcome === 'sent') report.sent += 1;
      else if (outcome === 'already-claimed') report.alreadySent += 1;
      else if (outcome === 'rejected') report.failed += 1;
      else {
        report.stoppedBy = outcome;
        // The pair in doubt keeps its claim: it is reported as such, not left for the next run.
        if (outcome === 'in-doubt') report.inDoubt.push({ deliveryId: deliveryIdForDigest(digest.id), subscriberId: subscriber.id });
        report.deferred += countRemaining(pending, digest, subscribers, subscriber) - (outcome === 'in-doubt' ? 1 : 0);
        log('warn', 'sending stopped; the rest is left for the next run', { reason: outcome, deferred: report.deferred });
        return report;
      }
    }
    await finishDigest(deps, settings, archived, digest, 'done');
  }
  return report;
}

/** Pairs not yet attempted when sending stopped at `current` (including `current` itself). */
function countRemaining(pending: Digest[], digest: Digest, subscribers: Subscriber[], current: Subscriber): number {
  const laterDigests = pending.length - pending.indexOf(digest) - 1;
  return subscribers.length - subscribers.indexOf(current) + laterDigests * subscribers.length;
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

type DeliveryOutcome = 'sent' | 'already-claimed' | 'rejected' | 'quota' | 'throttling' | 'deadline' | 'sender-rejected' | 'in-doubt';

/** Claims, renders and sends one message, retrying throttling with exponential backoff and jitter. */
async function deliverOnce(
  deps: PublishDeps,
  settings: PublishSettings,
  digest: Digest,
  subscriber: Subscriber,
  pacer: () => Promise<void>,
  log: NonNullable<PublishDeps['log']>,
): Promise<DeliveryOutcome> {
  const now = deps.clock.now();
  // Render before claiming: a message that cannot be built must not leave a claim behind.
  let mail: OutgoingMail;
  try {
    mail = renderDigestEmail({
      digest,
      subscriberId: subscriber.id,
      to: subscriber.email,
      site: settings.site,
      mail: settings.mail,
      unsubscribeUrl: unsubscribeUrl(settings.site, settings.keyring, subscriber.id, now),
      date: now,
    });
  } catch (error) {
    // One unusable address is one failed recipient, never a failed run.
    if (!(error instanceof InvalidAddressError)) throw error;
    log('warn', 'recipient address unusable; skipped', { digest: digest.id, subscriber: subscriber.id });
    return 'rejected';
  }
  // One digest mailed on its own is one delivery; editions will derive their own delivery ids.
  const delivery = deliveryIdForDigest(digest.id);
  if ((await deps.ledger.claim(delivery, subscriber.id, now)) === 'already-claimed') return 'already-claimed';
  for (let attempt = 1; ; attempt += 1) {
    await pacer();
    if (settings.sendUntil && deps.clock.now() >= settings.sendUntil) {
      await deps.ledger.release(delivery, subscriber.id);
      return 'deadline';
    }
    let outcome: SendOutcome;
    try {
      outcome = await deps.mailer.send(mail);
      if (outcome.kind === 'sent') await deps.ledger.markSent(delivery, subscriber.id, outcome.messageId, deps.clock.now());
    } catch (error) {
      // Unexpected (a network failure, a lost response, a ledger that failed after the send): the
      // message may or may not have left. The claim stays (at most once) and the run stops rather
      // than guessing for every other subscriber.
      log('error', 'send outcome unknown; the pair stays claimed (in doubt)', {
        delivery,
        subscriber: subscriber.id,
        error: error instanceof Error ? error.message : String(error),
      });
      return 'in-doubt';
    }
    switch (outcome.kind) {
      case 'sent':
        return 'sent';
      case 'rejected-recipient':
        await deps.ledger.markFailed(delivery, subscriber.id, outcome.detail, deps.clock.now());
        log('warn', 'recipient rejected', { digest: digest.id, subscriber: subscriber.id, error: outcome.detail });
        return 'rejected';
      case 'throttled':
        if (attempt < MAX_SEND_ATTEMPTS) {
          await deps.sleep(backoffMs(attempt, deps.random));
          continue;
        }
        await deps.ledger.release(delivery, subscriber.id);
        return 'throttling';
      case 'quota':
      case 'rejected-sender':
        // Nothing can go out until the quota returns or the operator fixes the sender: stop, release.
        await deps.ledger.release(delivery, subscriber.id);
        log(outcome.kind === 'quota' ? 'warn' : 'error', 'mail service refused to send', { reason: outcome.kind, error: outcome.detail });
        return outcome.kind === 'quota' ? 'quota' : 'sender-rejected';
    }
  }
}

/** "Full jitter" backoff: a random wait up to base·2^attempt, capped. */
function backoffMs(attempt: number, random: () => number): number {
  return Math.floor(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
}

/** Returns a function that waits just long enough to keep sends under `maxPerSecond`. */
function createPacer(deps: PublishDeps, maxPerSecond: number): () => Promise<void> {
  if (!Number.isFinite(maxPerSecond) || maxPerSecond <= 0) return async () => undefined;
  const intervalMs = 1000 / maxPerSecond;
  let nextAllowed = 0;
  return async () => {
    const now = deps.clock.now().getTime();
    if (nextAllowed > now) await deps.sleep(nextAllowed - now);
    nextAllowed = Math.max(now, nextAllowed) + intervalMs;
  };
}
