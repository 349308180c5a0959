/**
 * The child side of the as-deployed speed comparison (bench/summary-speed.ts bundles this file with the
 * Lambda's esbuild options and runs it in a fresh `node`). Reads a JSON array of article texts from the
 * file named by argv[2], then times Gazette's whole digest and ts-textrank's three sentences over all of
 * them, `argv[3]` rounds, alternating which goes first; prints the per-round ms/article as JSON.
 */
import { readFileSync } from 'node:fs';
import { summarize } from '../functions/core/summarize/index.js';
import { textRankSentences } from './lib/textrank.js';

const texts = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as string[];
const rounds = Number(process.argv[3]);

/** ms per article of one pass of `summarise` over every text. */
function pass(summarise: (text: string) => unknown): number {
  const started = performance.now();
  for (const text of texts) summarise(text);
  return (performance.now() - started) / texts.length;
}

const gazette: number[] = [];
const rank: number[] = [];
for (let round = 0; round < rounds; round++) {
  // Alternating order, so neither system always runs on the other's leftovers (caches, heap).
  if (round % 2 === 0) {
    gazette.push(pass((text) => summarize({ text })));
    rank.push(pass((text) => textRankSentences(text)));
  } else {
    rank.push(pass((text) => textRankSentences(text)));
    gazette.push(pass((text) => summarize({ text })));
  }
}
process.stdout.write(JSON.stringify({ gazette, rank }));
