/**
 * When daily and weekly editions close, across daylight-saving changes: computed with Intl's time-zone
 * data, checked hour by hour over the days around each change.
 */
import { describe, expect, it } from 'vitest';
import type { CadencePreference } from '../../functions/core/editions/edition.js';
import { isoWithOffset, lastCloseAt, zonedInstant } from '../../functions/core/editions/schedule.js';

const HOUR = 60 * 60 * 1000;
const london: CadencePreference = { cadence: 'daily', timeZone: 'Europe/London', hour: 7, weekday: 1 };

/** The distinct close instants an hourly schedule sees from `from` for `hours` hours. */
function closesSeenHourly(preference: CadencePreference, from: string, hours: number): string[] {
  const seen = new Set<string>();
  for (let hour = 0; hour <= hours; hour += 1) {
    seen.add(lastCloseAt(preference, new Date(Date.parse(from) + hour * HOUR)).toISOString());
  }
  return [...seen].sort();
}

function londonWallClock(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    new Date(iso),
  );
}

describe('edition schedule', () => {
  it('closes a daily 07:00 Europe/London edition once a day at 07:00 local across the March change', () => {
    // BST starts Sunday 29 March 2026 at 01:00 UTC.
    const closes = closesSeenHourly(london, '2026-03-27T12:00:00Z', 4 * 24);
    expect(closes).toEqual([
      '2026-03-27T07:00:00.000Z',
      '2026-03-28T07:00:00.000Z',
      '2026-03-29T06:00:00.000Z',
      '2026-03-30T06:00:00.000Z',
      '2026-03-31T06:00:00.000Z',
    ]);
    for (const close of closes) expect(londonWallClock(close)).toBe('07:00');
  });

  it('closes it once a day at 07:00 local across the October change', () => {
    // BST ends Sunday 25 October 2026 at 01:00 UTC (02:00 BST becomes 01:00 GMT: one hour happens twice).
    const closes = closesSeenHourly(london, '2026-10-23T12:00:00Z', 4 * 24);
    expect(closes).toEqual([
      '2026-10-23T06:00:00.000Z',
      '2026-10-24T06:00:00.000Z',
      '2026-10-25T07:00:00.000Z',
      '2026-10-26T07:00:00.000Z',
      '2026-10-27T07:00:00.000Z',
    ]);
    for (const close of closes) expect(londonWallClock(close)).toBe('07:00');
  });

  it('gives one instant for an hour a change skips or repeats', () => {
    expect(zonedInstant(2026, 3, 29, 1, 'Europe/London').toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(zonedInstant(2026, 10, 25, 1, 'Europe/London').toISOString()).toBe('2026-10-25T00:00:00.000Z');
  });

  it('closes a weekly edition on the chosen local weekday, in any time zone', () => {
    const tokyoMonday9: CadencePreference = { cadence: 'weekly', timeZone: 'Asia/Tokyo', hour: 9, weekday: 1 };
    // Monday 30 November 2026 09:00 JST is 00:00 UTC; a week of hourly runs sees it and the next one.
    expect(closesSeenHourly(tokyoMonday9, '2026-11-30T01:00:00Z', 7 * 24)).toEqual([
      '2026-11-30T00:00:00.000Z',
      '2026-12-07T00:00:00.000Z',
    ]);
    expect(lastCloseAt(tokyoMonday9, new Date('2026-11-29T23:59:00Z')).toISOString()).toBe('2026-11-23T00:00:00.000Z');
  });

  it('writes an instant with the offset of the time zone then, so the local date shows', () => {
    expect(isoWithOffset(new Date('2026-07-01T23:30:00Z'), 'Europe/London')).toBe('2026-07-02T00:30:00+01:00');
    expect(isoWithOffset(new Date('2026-12-01T02:00:00Z'), 'America/St_Johns')).toBe('2026-11-30T22:30:00-03:30');
    expect(isoWithOffset(new Date('2026-12-01T07:00:00Z'), 'UTC')).toBe('2026-12-01T07:00:00+00:00');
  });
});
