/**
 * The concurrent sender: keeps several sends in flight behind one rate limiter (SES answers in tens of
 * milliseconds, so one send at a time cannot reach a high MaxSendRate), each (delivery, recipient) pair
 * claimed in the ledger before its send and recorded after it, exactly once across crashes, retries
 * and duplicate queue deliveries. It runs behind `npm start` and inside the sender Lambda for each
 * batch of queue messages.
 */
import { InvalidAddressError } from '../errors.js';
import type { OutgoingMail } from '../model.js';
import type { Clock, DeliveryLedger, Log, Mailer, SendOutcome, Sleep } from '../publish/ports.js';
import type { DeliveryDispatcher, DeliveryJob, JobReport, RateLimiter, Recipient, SettledCallback, StopReason } from './ports.js';
import { personalise, type RecipientParts } from './template.js';

/** What the sender talks to. */
export interface SenderDeps {
  ledger: DeliveryLedger;
  mailer: Mailer;
  limiter: RateLimiter;
  clock: Clock;
  sleep: Sleep;
  /** Uniform in [0, 1): jitter for retry backoff. */
  random: () => number;
  log?: Log;
}

/** How the sender runs. */
export interface SenderOptions {
  /** Sends in flight at once. */
  inFlight: number;
  /** A recipient's address, id and signed unsubscribe link (the links need the keyring; the queue does not carry them). */
  partsFor: (recipient: Recipient) => RecipientParts;
  /** Start no send at or after this time; the rest is released and reported deferred. */
  sendUntil?: Date;
}

const MAX_SEND_ATTEMPTS = 6;
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 20_000;

type PairOutcome = 'sent' | 'already-claimed' | 'rejected' | StopReason;

/** What the workers of one dispatch share. */
interface PoolState {
  /** Index of the next pair to take. */
  next: number;
  stoppedBy?: StopReason;
  crashed: boolean;
  /** Whether the pool has grown past its first worker. */
  widened: boolean;
}

function countOutcome(report: JobReport, recipient: Recipient, outcome: PairOutcome, state: PoolState): void {
  if (outcome === 'sent') report.sent += 1;
  else if (outcome === 'already-claimed') report.alreadySent += 1;
  else if (outcome === 'rejected') report.failed += 1;
  else if (outcome === 'in-doubt') {
    // The worst reason wins: an unknown outcome is what the operator must look at first.
    state.stoppedBy = 'in-doubt';
    report.inDoubt.push(recipient);
  } else {
    state.stoppedBy ??= outcome;
    report.deferred.push(recipient);
  }
}

/** The in-process {@link DeliveryDispatcher}. */
export class ConcurrentSender implements DeliveryDispatcher {
  constructor(
    private readonly deps: SenderDeps,
    private readonly options: SenderOptions,
  ) {}

  /**
   * Sends every job's recipients, jobs in order, `inFlight` pairs at a time. When the mail service says
   * stop (quota, a refused sender, persistent throttling, the deadline) no new send starts, the sends in
   * flight finish, and every pair not tried is reported deferred with no claim left behind. A send that
   * ends in an unexpected error is reported in doubt (its claim stays) and stops the dispatch the same
   * way; any other exception (the ledger failing to claim, say) ends the dispatch once the sends in
   * flight have finished.
   */
  async dispatch(jobs: DeliveryJob[], onSettled?: SettledCallback): Promise<JobReport[]> {
    const reports: JobReport[] = jobs.map(() => ({ sent: 0, alreadySent: 0, failed: 0, enqueued: 0, deferred: [], inDoubt: [] }));
    const pairs = jobs.flatMap((job, jobIndex) => job.recipients.map((recipient) => ({ job, jobIndex, recipient })));
    const state: PoolState = { next: 0, crashed: false, widened: false };
    const running: Promise<void>[] = [];
    let failure: { reason: unknown } | undefined;
    // Each worker's failure is caught as it starts, so none is ever an unhandled rejection.
    const start = () => running.push(worker().catch((reason: unknown) => void (failure ??= { reason })));
    const worker = async (): Promise<void> => {
      for (let index = state.next++; index < pairs.length; index = state.next++) {
        const { job, jobIndex, recipient } = pairs[index]!;
        const report = reports[jobIndex]!;
        if (state.stoppedBy || state.crashed) {
          report.deferred.push(recipient);
          continue;
        }
        const outcome = await this.deliverOnce(job, recipient).catch((error: unknown) => {
          // Stop the other workers from starting sends, then let the error end the dispatch.
          state.crashed = true;
          throw error;
        });
        countOutcome(report, recipient, outcome, state);
        if (onSettled && (outcome === 'sent' || outcome === 'already-claimed' || outcome === 'rejected')) await onSettled(job, recipient);
        // Slow start: one send alone first, the rest of the pool once the service answered it without
        // a stop, so a refused sender or an exhausted quota costs one call, not one per worker.
        if (!state.stoppedBy && !state.widened) {
          state.widened = true;
          for (let extra = 1; extra < Math.min(this.options.inFlight, pairs.length); extra += 1) start();
        }
      }
    };
    start();
    // Wait for every worker, including those started meanwhile: no send may still be in flight when the
    // dispatch returns or throws.
    for (let index = 0; index < running.length; index += 1) await running[index];
    if (failure) throw failure.reason;
    if (state.stoppedBy) {
      for (const report of reports) if (report.deferred.length + report.inDoubt.length > 0) report.stoppedBy = state.stoppedBy;
      this.deps.log?.('warn', 'sending stopped; the rest is left for later', { reason: state.stoppedBy });
    }
    return reports;
  }

