/**
 * When to poll a source next, the way Miniflux does it: a feed that posts often is polled often, a quiet
 * one rarely — 7 days divided by the items it published in the last week, clamped to
 * {@link MIN_POLL_INTERVAL_MS}–{@link MAX_POLL_INTERVAL_MS}. The publisher's own hints only ever make it
 * longer (RSS `ttl`, `Cache-Control: max-age`, each up to the 24 h maximum). Errors back off
 * exponentially (doubling per error in a row, up to 24 h). Jitter of ±10% spreads sources that were
 * added together. `Retry-After` is a floor applied after jitter, because the server asked for at least
 * that long (capped at {@link MAX_RETRY_AFTER_MS}, so a hostile header cannot silence a source for years).
 * Pure: the caller passes `now` and `random`.
 */
import { SETTING_DEFAULTS } from '../settings.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Shortest interval between two polls of one source, however busy its feed. */
export const MIN_POLL_INTERVAL_MS = 5 * MINUTE;
/** Longest interval between two polls (quiet feeds, long hints, many errors). */
export const MAX_POLL_INTERVAL_MS = DAY;
/** Longest Retry-After honoured, so a hostile header cannot silence a source for years. */
export const MAX_RETRY_AFTER_MS = 7 * DAY;
/** Share of the interval the next poll may move either way. */
export const POLL_JITTER = 0.1;
/** Failed polls in a row after which a source is paused (the setting's default). */
export const PAUSE_AFTER_ERRORS = SETTING_DEFAULTS.sourcePauseAfterErrors;

/** What the next poll depends on. */
export interface PollState {
  /** Items the feed published (or that were first seen) in the last 7 days. */
  itemsLastWeek: number;
  /** RSS `<ttl>`, in minutes. */
  ttlMinutes?: number | undefined;
  /** `Cache-Control: max-age` of the last response, in seconds ({@link maxAgeSeconds}). */
  maxAgeSeconds?: number | undefined;
  /** `Retry-After` of the last response (429/503), in milliseconds. */
  retryAfterMs?: number | undefined;
  /** Failed polls in a row (0 after a success). */
  consecutiveErrors: number;
  now: Date;
  /** A number in [0, 1), `Math.random` in production, fixed in tests. */
  random: () => number;
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));
const positive = (value: number | undefined) => (value !== undefined && Number.isFinite(value) && value > 0 ? value : 0);

/** The interval from the feed's rate and hints, before errors and jitter. */
export function pollInterval(state: Pick<PollState, 'itemsLastWeek' | 'ttlMinutes' | 'maxAgeSeconds'>): number {
  const items = positive(state.itemsLastWeek);
  const byRate = items > 0 ? clamp((7 * DAY) / items, MIN_POLL_INTERVAL_MS, MAX_POLL_INTERVAL_MS) : MAX_POLL_INTERVAL_MS;
  const hinted = Math.max(positive(state.ttlMinutes) * MINUTE, positive(state.maxAgeSeconds) * 1000);
  return Math.max(byRate, Math.min(hinted, MAX_POLL_INTERVAL_MS));
}

/** When the source is due next. */
export function nextPoll(state: PollState): Date {
  const errors = Math.max(0, Math.floor(state.consecutiveErrors));
  const base = pollInterval(state);
  // 2^errors grows past the cap quickly; the exponent is bounded so the number stays finite.
  const backedOff = errors > 0 ? Math.min(MAX_POLL_INTERVAL_MS, base * 2 ** Math.min(errors, 20)) : base;
  const jittered = backedOff * (1 - POLL_JITTER + 2 * POLL_JITTER * clamp(state.random(), 0, 1));
  const wait = Math.max(jittered, Math.min(positive(state.retryAfterMs), MAX_RETRY_AFTER_MS));
  return new Date(state.now.getTime() + Math.round(wait));
}

/**
 * The `max-age` of a Cache-Control header in seconds (`s-maxage` is for shared caches, not us);
 * `undefined` when absent, or when `no-store`/`no-cache` say nothing should be reused.
 */
export function maxAgeSeconds(cacheControl: string | undefined): number | undefined {
  if (!cacheControl) return undefined;
  const directives = cacheControl
    .toLowerCase()
    .split(',')
    .map((entry) => entry.trim());
  if (directives.some((entry) => entry === 'no-store' || entry === 'no-cache')) return undefined;
  const maxAge = directives.map((entry) => /^max-age\s*=\s*"?(\d+)"?$/.exec(entry)?.[1]).find((value) => value !== undefined);
  return maxAge === undefined ? undefined : Number(maxAge);
}

/** True when a source with this many failed polls in a row should be paused. */
export function shouldPause(consecutiveErrors: number, pauseAfterErrors: number = PAUSE_AFTER_ERRORS): boolean {
  return consecutiveErrors >= pauseAfterErrors;
}
