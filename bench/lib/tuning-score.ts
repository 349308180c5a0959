/**
 * How a tuning of the summariser scores on a set of rows, for the scripts that choose tunings on the
 * train part (bench/tune-summary.ts, bench/train-scorer.ts): mean R-1 and R-Lsum, as the rows are and
 * re-weighted 226 Daily Mail : 24 CNN.
 */
import { summarize, type Tuning } from '../../functions/core/summarize/index.js';
import { DAILY_MAIL_MIX, mixedMean } from './bootstrap.js';
import type { DevArticle } from './dataset.js';
import { rouge } from './rouge.js';

/** [R-1, R-Lsum, R-1 re-weighted, R-Lsum re-weighted] of `tuning` on `rows`. */
export function scoreTuning(tuning: Tuning, rows: readonly DevArticle[]): number[] {
  const r1: number[] = [];
  const rl: number[] = [];
  for (const row of rows) {
    const scores = rouge(summarize({ text: row.article }, tuning).sentences.join('\n'), row.reference);
    r1.push(100 * scores.rouge1.f1);
    rl.push(100 * scores.rougeLsum.f1);
  }
  const outlets = rows.map((row) => row.outlet);
  return [undefined, DAILY_MAIL_MIX].flatMap((mix) => [mixedMean(r1, outlets, mix), mixedMean(rl, outlets, mix)]);
}
