/**
 * The publish use case: articles → digests → archive → editions due → site, feeds and edition pages →
 * one email per (edition, subscriber). The same function runs behind `npm start`, `npm run dev` and the scheduled Lambda; only
 * the adapters in `deps` differ.
 *
 * A run costs what it changes, not what the archive holds. It reads the digests of its own articles by
 * id, and of the editions' window through the archive's first-seen index; only when an article is new
 * or edited does it read every digest's compact entry (slugs in use, the listings). It renders the
 * pages its changes touch plus the listings, and with nothing new and no edition due it renders and
 * writes nothing. The whole site is rendered only when the site's mark (see `SiteMark`) is missing or
 * names other renderers or settings: a first run, an upgrade, a new template or title, a run that died
 * between its archive writes and its site.
 */
import { LEGACY_TEXT_ID_PREFIX, parseArticle, PATH_ID_PREFIX } from '../articles/parse.js';
import { ArticleError, GazetteError } from '../errors.js';
import { editionsOf } from '../editions/editions-of.js';
import { DEFAULT_EDITION_TIME, editionWindowStart, planEditions, type EditionDefaults, type PlannedEdition } from '../editions/plan.js';
import type { ArchiveEntry, Article, Digest, MailConfig, MailHold, SiteConfig, SiteFile } from '../model.js';
import { siteFingerprint } from '../render/fingerprint.js';
import { renderOutputs, renderSiteUpdate } from '../render/outputs.js';
import { SETTING_DEFAULTS } from '../settings.js';
import { ExtractiveSummarizer } from '../summarize/index.js';
import type { DeliveryDispatcher } from '../send/ports.js';
import type { TokenKeyring } from '../tokens.js';
import { deliverEdition, inProcessDispatcher } from './deliver-edition.js';
import type { DeliveryId } from './delivery.js';
import { archiveEntry, buildDigest, repairSlugCollisions, sortNewestFirst } from './digest.js';
import { planSiteChanges } from './site-changes.js';
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
  SiteMark,
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
  /** Digests on the site after the run (the archive without its tombstones). */
  published: number;
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
    published: 0,
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
    const [articles, mark] = await Promise.all([readArticles(deps.source, report.articleErrors, log), deps.site.readMark()]);
    const renderedWith = siteFingerprint(settings.site);
    // Without a mark of these renderers and settings, the site may not show the archive: render it whole.
    const whole = mark?.renderedWith !== renderedWith;
    const view = await ArchiveView.open(deps, settings, whole, mark, articles);
    await mergeIntoArchive(deps, settings, articles, view, report, log);
    // The digests are stored: a source may now record what it handed out (a feed's seen items).
    if (!settings.dryRun) await deps.source.settle?.(new Set(report.articleErrors.map((error) => error.source)));

    // Editions are planned (and recorded on their digests) before the site is rendered, so every
    // edition's page is online before an email links to it.
    const plans = settings.noMail ? [] : await planAndRecordEditions(deps, settings, view);
    const site = await renderChanges(settings, view);
    // Nothing rendered: a whole-site run found no digest on the site; any other kept the mark's count.
    report.published = site ? site.published : view.whole ? 0 : (mark?.published ?? 0);
    if (site) {
      report.site = settings.dryRun ? { written: site.files.map((file) => file.path), unchanged: [] } : await deps.site.publish(site.files);
      if (!settings.dryRun) await deps.site.writeMark({ renderedWith, published: site.published });
    }
    if (!settings.noMail) {
      const stale = report.created.filter((digest) => digest.mailStatus === 'stale').length;
      report.mail = { ...(await sendEditions(deps, settings, plans, log)), stale };
    }
    return report;
  } finally {
    if (useLease) await deps.lease!.release(settings.runId);
  }
}

/**
 * What the run knows of the archive: the whole digests it read or stored, and, once something needs
 * them, every digest's entry. It stores through the archive, removing the site's mark before its first
 * write (the site lags the archive from then until this run has published it).
 */
class ArchiveView {
  /** Whole digests by id: every one in a whole-site run; else the run's articles', the window's, the changed. */
  readonly digests = new Map<string, Digest>();
  /** Digests this run stored, as stored. */
  readonly changed = new Map<string, Digest>();
  /** The entry each changed digest had before this run (undefined: it is new). */
  private readonly original = new Map<string, ArchiveEntry | undefined>();
  private loaded: Promise<ArchiveEntry[]> | undefined;
  private unmarked: boolean;

  private constructor(
    private readonly deps: PublishDeps,
    private readonly settings: PublishSettings,
    /** True when the whole archive was read (and the whole site is rendered). */
    readonly whole: boolean,
    mark: SiteMark | undefined,
  ) {
    this.unmarked = mark === undefined;
  }

