/**
 * IANA time zones as the platform's time-zone database (ICU, through `Intl`) knows them: the one check
 * the settings and the manage page use, and the list the manage page offers. Pure; the list depends on
 * the runtime's ICU version, which is also what computes every edition's close time.
 */

/** Longest zone name accepted from a form (the longest IANA name is about 30 characters). */
const MAX_TIME_ZONE_LENGTH = 64;

/**
 * The zone's canonical spelling (`europe/london` → `Europe/London`, `GMT` → `UTC`), or `undefined`
 * when the database does not know it. Storing the canonical name keeps a stored choice equal to the
 * option the manage page offers for it.
 */
export function canonicalTimeZone(value: string): string | undefined {
  if (value.length === 0 || value.length > MAX_TIME_ZONE_LENGTH) return undefined;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/**
 * The zones a subscriber may pick from, sorted: every zone the database lists, plus `UTC` (which
 * `Intl.supportedValuesOf` leaves out) and `include` (the operator's zone and the subscriber's current
 * one, so the page can always show the choice in force).
 */
export function offeredTimeZones(include: readonly string[] = []): string[] {
  const zones = new Set(['UTC', ...Intl.supportedValuesOf('timeZone'), ...include]);
  return [...zones].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
