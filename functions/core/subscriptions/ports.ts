/**
 * The ports the subscription use cases call, declared beside them (the core owns its ports). The local
 * adapter is functions/adapters/local/local-subscriptions.ts, the AWS one
 * functions/adapters/aws/dynamodb-subscribers.ts; both also implement the publish port `SubscriberStore`.
 */
import type { Cadence, CadencePreference } from '../editions/edition.js';
import type { OutgoingMail, Subscriber, SubscriberStatus } from '../model.js';
import type { ConfirmationEmailInput } from '../render/email.js';

/** Where a subscriber came from, kept for the consent record. */
export type SubscriberSource = 'form' | 'operator' | 'import';

/** Everything we store about one subscriber. Times are ISO 8601 strings. */
export interface SubscriberRecord {
  /** `subscriberIdFor(email, idKey)`, or for a record stored before ids were keyed `legacySubscriberIdFor(email)`. */
  id: string;
  /** The normalised address, local part as the person last typed it. */
  email: string;
  status: SubscriberStatus;
  /** Absent only for rows an operator wrote by hand into the local file. */
  createdAt?: string;
  updatedAt?: string;
  /** When the last confirmation mail was reserved (drives the 24 h cooldown). */
  lastConfirmationAt?: string;
  confirmedAt?: string;
  source?: SubscriberSource;
  /** Operator-supplied consent note (`add --note`, CSV `note` column). Never rendered into mail. */
  consentNote?: string;
  /** Why the status last changed when it was not the subscriber's own action (bounce type, complaint). */
  statusReason?: string;
  /** Cadence choice (absent: the operator's defaults). */
  cadence?: Subscriber['cadence'];
  timeZone?: string;
  hour?: number;
  weekday?: Subscriber['weekday'];
  /** Position in the stream of digests (see `Subscriber.cursor`); only ever moves forward. */
  cursor?: string;
}

/** What a conditional status change did. */
export type TransitionResult =
  { outcome: 'changed'; record: SubscriberRecord } | { outcome: 'unchanged'; record: SubscriberRecord } | { outcome: 'missing' };

/** Fields a transition may also set, and what to create when the record does not exist yet. */
export interface TransitionOptions {
  /** Create the record with this address (and the target status) when no record has the id. */
  createWith?: { email: string; source: SubscriberSource };
  /** Recorded as `statusReason`. */
  reason?: string;
  /** Stamp `confirmedAt` (used when the target is `confirmed`). */
  stampConfirmedAt?: boolean;
  /** Sets the consent note (operator add and import), on a created or an existing record. */
  consentNote?: string;
}

/** Subscriber storage as the subscription use cases need it. Every write is conditional. */
export interface SubscriptionStore {
  get(id: string): Promise<SubscriberRecord | undefined>;
  /** Every record, sorted by id. */
  listAll(): Promise<SubscriberRecord[]>;
  /**
   * In ONE conditional write: if no record has `id`, or its status is `pending` or `unsubscribed`, AND
   * no confirmation was reserved at or after `cooldownStart`, then make it `pending` with `email`, stamp
   * `lastConfirmationAt = now` and answer true. Otherwise change nothing and answer false. Concurrent
   * callers for the same id therefore get at most one true per cooldown window. `cadence` (the form's
   * choice) is stored with the reservation only, so nobody can change a confirmed reader's cadence.
   */
  reserveConfirmation(id: string, email: string, now: Date, cooldownStart: Date, cadence?: Cadence): Promise<boolean>;
  /**
   * Undoes a reservation whose mail definitely did not go out (only if `lastConfirmationAt` still
   * equals `reservedAt`), so the person can try again at once instead of after 24 h.
   */
  releaseConfirmation(id: string, reservedAt: Date): Promise<void>;
  /**
   * Sets `status = to` only if the current status is one of `from` (or, with `createWith`, if there is
   * no record). Answers what happened and the record as it now stands.
   */
  transition(
    id: string,
    from: readonly SubscriberStatus[],
    to: SubscriberStatus,
    now: Date,
    options?: TransitionOptions,
  ): Promise<TransitionResult>;
  /** Deletes the record; true if there was one. */
  remove(id: string): Promise<boolean>;
  /**
   * Stores the subscriber's cadence choice (the cursor stays: a switch neither loses nor repeats a
   * digest). Answers the record as it now stands, or `undefined` when there is none.
   */
  setPreference(id: string, preference: CadencePreference, now: Date): Promise<SubscriberRecord | undefined>;
}

/**
 * Remembers which SES notifications were processed, so a duplicate delivery by SNS is handled once.
 * The AWS adapter keeps `ses-event#<key>` items with a TTL in the state table.
 */
export interface FeedbackLedger {
  /** Whether the notification `key` was applied completely (and is still remembered at `now`). */
  isDone(key: string, now: Date): Promise<boolean>;
  /** Records, after applying it, that `key` was applied completely; remembered until `expiresAt`. */
  markDone(key: string, now: Date, expiresAt: Date): Promise<void>;
}

/**
 * Counts events per key in a rolling window, for a cap that must hold across all callers (the
 * confirmation mails of any 24 hours). Buckets of an hour: a unit counts for between 23 and 24 hours.
 */
export interface RollingCounter {
  /** Counts one event unless `limit` were counted in the window up to `now`; true when counted. */
  take(key: string, now: Date, windowMs: number, limit: number): Promise<boolean>;
}

/**
 * Counts requests per key in fixed windows (per-IP throttling of the subscribe endpoint, on top of the
 * API stage throttling). Answers false once `limit` hits were counted in the current window.
 */
export interface RateLimiter {
  hit(key: string, now: Date, windowMs: number, limit: number): Promise<boolean>;
}

/**
 * Renders the confirmation mail (`renderConfirmationEmail` in production; its input type is reused so
 * the two cannot drift). Only the address and the link come from the subscriber side.
 */
export type ConfirmationMailRenderer = (input: ConfirmationEmailInput) => OutgoingMail;

/** The publish use case's log function; both use cases log alike. */
export type { Log } from '../publish/ports.js';

/** The publish port's view of a record: who, and their cadence choice and cursor where set. */
export function toSubscriber(record: SubscriberRecord): Subscriber {
  const { id, email, status, cadence, timeZone, hour, weekday, cursor, confirmedAt } = record;
  const optional = { cadence, timeZone, hour, weekday, cursor, confirmedAt };
  return {
    id,
    email,
    status,
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
  };
}