  /** Reads every digest for a whole-site run, else only those of `articles` (by their ids). */
  static async open(deps: PublishDeps, settings: PublishSettings, whole: boolean, mark: SiteMark | undefined, articles: Article[]) {
    const view = new ArchiveView(deps, settings, whole, mark);
    const digests = whole ? await deps.archive.list() : await deps.archive.get(articles.map((article) => article.id));
    for (const digest of digests) view.digests.set(digest.id, digest);
    if (whole) view.loaded = Promise.resolve(digests.map(archiveEntry));
    return view;
  }

  /** Reads the digests among `ids` the view does not hold yet. */
  async fetch(ids: Iterable<string>): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.digests.has(id));
    if (missing.length === 0) return;
    for (const digest of await this.deps.archive.get(missing)) this.digests.set(digest.id, digest);
  }

  /** Every entry as the archive held it before this run's writes, by id (read once, when first needed). */
  async entriesBefore(): Promise<Map<string, ArchiveEntry>> {
    this.loaded ??= this.deps.archive.entries();
    const entries = new Map((await this.loaded).map((entry) => [entry.id, entry]));
    // The index may lag a write by a moment: a digest read whole (consistently) is as it says.
    for (const digest of this.digests.values()) if (!this.original.has(digest.id)) entries.set(digest.id, archiveEntry(digest));
    // The index may already show some of this run's writes; what they replaced is known here.
    for (const [id, entry] of this.original) {
      if (entry) entries.set(id, entry);
      else entries.delete(id);
    }
    return entries;
  }

  /** Every entry as it stands now, this run's writes included. */
  async entriesNow(): Promise<Map<string, ArchiveEntry>> {
    const entries = await this.entriesBefore();
    for (const digest of this.changed.values()) entries.set(digest.id, archiveEntry(digest));
    return entries;
  }

  /**
   * Stores `digest` over `previous` (conditional on its hash, see `Archive.put`) and remembers it;
   * in a dry run only remembers it.
   */
  async put(digest: Digest, previous: Digest | undefined): Promise<'stored' | 'conflict'> {
    if (!this.settings.dryRun) {
      if (!this.unmarked) {
        await this.deps.site.writeMark(undefined);
        this.unmarked = true;
      }
      if ((await this.deps.archive.put(digest, previous?.contentHash)) === 'conflict') return 'conflict';
    }
    if (!this.original.has(digest.id)) this.original.set(digest.id, previous && archiveEntry(previous));
    this.digests.set(digest.id, digest);
    this.changed.set(digest.id, digest);
    return 'stored';
  }
}

/** The articles the run must summarise: new ones (no digest has their id) and edited ones (never a tombstone's). */
function newOrEdited(articles: readonly Article[], view: ArchiveView): Article[] {
  return articles.filter((article) => {
    const stored = view.digests.get(article.id);
    return !stored || (stored.unpublishedAt === undefined && stored.contentHash !== article.contentHash);
  });
}

/**
 * The files to publish and the count of digests on the site, or undefined when the site stays as it
 * is: the whole site in a whole-site run (none for an empty archive, so a good feed is never replaced
 * by an empty one), else the pages this run's changes touch and the listings, else nothing.
 */
