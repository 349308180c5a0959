/**
 * Trains the summariser's sentence scorer (`npx tsx bench/train-scorer.ts`) and writes
 * functions/core/summarize/scorer.json. TRAIN part of v1 and v2 only (bench/lib/split.ts; each id once);
 * the report part is never read here, so `npm run bench -- summaries` can report on it honestly.
 *
 * 1. Labels, two kinds, both tried: the greedy oracle — up to three sentences, each the one that most
 *    raises ROUGE-1 + ROUGE-2 F1 of the chosen set against the highlights; those are 1, the rest 0 — and
 *    soft labels: each sentence's own mean ROUGE-1/ROUGE-2 F1 against the highlights, over the best in
 *    its article (cross-entropy accepts targets between 0 and 1).
 * 2. Weights: L2-regularised logistic regression over the features in rank.ts (position, length,
 *    centrality, PacSum-style forward/backward centrality, similarity to the lead, quotation, …), by full-
 *    batch gradient descent from zero (deterministic). Each outlet carries half the total weight, so the
 *    few Daily Mail rows count as much as the many CNN ones.
 * 3. Selection: for each kind of label, a small grid over the lead margin (in score units) and the redundancy threshold, scored
 *    on the train part as bench/tune-summary.ts does (mean of R-1 and R-Lsum, whole and re-weighted,
 *    v1 and v2), against the hand-weighted ranker on the same rows.
 *
 * The result is LEARNED_TUNING; whether it becomes DEFAULT_TUNING is decided in rank.ts, from the train
 * figures this prints (it tied with the hand-weighted ranker, so the simpler one stayed).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HAND_TUNING, FEATURES, type Scorer, type Tuning } from '../functions/core/summarize/index.js';
import { articleSentences } from '../functions/core/summarize/summarize.js';
import { rankFacts } from '../functions/core/summarize/rank.js';
import { scoreTuning } from './lib/tuning-score.js';
import { loadDevSet, type DevArticle } from './lib/dataset.js';
import { rouge } from './lib/rouge.js';

const FEATURE_NAMES = Object.keys(FEATURES);
const L2 = 1e-3;
const STEPS = 4000;
const RATE = 0.5;

/** The train rows of v2 and v1, each id once (v2 first: its text is the cleaner). */
function trainRows(): { v1: DevArticle[]; v2: DevArticle[]; all: DevArticle[] } {
  const v2 = (loadDevSet('v2') ?? []).filter((row) => row.part === 'train');
  const v1 = (loadDevSet('v1') ?? []).filter((row) => row.part === 'train');
  const seen = new Set<string>();
  const all = [...v2, ...v1].filter((row) => !seen.has(row.id) && seen.add(row.id));
  return { v1, v2, all };
}

/** The greedy oracle's sentence indices (see step 1). */
function oracle(sentences: readonly string[], reference: string): Set<number> {
  const chosen: number[] = [];
  let best = 0;
  for (let round = 0; round < 3; round++) {
    let pick = -1;
    sentences.forEach((_, index) => {
      if (chosen.includes(index)) return;
      const candidate = [...chosen, index].sort((a, b) => a - b).map((i) => sentences[i]!);
      const scores = rouge(candidate.join('\n'), reference);
      const value = scores.rouge1.f1 + scores.rouge2.f1;
      if (value > best) {
        best = value;
        pick = index;
      }
    });
    if (pick < 0) break;
    chosen.push(pick);
  }
  return new Set(chosen);
}

/** Logistic regression by gradient descent (see step 2). */
function fit(rows: readonly number[][], labels: readonly number[], weights: readonly number[]): Scorer {
  const width = FEATURE_NAMES.length;
  const w = new Array<number>(width).fill(0);
  let bias = 0;
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  for (let step = 0; step < STEPS; step++) {
    const gradient = new Array<number>(width).fill(0);
    let gradientBias = 0;
    rows.forEach((x, i) => {
      let z = bias;
      for (let k = 0; k < width; k++) z += w[k]! * x[k]!;
      const error = (1 / (1 + Math.exp(-z)) - labels[i]!) * weights[i]!;
      for (let k = 0; k < width; k++) gradient[k]! += error * x[k]!;
      gradientBias += error;
    });
    for (let k = 0; k < width; k++) w[k]! -= RATE * (gradient[k]! / totalWeight + L2 * w[k]!);
    bias -= (RATE * gradientBias) / totalWeight;
  }
  const round = (value: number): number => Math.round(value * 1e4) / 1e4;
  return { features: FEATURE_NAMES, weights: w.map(round), bias: round(bias) };
}

