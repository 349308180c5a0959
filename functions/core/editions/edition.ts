/**
 * Editions: one email per subscriber with every digest that became new for the subscriber's cadence
 * since the previous one, and one page on the site per edition. This module holds the types the
 * renderers take and the one place an edition's identity is spelled.
 *
 * The stream of digests is ordered by `Digest.firstSeen` (when Gazette first stored it, never the
 * article's own date): every digest of one run shares its run's `firstSeen`, so a position in the stream
 * is an ISO instant, and a subscriber's cursor is the position of the last digest delivered to them.
 */
import type { DeliveryId } from '../publish/delivery.js';
import type { Digest } from '../model.js';

/** How often a subscriber gets an edition, in the order the subscribe form offers them. */
export const CADENCES = ['instant', 'daily', 'weekly'] as const;

/**
 * `instant`: each run's new digests, coalesced into one email; `daily`: at an hour of the subscriber's
 * time zone; `weekly`: at that hour on a weekday.
 */
export type Cadence = (typeof CADENCES)[number];

/** Days of the week as the subscriber store keeps them: 0 Sunday … 6 Saturday (like `Date.getUTCDay`). */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** What a subscriber chose: how often, and when (in their own time zone). */
export interface CadencePreference {
  cadence: Cadence;
  /** IANA time zone the hour is read in. */
  timeZone: string;
  /** Local hour 0–23 of a daily or weekly edition. */
  hour: number;
  /** Local weekday of a weekly edition. */
  weekday: Weekday;
}

/** One edition, as the renderers take it. */
export interface Edition {
  /** `edition:<cadence>:<period>`, from {@link editionDeliveryId}: the ledger key and part of every copy's Message-ID. */
  id: DeliveryId;
  cadence: Cadence;
  /**
   * The edition's page folder below `editions/`, one path segment of lower-case letters, digits and
   * hyphens: `<YYYY-MM-DD>-<HHMM>[-<SSmmm>]-<cadence>`, the UTC instant the edition closed (see
   * {@link editionPeriod}).
   */
  period: string;
  /**
   * ISO 8601 instant the edition closed, written with the site time zone's offset
   * (`2025-12-01T07:00:00+00:00`): the calendar date shown is the one written in the string.
   */
  date: string;
  /** The edition's digests in reading order (oldest first, as they arrived; the lead first). */
  digests: Digest[];
}

/** An edition without its digests: what a listing needs to link to its page. */
export type EditionHeader = Omit<Edition, 'digests'>;

const EDITION_PREFIX = 'edition:';

/**
 * The delivery id of an edition. No digest id begins with `edition:` (digest ids are URLs, `sha256:` or
 * `path:` identities, or front-matter ids, and parse refuses a front-matter id with that prefix), so an
 * edition and a digest mailed on its own before editions existed never share a ledger key.
 */
export function editionDeliveryId(cadence: Cadence, period: string): DeliveryId {
  return `${EDITION_PREFIX}${cadence}:${period}` as DeliveryId;
}

/**
 * The period segment of an edition that closed at `closedAt` (UTC): `2025-12-01-0700-daily`. An instant
 * edition closes at its batch's `firstSeen`, which is rarely on the minute: then seconds and
 * milliseconds follow (`2025-12-01-0712-09345-instant`), so two runs in one minute never share an id
 * (a shared id would make the ledger answer "already sent" for the second run's new digests).
 */
export function editionPeriod(cadence: Cadence, closedAt: Date): string {
  const iso = closedAt.toISOString();
  const seconds = `${iso.slice(17, 19)}${iso.slice(20, 23)}`;
  return `${iso.slice(0, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${seconds === '00000' ? '' : `-${seconds}`}-${cadence}`;
}

/** Reads an edition delivery id back (`undefined` for anything else): the page of an edition is found from it. */
export function parseEditionId(id: string): { cadence: Cadence; period: string } | undefined {
  const match = /^edition:(instant|daily|weekly):(\d{4}-\d{2}-\d{2}-\d{4}(?:-\d{5})?-(?:instant|daily|weekly))$/.exec(id);
  if (!match || !match[2]!.endsWith(match[1]!)) return undefined;
  return { cadence: match[1] as Cadence, period: match[2]! };
}
