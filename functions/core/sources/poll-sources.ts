/**
 * The polling use case: fetch every due feed source (bounded concurrency, one request per host at a
 * time), turn its NEW items into raw articles for the publish pipeline, and record each source's health.
 * The rules follow the feed readers people trust (Miniflux, FreshRSS, rss2email):
 * - validators are stored only after the body parsed, so a broken response is fetched in full next time;
 * - a 304 costs no parsing; 301/308 move the stored URL; 410 disables the source;
 * - errors count up, back off exponentially and pause the source after `pauseAfterErrors` in a row;
 * - an item is new exactly once (the `SeenItems` port's atomic mark), whatever the retries.
 * Pure apart from its ports: the clock arrives as `now`.
 */
import type { ItemMetadata, MailHold, Provenance, RawArticle } from '../model.js';
import type { Log } from '../publish/ports.js';
import type { FeedFetcher, FeedFetchResult, FeedItem, FeedParser, FullTextFetcher, ParsedFeed } from './feed-ports.js';
import { SETTING_DEFAULTS } from '../settings.js';
import { needsFullText } from './full-text-rule.js';
import { identifyItems, stripTrackingParameters, type IdentifiedItem } from './identity.js';
import { maxAgeSeconds, nextPoll } from './schedule.js';
import type { SeenItems, Source, SourceStore } from './source.js';

/** Everything polling talks to, built by a composition root. */
export interface PollDeps {
  sources: SourceStore;
  seen: SeenItems;
  fetcher: FeedFetcher;
  parseFeed: FeedParser;
  /** Fetches linked pages for excerpt-only feeds; without it the item's own text is used. */
  fullText?: FullTextFetcher;
  /** Uniform in [0, 1): jitter of the next poll time. */
  random: () => number;
  log?: Log;
}

/** Settings of one poll. */
export interface PollSettings {
  /** Failed polls in a row after which a source is paused. */
  pauseAfterErrors: number;
  /** An item whose own date is older than this when first seen is published but never mailed. */
  maxAgeToMailMs: number;
  /** Fetches in flight at once (each to a different host). Default 4. */
  concurrency?: number;
  /** Items with fewer words than this count as excerpts under `fullText: auto` (default: the setting's). */
  fullTextMinWords?: number;
  /** Poll every source now, due or not, paused too (`gazette sources check`); disabled ones never. */
  everySource?: boolean;
  /**
   * Record health only (`gazette sources check`): status, errors and moves are stored, but no item is
   * marked seen, no validator stored and no poll time moved, so the next publish still finds every item.
   */
  healthCheck?: boolean;
}

/** What one poll of one source came to, for the run report and `sources check`. */
export interface SourcePollReport {
  sourceId: string;
  url: string;
  title?: string | undefined;
  outcome: 'new-items' | 'no-new-items' | 'not-modified' | 'gone' | 'error' | 'conflict';
  /** The source's status after the poll (paused after too many errors, disabled after a 410). */
  status: Source['status'];
  newItems: number;
  /** New items published but held from mail, by reason. */
  held: Record<MailHold, number>;
  /** Why the poll failed, or what happened to single items (skipped, full text unavailable). */
  message?: string | undefined;
  itemMessages: string[];
}

/** The result of a poll: the new items as raw articles, one report per polled source, and its commit. */
export interface PollResult {
  articles: RawArticle[];
  reports: SourcePollReport[];
  /**
   * Records the poll: marks the new items seen (atomically: of two runs one wins) and stores each
   * source (validators, health, next poll). Call it once the articles are stored; until then nothing is
   * recorded, so a run that dies in between is offered the same items again and loses none.
   */
  commit(): Promise<void>;
}

/** One source's poll: its new items, its report, and what to record once they are stored. */
interface SourcePoll {
  articles: RawArticle[];
  report: SourcePollReport;
  commit(): Promise<void>;
}

const DEFAULT_CONCURRENCY = 4;

