/**
 * The ports of the sending engine, declared beside it. The engine sends one rendered delivery (a
 * digest's mail today, an edition's later) to a list of recipients, each pair exactly once, behind a
 * rate limit shared by everything that sends in one worker.
 */
import type { DeliveryId } from '../publish/delivery.js';
import type { MailTemplate } from './template.js';

/** Decides when the next send may start, so all sends of a worker stay under one rate. */
export interface RateLimiter {
  /** Resolves when one more send may start (at once when under the rate). */
  take(): Promise<void>;
}

/** One person a delivery goes to. */
export interface Recipient {
  subscriberId: string;
  email: string;
}

/** A delivery rendered once: its ledger id and its mail with the recipient's values left open. */
export interface RenderedDelivery {
  deliveryId: DeliveryId;
  template: MailTemplate;
}

/** Some recipients of one delivery: the unit a dispatcher takes (and a queue message carries). */
export interface DeliveryJob {
  delivery: RenderedDelivery;
  recipients: Recipient[];
}

/**
 * Why sending stopped before every recipient was tried; `sender-rejected`: the operator must fix the
 * sender or account first; `in-doubt`: a send ended in an unexpected error, so nobody knows whether
 * that copy left.
 */
export type StopReason = 'quota' | 'throttling' | 'deadline' | 'sender-rejected' | 'in-doubt';

/** What became of one job. */
export interface JobReport {
  sent: number;
  /** Pairs an earlier (or concurrent) sender had already claimed. */
  alreadySent: number;
  /** Recipients refused for good (bad address, SES rejection). */
  failed: number;
  /** Recipients handed to a queue, to be sent by the sender function. */
  enqueued: number;
  /** Recipients not tried because sending stopped; their claims are released. */
  deferred: Recipient[];
  /** Recipients whose send ended in an unexpected error: their claims stay (at most once), and sending stopped. */
  inDoubt: Recipient[];
  stoppedBy?: StopReason;
}

/** Told, one recipient at a time, that their copy of `job` is settled (the publisher moves their cursor). */
export type SettledCallback = (job: DeliveryJob, recipient: Recipient) => Promise<void>;

/**
 * Gets jobs' mail out: the in-process concurrent sender (`npm start`, and the sender Lambda for each
 * batch it receives), or the SQS enqueuer that hands recipients to the sender function.
 */
export interface DeliveryDispatcher {
  /**
   * One report per job, in order; never throws for an expected mail-service answer. `onSettled` is
   * awaited for each recipient as soon as nothing more is to be done for them here: sent, claimed
   * earlier, or refused for good (in-process), or enqueued (the queue); never for one deferred or in doubt.
   */
  dispatch(jobs: DeliveryJob[], onSettled?: SettledCallback): Promise<JobReport[]>;
}

/**
 * The account-wide "send nothing before" mark that every sender shares. The quota and a refused
 * sender are facts about the SES account, not about one batch: once one sender has met them, the
 * others hold their messages back until the mark passes instead of each asking SES again.
 */
export interface SendingPause {
  /** The pause in force at `now` (when it ends and why), or `undefined` when sending may go on. */
  active(now: Date): Promise<{ until: Date; reason: PauseReason } | undefined>;
  /** Pauses sending until `until`; a pause that already lasts longer is kept (never shortened). */
  pauseUntil(until: Date, reason: PauseReason): Promise<void>;
}

/** What pauses every sender: the account's, not one batch's. */
export type PauseReason = Extract<StopReason, 'quota' | 'sender-rejected'>;
