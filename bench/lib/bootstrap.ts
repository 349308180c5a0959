/**
 * Means and paired bootstrap intervals for per-article scores, whole-set or re-weighted to an outlet mix.
 * Re-weighting scores each outlet apart and mixes the outlet means in fixed proportions (the dataset
 * README's 226 Daily Mail : 24 CNN), so a set that is mostly CNN can still say how a mostly-Daily-Mail
 * site would fare. The bootstrap resamples articles within each outlet, keeping systems paired (the same
 * resampled articles for both), with a seeded generator so every run prints the same interval.
 */
import type { Outlet } from './dataset.js';

/** How outlets are mixed: `undefined` is the set as it is; otherwise weight per outlet. */
export type Mix = Partial<Record<Outlet, number>> | undefined;

/** The mostly-Daily-Mail mix real news sites look like. */
export const DAILY_MAIL_MIX: Mix = { dailymail: 226, cnn: 24 };

/** A deterministic PRNG (mulberry32), so intervals do not move between runs. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Row indices grouped by outlet, with each group's weight under the mix (all rows one group when none). */
function strata(outlets: readonly Outlet[], mix: Mix): { rows: number[]; weight: number }[] {
  if (mix === undefined) return [{ rows: outlets.map((_, index) => index), weight: 1 }];
  const groups = Object.entries(mix).map(([outlet, weight]) => ({
    rows: outlets.flatMap((o, index) => (o === outlet ? [index] : [])),
    weight: weight ?? 0,
  }));
  const present = groups.filter((group) => group.rows.length > 0);
  const total = present.reduce((sum, group) => sum + group.weight, 0);
  return present.map((group) => ({ rows: group.rows, weight: group.weight / total }));
}

/** The (re-weighted) mean of `values`. */
export function mixedMean(values: readonly number[], outlets: readonly Outlet[], mix: Mix): number {
  let mean = 0;
  for (const { rows, weight } of strata(outlets, mix)) mean += (weight * rows.reduce((sum, row) => sum + values[row]!, 0)) / rows.length;
  return mean;
}

/**
 * The 95 % interval of mean(a) − mean(b) under a paired, outlet-stratified bootstrap of `rounds`
 * resamples (percentile method).
 */
export function pairedInterval(
  a: readonly number[],
  b: readonly number[],
  outlets: readonly Outlet[],
  mix: Mix,
  rounds = 1000,
): [number, number] {
  const next = random(12);
  const groups = strata(outlets, mix);
  const deltas: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let delta = 0;
    for (const { rows, weight } of groups) {
      let sum = 0;
      for (let k = 0; k < rows.length; k++) {
        const row = rows[Math.floor(next() * rows.length)]!;
        sum += a[row]! - b[row]!;
      }
      delta += (weight * sum) / rows.length;
    }
    deltas.push(delta);
  }
  deltas.sort((x, y) => x - y);
  return [deltas[Math.floor(0.025 * rounds)]!, deltas[Math.ceil(0.975 * rounds) - 1]!];
}
