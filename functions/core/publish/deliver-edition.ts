/**
 * "Send this edition to these recipients, each exactly once": the one seam between planning editions
 * and the mail service. Each copy is claimed in the ledger under (edition, subscriber) before it is
 * sent and recorded after; a delivered (or already claimed, or refused) copy moves the subscriber's
 * cursor to the edition's close. A queue-backed sender replaces this function without touching the plan.
 */
import { InvalidAddressError } from '../errors.js';
import type { PlannedEdition, EditionCopy } from '../editions/plan.js';
import { renderEditionEmail } from '../render/edition-email.js';
import type { MailConfig, OutgoingMail, SiteConfig } from '../model.js';
import { manageUrl, unsubscribeUrl } from '../subscriptions/links.js';
import type { TokenKeyring } from '../tokens.js';
import type { DeliveryId } from './delivery.js';
import type { Clock, DeliveryLedger, Log, Mailer, SendOutcome, Sleep, SubscriberStore } from './ports.js';

/** What delivering needs. */
export interface DeliverDeps {
  clock: Clock;
  ledger: DeliveryLedger;
  mailer: Mailer;
  subscribers: SubscriberStore;
  sleep: Sleep;
  random: () => number;
  log?: Log;
}

/** Settings of delivering. */
export interface DeliverSettings {
  site: SiteConfig;
  mail: MailConfig;
  keyring: TokenKeyring;
  /** Stop at this time and leave the rest (released) for the next run. */
  sendUntil?: Date;
}

/**
 * Why sending stopped early; `sender-rejected`: the operator must fix the sender or account first;
 * `in-doubt`: a send ended in an unexpected error, so nobody knows whether that copy left.
 */
export type StopReason = 'quota' | 'throttling' | 'deadline' | 'sender-rejected' | 'in-doubt';

/** What delivering one edition did. */
export interface DeliveryTally {
  sent: number;
  alreadySent: number;
  failed: number;
  /** Copies left for the next run because sending stopped (the copy in doubt is not one of them). */
  deferred: number;
  /** The copy whose send outcome is unknown, when sending stopped for that reason; it stays claimed. */
  inDoubt: { deliveryId: DeliveryId; subscriberId: string }[];
  stoppedBy?: StopReason;
}

type CopyOutcome = 'sent' | 'already-claimed' | 'rejected' | StopReason;

const MAX_SEND_ATTEMPTS = 6;
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 20_000;

/** Waits just long enough between sends to stay under the service's rate. */
export type Pacer = () => Promise<void>;

/** Delivers every copy of `planned`, in order, until done or until sending must stop. */
export async function deliverEdition(
  deps: DeliverDeps,
  settings: DeliverSettings,
  planned: PlannedEdition,
  pacer: Pacer,
): Promise<DeliveryTally> {
  const tally: DeliveryTally = { sent: 0, alreadySent: 0, failed: 0, deferred: 0, inDoubt: [] };
  for (const [index, copy] of planned.copies.entries()) {
    const outcome = await deliverCopy(deps, settings, planned, copy, pacer);
    if (outcome === 'sent') tally.sent += 1;
    else if (outcome === 'already-claimed') tally.alreadySent += 1;
    else if (outcome === 'rejected') tally.failed += 1;
    else {
      tally.stoppedBy = outcome;
      tally.deferred = planned.copies.length - index;
      if (outcome === 'in-doubt') {
        // The copy in doubt keeps its claim: it is reported as such, not left for the next run.
        tally.inDoubt.push({ deliveryId: planned.edition.id, subscriberId: copy.subscriber.id });
        tally.deferred -= 1;
      }
      return tally;
    }
    // Delivered, claimed by an earlier (crashed) run, or refused for good: either way this edition is
    // settled for them, so their stream moves on (the ledger, not the cursor, guards the copy itself).
    await deps.subscribers.advanceCursor(copy.subscriber.id, planned.closeAt.toISOString());
  }
  return tally;
}

