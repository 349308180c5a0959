/**
 * The editions the site publishes a page for, read back from the archive: each digest names the
 * editions that listed it (`Digest.editions`), recorded when the edition was first planned, so an
 * edition's page lists the same digests on every later run, whoever its copies went to.
 */
import type { Digest } from '../model.js';
import { parseEditionId, type Edition, type EditionHeader } from './edition.js';
import { readingOrder } from './plan.js';
import { isoWithOffset } from './schedule.js';

/** The instant an edition's period names (`2025-12-01-0700-daily` → 2025-12-01T07:00Z). */
export function periodInstant(period: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})-(\d{2})(\d{2})(?:-(\d{2})(\d{3}))?-/.exec(period);
  if (!match) throw new Error(`not an edition period: ${JSON.stringify(period)}`);
  const [year, month, day, hour, minute, second, ms] = match.slice(1).map((part) => Number(part ?? 0)) as number[];
  return new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!, ms!));
}

/**
 * The edition a digest's `editions` id names, without its digests, dated in `timeZone`; undefined for an
 * id this version cannot read (a hand edit), which then lists nothing rather than failing every render.
 */
export function editionHeader(id: string, timeZone = 'UTC'): EditionHeader | undefined {
  const parsed = parseEditionId(id);
  if (!parsed) return undefined;
  return { id: id as Edition['id'], ...parsed, date: isoWithOffset(periodInstant(parsed.period), timeZone) };
}

/** Every edition some digest names, newest first, each with its digests in reading order. */
export function editionsOf(digests: readonly Digest[], timeZone = 'UTC'): Edition[] {
  const byId = new Map<string, { edition: Edition; members: Digest[] }>();
  for (const digest of digests) {
    for (const id of digest.editions ?? []) {
      let entry = byId.get(id);
      if (!entry) {
        const header = editionHeader(id, timeZone);
        if (!header) continue;
        entry = { edition: { ...header, digests: [] }, members: [] };
        byId.set(id, entry);
      }
      entry.members.push(digest);
    }
  }
  return [...byId.values()]
    .map(({ edition, members }) => ({ ...edition, digests: readingOrder(members) }))
    .sort((a, b) => (a.period < b.period ? 1 : a.period > b.period ? -1 : a.id < b.id ? 1 : -1));
}
