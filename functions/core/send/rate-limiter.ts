/**
 * The in-process rate limiter: a token bucket kept as one "next free slot" time (the GCRA form of a
 * bucket), so concurrent callers each reserve their own slot synchronously and none can overtake.
 * Time comes from the injected clock and waiting from the injected sleep, so tests run without waiting.
 *
 * Chosen over a bucket shared in DynamoDB: each Lambda worker runs one of these at MaxSendRate ÷
 * maximum concurrency (see {@link perWorkerRate}); that needs no extra request per send and no hot
 * item, and the event source mapping keeps that many workers busy while the queue has messages.
 */
import type { Clock, Sleep } from '../publish/ports.js';
import type { RateLimiter } from './ports.js';

/** A token bucket refilled at `perSecond`, holding at most `burst` tokens (1: evenly spaced sends). */
export class TokenBucket implements RateLimiter {
  private readonly intervalMs: number;
  private nextFree = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private readonly sleep: Sleep,
    perSecond: number,
    private readonly burst = 1,
  ) {
    if (!(perSecond > 0)) throw new RangeError(`rate must be positive, got ${perSecond}`);
    this.intervalMs = Number.isFinite(perSecond) ? 1000 / perSecond : 0;
  }

  async take(): Promise<void> {
    if (this.intervalMs === 0) return;
    const now = this.clock.now().getTime();
    const startAt = Math.max(now, this.nextFree - (this.burst - 1) * this.intervalMs);
    this.nextFree = Math.max(this.nextFree, now) + this.intervalMs;
    if (startAt > now) await this.sleep(startAt - now);
  }
}

/** A limiter that never waits (an unlimited mail service: the local outbox). */
export const UNLIMITED: RateLimiter = { take: async () => undefined };

/** The limiter for `perSecond` sends (`Infinity`: none). */
export function limiterFor(clock: Clock, sleep: Sleep, perSecond: number): RateLimiter {
  return Number.isFinite(perSecond) && perSecond > 0 ? new TokenBucket(clock, sleep, perSecond) : UNLIMITED;
}

/** Each of `workers` concurrent senders' share of the account's MaxSendRate. */
export function perWorkerRate(maxSendRate: number, workers: number): number {
  return maxSendRate / Math.max(1, workers);
}

/**
 * Sends to keep in flight so a rate is reachable when each send takes up to ~150 ms (SES answers in
 * tens of milliseconds; the ledger's writes add a few more): rate × 0.15 s, from 1 to 64. With no rate
 * to reach (the local outbox answers `Infinity`) one at a time, which keeps the outbox in list order.
 */
export function inFlightFor(perSecond: number): number {
  if (!Number.isFinite(perSecond)) return 1;
  return Math.min(64, Math.max(1, Math.ceil(perSecond * 0.15)));
}

/** Mails per second one sender function is sized for (8 in flight at ~150 ms per send covers it). */
export const PER_SENDER_RATE = 50;

/**
 * The sender functions' maximum concurrency for an account's MaxSendRate: one per {@link PER_SENDER_RATE}
 * mails/s, at least 2 (the least an SQS event source mapping allows), at most 100.
 */
export function senderConcurrencyFor(maxSendRate: number): number {
  return Math.min(100, Math.max(2, Math.ceil(maxSendRate / PER_SENDER_RATE)));
}
