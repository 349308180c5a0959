import { describe, expect, it } from 'vitest';
import {
  maxAgeSeconds,
  MAX_POLL_INTERVAL_MS,
  MIN_POLL_INTERVAL_MS,
  nextPoll,
  PAUSE_AFTER_ERRORS,
  pollInterval,
  shouldPause,
  type PollState,
} from '../../functions/core/sources/schedule.js';
import { settingsSchema } from '../../functions/core/settings.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Milliseconds from NOW to the next poll; `random` 0.5 means no jitter. */
function waitFor(state: Partial<PollState>, random = 0.5): number {
  return nextPoll({ itemsLastWeek: 7, consecutiveErrors: 0, now: NOW, random: () => random, ...state }).getTime() - NOW.getTime();
}

describe('nextPoll', () => {
  it('follows the feed rate: 7 days divided by the items of the last week', () => {
    expect(waitFor({ itemsLastWeek: 7 })).toBe(24 * HOUR);
    expect(waitFor({ itemsLastWeek: 14 })).toBe(12 * HOUR);
    expect(waitFor({ itemsLastWeek: 168 })).toBe(1 * HOUR);
  });

  it('clamps to 5 minutes for busy feeds and 24 hours for quiet ones', () => {
    expect(waitFor({ itemsLastWeek: 100_000 })).toBe(MIN_POLL_INTERVAL_MS);
    expect(waitFor({ itemsLastWeek: 1 })).toBe(MAX_POLL_INTERVAL_MS);
    expect(waitFor({ itemsLastWeek: 0 })).toBe(MAX_POLL_INTERVAL_MS);
  });

  it('is raised to the ttl or max-age when they are longer, never lowered', () => {
    expect(waitFor({ itemsLastWeek: 168, ttlMinutes: 180 })).toBe(3 * HOUR);
    expect(waitFor({ itemsLastWeek: 168, maxAgeSeconds: 7200 })).toBe(2 * HOUR);
    expect(waitFor({ itemsLastWeek: 168, ttlMinutes: 10, maxAgeSeconds: 60 })).toBe(1 * HOUR);
    expect(waitFor({ itemsLastWeek: 168, ttlMinutes: 60 * 24 * 30 })).toBe(MAX_POLL_INTERVAL_MS);
  });

  it('honours Retry-After as a floor, up to 7 days', () => {
    expect(waitFor({ itemsLastWeek: 2000, retryAfterMs: 2 * HOUR })).toBe(2 * HOUR);
    expect(waitFor({ itemsLastWeek: 168, retryAfterMs: 60_000 })).toBe(1 * HOUR);
    expect(waitFor({ retryAfterMs: 365 * 24 * HOUR })).toBe(7 * 24 * HOUR);
  });

  it('jitters by ±10%', () => {
    expect(waitFor({ itemsLastWeek: 168 }, 0)).toBe(0.9 * HOUR);
    expect(waitFor({ itemsLastWeek: 168 }, 0.999999)).toBeCloseTo(1.1 * HOUR, -1);
  });

  it('backs off exponentially on errors up to 24 hours', () => {
    const waits = [0, 1, 2, 3, 10, 50].map((consecutiveErrors) => waitFor({ itemsLastWeek: 2016, consecutiveErrors }));
    expect(waits).toEqual([5 * MINUTE, 10 * MINUTE, 20 * MINUTE, 40 * MINUTE, 24 * HOUR, 24 * HOUR]);
  });

  it('works from the interval before jitter', () => {
    expect(pollInterval({ itemsLastWeek: 28 })).toBe(6 * HOUR);
  });
});

describe('maxAgeSeconds and pausing', () => {
  it('reads max-age, ignores s-maxage, and gives nothing for no-store/no-cache', () => {
    expect(maxAgeSeconds('public, max-age=600')).toBe(600);
    expect(maxAgeSeconds('s-maxage=100, max-age=60')).toBe(60);
    expect(maxAgeSeconds('no-cache, max-age=600')).toBeUndefined();
    expect(maxAgeSeconds('private')).toBeUndefined();
    expect(maxAgeSeconds(undefined)).toBeUndefined();
  });

  it('pauses after the configured number of errors in a row (default 10)', () => {
    expect(PAUSE_AFTER_ERRORS).toBe(10);
    expect(shouldPause(9)).toBe(false);
    expect(shouldPause(10)).toBe(true);
    expect(shouldPause(3, 3)).toBe(true);
  });
});

describe('fetch settings', () => {
  const base = { baseUrl: 'https://news.example.com/', senderEmail: 'news@example.com' };

  it('have defaults', () => {
    const settings = settingsSchema.parse(base);
    expect(settings).toMatchObject({
      allowPrivateNetwork: false,
      fetchTimeoutSeconds: 30,
      maxFeedBytes: 10 * 1024 * 1024,
      sourcePauseAfterErrors: 10,
      fullTextMinWords: 150,
    });
  });

  it('read strings from flags and the environment, and refuse bad values with a clear message', () => {
    expect(settingsSchema.parse({ ...base, allowPrivateNetwork: 'true', sourcePauseAfterErrors: '3' })).toMatchObject({
      allowPrivateNetwork: true,
      sourcePauseAfterErrors: 3,
    });
    const bad = settingsSchema.safeParse({ ...base, allowPrivateNetwork: 'maybe', fetchTimeoutSeconds: '0' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`)).toEqual([
      'allowPrivateNetwork must be true or false',
      'fetchTimeoutSeconds must be a whole number from 1 to 300',
    ]);
  });
});
