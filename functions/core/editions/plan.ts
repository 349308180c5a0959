/**
 * Which edition each confirmed subscriber is due, and what their copy carries. Pure and stateless: the
 * archive, the subscribers (with their cadence and cursor) and the run's time decide everything, so a
 * run that stopped (quota, deadline, crash) and the run after it plan the SAME edition for everyone it
 * did not reach, and the ledger's (edition, subscriber) claim keeps every copy to one.
 *
 * A copy carries the mailable digests with `cursor < firstSeen ≤ close`: the cursor, not the cadence,
 * says where a subscriber is in the stream, so switching cadence neither loses nor repeats a digest.
 */
import type { Digest, Subscriber } from '../model.js';
import { compareCodePoints } from '../publish/digest.js';
import { editionDeliveryId, editionPeriod, type Cadence, type CadencePreference, type Edition, type Weekday } from './edition.js';
import { isoWithOffset, lastCloseAt, periodMs } from './schedule.js';

const HOUR_MS = 60 * 60 * 1000;
/**
 * No copy reaches back further than this, whatever the cursor says (a subscriber back after months
 * gets the latest week and a bit, not the archive): longer than a weekly period, so a weekly reader
 * whose run was missed, or who switches to instant before their first weekly edition, still gets
 * everything. It is also how far an instant edition reaches for someone who never had one (no cursor,
 * no confirmation date): the seed article of a first `npm start` reaches every confirmed reader.
 */
export const MAX_CATCH_UP_MS = 8 * 24 * HOUR_MS;
/** Instant editions one run may send one subscriber who fell behind (each a batch of an earlier run). */
const MAX_INSTANT_EDITIONS_PER_RUN = 4;

/** The operator's cadence settings and the defaults for subscribers who chose no time. */
export interface EditionDefaults {
  /** Cadences the operator enabled; a subscriber's choice outside them falls back to `defaultCadence`. */
  cadences: readonly Cadence[];
  defaultCadence: Cadence;
  /** The site's time zone: subscribers without one, and the offset editions' dates are written with. */
  timeZone: string;
  /** Local hour of daily and weekly editions for subscribers who chose none. */
  hour: number;
  /** Weekday of weekly editions for subscribers who chose none. */
  weekday: Weekday;
}

/** Default hour and weekday of daily and weekly editions: 07:00, Monday (a morning paper). */
export const DEFAULT_EDITION_TIME = { hour: 7, weekday: 1 } as const satisfies { hour: number; weekday: Weekday };

/** One subscriber's copy of an edition. */
export interface EditionCopy {
  subscriber: Subscriber;
  /** What this copy carries, in reading order; never empty. */
  digests: Digest[];
}

/** An edition due in this run: the edition (its page lists every digest any copy carries) and its copies. */
export interface PlannedEdition {
  edition: Edition;
  /** The instant the edition closed; a copy delivered moves the subscriber's cursor here. */
  closeAt: Date;
  copies: EditionCopy[];
}

/** The subscriber's effective choice: their own where the operator allows it, the defaults elsewhere. */
export function preferenceOf(subscriber: Subscriber, defaults: EditionDefaults): CadencePreference {
  const cadence = subscriber.cadence && defaults.cadences.includes(subscriber.cadence) ? subscriber.cadence : defaults.defaultCadence;
  return {
    cadence,
    timeZone: subscriber.timeZone ?? defaults.timeZone,
    hour: subscriber.hour ?? defaults.hour,
    weekday: subscriber.weekday ?? defaults.weekday,
  };
}

/** Reading order of an edition: as they arrived, then newest article first, then by id (total, stable). */
export function readingOrder(digests: Iterable<Digest>): Digest[] {
  return [...digests].sort(
    (a, b) =>
      Date.parse(a.firstSeen) - Date.parse(b.firstSeen) || compareCodePoints(b.published, a.published) || compareCodePoints(a.id, b.id),
  );
}

/** Digests that go out in editions: stored as `pending` (never held, stale, imported or mailed alone). */
function mailable(digests: Iterable<Digest>): Digest[] {
  return readingOrder([...digests].filter((digest) => digest.mailStatus === 'pending' && digest.unpublishedAt === undefined));
}

