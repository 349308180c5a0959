/**
 * The arithmetic of a rolling-window counter kept as hourly buckets, shared by every adapter of the
 * `RollingCounter` port so they count alike: a unit counts from its hour until the window has passed
 * that hour's end, so a window of 24 hours holds each unit for 23 to 24 hours.
 */

/** Width of one bucket. */
export const BUCKET_MS = 60 * 60 * 1000;

/** Counts by bucket start (ms since the epoch, as a string key: it is stored as a map). */
export type Buckets = Readonly<Record<string, number>>;

/**
 * The buckets after counting one unit at `now`, or undefined when `limit` units are already inside the
 * window. Buckets that left the window are dropped, so the stored map stays small.
 */
export function countOne(buckets: Buckets, now: Date, windowMs: number, limit: number): Record<string, number> | undefined {
  const current = Math.floor(now.getTime() / BUCKET_MS) * BUCKET_MS;
  const oldest = current - windowMs + BUCKET_MS;
  const kept: Record<string, number> = {};
  let total = 0;
  for (const [start, count] of Object.entries(buckets)) {
    if (Number(start) < oldest || !Number.isFinite(count)) continue;
    kept[start] = count;
    total += count;
  }
  if (total >= limit) return undefined;
  kept[String(current)] = (kept[String(current)] ?? 0) + 1;
  return kept;
}
