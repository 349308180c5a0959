/**
 * `recordSesEvent`: SES bounce and complaint feedback (CHECKLIST #4 and the failures list).
 *
 * Accepts both SES formats: configuration-set event publishing (`eventType`) and identity notifications
 * (`notificationType`). Rules:
 * - `Bounce` with `bounceType: Permanent` → `bounced` (from pending, confirmed or unsubscribed).
 * - `Bounce` with `Transient` (out-of-office, mailbox full) or `Undetermined` → nothing changes.
 * - `Complaint` → `complained` (the strongest stop; it also overrides `bounced`).
 * - Anything else (Delivery, Send, Reject, Rendering Failure, …) → logged, nothing changes.
 * - A notification is processed once: a conditional claim of its feedback id (or message id + type)
 *   comes first; a duplicate SNS delivery finds the claim and stops. If applying fails, the claim is
 *   released so SNS's retry can do the work.
 * - Recipients are matched by `subscriberIdFor(normaliseAddress(recipient))`; unknown addresses and
 *   unparsable recipients are skipped, never created.
 */
import { z } from 'zod';
import { InvalidAddressError } from '../errors.js';
import type { SubscriberStatus } from '../model.js';
import { normaliseAddress, subscriberIdFor } from './address.js';
import type { FeedbackLedger, Log, SubscriptionStore } from './ports.js';

/** How long a processed notification is remembered (SNS retries end long before). */
export const FEEDBACK_DEDUP_MS = 14 * 24 * 60 * 60 * 1000;

/** What `recordSesEvent` needs. */
export interface FeedbackDeps {
  store: Pick<SubscriptionStore, 'transition'>;
  ledger: FeedbackLedger;
  log?: Log;
}

const recipients = z.array(z.looseObject({ emailAddress: z.string() })).default([]);

// Only the fields we read; SES adds more over time, so unknown keys are allowed.
const notificationSchema = z.looseObject({
  eventType: z.string().optional(),
  notificationType: z.string().optional(),
  mail: z.looseObject({ messageId: z.string().optional() }).optional(),
  bounce: z
    .looseObject({
      bounceType: z.string(),
      bounceSubType: z.string().optional(),
      feedbackId: z.string().optional(),
      bouncedRecipients: recipients,
    })
    .optional(),
  complaint: z
    .looseObject({
      feedbackId: z.string().optional(),
      complaintFeedbackType: z.string().optional(),
      complainedRecipients: recipients,
    })
    .optional(),
});

/** What happened to one notification. */
export interface FeedbackResult {
  outcome: 'applied' | 'ignored' | 'duplicate';
  /** Subscribers whose status changed. */
  changed: number;
}

/** The plain address inside `"Name" <addr>` or `addr`; SES normally gives the bare address. */
function bareAddress(value: string): string {
  const angle = /<([^<>]*)>\s*$/.exec(value);
  return angle?.[1] ?? value;
}

/**
 * Applies one SES notification (already JSON-parsed from the SNS message). Throws a `ZodError` for a
 * message that is not an SES notification at all, so it shows up in the function's errors.
 */
export async function recordSesEvent(deps: FeedbackDeps, notification: unknown, now: Date): Promise<FeedbackResult> {
  const event = notificationSchema.parse(notification);
  const type = event.eventType ?? event.notificationType ?? 'unknown';

  let target: SubscriberStatus;
  let from: SubscriberStatus[];
  let addresses: string[];
  let feedbackId: string | undefined;
  let reason: string;
  if (type === 'Bounce' && event.bounce) {
    if (event.bounce.bounceType !== 'Permanent') {
      deps.log?.('info', 'ses: non-permanent bounce ignored', { bounceType: event.bounce.bounceType, subType: event.bounce.bounceSubType });
      return { outcome: 'ignored', changed: 0 };
    }
    target = 'bounced';
    from = ['pending', 'confirmed', 'unsubscribed'];
    addresses = event.bounce.bouncedRecipients.map((recipient) => recipient.emailAddress);
    feedbackId = event.bounce.feedbackId;
    reason = `bounce: Permanent/${event.bounce.bounceSubType ?? 'General'}`;
  } else if (type === 'Complaint' && event.complaint) {
    target = 'complained';
    from = ['pending', 'confirmed', 'unsubscribed', 'bounced'];
    addresses = event.complaint.complainedRecipients.map((recipient) => recipient.emailAddress);
    feedbackId = event.complaint.feedbackId;
    reason = `complaint: ${event.complaint.complaintFeedbackType ?? 'unspecified'}`;
  } else {
    deps.log?.('info', 'ses: event type ignored', { type });
    return { outcome: 'ignored', changed: 0 };
  }

  const messageId = event.mail?.messageId;
  const key = feedbackId ?? (messageId ? `${messageId}:${type}` : undefined);
  if (key !== undefined && !(await deps.ledger.claim(key, now, new Date(now.getTime() + FEEDBACK_DEDUP_MS)))) {
    deps.log?.('info', 'ses: duplicate notification skipped', { key });
    return { outcome: 'duplicate', changed: 0 };
  }
  if (key === undefined) deps.log?.('warn', 'ses: notification without feedback or message id; cannot de-duplicate', { type });

  try {
    let changed = 0;
    for (const address of addresses) {
      let id: string;
      try {
        id = subscriberIdFor(normaliseAddress(bareAddress(address)));
      } catch (error) {
        if (!(error instanceof InvalidAddressError)) throw error;
        deps.log?.('warn', 'ses: unparsable recipient skipped', { reason: error.reason });
        continue;
      }
      const result = await deps.store.transition(id, from, target, now, { reason });
      if (result.outcome === 'changed') changed += 1;
      deps.log?.('info', `ses: ${type.toLowerCase()} recorded`, { subscriberId: id, outcome: result.outcome });
    }
    return { outcome: 'applied', changed };
  } catch (error) {
    if (key !== undefined) await deps.ledger.release(key);
    throw error;
  }
}