/** Polls the due sources (or all of them, with `everySource`) and returns their new items. */
export async function pollSources(deps: PollDeps, settings: PollSettings, now: Date): Promise<PollResult> {
  const all = await deps.sources.list();
  const due = all.filter((source) => isDue(source, settings, now));
  const byHost = new Map<string, Source[]>();
  for (const source of due) {
    const host = hostOf(source.url);
    byHost.set(host, [...(byHost.get(host) ?? []), source]);
  }
  // One worker per host queue, at most `concurrency` at once: never two requests to one host together.
  const queues = [...byHost.values()];
  const results = new Map<string, SourcePoll>();
  const worker = async (): Promise<void> => {
    for (let queue = queues.shift(); queue; queue = queues.shift()) {
      for (const source of queue) results.set(source.id, await pollOne(deps, settings, source, now));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, settings.concurrency ?? DEFAULT_CONCURRENCY) }, worker));
  // Report and publish in the store's (URL) order, whatever order the fetches finished in.
  const ordered = due.map((source) => results.get(source.id)!);
  return {
    articles: ordered.flatMap((result) => result.articles),
    reports: ordered.map((result) => result.report),
    commit: async () => {
      for (const result of ordered) await result.commit();
    },
  };
}

function isDue(source: Source, settings: PollSettings, now: Date): boolean {
  if (source.status === 'disabled') return false;
  if (settings.everySource || settings.healthCheck) return true;
  return source.status === 'active' && Date.parse(source.nextPollAt) <= now.getTime();
}

function hostOf(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return url;
  }
}

/** Polls one source; never throws for anything the network or the feed does. */
async function pollOne(deps: PollDeps, settings: PollSettings, source: Source, now: Date): Promise<SourcePoll> {
  const report: SourcePollReport = {
    sourceId: source.id,
    url: source.url,
    title: source.title,
    outcome: 'error',
    status: source.status,
    newItems: 0,
    held: { 'first-fetch': 0, 'too-old': 0 },
    itemMessages: [],
  };
  let fetched: FeedFetchResult;
  try {
    fetched = await deps.fetcher.fetch(source.url, source.validators);
  } catch (error) {
    // A fetcher should answer with values; an exception is still one source's failure, not the run's.
    fetched = { kind: 'failed', reason: error instanceof Error ? error.message : String(error) };
  }
  const polled: Source = { ...source, lastPolledAt: now.toISOString() };
  let articles: RawArticle[] = [];
  let seenIds: string[] = [];
  let next: Source;
  if (fetched.kind === 'ok') {
    const parsed = deps.parseFeed(fetched.body, fetched.headers.contentType, fetched.url, now);
    if ('error' in parsed) next = failed(polled, settings, `not a readable feed: ${parsed.error}`, undefined, deps, now);
    else if (settings.healthCheck) next = checked(polled, parsed, fetched, report);
    else {
      ({ articles, seenIds } = await newArticles(deps, settings, polled, parsed, report, now));
      next = succeeded(polled, parsed, fetched, report, deps, now);
    }
  } else if (fetched.kind === 'not-modified') {
    next = { ...healthy(polled), lastStatus: '304 not modified' };
    if (fetched.permanentUrl)
      next = { ...next, url: fetched.permanentUrl, lastStatus: `304 not modified; moved permanently to ${fetched.permanentUrl}` };
    if (!settings.healthCheck) next.nextPollAt = nextPollAt(next, now, deps.random);
    report.outcome = 'not-modified';
  } else if (fetched.kind === 'gone') {
    next = { ...polled, status: 'disabled', lastStatus: '410 gone: the feed was removed; source disabled' };
    report.outcome = 'gone';
  } else {
    const message = fetched.kind === 'http-error' ? `HTTP ${fetched.status}` : fetched.reason;
    next = failed(polled, settings, message, fetched.kind === 'http-error' ? fetched.retryAfterMs : undefined, deps, now);
  }
  if (next.lastStatus && report.outcome === 'error') report.message = next.lastStatus;
  report.status = next.status;
  report.title = next.title;
  report.url = next.url;
  const stored = next;
  const commit = async (): Promise<void> => {
    for (const id of seenIds) await deps.seen.markSeen(source.id, id, now);
    if ((await deps.sources.update({ ...stored, version: source.version + 1 }, source.version)) === 'conflict') {
      // Another run polled it meanwhile; its record wins (the items are stored either way).
      report.outcome = report.outcome === 'error' ? 'error' : 'conflict';
    }
  };
  deps.log?.(report.outcome === 'error' ? 'warn' : 'info', 'source polled', {
    source: source.url,
    outcome: report.outcome,
    newItems: report.newItems,
    ...(report.message ? { error: report.message } : {}),
  });
  return { articles, report, commit };
}

