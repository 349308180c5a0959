/**
 * When a source is polled next. After a success: the feed's own rate (Miniflux's rule: a week divided by
 * the items of the last week), clamped to 5 minutes – 24 hours and raised to the feed's `ttl` or
 * `Cache-Control: max-age` when those ask for longer. After an error: exponential backoff, raised to the
 * server's `Retry-After`. Both with ±10 % jitter, so sources added together drift apart.
 */
import type { FeedItem } from './feed-ports.js';

/** What the next poll time depends on. */
export type PollTiming =
  | {
      kind: 'ok';
      ttlMinutes?: number | undefined;
      cacheControl?: string | undefined;
      /** The feed's items, for its rate; absent after a 304 (the rate then stays the default). */
      items?: readonly FeedItem[];
    }
  | { kind: 'error'; consecutiveErrors: number; retryAfterMs?: number | undefined };

const MINUTE = 60_000;
const MIN_INTERVAL_MS = 5 * MINUTE;
const MAX_INTERVAL_MS = 24 * 60 * MINUTE;
/** Used when the feed's items carry no dates to measure its rate by. */
const DEFAULT_INTERVAL_MS = 60 * MINUTE;
const WEEK_MS = 7 * 24 * 60 * MINUTE;
const ERROR_BASE_MS = 5 * MINUTE;
const JITTER = 0.1;

/** ISO 8601 of the next poll of a source after a poll described by `timing`. */
export function nextPollTime(timing: PollTiming, now: Date, random: () => number): string {
  const base = timing.kind === 'ok' ? successInterval(timing, now) : errorInterval(timing);
  const jittered = base * (1 - JITTER + 2 * JITTER * random());
  return new Date(now.getTime() + Math.round(jittered)).toISOString();
}

function successInterval(timing: Extract<PollTiming, { kind: 'ok' }>, now: Date): number {
  let interval = DEFAULT_INTERVAL_MS;
  if (timing.items) {
    const lastWeek = timing.items.filter((item) => {
      const age = item.published ? now.getTime() - item.published.getTime() : Infinity;
      return age >= 0 && age <= WEEK_MS;
    }).length;
    interval = lastWeek > 0 ? WEEK_MS / lastWeek : MAX_INTERVAL_MS;
  }
  interval = clamp(interval, MIN_INTERVAL_MS, MAX_INTERVAL_MS);
  const ttlMs = timing.ttlMinutes && timing.ttlMinutes > 0 ? timing.ttlMinutes * MINUTE : 0;
  const maxAgeMs = maxAgeOf(timing.cacheControl) * 1000;
  // The publisher asked us to come back later: honour it, but never wait longer than a day.
  return Math.min(MAX_INTERVAL_MS, Math.max(interval, ttlMs, maxAgeMs));
}

function errorInterval(timing: Extract<PollTiming, { kind: 'error' }>): number {
  const backoff = Math.min(MAX_INTERVAL_MS, ERROR_BASE_MS * 2 ** Math.max(0, timing.consecutiveErrors - 1));
  return Math.max(backoff, timing.retryAfterMs ?? 0);
}

function maxAgeOf(cacheControl: string | undefined): number {
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl ?? '');
  return match?.[1] ? Number(match[1]) : 0;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