  /** Personalises, claims and sends one pair, retrying throttling with exponential backoff and jitter. */
  private async deliverOnce(job: DeliveryJob, recipient: Recipient): Promise<PairOutcome> {
    const { deps } = this;
    const { deliveryId } = job.delivery;
    // Personalise before claiming: a message that cannot be built must not leave a claim behind.
    let mail: OutgoingMail;
    try {
      mail = personalise(job.delivery.template, this.options.partsFor(recipient));
    } catch (error) {
      if (!(error instanceof InvalidAddressError)) throw error;
      deps.log?.('warn', 'recipient address unusable; skipped', { delivery: deliveryId, subscriber: recipient.subscriberId });
      return 'rejected';
    }
    if ((await deps.ledger.claim(deliveryId, recipient.subscriberId, deps.clock.now())) === 'already-claimed') return 'already-claimed';
    for (let attempt = 1; ; attempt += 1) {
      await deps.limiter.take();
      if (this.options.sendUntil && deps.clock.now() >= this.options.sendUntil) {
        await deps.ledger.release(deliveryId, recipient.subscriberId);
        return 'deadline';
      }
      let outcome: SendOutcome;
      try {
        outcome = await deps.mailer.send(mail);
        if (outcome.kind === 'sent') await deps.ledger.markSent(deliveryId, recipient.subscriberId, outcome.messageId, deps.clock.now());
      } catch (error) {
        // Unexpected (a network failure, a lost response, a ledger that failed after the send): the
        // message may or may not have left. The claim stays (at most once) and sending stops rather
        // than guessing for everyone else.
        deps.log?.('error', 'send outcome unknown; the pair stays claimed (in doubt)', {
          delivery: deliveryId,
          subscriber: recipient.subscriberId,
          error: error instanceof Error ? error.message : String(error),
        });
        return 'in-doubt';
      }
      switch (outcome.kind) {
        case 'sent':
          return 'sent';
        case 'rejected-recipient':
          await deps.ledger.markFailed(deliveryId, recipient.subscriberId, outcome.detail, deps.clock.now());
          deps.log?.('warn', 'recipient rejected', { delivery: deliveryId, subscriber: recipient.subscriberId, error: outcome.detail });
          return 'rejected';
        case 'throttled':
          if (attempt < MAX_SEND_ATTEMPTS) {
            await deps.sleep(backoffMs(attempt, deps.random));
            continue;
          }
          await deps.ledger.release(deliveryId, recipient.subscriberId);
          return 'throttling';
        case 'quota':
        case 'rejected-sender':
          // Nothing can go out until the quota returns or the operator fixes the sender: stop, release.
          await deps.ledger.release(deliveryId, recipient.subscriberId);
          deps.log?.(outcome.kind === 'quota' ? 'warn' : 'error', 'mail service refused to send', {
            reason: outcome.kind,
            error: outcome.detail,
          });
          return outcome.kind === 'quota' ? 'quota' : 'sender-rejected';
      }
    }
  }
}

/** "Full jitter" backoff: a random wait up to base·2^attempt, capped. */
function backoffMs(attempt: number, random: () => number): number {
  return Math.floor(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
}