function render(deps: DeliverDeps, settings: DeliverSettings, planned: PlannedEdition, copy: EditionCopy): OutgoingMail {
  const now = deps.clock.now();
  return renderEditionEmail({
    edition: { ...planned.edition, digests: copy.digests },
    subscriberId: copy.subscriber.id,
    to: copy.subscriber.email,
    site: settings.site,
    mail: settings.mail,
    unsubscribeUrl: unsubscribeUrl(settings.site, settings.keyring, copy.subscriber.id, now),
    manageUrl: manageUrl(settings.site, settings.keyring, copy.subscriber.id, now),
    date: now,
  });
}

/** Claims, renders and sends one copy, retrying throttling with exponential backoff and jitter. */
async function deliverCopy(
  deps: DeliverDeps,
  settings: DeliverSettings,
  planned: PlannedEdition,
  copy: EditionCopy,
  pacer: Pacer,
): Promise<CopyOutcome> {
  const log = deps.log ?? (() => undefined);
  const subscriber = copy.subscriber.id;
  const delivery = planned.edition.id;
  // Render before claiming: a message that cannot be built must not leave a claim behind.
  let mail: OutgoingMail;
  try {
    mail = render(deps, settings, planned, copy);
  } catch (error) {
    // One unusable address is one failed recipient, never a failed run.
    if (!(error instanceof InvalidAddressError)) throw error;
    log('warn', 'recipient address unusable; skipped', { edition: delivery, subscriber });
    return 'rejected';
  }
  if ((await deps.ledger.claim(delivery, subscriber, deps.clock.now())) === 'already-claimed') return 'already-claimed';
  for (let attempt = 1; ; attempt += 1) {
    await pacer();
    if (settings.sendUntil && deps.clock.now() >= settings.sendUntil) {
      await deps.ledger.release(delivery, subscriber);
      return 'deadline';
    }
    let outcome: SendOutcome;
    try {
      outcome = await deps.mailer.send(mail);
      if (outcome.kind === 'sent') await deps.ledger.markSent(delivery, subscriber, outcome.messageId, deps.clock.now());
    } catch (error) {
      // Unexpected (a network failure, a lost response, a ledger that failed after the send): the
      // message may or may not have left. The claim stays (at most once) and the run stops rather
      // than guessing for every other subscriber.
      log('error', 'send outcome unknown; the pair stays claimed (in doubt)', {
        edition: delivery,
        subscriber,
        error: error instanceof Error ? error.message : String(error),
      });
      return 'in-doubt';
    }
    switch (outcome.kind) {
      case 'sent':
        return 'sent';
      case 'rejected-recipient':
        await deps.ledger.markFailed(delivery, subscriber, outcome.detail, deps.clock.now());
        log('warn', 'recipient rejected', { edition: delivery, subscriber, error: outcome.detail });
        return 'rejected';
      case 'throttled':
        if (attempt < MAX_SEND_ATTEMPTS) {
          await deps.sleep(backoffMs(attempt, deps.random));
          continue;
        }
        await deps.ledger.release(delivery, subscriber);
        return 'throttling';
      case 'quota':
      case 'rejected-sender':
        // Nothing can go out until the quota returns or the operator fixes the sender: stop, release.
        await deps.ledger.release(delivery, subscriber);
        log(outcome.kind === 'quota' ? 'warn' : 'error', 'mail service refused to send', { reason: outcome.kind, error: outcome.detail });
        return outcome.kind === 'quota' ? 'quota' : 'sender-rejected';
    }
  }
}

/** "Full jitter" backoff: a random wait up to base·2^attempt, capped. */
function backoffMs(attempt: number, random: () => number): number {
  return Math.floor(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
}

/** A pacer that keeps sends under `maxPerSecond` (none when the service is unlimited). */
export function createPacer(deps: Pick<DeliverDeps, 'clock' | 'sleep'>, maxPerSecond: number): Pacer {
  if (!Number.isFinite(maxPerSecond) || maxPerSecond <= 0) return async () => undefined;
  const intervalMs = 1000 / maxPerSecond;
  let nextAllowed = 0;
  return async () => {
    const now = deps.clock.now().getTime();
    if (nextAllowed > now) await deps.sleep(nextAllowed - now);
    nextAllowed = Math.max(now, nextAllowed) + intervalMs;
  };
}
