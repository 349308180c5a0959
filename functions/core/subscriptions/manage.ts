/**
 * The signed "manage" link in every edition: a subscriber sees how often they get editions and changes
 * it. The cursor is left alone, so a change neither loses nor repeats a digest (see core/editions/plan.ts).
 *
 * A forged, truncated or cross-purpose token throws `InvalidTokenError` before any read; so does the
 * token of someone no longer subscribed (it cannot bring them back).
 */
import { CADENCES, type Cadence, type CadencePreference, type Weekday } from '../editions/edition.js';
import { preferenceOf, type EditionDefaults } from '../editions/plan.js';
import { canonicalTimeZone } from '../editions/time-zones.js';
import { InvalidTokenError } from '../errors.js';
import { clockHour, WEEKDAYS } from '../render/text.js';
import { verifyToken, type TokenKeyring } from '../tokens.js';
import { InvalidPreferenceError } from './errors.js';
import { toSubscriber, type Log, type SubscriptionStore } from './ports.js';

/** What the manage page needs. */
export interface ManageDeps {
  store: Pick<SubscriptionStore, 'get' | 'setPreference'>;
  keyring: TokenKeyring;
  /** The operator's cadences: only enabled ones are offered or accepted. */
  editions: EditionDefaults;
  log?: Log;
}

/** What the manage page shows. */
export interface ManageView {
  /** The choice in force: the subscriber's own where they made one, the operator's defaults elsewhere. */
  preference: CadencePreference;
  /** False while the time zone is the operator's default: the page may then suggest the browser's. */
  timeZoneChosen: boolean;
}

/** The subscriber's effective choice, for the page; throws `InvalidTokenError` for an unusable link. */
export async function currentPreference(deps: ManageDeps, token: string, now: Date): Promise<ManageView> {
  const { subscriberId } = verifyToken(token, 'manage', deps.keyring, now);
  const record = await deps.store.get(subscriberId);
  if (record?.status !== 'confirmed') throw new InvalidTokenError('subscriber not active');
  return { preference: preferenceOf(toSubscriber(record), deps.editions), timeZoneChosen: record.timeZone !== undefined };
}

/** Reads the form (`cadence`, and optionally `hour`, `weekday`, `timeZone`) over the current choice. */
export function parsePreference(fields: URLSearchParams, current: CadencePreference, enabled: readonly Cadence[]): CadencePreference {
  const cadence = fields.get('cadence') ?? '';
  if (!(CADENCES as readonly string[]).includes(cadence) || !enabled.includes(cadence as Cadence))
    throw new InvalidPreferenceError(`choose one of ${enabled.join(', ')}`);
  // An absent or empty field keeps the current value; anything else must be a whole number in range.
  const whole = (name: string, max: number, fallback: number, problem: string): number => {
    const given = fields.get(name);
    if (given === null || given === '') return fallback;
    if (!/^\d{1,2}$/.test(given) || Number(given) > max) throw new InvalidPreferenceError(problem);
    return Number(given);
  };
  // Stored in its canonical spelling, so the page shows it as the option it is.
  const timeZone = canonicalTimeZone(fields.get('timeZone') || current.timeZone);
  if (timeZone === undefined) throw new InvalidPreferenceError('the time zone must be one from the list, like Europe/London');
  return {
    cadence: cadence as Cadence,
    hour: whole('hour', 23, current.hour, 'the hour must be a whole hour from 0 to 23'),
    weekday: whole('weekday', 6, current.weekday, 'the day must be one from Sunday (0) to Saturday (6)') as Weekday,
    timeZone,
  };
}

/** Stores the new choice (POST only). Throws `InvalidTokenError` or `InvalidPreferenceError`. */
export async function changePreference(deps: ManageDeps, token: string, fields: URLSearchParams, now: Date): Promise<CadencePreference> {
  const { preference: current } = await currentPreference(deps, token, now);
  const next = parsePreference(fields, current, deps.editions.cadences);
  const { subscriberId } = verifyToken(token, 'manage', deps.keyring, now);
  if (!(await deps.store.setPreference(subscriberId, next, now))) throw new InvalidTokenError('subscriber not active');
  deps.log?.('info', 'manage: choice changed', { subscriberId, ...next });
  return next;
}

/** "daily at 07:00 (Europe/London)", for the page. */
export function describePreference(preference: CadencePreference): string {
  const hour = clockHour(preference.hour);
  const day = WEEKDAYS[preference.weekday];
  if (preference.cadence === 'instant') return 'as soon as something new is published (instant)';
  if (preference.cadence === 'daily') return `once a day at ${hour} (${preference.timeZone})`;
  return `once a week, on ${day} at ${hour} (${preference.timeZone})`;
}
