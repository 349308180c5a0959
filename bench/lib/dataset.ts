/**
 * Loads the CNN/DailyMail development set from outside the repository (the text is copyrighted research
 * data and never enters the repo): `../shared/data/news-dev.jsonl` relative to the repo root, or the path
 * in GAZETTE_DEV_DATA. The split (train / validation) comes from the `.meta.jsonl` file beside it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One article of the dev set with its reference highlights (one per line). */
export interface DevArticle {
  id: string;
  article: string;
  reference: string;
  split: 'train' | 'validation' | 'unknown';
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the dev set is looked for. */
export function devDataPath(): string {
  return process.env['GAZETTE_DEV_DATA'] ?? resolve(repoRoot, '..', 'shared', 'data', 'news-dev.jsonl');
}

/** Reads the dev set, or returns undefined (after printing why) when the file is not there. */
export function loadDevSet(): DevArticle[] | undefined {
  const path = devDataPath();
  if (!existsSync(path)) {
    console.log(`Dev set not found at ${path}: set GAZETTE_DEV_DATA to news-dev.jsonl to run the quality benchmark.`);
    return undefined;
  }
  const splits = new Map<string, string>();
  const metaPath = path.replace(/\.jsonl$/, '.meta.jsonl');
  if (existsSync(metaPath)) {
    for (const line of readFileSync(metaPath, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const meta = JSON.parse(line) as { id: string; split: string };
      splits.set(meta.id, meta.split);
    }
  }
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const row = JSON.parse(line) as { id: string; article: string; reference: string };
      const split = splits.get(row.id);
      return { ...row, split: split === 'train' || split === 'validation' ? split : 'unknown' };
    });
}
