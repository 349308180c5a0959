/**
 * The signed "manage" link in every edition: a subscriber sees how often they get editions and changes
 * it. The cursor is left alone, so a change neither loses nor repeats a digest (see core/editions/plan.ts).
 *
 * A forged, truncated or cross-purpose token throws `InvalidTokenError` before any read; so does the
 * token of someone no longer subscribed (it cannot bring them back).
 */
import { CADENCES, type Cadence, type CadencePreference, type Weekday } from '../editions/edition.js';
import { preferenceOf, type EditionDefaults } from '../editions/plan.js';
import { InvalidTokenError } from '../errors.js';
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

/** The subscriber's effective choice, for the page; throws `InvalidTokenError` for an unusable link. */
export async function currentPreference(deps: ManageDeps, token: string, now: Date): Promise<CadencePreference> {
  const { subscriberId } = verifyToken(token, 'manage', deps.keyring, now);
  const record = await deps.store.get(subscriberId);
  if (record?.status !== 'confirmed') throw new InvalidTokenError('subscriber not active');
  return preferenceOf(toSubscriber(record), deps.editions);
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** Reads the form (`cadence`, and optionally `hour`, `weekday`, `timeZone`) over the current choice. */
export function parsePreference(fields: URLSearchParams, current: CadencePreference, enabled: readonly Cadence[]): CadencePreference {
  const cadence = fields.get('cadence') ?? '';
  if (!(CADENCES as readonly string[]).includes(cadence) || !enabled.includes(cadence as Cadence))
    throw new InvalidPreferenceError(`choose one of ${enabled.join(', ')}`);
  const whole = (name: string, max: number, fallback: number): number => {
    const given = fields.get(name);
    if (given === null || given === '') return fallback;
    if (!/^\d{1,2}$/.test(given) || Number(given) > max)
      throw new InvalidPreferenceError(`${name} must be a whole number from 0 to ${max}`);
    return Number(given);
  };
  const timeZone = fields.get('timeZone') || current.timeZone;
  if (timeZone.length > 64 || !isTimeZone(timeZone))
    throw new InvalidPreferenceError('timeZone must be an IANA time zone like Europe/London');
  return {
    cadence: cadence as Cadence,
    hour: whole('hour', 23, current.hour),
    weekday: whole('weekday', 6, current.weekday) as Weekday,
    timeZone,
  };
}

/** Stores the new choice (POST only). Throws `InvalidTokenError` or `InvalidPreferenceError`. */
export async function changePreference(deps: ManageDeps, token: string, fields: URLSearchParams, now: Date): Promise<CadencePreference> {
  const current = await currentPreference(deps, token, now);
  const next = parsePreference(fields, current, deps.editions.cadences);
  const { subscriberId } = verifyToken(token, 'manage', deps.keyring, now);
  if (!(await deps.store.setPreference(subscriberId, next, now))) throw new InvalidTokenError('subscriber not active');
  deps.log?.('info', 'manage: cadence changed', { subscriberId, cadence: next.cadence });
  return next;
}

/** "daily at 07:00 (Europe/London)", for the page. */
export function describePreference(preference: CadencePreference): string {
  const hour = `${String(preference.hour).padStart(2, '0')}:00`;
  const day = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][preference.weekday];
  if (preference.cadence === 'instant') return 'as soon as something new is published (instant)';
  if (preference.cadence === 'daily') return `once a day at ${hour} (${preference.timeZone})`;
  return `once a week, on ${day} at ${hour} (${preference.timeZone})`;
}
