/**
 * The local composition: the adapters `gazette publish` (`npm start`) and `gazette serve` run on — the
 * state database, the folders, the outbox — built in one place, as functions/composition/aws.ts builds
 * the Lambda functions' adapters. No AWS SDK is imported here.
 */
import { randomBytes } from 'node:crypto';
import { AfterResponseQueue } from '../adapters/local/after-response-queue.js';
import { loadOrCreateKeyring, loadOrCreateSubscriberIdKey } from '../adapters/local/file-keyring.js';
import { localLayout } from '../adapters/local/layout.js';
import { openLocalState } from '../adapters/local/local-state.js';
import { MemoryRateLimiter, MemoryRollingCounter, SqliteSubscribers } from '../adapters/local/local-subscriptions.js';
import { OutboxMailer } from '../adapters/local/outbox-mailer.js';
import { createSubscriptionApi, type SubscriptionApiHandler } from '../adapters/http/api-gateway.js';
import type { EditionDefaults } from '../core/editions/plan.js';
import type { MailConfig, SiteConfig } from '../core/model.js';
import { renderConfirmationEmail } from '../core/render/email.js';
import { SETTING_DEFAULTS } from '../core/settings.js';
import type { Log } from '../core/subscriptions/ports.js';
import { DEFAULT_IP_THROTTLE, sendConfirmation, type SubscribeDeps } from '../core/subscriptions/subscribe.js';
import { ORIGIN_VERIFY_HEADER } from '../shared/env-names.js';
import { FolderArticleSource } from '../adapters/local/folder-article-source.js';
import { FolderSitePublisher } from '../adapters/local/folder-site-publisher.js';
import type { LocalLayout } from '../adapters/local/layout.js';
import type { LocalState } from '../adapters/local/local-state.js';
import { SqliteArchive } from '../adapters/local/sqlite-archive.js';
import { SqliteSeenItems, SqliteSources } from '../adapters/local/sqlite-sources.js';
import { pollDeps, pollSettings } from '../adapters/http/feed-polling.js';
import { FeedArticleSource } from '../core/sources/feed-article-source.js';
import type { SourceStore } from '../core/sources/source.js';
import { SqliteLedger } from '../adapters/local/sqlite-ledger.js';
import { CombinedArticleSource } from '../core/publish/combined-article-source.js';
import type { ArticleSource, Clock, RunLease, Summarizer } from '../core/publish/ports.js';
import type { PublishDeps } from '../core/publish/publish-digests.js';

/** Where the local subscription API keeps its state, and the settings it runs with. */
export interface LocalApiOptions {
  /** Output folder: confirmation mails go to `<outDir>/outbox/`, subscribers and token keys to `<outDir>/state/gazette.sqlite`. */
  outDir: string;
  /** Read-only seed list of subscribers (never written). */
  subscribersFile: string;
  /** The site, mail and edition settings, with the server's URL as the base of every link. */
  settings: { site: SiteConfig; mail: MailConfig; editions: EditionDefaults };
  /** Where warnings and errors of the API go (one line each). */
  warn: (line: string) => void;
}

/**
 * Builds the real subscription API (functions/adapters/http/subscription-http.ts, through the Lambda handler's
 * own adapter) over the local adapters, with a fresh random origin-verify secret that only this
 * process knows: the returned mount adds it to what the server forwards, so the API's check runs here
 * as it does behind CloudFront, and nothing else on the machine can call the API around the server.
 */