/** Mean R-1 and R-Lsum on v1 and v2 train rows, whole and re-weighted (as tune-summary.ts). */
const trainScore = (tuning: Tuning, sets: readonly DevArticle[][]): number[] => sets.flatMap((rows) => scoreTuning(tuning, rows));

const { v1, v2, all } = trainRows();
const features: number[][] = [];
const oracleLabels: number[] = [];
const softLabels: number[] = [];
const outletOf: string[] = [];
for (const row of all) {
  const { sentences } = articleSentences({ text: row.article });
  const positive = oracle(sentences, row.reference);
  const own = sentences.map((sentence) => {
    const scores = rouge(sentence, row.reference);
    return (scores.rouge1.f1 + scores.rouge2.f1) / 2;
  });
  const top = Math.max(...own, 1e-9);
  for (const facts of rankFacts(sentences)) {
    features.push(FEATURE_NAMES.map((name) => FEATURES[name]!(facts)));
    oracleLabels.push(positive.has(facts.index) ? 1 : 0);
    softLabels.push(own[facts.index]! / top);
    outletOf.push(row.outlet);
  }
}
const perOutlet = new Map<string, number>();
for (const outlet of outletOf) perOutlet.set(outlet, (perOutlet.get(outlet) ?? 0) + 1);
const sampleWeights = outletOf.map((outlet) => features.length / perOutlet.size / perOutlet.get(outlet)!);
console.log(
  `training on ${all.length} train articles, ${features.length} sentences (${oracleLabels.filter((l) => l === 1).length} in the oracle)`,
);
const scorers = (
  [
    ['oracle', oracleLabels],
    ['soft', softLabels],
  ] as const
).map(([labels, values]) => {
  const scorer = fit(features, values, sampleWeights);
  console.log(`${labels} labels: ${FEATURE_NAMES.map((name, k) => `${name} ${scorer.weights[k]}`).join(', ')}, bias ${scorer.bias}`);
  return { labels, scorer };
});

const sets = [v1, v2];
const header = '| ranker | v1 R-1 | v1 R-Lsum | v1w R-1 | v1w R-Lsum | v2 R-1 | v2 R-Lsum | v2w R-1 | v2w R-Lsum | mean |';
console.log(`\ntrain part only\n${header}\n|---|---|---|---|---|---|---|---|---|---|`);
const line = (label: string, figures: number[]): number => {
  const mean = figures.reduce((a, b) => a + b, 0) / figures.length;
  console.log(`| ${label} | ${figures.map((f) => f.toFixed(2)).join(' | ')} | ${mean.toFixed(2)} |`);
  return mean;
};
line('hand-weighted (HAND_TUNING)', trainScore(HAND_TUNING, sets));
let best = { mean: Number.NEGATIVE_INFINITY, leadMargin: 0, redundancy: 0, ...scorers[0]! };
for (const { labels, scorer } of scorers) {
  for (const leadMargin of [0, 0.5, 1, 2]) {
    for (const redundancy of [0.3, 0.4]) {
      const mean = line(
        `${labels} labels, lead margin ${leadMargin}, redundancy ${redundancy}`,
        trainScore({ ...HAND_TUNING, scorer, leadMargin, redundancy }, sets),
      );
      if (mean > best.mean) best = { mean, leadMargin, redundancy, labels, scorer };
    }
  }
}
console.log(`\nchosen on the train part: ${best.labels} labels, lead margin ${best.leadMargin}, redundancy ${best.redundancy}`);
const path = fileURLToPath(new URL('../functions/core/summarize/scorer.json', import.meta.url));
const stored = { labels: best.labels, ...best.scorer, leadMargin: best.leadMargin, redundancy: best.redundancy };
writeFileSync(path, `${JSON.stringify(stored, null, 2)}\n`);
console.log(`wrote ${path} (LEARNED_TUNING in rank.ts reads it; run prettier on it)`);
