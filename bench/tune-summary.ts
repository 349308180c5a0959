/**
 * Re-tunes the ranker (`npx tsx bench/tune-summary.ts`): a small grid over the knobs that moved the
 * scores (position weight, redundancy, quote penalty), scored on the TRAIN part of v1 and v2 only
 * (bench/lib/split.ts), whole and re-weighted 226 Daily Mail : 24 CNN. It prints the grid best first by
 * the mean of the four R-1 + R-Lsum figures; copy the winner into DEFAULT_TUNING (rank.ts) by hand, then
 * read the report part in `npm run bench -- summaries`. Never tune on the report part.
 */
import { DEFAULT_TUNING, type Tuning } from '../functions/core/summarize/index.js';
import { loadDevSet } from './lib/dataset.js';
import { scoreTuning } from './lib/tuning-score.js';

const GRID: ReadonlyArray<Partial<Tuning>> = [1, 2, 3].flatMap((positionWeight) =>
  [0.25, 0.3, 0.4].flatMap((redundancy) => [0.5, 1].map((quotePenalty) => ({ positionWeight, redundancy, quotePenalty }))),
);

const sets = (['v1', 'v2'] as const).map((name) => (loadDevSet(name) ?? []).filter((row) => row.part === 'train'));
const results = GRID.map((knobs) => {
  const tuning = { ...DEFAULT_TUNING, ...knobs };
  const figures = sets.flatMap((rows) => scoreTuning(tuning, rows));
  return { knobs, figures, mean: figures.reduce((a, b) => a + b, 0) / figures.length };
}).sort((a, b) => b.mean - a.mean);
console.log('| knobs | v1 R-1 | v1 R-Lsum | v1w R-1 | v1w R-Lsum | v2 R-1 | v2 R-Lsum | v2w R-1 | v2w R-Lsum | mean |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const { knobs, figures, mean } of results) {
  console.log(`| ${JSON.stringify(knobs)} | ${figures.map((f) => f.toFixed(2)).join(' | ')} | ${mean.toFixed(2)} |`);
}
