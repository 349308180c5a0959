/**
 * The ports the publish use case calls, declared beside it (the core owns its ports). Each has a local
 * adapter (functions/adapters/local) and an AWS adapter (functions/adapters/aws); tests use small object
 * fakes from tests/fakes. Only the methods the core actually calls are here.
 */
import type { DeliveryId } from './delivery.js';
import type { ArchiveEntry, Article, Digest, OutgoingMail, RawArticle, RefusedArticle, SiteFile, Subscriber, Summary } from '../model.js';

/** The time, passed in so the core never reads a clock itself. */
export interface Clock {
  now(): Date;
}

/** Where articles come from: the seeds folder, the S3 `inbox/` prefix, the followed feeds. */
export interface ArticleSource {
  /**
   * Every article currently available, each with its format, in a stable order (sorted by source
   * name); plus what the source found but cannot offer (reported by the use case, not fatal).
   */
  list(): Promise<(RawArticle | RefusedArticle)[]>;
  /**
   * Called once the run has stored the digests of what `list()` gave (never in a dry run): a source
   * that must remember what it handed out (a feed's seen items and validators, the inbox's objects
   * moved aside) records it now, so a run that dies before storing loses nothing; the next run is
   * offered the same items again. `failed` names (by `source`) what the run reported as an article
   * error instead of storing: a source that can offer it again keeps it for the next run.
   */
  settle?(failed: ReadonlySet<string>): Promise<void>;
}

/**
 * Turns one article into the words of its digest. Async and allowed to fail per article, so a remote,
 * slow, fallible model fits the same seam as the embedded extractive summariser (the default). A
 * rejection skips that article only; reading times are computed by the core, not here.
 */
export interface Summarizer {
  /** `options.deadline` is the article's time budget: past it, reject (a remote one: abort the call). */
  summarize(article: Article, options?: SummarizeOptions): Promise<Summary>;
}

/** What the use case hands a summariser with each article. */
export interface SummarizeOptions {
  deadline?: { passed(): boolean };
}

/**
 * Outcome of a conditional archive write: `stored`, or `conflict` when another writer changed (or
 * created) the digest since it was read. Overlapping runs make a conflict an expected answer, so it is
 * a value, like the ledger's `ClaimOutcome`; an exception from the archive means something unexpected.
 */
export type ArchivePutOutcome = 'stored' | 'conflict';

/**
 * The history of published digests, read through indexes so a run costs what it changes, not what the
 * archive holds: whole digests by id, and compact entries (see `ArchiveEntry`) of every digest or of
 * those first seen after an instant. Only a whole-site render reads every digest.
 */
export interface Archive {
  /**
   * Every digest ever published, in any order: the whole-site render (a first run, new renderers or
   * settings) and `gazette unpublish`. An adapter that keeps its indexes on write also brings here onto
   * them any digest an earlier version stored without them, so the whole-site render an upgrade starts
   * with leaves the indexes complete.
   */
  list(): Promise<Digest[]>;
  /** The stored digests among `ids`, in any order (an id not stored is left out); a digest just put is seen. */
  get(ids: readonly string[]): Promise<Digest[]>;
  /** The entry of every stored digest (tombstones included), in any order, from the listing index alone. */
  entries(): Promise<ArchiveEntry[]>;
  /**
   * The entries of the digests first seen strictly after `instant` (an ISO string as `toISOString`
   * writes it), in any order: the editions' window, read through the first-seen index. An index may
   * lag a write by a moment; the run reads the digests it acts on through `get`.
   */
  entriesSeenAfter(instant: string): Promise<ArchiveEntry[]>;
  /**
   * Stores a digest only if the stored copy still has `expectedHash` as its contentHash (`undefined`
   * means: only if no digest with this id exists yet); otherwise writes nothing and answers `conflict`,
   * so two writers can never lose a digest.
   */
  put(digest: Digest, expectedHash: string | undefined): Promise<ArchivePutOutcome>;
}

/** Result of publishing site files. */
export interface PublishResult {
  /** Paths whose bytes changed and were written. */
  written: string[];
  /** Paths whose bytes were identical and were left alone (ETag stays put). */
  unchanged: string[];
}

/**
 * What the site was last rendered from, kept with the site itself (so a site folder or bucket emptied
 * by hand has none, and is rendered whole again). Present only while the site shows the archive as it
 * is: a run removes it before its first archive write and writes it again once the site is published,
 * so a run that dies in between leaves none and the next run renders the whole site.
 */
export interface SiteMark {
  /** The `siteFingerprint` (core/render/fingerprint.ts) of the renderers and settings the site was rendered with. */
  renderedWith: string;
  /** Digests on the site. */
  published: number;
}

