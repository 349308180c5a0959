/**
 * The publish use case: articles → digests → archive → editions due → site, feeds and edition pages →
 * one email per (edition, subscriber). The same function runs behind `npm start`, `npm run dev` and the scheduled Lambda; only
 * the adapters in `deps` differ.
 */
import { LEGACY_TEXT_ID_PREFIX, parseArticle, PATH_ID_PREFIX } from '../articles/parse.js';
import { ArticleError, GazetteError } from '../errors.js';
import { editionsOf } from '../editions/editions-of.js';
import { DEFAULT_EDITION_TIME, planEditions, type EditionDefaults, type PlannedEdition } from '../editions/plan.js';
import type { Article, Digest, MailConfig, MailHold, SiteConfig, SiteFile } from '../model.js';
import { renderOutputs } from '../render/outputs.js';
import { SETTING_DEFAULTS } from '../settings.js';
import { ExtractiveSummarizer } from '../summarize/index.js';
import type { DeliveryDispatcher } from '../send/ports.js';
import type { TokenKeyring } from '../tokens.js';
import { deliverEdition, inProcessDispatcher } from './deliver-edition.js';
import type { DeliveryId } from './delivery.js';
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
  /**
   * Where each edition's copies go: the in-process concurrent sender (paced at the mailer's
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
  /** Enabled cadences, the default one and the default edition time (default: instant for everyone). */
  editions?: EditionDefaults;
  /**
   * A new article whose own date is older than this when first seen is published but never mailed
   * (default {@link DEFAULT_MAX_AGE_TO_MAIL_MS}: importing an old post must not mail it).
   */
  maxAgeToMailMs?: number;
}

/** The schema's default: an article already older than that when Gazette first sees it is archived, not mailed. */
export const DEFAULT_MAX_AGE_TO_MAIL_MS = SETTING_DEFAULTS.maxAgeToMailHours * 60 * 60 * 1000;

/**
 * A pair whose send outcome is unknown: the mail service threw after the claim (a network failure, a
 * lost response) or the ledger failed after the send, so the message may or may not have left. The claim
 * stays (at most once beats at least once) and no later run sends it by itself; `gazette deliveries
 * --in-doubt` lists such pairs.
 */
export interface InDoubtSend {
  deliveryId: DeliveryId;
  subscriberId: string;
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
  /** New digests of this run that were too late to email (the run was far behind its schedule). */
  stale: number;
  /** Editions at least one copy of which was sent in this run. */
  editions: number;
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
const LEASE_TTL_MS = 15 * 60 * 1000;

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
    mail: { sent: 0, alreadySent: 0, failed: 0, deferred: 0, stale: 0, editions: 0, inDoubt: [] },
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
    if (!settings.dryRun) await deps.source.settle?.(new Set(report.articleErrors.map((error) => error.source)));

    // Editions are planned (and recorded on their digests) before the site is rendered, so every
    // edition's page is online before an email links to it.
    const plans = settings.noMail ? [] : await planAndRecordEditions(deps, settings, archived);
    report.digests = published(archived);
    if (report.digests.length > 0) {
      // Render everything before writing anything: a render failure must not leave a half-updated site.
      const files: SiteFile[] = renderOutputs(report.digests, settings.site, editionsOf(report.digests, settings.site.timeZone));
      report.site = settings.dryRun ? { written: files.map((file) => file.path), unchanged: [] } : await deps.site.publish(files);
    }
    if (!settings.noMail) {
      const stale = report.created.filter((digest) => digest.mailStatus === 'stale').length;
      report.mail = { ...(await sendEditions(deps, settings, plans, log)), stale };
    }
    report.digests = published(archived);
    return report;
  } finally {
    if (useLease) await deps.lease!.release(settings.runId);
  }
}