export async function localSubscriptionApi(options: LocalApiOptions): Promise<{
  handler: SubscriptionApiHandler;
  /** The origin-verify header the server must add to what it forwards. */
  originHeaders: Readonly<Record<string, string>>;
  outbox: string;
  idle(): Promise<void>;
  close(): void;
}> {
  const paths = localLayout(options.outDir);
  const state = openLocalState(paths, { warn: (message) => options.warn(`warning: ${message}`) });
  // The same keys publish signs unsubscribe links with, so the links in the outbox mails verify.
  const { keyring } = await loadOrCreateKeyring(state, { create: true });
  const idKey = await loadOrCreateSubscriberIdKey(state, { create: true });
  const defaults = options.settings;
  const originVerify = randomBytes(32).toString('base64url');
  const log: Log = (level, message, data) => {
    if (level === 'warn' || level === 'error') options.warn(`[${level}] ${message}${data ? ` ${JSON.stringify(data)}` : ''}`);
  };
  const store = new SqliteSubscribers(state, {
    seedFile: options.subscribersFile,
    warn: (message) => options.warn(`warning: ${message}`),
    idKey,
  });
  // Deciding and mailing happen after the answer, in this process (SQS and a worker on AWS).
  const confirmationDeps: SubscribeDeps = {
    store,
    mailer: new OutboxMailer(paths.outbox),
    renderConfirmation: renderConfirmationEmail,
    keyring,
    idKey,
    site: defaults.site,
    mail: defaults.mail,
    cap: { counter: new MemoryRollingCounter(), limit: async () => SETTING_DEFAULTS.maxConfirmationsPerDay },
    log,
  };
  const confirmations = new AfterResponseQueue(
    (job) => sendConfirmation(confirmationDeps, job, new Date()),
    (error) => log('error', 'confirmation job failed', { error: String(error) }),
  );
  const handler = createSubscriptionApi({
    store,
    confirmations,
    keyring,
    site: defaults.site,
    throttle: { limiter: new MemoryRateLimiter(), ...DEFAULT_IP_THROTTLE },
    log,
    originVerify: { header: ORIGIN_VERIFY_HEADER, value: originVerify },
    editions: defaults.editions,
  });
  return {
    handler,
    originHeaders: { [ORIGIN_VERIFY_HEADER]: originVerify },
    outbox: paths.outbox,
    idle: () => confirmations.idle(),
    close: () => state.close(),
  };
}

/**
 * The feeds the local state follows, as an article source polled when a run lists its articles, and
 * the store of that list (`--sources` adds to it first).
 */
export function localFeedSource(
  state: LocalState,
  options: { allowPrivateNetwork: boolean; siteUrl: string; clock: Clock; warn: (message: string) => void },
): { sources: SourceStore; feeds: FeedArticleSource } {
  const sources = new SqliteSources(state, options.warn);
  const settings = { ...SETTING_DEFAULTS, allowPrivateNetwork: options.allowPrivateNetwork };
  const deps = pollDeps({ sources, seen: new SqliteSeenItems(state) }, settings, { siteUrl: options.siteUrl });
  return { sources, feeds: new FeedArticleSource(deps, pollSettings(settings), options.clock) };
}

/** What `gazette publish` has opened before it builds the publisher's adapters. */
export interface LocalPublishParts {
  state: LocalState;
  paths: LocalLayout;
  clock: Clock;
  log: Log;
  warn: (message: string) => void;
  /** The article folder (`--seeds`). */
  seedsDir: string;
  /** The read-only seed list of subscribers. */
  subscribersFile: string;
  idKey: string;
  lease: RunLease;
  /** The followed feeds, polled when the run lists its articles. */
  feeds: ArticleSource;
  /** A model-backed summariser when chosen (built by the caller: it needs the AWS SDK); else the extractive one. */
  summarizer?: Summarizer;
}

/**
 * The publish use case's local adapters: the article folder and the followed feeds, the archive,
 * subscribers and ledger in the state database, the site folder and the outbox.
 */
export function localPublishDeps(parts: LocalPublishParts): PublishDeps & { mailer: OutboxMailer } {
  const { state, paths, warn } = parts;
  return {
    clock: parts.clock,
    source: new CombinedArticleSource([new FolderArticleSource(parts.seedsDir), parts.feeds]),
    archive: new SqliteArchive(state, warn),
    site: new FolderSitePublisher(paths.site),
    subscribers: new SqliteSubscribers(state, { seedFile: parts.subscribersFile, warn, idKey: parts.idKey }),
    ledger: new SqliteLedger(state),
    mailer: new OutboxMailer(paths.outbox),
    lease: parts.lease,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    log: parts.log,
    ...(parts.summarizer ? { summarizer: parts.summarizer } : {}),
  };
}