/** Where the site and feeds go: a local folder or the S3 bucket. */
export interface SitePublisher {
  /**
   * Writes each file atomically, skipping files whose stored bytes are identical. Feeds are written
   * after pages so a reader never sees a feed entry whose page is missing.
   */
  publish(files: SiteFile[]): Promise<PublishResult>;
  /** Deletes these site paths (an unpublished digest's page); a path already gone is fine. */
  remove(paths: string[]): Promise<void>;
  /** The site's mark, or undefined when there is none (a new or emptied site, a run that died). */
  readMark(): Promise<SiteMark | undefined>;
  /** Replaces the mark; `undefined` removes it (the site may now lag the archive). */
  writeMark(mark: SiteMark | undefined): Promise<void>;
}

/** Who gets the editions. */
export interface SubscriberStore {
  /** Confirmed subscribers only, in a stable order, with their cadence choice and cursor. */
  listConfirmed(): Promise<Subscriber[]>;
  /**
   * Moves the subscriber's cursor forward to `cursor` (an ISO instant); never backward, so a late or
   * repeated call cannot make anyone receive a digest twice. Nothing happens for an unknown id.
   */
  advanceCursor(id: string, cursor: string): Promise<void>;
}

/** Outcome of trying to claim a (delivery, subscriber) pair. */
export type ClaimOutcome = 'claimed' | 'already-claimed';

/**
 * Remembers which (delivery, subscriber) pairs were mailed, so each pair is sent at most once even when
 * a run crashes and is retried. A delivery is one mail's content (see `delivery.ts`): a single digest
 * today, an edition of several digests later.
 */
export interface DeliveryLedger {
  /** Conditionally claims the pair before sending; `already-claimed` if any run claimed it before. */
  claim(deliveryId: DeliveryId, subscriberId: string, at: Date): Promise<ClaimOutcome>;
  /** Records the mail service's message id after a successful send. */
  markSent(deliveryId: DeliveryId, subscriberId: string, messageId: string, at: Date): Promise<void>;
  /** Records that the service refused this recipient for good; the pair is not tried again. */
  markFailed(deliveryId: DeliveryId, subscriberId: string, reason: string, at: Date): Promise<void>;
  /**
   * Drops a claim whose send definitely did not happen (throttled, quota, rejected before acceptance),
   * so the next run can try again. A claim left by a crash stays: at most once beats at least once.
   */
  release(deliveryId: DeliveryId, subscriberId: string): Promise<void>;
  /**
   * Every subscriber with a record for the delivery (sent, failed, or claimed and in doubt): exactly the
   * ones a claim would answer `already-claimed`. One query per delivery, so a resumed run skips what
   * was sent without a claim per pair.
   */
  sentSubscribers(deliveryId: DeliveryId): Promise<Set<string>>;
}

/**
 * What became of one send. Every expected answer of a mail service is a value here; an exception from
 * `send` means something unexpected (a bug, a network failure after which nobody knows whether the
 * message left).
 */
export type SendOutcome =
  | { kind: 'sent'; messageId: string }
  /** The service asked us to slow down; the same message may be retried after a pause. */
  | { kind: 'throttled'; detail: string }
  /** The daily quota is used up: stop sending, the rest waits for the next run. */
  | { kind: 'quota'; detail: string }
  /** This recipient is refused for good (bad or suppressed address); the others are unaffected. */
  | { kind: 'rejected-recipient'; detail: string }
  /**
   * The sender, the account or the configuration set is refused (unverified identity, MAIL FROM not
   * verified, sending paused, no such configuration set): no message can go out until the operator
   * acts, so the run stops with every claim released, exactly as for the quota.
   */
  | { kind: 'rejected-sender'; detail: string };

/** A send that did not go out. */
export type FailedSend = Exclude<SendOutcome, { kind: 'sent' }>;

/** Sends one rendered message. */
export interface Mailer {
  /** Sends the message; the outcome says whether it left and, if not, what to do next. */
  send(mail: OutgoingMail): Promise<SendOutcome>;
  /** Messages per second the service allows (read once per run); `Infinity` when unlimited. */
  maxSendRate(): Promise<number>;
}

/** Keeps two publisher runs from overlapping. */
export interface RunLease {
  /** Takes the lease for `ttlMs` unless another unexpired holder has it; true when taken. */
  acquire(owner: string, now: Date, ttlMs: number): Promise<boolean>;
  /** Gives the lease back early (only if `owner` still holds it). */
  release(owner: string): Promise<void>;
}

/** Waiting, passed in so tests do not wait for real. */
export type Sleep = (ms: number) => Promise<void>;

/** Severity of a log line. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured logging, passed in so the core never picks a logger (handlers adapt Powertools to it). */
export type Log = (level: LogLevel, message: string, data?: Record<string, unknown>) => void;
