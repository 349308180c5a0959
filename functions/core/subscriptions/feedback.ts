/**
 * `recordFeedback`: what bounces and complaints do to the list. The mail service's own format is read
 * by its adapter (functions/adapters/aws/ses-notification.ts); this is the rule book:
 * - a hard bounce → `bounced` (from pending, confirmed or unsubscribed);
 * - a soft bounce (out-of-office, mailbox full) → nothing changes;
 * - a complaint → `complained` (the strongest stop; it also overrides `bounced`);
 * - anything else (delivery, send, reject, rendering failure, …) → logged, nothing changes.
 *
 * A notification is applied once. Completion is recorded *after* applying, so an invocation that dies
 * half way leaves no mark and the retry applies it again; a re-delivery of a completed one stops at the
 * mark. Two deliveries racing may both apply, which is harmless: every transition is conditional on
 * the current status, so the second changes nothing.
 *
 * Recipients are matched by `storedSubscriberId(normaliseAddress(recipient))`; unknown addresses and
 * unparsable recipients are skipped, never created.
 */
import { InvalidAddressError } from '../errors.js';
import type { SubscriberStatus } from '../model.js';
import { normaliseAddress, storedSubscriberId } from './address.js';
import type { FeedbackLedger, Log, SubscriptionStore } from './ports.js';

/** How long a processed notification is remembered (SNS retries end long before). */
export const FEEDBACK_DEDUP_MS = 14 * 24 * 60 * 60 * 1000;

/** One piece of feedback from the mail service, in domain terms. */
export type FeedbackEvent =
  | {
      kind: 'hard-bounce' | 'soft-bounce' | 'complaint';
      /** Recipient addresses as the service gave them (possibly `"Name" <addr>`). */
      recipients: string[];
      /** Identifies the notification across re-deliveries; absent when the service gave no id. */
      key: string | undefined;
      /** Kept as the subscriber's status reason, e.g. `bounce: Permanent/General`. */
      reason: string;
    }
  | { kind: 'other'; type: string };

/** What `recordFeedback` needs. */
export interface FeedbackDeps {
  store: Pick<SubscriptionStore, 'get' | 'transition'>;
  /** The subscriber id key: recipients are matched by the id of their address. */
  idKey: string;
  ledger: FeedbackLedger;
  log?: Log;
}

/** What happened to one notification. */
export interface FeedbackResult {
  outcome: 'applied' | 'ignored' | 'duplicate';
  /** Subscribers whose status changed. */
  changed: number;
}

/** The status each stopping kind leads to, and the statuses it may change. */
const STOPS: Record<'hard-bounce' | 'complaint', { target: SubscriberStatus; from: SubscriberStatus[] }> = {
  'hard-bounce': { target: 'bounced', from: ['pending', 'confirmed', 'unsubscribed'] },
  complaint: { target: 'complained', from: ['pending', 'confirmed', 'unsubscribed', 'bounced'] },
};

/** The plain address inside `"Name" <addr>` or `addr`; services normally give the bare address. */
function bareAddress(value: string): string {
  const angle = /<([^<>]*)>\s*$/.exec(value);
  return angle?.[1] ?? value;
}

/** Applies one feedback event to the list, once (see the module comment). */
export async function recordFeedback(deps: FeedbackDeps, event: FeedbackEvent, now: Date): Promise<FeedbackResult> {
  if (event.kind === 'other' || event.kind === 'soft-bounce') {
    deps.log?.('info', 'feedback ignored', event.kind === 'other' ? { type: event.type } : { reason: event.reason });
    return { outcome: 'ignored', changed: 0 };
  }
  const { key } = event;
  if (key !== undefined && (await deps.ledger.isDone(key, now))) {
    deps.log?.('info', 'feedback: duplicate notification skipped', { key });
    return { outcome: 'duplicate', changed: 0 };
  }
  if (key === undefined) deps.log?.('warn', 'feedback: notification without an id; cannot de-duplicate', { kind: event.kind });

  const { target, from } = STOPS[event.kind];
  let changed = 0;
  for (const address of event.recipients) {
    let id: string;
    try {
      id = await storedSubscriberId(deps.store, normaliseAddress(bareAddress(address)), deps.idKey);
    } catch (error) {
      if (!(error instanceof InvalidAddressError)) throw error;
      deps.log?.('warn', 'feedback: unparsable recipient skipped', { reason: error.reason });
      continue;
    }
    const result = await deps.store.transition(id, from, target, now, { reason: event.reason });
    if (result.outcome === 'changed') changed += 1;
    deps.log?.('info', `feedback: ${event.kind} recorded`, { subscriberId: id, outcome: result.outcome });
  }
  if (key !== undefined) await deps.ledger.markDone(key, now, new Date(now.getTime() + FEEDBACK_DEDUP_MS));
  return { outcome: 'applied', changed };
}