async function renderChanges(settings: PublishSettings, view: ArchiveView): Promise<{ files: SiteFile[]; published: number } | undefined> {
  if (view.whole) {
    const digests = sortNewestFirst([...view.digests.values()].filter((digest) => digest.unpublishedAt === undefined));
    if (digests.length === 0) return undefined;
    // Render everything before writing anything: a render failure must not leave a half-updated site.
    return { files: renderOutputs(digests, settings.site, editionsOf(digests, settings.site.timeZone)), published: digests.length };
  }
  if (view.changed.size === 0) return undefined;
  const plan = planSiteChanges(await view.entriesBefore(), view.changed.values(), settings.site);
  if (plan.entries.length === 0) return undefined;
  await view.fetch(plan.needed);
  const full = [...plan.needed].flatMap((id) => {
    const digest = view.digests.get(id);
    return digest && digest.unpublishedAt === undefined ? [digest] : [];
  });
  const editions = editionsOf(full, settings.site.timeZone).filter((edition) => plan.editions.has(edition.id));
  const files = renderSiteUpdate({ entries: plan.entries, digests: sortNewestFirst(full), editions, only: plan.only }, settings.site);
  return { files, published: plan.entries.length };
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

/**
 * Summarises new and edited articles and stores their digests; unchanged ones are left alone. Only
 * when some article is new or edited does it read every entry (the slugs in use, earlier identities).
 */
async function mergeIntoArchive(
  deps: PublishDeps,
  settings: PublishSettings,
  articles: Article[],
  view: ArchiveView,
  report: PublishReport,
  log: NonNullable<PublishDeps['log']>,
): Promise<void> {
  const now = deps.clock.now();
  const tooLateToMail = isRunStale(settings, now);
  // A whole-site run goes on regardless: it checks the slugs of the whole archive before rendering it.
  if (!view.whole && newOrEdited(articles, view).length === 0) {
    report.unchanged += articles.length;
    return;
  }
  const entries = await repairArchiveSlugs(view, await view.entriesNow(), log);
  const slugsInUse = new Set([...entries.values()].map((entry) => entry.slug));
  const legacy = legacyIdsBySource(entries.values());
  await view.fetch(articles.flatMap((article) => (adoptsLegacyIdentity(article, entries, legacy) ? [legacy.get(article.source)!] : [])));
  for (const found of articles) {
    const article = adoptsLegacyIdentity(found, entries, legacy) ? { ...found, id: legacy.get(found.source)! } : found;
    const previous = view.digests.get(article.id);
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
    if ((await view.put(digest, previous)) === 'conflict') {
      // Another run stored this article first; its copy wins and this run treats it as unchanged.
      log('info', 'digest stored by a concurrent run', { id: digest.id });
      report.unchanged += 1;
      continue;
    }
    slugsInUse.add(digest.slug);
    const hold: MailHold | undefined =
      previous || settings.noMail ? undefined : (article.mailHold ?? (isTooOldToMail(article, settings, now) ? 'too-old' : undefined));
    if (hold) report.held[hold] += 1;
    (previous ? report.updated : report.created).push(digest);
  }
}

/** Digests stored under a text-hash identity (earlier versions), by the source they came from. */
function legacyIdsBySource(entries: Iterable<ArchiveEntry>): Map<string, string> {
  const bySource = new Map<string, string>();
  for (const entry of entries) if (entry.id.startsWith(LEGACY_TEXT_ID_PREFIX)) bySource.set(entry.sourceName, entry.id);
  return bySource;
}

/**
 * True when an article identified by its path should keep the id its digest was stored under by an
 * earlier version (a hash of the text), that digest having come from the same source: upgrading must
 * not publish, and mail, every such article a second time.
 */
function adoptsLegacyIdentity(article: Article, entries: ReadonlyMap<string, ArchiveEntry>, legacy: ReadonlyMap<string, string>): boolean {
  return article.id.startsWith(PATH_ID_PREFIX) && !entries.has(article.id) && legacy.has(article.source);
}

/**
 * Gives every digest that shares its slug with an earlier one a longer slug and stores it, so an
 * archive written before slugs were checked publishes again instead of failing every run. Returns the
 * entries with the repairs.
 */
async function repairArchiveSlugs(
  view: ArchiveView,
  entries: Map<string, ArchiveEntry>,
  log: NonNullable<PublishDeps['log']>,
): Promise<Map<string, ArchiveEntry>> {
  const repaired = repairSlugCollisions(entries.values());
  await view.fetch(repaired.map((entry) => entry.id));
  for (const entry of repaired) {
    const stored = view.digests.get(entry.id);
    if (!stored) continue;
    log('warn', 'digest slug collided with an earlier digest; given a longer slug', { id: entry.id, slug: entry.slug });
    // On a conflict a concurrent run changed it; its copy is stored, and the next run repairs it if needed.
    if ((await view.put({ ...stored, slug: entry.slug }, stored)) === 'stored') entries.set(entry.id, entry);
  }
  return entries;
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
 * site, before any email links to them). Nothing is due, nothing is written. Outside a whole-site run
 * only the digests first seen after the oldest subscriber's cursor (at most eight days back) are read.
 */
async function planAndRecordEditions(deps: PublishDeps, settings: PublishSettings, view: ArchiveView): Promise<PlannedEdition[]> {
  const subscribers = await deps.subscribers.listConfirmed();
  const now = deps.clock.now();
  const defaults = editionDefaults(settings);
  const start = editionWindowStart(subscribers, now, defaults);
  if (start === undefined) return [];
  if (!view.whole) {
    const window = await deps.archive.entriesSeenAfter(new Date(start).toISOString());
    // Only a digest that can still go out is needed whole; the planner reads its current copy.
    await view.fetch(
      window.filter((entry) => entry.mailStatus === 'pending' && entry.unpublishedAt === undefined).map((entry) => entry.id),
    );
  }
  const plans = planEditions(view.digests.values(), subscribers, now, defaults);
  for (const plan of plans) {
    for (const digest of plan.edition.digests) {
      const current = view.digests.get(digest.id) ?? digest;
      if (current.editions?.includes(plan.edition.id)) continue;
      // A conflict means a concurrent edit; the next run records the edition on the edited copy.
      await view.put({ ...current, editions: [...(current.editions ?? []), plan.edition.id] }, current);
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