/** The instant after which a copy for `subscriber` starts. */
function lowerBound(subscriber: Subscriber, preference: CadencePreference, close: Date, now: Date): number {
  const floor = now.getTime() - MAX_CATCH_UP_MS;
  if (subscriber.cursor !== undefined) return Math.max(Date.parse(subscriber.cursor), floor);
  const confirmed = subscriber.confirmedAt !== undefined ? Date.parse(subscriber.confirmedAt) : -Infinity;
  const reach = preference.cadence === 'instant' ? floor : close.getTime() - periodMs(preference);
  return Math.max(confirmed, reach, floor);
}

function between(stream: readonly Digest[], after: number, upTo: number): Digest[] {
  return stream.filter((digest) => {
    const seen = Date.parse(digest.firstSeen);
    return seen > after && seen <= upTo;
  });
}

/** The copies one subscriber is due this run, oldest edition first, with the edition each closes. */
function copiesFor(
  subscriber: Subscriber,
  stream: readonly Digest[],
  now: Date,
  defaults: EditionDefaults,
): { close: Date; digests: Digest[] }[] {
  const preference = preferenceOf(subscriber, defaults);
  if (preference.cadence !== 'instant') {
    const close = lastCloseAt(preference, now);
    const digests = between(stream, lowerBound(subscriber, preference, close, now), close.getTime());
    return digests.length > 0 ? [{ close, digests }] : [];
  }
  // Instant: each run's batch (the digests sharing one firstSeen) is its own edition, taken in order.
  const copies: { close: Date; digests: Digest[] }[] = [];
  let after = lowerBound(subscriber, preference, now, now);
  while (copies.length < MAX_INSTANT_EDITIONS_PER_RUN) {
    const next = stream.find((digest) => Date.parse(digest.firstSeen) > after && Date.parse(digest.firstSeen) <= now.getTime());
    if (!next) break;
    const close = new Date(next.firstSeen);
    copies.push({ close, digests: between(stream, after, close.getTime()) });
    after = close.getTime();
  }
  return copies;
}

/**
 * The instant (ms) after which every digest any subscriber's copy could carry at `now` was first seen;
 * undefined without subscribers. Never earlier than `now - MAX_CATCH_UP_MS`, usually the oldest
 * cursor: a run reads only the digests after it (the archive's first-seen index), not the archive.
 */
export function editionWindowStart(subscribers: readonly Subscriber[], now: Date, defaults: EditionDefaults): number | undefined {
  let start: number | undefined;
  for (const subscriber of subscribers) {
    const preference = preferenceOf(subscriber, defaults);
    const close = preference.cadence === 'instant' ? now : lastCloseAt(preference, now);
    const computed = lowerBound(subscriber, preference, close, now);
    // An unreadable cursor makes no copy at all; the catch-up floor is a safe bound for it.
    const bound = Number.isFinite(computed) ? computed : now.getTime() - MAX_CATCH_UP_MS;
    start = start === undefined ? bound : Math.min(start, bound);
  }
  return start;
}

/**
 * Every edition due at `now`, oldest first, with one copy per subscriber due it. An empty period has
 * no edition; a subscriber who is up to date has no copy.
 */
export function planEditions(
  digests: Iterable<Digest>,
  subscribers: readonly Subscriber[],
  now: Date,
  defaults: EditionDefaults,
): PlannedEdition[] {
  const stream = mailable(digests);
  if (stream.length === 0) return [];
  const plans = new Map<string, PlannedEdition>();
  for (const subscriber of subscribers) {
    const cadence = preferenceOf(subscriber, defaults).cadence;
    for (const copy of copiesFor(subscriber, stream, now, defaults)) {
      const period = editionPeriod(cadence, copy.close);
      const id = editionDeliveryId(cadence, period);
      let plan = plans.get(id);
      if (!plan) {
        const edition: Edition = { id, cadence, period, date: isoWithOffset(copy.close, defaults.timeZone), digests: [] };
        plan = { edition, closeAt: copy.close, copies: [] };
        plans.set(id, plan);
      }
      plan.copies.push({ subscriber, digests: copy.digests });
    }
  }
  for (const plan of plans.values()) {
    const union = new Map(plan.copies.flatMap((copy) => copy.digests.map((digest) => [digest.id, digest] as const)));
    plan.edition.digests = readingOrder(union.values());
  }
  return [...plans.values()].sort((a, b) => a.closeAt.getTime() - b.closeAt.getTime() || compareCodePoints(a.edition.id, b.edition.id));
}
