/**
 * "Send this edition to these recipients, each exactly once": the one seam between planning editions
 * and the mail service. The copies that share a digest list share one mail, rendered once into a
 * template (`mailTemplateOf`) and personalised per recipient by the sending engine (functions/core/send),
 * which claims each (edition, subscriber) pair in the ledger before its send and records it after. A
 * resumed edition reads what the ledger already settled with one query (`sentSubscribers`), not a claim
 * per pair. A settled copy (delivered, settled earlier, or refused for good) moves the subscriber's
 * cursor to the edition's close.
 */
import type { EditionCopy, PlannedEdition } from '../editions/plan.js';
import type { Digest, MailConfig, SiteConfig } from '../model.js';
import { editionEmailParts, editionMessageParts } from '../render/edition-email.js';
import { ConcurrentSender } from '../send/concurrent-sender.js';
import type { DeliveryDispatcher, DeliveryJob, JobReport, Recipient } from '../send/ports.js';
import { inFlightFor, limiterFor } from '../send/rate-limiter.js';
import { mailTemplateOf, type MailTemplate } from '../send/template.js';
import { manageUrl, unsubscribeUrl } from '../subscriptions/links.js';
import type { TokenKeyring } from '../tokens.js';
import type { DeliveryId } from './delivery.js';
import type { Clock, DeliveryLedger, Log, Mailer, Sleep, SubscriberStore } from './ports.js';

import type { StopReason } from '../send/ports.js';

export type { StopReason };

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

/** What delivering one edition did. */
export interface DeliveryTally {
  /** Copies mailed; with a queue-backed dispatcher, copies enqueued for the sender function. */
  sent: number;
  alreadySent: number;
  failed: number;
  /** Copies left for the next run because sending stopped (the copies in doubt are not among them). */
  deferred: number;
  /** The copies whose send outcome is unknown, when sending stopped for that reason; they stay claimed. */
  inDoubt: { deliveryId: DeliveryId; subscriberId: string }[];
  stoppedBy?: StopReason;
}

/**
 * Delivers every copy of `planned` through `dispatcher` (the in-process {@link inProcessDispatcher}, or
 * the send queue), until done or until sending must stop.
 */
export async function deliverEdition(
  deps: DeliverDeps,
  settings: DeliverSettings,
  planned: PlannedEdition,
  dispatcher: DeliveryDispatcher,
): Promise<DeliveryTally> {
  const tally: DeliveryTally = { sent: 0, alreadySent: 0, failed: 0, deferred: 0, inDoubt: [] };
  const editionId = planned.edition.id;
  if (planned.copies.length === 0) return tally;
  // Sent, refused or in doubt in an earlier run: settled, so only their cursors may still lag behind.
  const settled = await deps.ledger.sentSubscribers(editionId);
  const pending: EditionCopy[] = [];
  for (const copy of planned.copies) {
    if (!settled.has(copy.subscriber.id)) pending.push(copy);
    else {
      tally.alreadySent += 1;
      await advance(deps, planned, copy.subscriber.id);
    }
  }
  if (pending.length === 0) return tally;
  const jobs = editionJobs(deps, settings, planned, pending);
  // Each cursor moves as soon as its copy is settled. In-process that is: delivered, claimed by an
  // earlier (crashed) run, or refused for good; the ledger, not the cursor, guards the copy itself.
  // With the send queue it is: enqueued. The cursor moves at enqueue, and the sender's ledger claim
  // keeps each copy exactly once however often SQS delivers its message (a failed enqueue throws
  // before any cursor of that job moves, and the next run plans those copies again).
  const reports = await dispatcher.dispatch(jobs, (_job, recipient) => advance(deps, planned, recipient.subscriberId));
  for (const report of reports) addReport(tally, editionId, report);
  return tally;
}

function advance(deps: DeliverDeps, planned: PlannedEdition, subscriberId: string): Promise<void> {
  return deps.subscribers.advanceCursor(subscriberId, planned.closeAt.toISOString());
}

function addReport(tally: DeliveryTally, editionId: DeliveryId, report: JobReport): void {
  tally.sent += report.sent + report.enqueued;
  tally.alreadySent += report.alreadySent;
  tally.failed += report.failed;
  tally.deferred += report.deferred.length;
  tally.inDoubt.push(...report.inDoubt.map(({ subscriberId }) => ({ deliveryId: editionId, subscriberId })));
  // An unknown outcome is what the operator must look at first, whatever else stopped a job.
  if (report.stoppedBy && tally.stoppedBy !== 'in-doubt') tally.stoppedBy = report.stoppedBy;
}

/**
 * One job per distinct digest list among `copies` (cursors make lists differ: someone who subscribed
 * mid-period gets only the digests after their cursor), in the order the plan lists the copies.
 */
function editionJobs(deps: DeliverDeps, settings: DeliverSettings, planned: PlannedEdition, copies: EditionCopy[]): DeliveryJob[] {
  const groups = new Map<string, { digests: readonly Digest[]; recipients: Recipient[] }>();
  for (const copy of copies) {
    const key = copy.digests.map((digest) => digest.id).join('\n');
    const group = groups.get(key) ?? { digests: copy.digests, recipients: [] };
    group.recipients.push({ subscriberId: copy.subscriber.id, email: copy.subscriber.email });
    groups.set(key, group);
  }
  const date = deps.clock.now();
  return [...groups.values()].map(({ digests, recipients }) => ({
    delivery: { deliveryId: planned.edition.id, template: editionTemplate(settings, planned, digests, date) },
    recipients,
  }));
}

/** The edition email for one digest list, rendered once with the recipient's parts left open. */
export function editionTemplate(
  settings: Pick<DeliverSettings, 'site' | 'mail'>,
  planned: PlannedEdition,
  digests: readonly Digest[],
  date: Date,
): MailTemplate {
  const edition = { ...planned.edition, digests: [...digests] };
  return mailTemplateOf((recipient) => {
    const links = { unsubscribeUrl: recipient.unsubscribeUrl, manageUrl: recipient.manageUrl };
    const parts = editionEmailParts(edition, links, settings.site, settings.mail);
    return editionMessageParts(parts, { to: recipient.to, subscriberId: recipient.subscriberId, date });
  });
}

/**
 * The concurrent sender of `npm start` and of a publisher without a send queue: paced at the mail
 * service's rate (read once per run), with that rate × 0.15 s sends in flight (one for an unlimited
 * mailer, so an outbox stays in list order).
 */
export async function inProcessDispatcher(deps: DeliverDeps, settings: DeliverSettings): Promise<DeliveryDispatcher> {
  const rate = await deps.mailer.maxSendRate();
  return new ConcurrentSender(
    { ...deps, limiter: limiterFor(deps.clock, deps.sleep, rate) },
    {
      inFlight: inFlightFor(rate),
      partsFor: (recipient) => {
        const now = deps.clock.now();
        return {
          to: recipient.email,
          subscriberId: recipient.subscriberId,
          unsubscribeUrl: unsubscribeUrl(settings.site, settings.keyring, recipient.subscriberId, now),
          manageUrl: manageUrl(settings.site, settings.keyring, recipient.subscriberId, now),
        };
      },
      ...(settings.sendUntil ? { sendUntil: settings.sendUntil } : {}),
    },
  );
}