/** The digests on the site, newest first: every archived one but the unpublished. */
function published(archived: ReadonlyMap<string, Digest>): Digest[] {
  return sortNewestFirst([...archived.values()].filter((digest) => digest.unpublishedAt === undefined));
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
  const legacy = legacyIdsBySource(archived.values());
  for (const found of articles) {
    const article = adoptLegacyIdentity(found, archived, legacy);
    const previous = archived.get(article.id);
    // A tombstone: the operator unpublished it, and an article still in the source does not undo that.
    if (previous?.unpublishedAt !== undefined || (previous && previous.contentHash === article.contentHash)) {
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
    if (!previous && (settings.noMail || article.mailHold || isTooOldToMail(article, settings, now)))
      digest = { ...digest, mailStatus: 'not-mailed' };
    else if (!previous && tooLateToMail) digest = { ...digest, mailStatus: 'stale' };
    if (!settings.dryRun && (await deps.archive.put(digest, previous?.contentHash)) === 'conflict') {
      // Another run stored this article first; its copy wins and this run treats it as unchanged.
      log('info', 'digest stored by a concurrent run', { id: digest.id });
      report.unchanged += 1;
      continue;
    }
    archived.set(digest.id, digest);
    slugsInUse.add(digest.slug);
    const hold: MailHold | undefined =
      previous || settings.noMail ? undefined : (article.mailHold ?? (isTooOldToMail(article, settings, now) ? 'too-old' : undefined));
    if (hold) report.held[hold] += 1;
    (previous ? report.updated : report.created).push(digest);
  }
}

/** Digests stored under a text-hash identity (earlier versions), by the source they came from. */
function legacyIdsBySource(digests: Iterable<Digest>): Map<string, string> {
  const bySource = new Map<string, string>();
  for (const digest of digests) if (digest.id.startsWith(LEGACY_TEXT_ID_PREFIX)) bySource.set(digest.sourceName, digest.id);
  return bySource;
}

/**
 * An article identified by its path keeps the id its digest was stored under by an earlier version
 * (a hash of the text) when that digest came from the same source: upgrading must not publish, and
 * mail, every such article a second time.
 */
function adoptLegacyIdentity(article: Article, archived: ReadonlyMap<string, Digest>, legacy: ReadonlyMap<string, string>): Article {
  if (!article.id.startsWith(PATH_ID_PREFIX) || archived.has(article.id)) return article;
  const earlier = legacy.get(article.source);
  return earlier ? { ...article, id: earlier } : article;
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

/** True when the article's own date was already older than `maxAgeToMail` when Gazette first saw it. */
function isTooOldToMail(article: Article, settings: PublishSettings, now: Date): boolean {
  if (!article.published) return false;
  return now.getTime() - article.published.getTime() > (settings.maxAgeToMailMs ?? DEFAULT_MAX_AGE_TO_MAIL_MS);
}

/** True when the schedule meant this run for long enough ago that email would be old news. */
function isRunStale(settings: PublishSettings, now: Date): boolean {
  if (!settings.scheduledAt) return false;
  return now.getTime() - settings.scheduledAt.getTime() > (settings.staleAfterMs ?? DEFAULT_STALE_AFTER_MS);
}

/**
 * Plans the editions due now and records them on their digests (so their pages are published with the
 * site, before any email links to them). Nothing is due, nothing is written.
 */
async function planAndRecordEditions(
  deps: PublishDeps,
  settings: PublishSettings,
  archived: Map<string, Digest>,
): Promise<PlannedEdition[]> {
  const subscribers = await deps.subscribers.listConfirmed();
  const plans = planEditions(archived.values(), subscribers, deps.clock.now(), editionDefaults(settings));
  for (const plan of plans) {
    for (const digest of plan.edition.digests) {
      const current = archived.get(digest.id) ?? digest;
      if (current.editions?.includes(plan.edition.id)) continue;
      const recorded = { ...current, editions: [...(current.editions ?? []), plan.edition.id] };
      // A conflict means a concurrent edit; the next run records the edition on the edited copy.
      if (!settings.dryRun && (await deps.archive.put(recorded, current.contentHash)) === 'conflict') continue;
      archived.set(digest.id, recorded);
    }
  }
  return plans;
}

/** The cadence settings of the run; without any, every subscriber gets instant editions. */
function editionDefaults(settings: PublishSettings): EditionDefaults {
  return settings.editions ?? { cadences: ['instant'], defaultCadence: 'instant', timeZone: 'UTC', ...DEFAULT_EDITION_TIME };
}

/**
 * Sends every planned edition, oldest first, each copy exactly once (see `deliverEdition`). When
 * sending must stop (quota, throttling, deadline, sender refused) the rest waits: the next run plans
 * the same editions for the same people, because their cursors did not move.
 */
async function sendEditions(
  deps: PublishDeps,
  settings: PublishSettings,
  plans: readonly PlannedEdition[],
  log: NonNullable<PublishDeps['log']>,
): Promise<MailReport> {
  const report: MailReport = { sent: 0, alreadySent: 0, failed: 0, deferred: 0, stale: 0, editions: 0, inDoubt: [] };
  if (plans.length === 0) return report;
  if (settings.dryRun) {
    report.sent = plans.reduce((total, plan) => total + plan.copies.length, 0);
    report.editions = plans.length;
    return report;
  }
  // One dispatcher for the run, so the rate limit spans every edition: the send queue when the
  // publisher fans out, else the in-process concurrent sender.
  const dispatcher = deps.dispatcher ?? (await inProcessDispatcher(deps, settings));
  for (const [index, plan] of plans.entries()) {
    const tally = await deliverEdition(deps, settings, plan, dispatcher);
    report.sent += tally.sent;
    report.alreadySent += tally.alreadySent;
    report.failed += tally.failed;
    if (tally.sent > 0) report.editions += 1;
    report.inDoubt.push(...tally.inDoubt);
    if (tally.stoppedBy) {
      report.stoppedBy = tally.stoppedBy;
      report.deferred = tally.deferred + plans.slice(index + 1).reduce((total, later) => total + later.copies.length, 0);
      log('warn', 'sending stopped; the rest is left for the next run', { reason: tally.stoppedBy, deferred: report.deferred });
      return report;
    }
  }
  return report;
}
