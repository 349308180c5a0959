/**
 * `subscribe` and `sendConfirmation`: the first half of double opt-in, in two steps.
 *
 * Decisions, each for a reason:
 * - The answer is the same for every well-formed address whatever its state (new, pending, confirmed,
 *   unsubscribed, bounced, complained), for a filled honeypot, and even when the confirmation mail could
 *   not be sent: any difference would tell a stranger whether an address is on the list.
 * - The answer also takes the same time: `subscribe` only checks the request and queues a
 *   confirmation job for every well-formed address, without looking at the list; `sendConfirmation`
 *   decides and sends after the answer (an SQS worker on AWS, the same process after the response
 *   locally). Deciding inline answered in 11–12 ms when a mail went out and 3–4 ms when not.
 * - Only a new, pending or unsubscribed address gets a confirmation mail, at most one per address per
 *   24 h. The store enforces both in one conditional write, so concurrent requests cannot both send.
 * - An unsubscribed address that subscribes again becomes pending and must confirm again (its consent
 *   was withdrawn, so it has to be given anew). Bounced and complained addresses get nothing: mailing
 *   them again is exactly what harms the sender's reputation.
 * - A malformed address is refused (`InvalidAddressError`, a 400 with a generic message): that reveals
 *   nothing about the list, and it lets a person fix a typo.
 */
import type { Cadence } from '../editions/edition.js';
import type { MailConfig, SiteConfig } from '../model.js';
import type { Mailer, SendOutcome } from '../publish/ports.js';
import { currentSecret, type TokenKeyring } from '../tokens.js';
import { clientThrottleKey } from './client-key.js';
import { normaliseAddress, storedSubscriberId } from './address.js';
import { TooManyRequestsError } from './errors.js';
import { confirmUrl } from './links.js';
import type { ConfirmationMailRenderer, Log, RateLimiter, RollingCounter, SubscriptionStore } from './ports.js';

/** At most one confirmation mail per address in this window. */
export const CONFIRMATION_COOLDOWN_MS = 24 * 60 * 60 * 1000;

/** Default per-IP throttle: this many subscribe requests per window. */
export const DEFAULT_IP_THROTTLE = { limit: 10, windowMs: 10 * 60 * 1000 } as const;

/** The per-IP throttle: at most `limit` subscribe requests per `windowMs` from one address. */
export interface IpThrottle {
  limiter: RateLimiter;
  limit: number;
  windowMs: number;
}

/**
 * The global cap on confirmation mails: at most `limit()` in any rolling 24 hours, whatever the
 * addresses. `limit` is asked per request (the AWS side lowers it to a tenth of the SES daily quota).
 */
export interface ConfirmationCap {
  counter: RollingCounter;
  limit(): Promise<number>;
}

/** The event counted (a metric on AWS) when a subscribe request finds the cap reached. */
export const CONFIRMATION_CAP_REACHED = 'ConfirmationCapReached';

/** The window of the confirmation cap. */
export const CONFIRMATION_CAP_WINDOW_MS = 24 * 60 * 60 * 1000;

/** One queued confirmation: a well-formed address somebody asked to subscribe. */
export interface ConfirmationJob {
  /** The normalised address. */
  email: string;
  /** The cadence the person chose on the form, if any (stored with a new or pending sign-up only). */
  cadence?: Cadence;
}

/**
 * Where `subscribe` leaves its jobs for `sendConfirmation`: an SQS queue on AWS, the same process after
 * the response locally. An error from `enqueue` is a failed request (500), never a different answer.
 */
export interface ConfirmationQueue {
  enqueue(job: ConfirmationJob): Promise<void>;
}

/** What `subscribe` (the answering half) needs. */
export interface SubscribeRequestDeps {
  keyring: TokenKeyring;
  confirmations: ConfirmationQueue;
  /** Per-IP throttle; absent means none (the API stage throttle still applies on AWS). */
  throttle?: IpThrottle;
  log?: Log;
}

/** What `sendConfirmation` (the deciding and sending half) needs. */
export interface SubscribeDeps {
  store: Pick<SubscriptionStore, 'get' | 'reserveConfirmation' | 'releaseConfirmation'>;
  mailer: Pick<Mailer, 'send'>;
  renderConfirmation: ConfirmationMailRenderer;
  keyring: TokenKeyring;
  /** The subscriber id key (see `subscriberIdFor`). */
  idKey: string;
  site: SiteConfig;
  mail: MailConfig;
  /** The global cap on confirmation mails; absent means none (tests of other rules). */
  cap?: ConfirmationCap;
  /** Counts an event an operator alarms on (`ConfirmationCapReached`); metrics on AWS. */
  count?: (event: typeof CONFIRMATION_CAP_REACHED) => void;
  log?: Log;
}

