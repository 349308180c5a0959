/**
 * Summarising speed as deployed: the summariser runs in Lambda as esbuild output, so it is timed that
 * way here, against ts-textrank's published JavaScript, both bundled into one script (bench/
 * summary-speed-child.ts) with the Lambda's esbuild options and run in a fresh `node` process, as a cold
 * Lambda would. The same code loaded through the bench's own loader (tsx) ran about 15 % slower than its
 * bundle in one process (2026-12-03: 1.01x vs 0.87x ts-textrank). Keep-names, separate modules and
 * inline source maps were each measured and cost nothing visible; the cause is not known. So
 * bench/summarizer.ts prints the tsx figure too, beside this one.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleEntry } from './cold-start.js';

/** Interleaved passes over the whole set; the first of each system is its warm-up and is dropped. */
export const DEPLOYED_SPEED_ROUNDS = 25;

/** ms/article per round, Gazette's whole digest and ts-textrank's three sentences; warm-up dropped. */
export interface SpeedRounds {
  gazette: number[];
  rank: number[];
}

/** Bundles the child, writes the texts beside it, runs it and returns its rounds. */
export async function deployedSpeed(texts: readonly string[]): Promise<SpeedRounds> {
  const outDir = await mkdtemp(join(tmpdir(), 'gazette-speed-'));
  try {
    const bundle = await bundleEntry('summary-speed', 'bench/summary-speed-child.ts', outDir);
    const textsFile = join(outDir, 'texts.json');
    await writeFile(textsFile, JSON.stringify(texts));
    const child = spawnSync(process.execPath, [bundle.file, textsFile, String(DEPLOYED_SPEED_ROUNDS + 1)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (child.status !== 0) throw new Error(`the speed child exited ${child.status}: ${child.stderr}`);
    const rounds = JSON.parse(child.stdout) as SpeedRounds;
    return { gazette: rounds.gazette.slice(1), rank: rounds.rank.slice(1) };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
