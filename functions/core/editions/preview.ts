/**
 * The next edition of each enabled cadence, as it stands now: what `gazette preview` writes and
 * `gazette send-test` sends. Pure, and it reads nothing it could move: no cursor, no ledger, no claim.
 *
 * - instant: every pending digest that arrived after the last instant edition (what the next run
 *   would send a reader who is up to date);
 * - daily and weekly (at the default time): the digests since the last close, which the next close
 *   will carry, dated with that next close.
 */
import type { Digest, Subscriber } from '../model.js';
import type { Cadence, Edition } from './edition.js';
import { editionsOf } from './editions-of.js';
import { planEditions, type EditionDefaults } from './plan.js';
import { lastCloseAt, periodMs } from './schedule.js';

/** A reader of `cadence` at the default time, at `cursor`: the stand-in preview plans for. */
function standIn(cadence: Cadence, cursor: string | undefined): Subscriber {
  return { id: `preview-${cadence}`, email: 'preview@example.invalid', status: 'confirmed', cadence, ...(cursor ? { cursor } : {}) };
}

/** The next edition of `cadence`, or `undefined` when it would be empty (an empty period sends nothing). */
export function nextEdition(digests: readonly Digest[], cadence: Cadence, now: Date, defaults: EditionDefaults): Edition | undefined {
  const only = { ...defaults, cadences: [cadence], defaultCadence: cadence };
  if (cadence === 'instant') {
    const lastInstant = editionsOf(digests).find((edition) => edition.cadence === 'instant');
    // Every batch since the last instant edition, as one edition closing now.
    const after = lastInstant ? lastInstant.date : undefined;
    const plans = planEditions(digests, [standIn(cadence, after ? new Date(after).toISOString() : undefined)], now, only);
    const copies = plans.flatMap((plan) => plan.copies.flatMap((copy) => copy.digests));
    const last = plans.at(-1);
    return last && copies.length > 0 ? { ...last.edition, digests: copies } : undefined;
  }
  const preference = { cadence, timeZone: defaults.timeZone, hour: defaults.hour, weekday: defaults.weekday };
  const previousClose = lastCloseAt(preference, now);
  const nextClose = lastCloseAt(preference, new Date(previousClose.getTime() + periodMs(preference) + 60 * 60 * 1000));
  const [plan] = planEditions(digests, [standIn(cadence, previousClose.toISOString())], nextClose, only);
  return plan ? { ...plan.edition, digests: plan.copies[0]!.digests } : undefined;
}