/** One subscribe request as the handler parsed it. */
export interface SubscribeRequest {
  /** The address as typed. */
  email: string;
  /** The hidden `website` field; people leave it empty, form-filling bots do not. */
  honeypot?: string;
  /** Client IP, for the per-client throttle only (IPv6 by its /64; a keyed hash, never stored in clear). */
  ip?: string;
  /** The cadence the form offered and the person chose (already checked against the enabled ones). */
  cadence?: Cadence;
}

/** What `sendConfirmation` did, for logs and tests only: the answer was given before it ran. */
export type SubscribeOutcome = 'mailed' | 'not-mailed' | 'mail-failed' | 'capped';

/**
 * Answers a subscribe request: queues a confirmation job for a well-formed address, whatever its state,
 * without reading the list. Resolves to `queued` or `honeypot` (private, for logs and tests); throws
 * `InvalidAddressError` for a malformed address and `TooManyRequestsError` when the client's IP is over
 * its limit.
 */
export async function subscribe(deps: SubscribeRequestDeps, request: SubscribeRequest, now: Date): Promise<'queued' | 'honeypot'> {
  if (deps.throttle && request.ip) {
    // Keyed with the token secret: the key only has to be stable per window, and a rotation merely
    // starts fresh counters.
    const key = clientThrottleKey(request.ip, currentSecret(deps.keyring));
    const allowed = await deps.throttle.limiter.hit(key, now, deps.throttle.windowMs, deps.throttle.limit);
    if (!allowed) throw new TooManyRequestsError();
  }
  if (request.honeypot !== undefined && request.honeypot.trim() !== '') {
    deps.log?.('info', 'subscribe: honeypot filled, ignored');
    return 'honeypot';
  }
  await deps.confirmations.enqueue({ email: normaliseAddress(request.email), ...(request.cadence ? { cadence: request.cadence } : {}) });
  return 'queued';
}

/**
 * Decides what a queued confirmation job gets and sends it: a new, pending or unsubscribed address one
 * confirmation mail per 24 h, within the global cap; anything else nothing.
 */
export async function sendConfirmation(deps: SubscribeDeps, job: ConfirmationJob, now: Date): Promise<SubscribeOutcome> {
  // Normalised again: a job is input (a queue message), and normalising is idempotent.
  const email = normaliseAddress(job.email);
  const id = await storedSubscriberId(deps.store, email, deps.idKey);
  const cooldownStart = new Date(now.getTime() - CONFIRMATION_COOLDOWN_MS);
  if (!(await deps.store.reserveConfirmation(id, email, now, cooldownStart, job.cadence))) {
    deps.log?.('info', 'subscribe: no confirmation mail (cooldown or state)', { subscriberId: id });
    return 'not-mailed';
  }
  if (deps.cap && !(await deps.cap.counter.take('confirmations', now, CONFIRMATION_CAP_WINDOW_MS, await deps.cap.limit()))) {
    // Same neutral answer as ever; the address may ask again once the cap has room (slot freed).
    await deps.store.releaseConfirmation(id, now);
    deps.count?.(CONFIRMATION_CAP_REACHED);
    deps.log?.('warn', 'subscribe: confirmation cap reached; no mail sent', { subscriberId: id });
    return 'capped';
  }
  let mail;
  try {
    mail = deps.renderConfirmation({
      to: email,
      confirmUrl: confirmUrl(deps.site, deps.keyring, id, now),
      site: deps.site,
      mail: deps.mail,
      date: now,
      // One reservation, one id: stable for this mail, unique across mails (the cooldown spaces them).
      messageId: `confirm.${id}.${Math.floor(now.getTime() / 1000)}@${deps.mail.fromAddress.slice(deps.mail.fromAddress.lastIndexOf('@') + 1)}`,
    });
  } catch (error) {
    // A rendering bug is ours, not the person's: free the slot and let it surface as a 500.
    await deps.store.releaseConfirmation(id, now);
    throw error;
  }
  let outcome: SendOutcome;
  try {
    outcome = await deps.mailer.send(mail);
  } catch (error) {
    // Unexpected: the mail may have left, so the slot stays (the cautious side).
    deps.log?.('error', 'subscribe: confirmation mail failed', { subscriberId: id, error: String(error) });
    return 'mail-failed';
  }
  if (outcome.kind !== 'sent') {
    // The mail surely did not leave unless the recipient itself was refused: free the slot so the
    // person can try again now, not in 24 h. A refused recipient keeps it.
    if (outcome.kind !== 'rejected-recipient') await deps.store.releaseConfirmation(id, now);
    deps.log?.('error', 'subscribe: confirmation mail not sent', { subscriberId: id, reason: outcome.kind, error: outcome.detail });
    return 'mail-failed';
  }
  deps.log?.('info', 'subscribe: confirmation mail sent', { subscriberId: id });
  return 'mailed';
}
