/**
 * ROUGE as Google's `rouge-score` computes it with `use_stemmer=True`, so our numbers can be compared
 * with the published CNN/DailyMail figures:
 * - tokens: lower-case, every run of characters outside [a-z0-9] is a separator, words longer than
 *   three characters are Porter-stemmed (NLTK's default mode);
 * - clipped n-gram overlap over the whole text;
 * - R-Lsum: summary-level LCS — for each reference sentence, the union of its LCS with every candidate
 *   sentence, each token counted at most as often as it occurs on both sides. Sentences are the lines of
 *   each text (references come one highlight per line; join candidate sentences with "\n").
 */
import { porterStem } from '../../functions/core/summarize/porter.js';

/** Precision, recall and F1 of one ROUGE measure, each in [0, 1]. */
export interface RougeScore {
  precision: number;
  recall: number;
  f1: number;
}

/** The three measures reported on CNN/DailyMail. */
export interface RougeScores {
  rouge1: RougeScore;
  rouge2: RougeScore;
  rougeLsum: RougeScore;
}

/** Tokenises like `rouge_score.tokenize.tokenize(text, PorterStemmer())`. */
export function rougeTokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((token) => token.length > 0)
    .map((token) => (token.length > 3 ? porterStem(token) : token));
}

function score(hits: number, candidateTotal: number, referenceTotal: number): RougeScore {
  const precision = hits / Math.max(candidateTotal, 1);
  const recall = hits / Math.max(referenceTotal, 1);
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const gram = tokens.slice(i, i + n).join(' ');
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}

function rougeN(candidate: readonly string[], reference: readonly string[], n: number): RougeScore {
  const candidateCounts = ngramCounts(candidate, n);
  const referenceCounts = ngramCounts(reference, n);
  let hits = 0;
  for (const [gram, count] of candidateCounts) hits += Math.min(count, referenceCounts.get(gram) ?? 0);
  const total = (counts: Map<string, number>): number => [...counts.values()].reduce((a, b) => a + b, 0);
  return score(hits, total(candidateCounts), total(referenceCounts));
}

/** Indices into `reference` of one LCS with `candidate`, backtracked the way rouge-score does. */
function lcsIndices(reference: readonly string[], candidate: readonly string[]): number[] {
  const rows = reference.length;
  const cols = candidate.length;
  const table: Uint32Array[] = Array.from({ length: rows + 1 }, () => new Uint32Array(cols + 1));
  for (let i = 1; i <= rows; i++) {
    const row = table[i]!;
    const above = table[i - 1]!;
    for (let j = 1; j <= cols; j++) {
      row[j] = reference[i - 1] === candidate[j - 1] ? above[j - 1]! + 1 : Math.max(above[j]!, row[j - 1]!);
    }
  }
  const indices: number[] = [];
  let i = rows;
  let j = cols;
  while (i > 0 && j > 0) {
    if (reference[i - 1] === candidate[j - 1]) {
      indices.push(i - 1);
      i--;
      j--;
    } else if (table[i]![j - 1]! > table[i - 1]![j]!) {
      j--;
    } else {
      i--;
    }
  }
  return indices.reverse();
}

function rougeLsum(candidateLines: readonly string[][], referenceLines: readonly string[][]): RougeScore {
  const candidateTotal = candidateLines.reduce((sum, line) => sum + line.length, 0);
  const referenceTotal = referenceLines.reduce((sum, line) => sum + line.length, 0);
  if (candidateTotal === 0 || referenceTotal === 0) return { precision: 0, recall: 0, f1: 0 };
  const countAll = (lines: readonly string[][]): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const line of lines) for (const token of line) counts.set(token, (counts.get(token) ?? 0) + 1);
    return counts;
  };
  const candidateLeft = countAll(candidateLines);
  const referenceLeft = countAll(referenceLines);
  let hits = 0;
  for (const reference of referenceLines) {
    const union = new Set<number>();
    for (const candidate of candidateLines) for (const index of lcsIndices(reference, candidate)) union.add(index);
    for (const index of [...union].sort((a, b) => a - b)) {
      const token = reference[index]!;
      const c = candidateLeft.get(token) ?? 0;
      const r = referenceLeft.get(token) ?? 0;
      if (c > 0 && r > 0) {
        hits++;
        candidateLeft.set(token, c - 1);
        referenceLeft.set(token, r - 1);
      }
    }
  }
  return score(hits, candidateTotal, referenceTotal);
}

/** Splits a text into its non-empty lines, as rouge-score does for R-Lsum. */
function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.length > 0);
}

/**
 * Scores a candidate summary against a reference, both given as text with one sentence per line.
 * Mirrors `RougeScorer(['rouge1','rouge2','rougeLsum'], use_stemmer=True).score(reference, candidate)`.
 */
export function rouge(candidate: string, reference: string): RougeScores {
  const candidateTokens = rougeTokens(candidate);
  const referenceTokens = rougeTokens(reference);
  return {
    rouge1: rougeN(candidateTokens, referenceTokens, 1),
    rouge2: rougeN(candidateTokens, referenceTokens, 2),
    rougeLsum: rougeLsum(lines(candidate).map(rougeTokens), lines(reference).map(rougeTokens)),
  };
}
