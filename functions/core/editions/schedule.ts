/**
 * When a daily or weekly edition closes, in the subscriber's own time zone. Pure: the run's time comes
 * in, and `Intl` (the platform's time-zone database) converts between local wall time and instants, so
 * daylight-saving changes are the database's, not ours: a daily 07:00 Europe/London edition closes at
 * 07:00 local every day, 07:00 UTC in winter and 06:00 UTC in summer, once per calendar day.
 */
import type { CadencePreference } from './edition.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall-clock fields of `instant` in `timeZone`. */
export function localParts(instant: Date, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number } {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return { year: fields.year!, month: fields.month!, day: fields.day!, hour: fields.hour!, minute: fields.minute! };
}

/** Milliseconds `timeZone` is ahead of UTC at `instant` (+3 600 000 for London in summer). */
export function offsetMs(instant: Date, timeZone: string): number {
  const local = localParts(instant, timeZone);
  const seconds = instant.getUTCSeconds() * 1000 + instant.getUTCMilliseconds();
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute) + seconds - instant.getTime();
}

/**
 * The instant the wall clock in `timeZone` shows `hour`:00 on the given local date. A time skipped by
 * a spring-forward change (01:30 in London on the last Sunday of March) gives the first instant after
 * the gap; a time that happens twice (autumn) gives the first of the two. Either way one per day.
 */
export function zonedInstant(year: number, month: number, day: number, hour: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day, hour);
  // The offsets half a day either side of the wall time are the two sides of any change that day.
  const candidates = [offsetMs(new Date(wall - DAY_MS / 2), timeZone), offsetMs(new Date(wall + DAY_MS / 2), timeZone)]
    .map((offset) => wall - offset)
    .filter((instant) => {
      const local = localParts(new Date(instant), timeZone);
      return local.year === year && local.month === month && local.day === day && local.hour === hour;
    })
    .sort((a, b) => a - b);
  if (candidates[0] !== undefined) return new Date(candidates[0]);
  // Skipped by a spring-forward change: the wall time after the gap, read with the later offset.
  return new Date(wall - offsetMs(new Date(wall - DAY_MS / 2), timeZone));
}

/** Local calendar date `days` after the local date of `instant` (days may be negative). */
function localDateAfter(instant: Date, timeZone: string, days: number): { year: number; month: number; day: number; weekday: number } {
  const local = localParts(instant, timeZone);
  const date = new Date(Date.UTC(local.year, local.month - 1, local.day + days));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), weekday: date.getUTCDay() };
}

/**
 * The latest instant at or before `now` at which the subscriber's daily or weekly edition closed:
 * `hour`:00 local today (or on the last `weekday`), else the one before. An `instant` cadence has no
 * clock (each run closes its own edition), so it answers `now`.
 */
export function lastCloseAt(preference: CadencePreference, now: Date): Date {
  if (preference.cadence === 'instant') return now;
  for (let back = 0; back <= 8; back += 1) {
    const date = localDateAfter(now, preference.timeZone, -back);
    if (preference.cadence === 'weekly' && date.weekday !== preference.weekday) continue;
    const close = zonedInstant(date.year, date.month, date.day, preference.hour, preference.timeZone);
    if (close.getTime() <= now.getTime()) return close;
  }
  throw new Error(`no close time found for ${JSON.stringify(preference)}`);
}

/** How far back a daily or weekly edition reaches for a subscriber it has never been sent to. */
export function periodMs(preference: CadencePreference): number {
  return preference.cadence === 'weekly' ? 7 * DAY_MS : DAY_MS;
}

/**
 * `instant` written with the offset `timeZone` has then (`2025-12-01T07:00:00+00:00`), so a renderer that
 * shows the calendar date written in the string shows the local one.
 */
export function isoWithOffset(instant: Date, timeZone: string): string {
  const offset = offsetMs(instant, timeZone);
  const local = new Date(instant.getTime() + offset).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const minutes = Math.abs(offset) / 60_000;
  const pad = (value: number) => String(Math.floor(value)).padStart(2, '0');
  return `${local}${sign}${pad(minutes / 60)}:${pad(minutes % 60)}`;
}