function healthy(source: Source): Source {
  return { ...source, status: 'active', consecutiveErrors: 0 };
}

/** The source after a failed poll: one more error in a row, backed off, paused past the limit. */
function failed(
  source: Source,
  settings: PollSettings,
  message: string,
  retryAfterMs: number | undefined,
  deps: PollDeps,
  now: Date,
): Source {
  const consecutiveErrors = source.consecutiveErrors + 1;
  const paused = consecutiveErrors >= settings.pauseAfterErrors;
  const next: Source = {
    ...source,
    consecutiveErrors,
    status: paused ? 'paused' : source.status === 'paused' ? 'paused' : 'active',
    lastStatus: paused ? `${message} (${consecutiveErrors} errors in a row; paused)` : message,
  };
  next.nextPollAt = nextPollAt(next, now, deps.random, { retryAfterMs });
  return next;
}

/** The next poll time of `source` (its rate, errors in a row, and the server's hints) by the schedule rules. */
function nextPollAt(
  source: Source,
  now: Date,
  random: () => number,
  hints: { ttlMinutes?: number; maxAgeSeconds?: number; retryAfterMs?: number | undefined } = {},
): string {
  return nextPoll({
    itemsLastWeek: source.itemsLastWeek ?? 0,
    consecutiveErrors: source.consecutiveErrors,
    now,
    random,
    ...hints,
  }).toISOString();
}

const WEEK_MS = 7 * 24 * 3_600_000;

/** Items the feed dated within the week before `now`: the rate its poll interval follows. */
function itemsInLastWeek(items: readonly FeedItem[], now: Date): number {
  return items.filter((item) => item.published && now.getTime() - item.published.getTime() <= WEEK_MS).length;
}

/** The source after a poll whose body parsed: validators, title and URL stored, errors cleared. */
function succeeded(
  source: Source,
  feed: ParsedFeed,
  fetched: Extract<FeedFetchResult, { kind: 'ok' }>,
  report: SourcePollReport,
  deps: PollDeps,
  now: Date,
): Source {
  const next: Source = { ...healthy(source), firstFetchDone: true, validators: {} };
  if (fetched.headers.etag) next.validators.etag = fetched.headers.etag;
  if (fetched.headers.lastModified) next.validators.lastModified = fetched.headers.lastModified;
  if (fetched.permanentUrl) next.url = fetched.permanentUrl;
  if (feed.title) next.title = feed.title;
  if (feed.siteUrl) next.siteUrl = feed.siteUrl;
  next.itemCount = source.itemCount + report.newItems;
  if (report.newItems > 0) next.lastNewItemAt = now.toISOString();
  const moved = fetched.permanentUrl ? `; moved permanently to ${fetched.permanentUrl}` : '';
  next.lastStatus = `${fetched.status}, ${report.newItems} new of ${feed.items.length} items${moved}`;
  next.itemsLastWeek = itemsInLastWeek(feed.items, now);
  const maxAge = maxAgeSeconds(fetched.headers.cacheControl);
  next.nextPollAt = nextPollAt(next, now, deps.random, {
    ...(feed.ttlMinutes !== undefined ? { ttlMinutes: feed.ttlMinutes } : {}),
    ...(maxAge !== undefined ? { maxAgeSeconds: maxAge } : {}),
  });
  report.outcome = report.newItems > 0 ? 'new-items' : 'no-new-items';
  return next;
}

/** The source after a health check whose body parsed: healthy and moved, nothing else touched. */
function checked(source: Source, feed: ParsedFeed, fetched: Extract<FeedFetchResult, { kind: 'ok' }>, report: SourcePollReport): Source {
  const next: Source = { ...healthy(source), lastStatus: `${fetched.status}, a readable feed of ${feed.items.length} items` };
  if (fetched.permanentUrl) next.url = fetched.permanentUrl;
  if (feed.title) next.title = feed.title;
  report.outcome = 'no-new-items';
  return next;
}

/** Marks every item seen and turns the ones that were new into raw articles. */
async function newArticles(
  deps: PollDeps,
  settings: PollSettings,
  source: Source,
  feed: ParsedFeed,
  report: SourcePollReport,
  now: Date,
): Promise<{ articles: RawArticle[]; seenIds: string[] }> {
  const provenance: Provenance = { title: feed.title || source.title || hostOf(source.url), url: feed.siteUrl ?? source.url };
  const articles: RawArticle[] = [];
  const seenIds: string[] = [];
  for (const identified of identifyItems(feed.items)) {
    if (!(await isNew(deps, source, identified))) continue;
    // Skipped items are recorded too: an item with nothing to publish is reported once, not every run.
    seenIds.push(identified.id, ...identified.alternateIds);
    const { item, id: identity } = identified;
    const article = await itemArticle(deps, settings, { source, item, identity, provenance, now }, report);
    if (!article) continue;
    const hold = mailHoldOf(source, item, settings, now);
    if (hold) {
      article.mailHold = hold;
      report.held[hold] += 1;
    }
    report.newItems += 1;
    articles.push(article);
  }
  return { articles, seenIds };
}

/**
 * True when the item was never seen under its id nor any alternate id (its link, when the id is its
 * guid), so a feed that renews every guid on each fetch floods nobody. Reads only: the commit marks.
 */
async function isNew(deps: PollDeps, source: Source, identified: IdentifiedItem): Promise<boolean> {
  for (const id of [identified.id, ...identified.alternateIds]) {
    if (await deps.seen.isSeen(source.id, id)) return false;
  }
  return true;
}

/** Why a new item must not be mailed, if it must not: the source's first fetch, or an old item. */
function mailHoldOf(source: Source, item: FeedItem, settings: PollSettings, now: Date): MailHold | undefined {
  if (!source.firstFetchDone) return 'first-fetch';
  if (item.published && now.getTime() - item.published.getTime() > settings.maxAgeToMailMs) return 'too-old';
  return undefined;
}

/**
 * One item as a raw article: its HTML (or the linked page's article for excerpts), its metadata, and
 * its feed. An item with neither text nor title has nothing to summarise: skipped with a message.
 */
async function itemArticle(
  deps: PollDeps,
  settings: PollSettings,
  found: { source: Source; item: FeedItem; identity: string; provenance: Provenance; now: Date },
  report: SourcePollReport,
): Promise<RawArticle | undefined> {
  const { source, item, identity, provenance, now } = found;
  const link = httpUrl(item.url);
  const url = link ? stripTrackingParameters(link) : undefined;
  const label = `${source.url} item ${url ?? identity}`;
  let html = item.html?.trim() ? item.html : undefined;
  const minWords = settings.fullTextMinWords ?? SETTING_DEFAULTS.fullTextMinWords;
  if (url && deps.fullText && needsFullText({ ...item, url }, source.fullText, minWords)) {
    const page = await deps.fullText.fetchArticle(url);
    if ('html' in page) html = page.html;
    else report.itemMessages.push(`${label}: full text unavailable (${page.error}); the feed's own text is used`);
  }
  const title = item.title?.trim();
  if (!html && !title) {
    report.itemMessages.push(`${label}: no text and no title; skipped`);
    return undefined;
  }
  const metadata: ItemMetadata = { id: articleIdFor(source, identity), tags: item.categories };
  if (title) metadata.title = title;
  if (url) metadata.url = url;
  if (item.author?.trim()) metadata.author = item.author.trim();
  // A date in the future would pin the digest to the top of every feed: it counts as now.
  if (item.published && !Number.isNaN(item.published.getTime())) metadata.published = notInFuture(item.published, now);
  return {
    source: label,
    // An item with only a title is a one-line text article; its title is not markup.
    format: html ? 'html' : 'text',
    bytes: new TextEncoder().encode(html ?? title ?? ''),
    item: metadata,
    provenance,
  };
}

/**
 * The article identity of an item: its link when it is known by its link (an article also published as
 * a file with that `url` is then the same digest), anything else scoped to its source so two feeds'
 * guid "1" stay apart.
 */
function articleIdFor(source: Source, identity: string): string {
  const link = identity.startsWith('link:') ? httpUrl(identity.slice('link:'.length)) : undefined;
  return link ?? `${source.id}:${identity}`;
}

/** `value` if it is an absolute http(s) URL (never `javascript:`, `data:` or a relative path). */
function httpUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Clamps a future date to `now` (see `itemArticle`). */
function notInFuture(date: Date, now: Date): Date {
  return date.getTime() > now.getTime() ? now : date;
}
