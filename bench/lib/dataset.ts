/**
 * Loads the CNN/DailyMail development sets from outside the repository (the text is copyrighted research
 * data and never enters the repo): `../shared/data/news-dev.jsonl` (v1) and `news-dev-v2.jsonl` (v2)
 * relative to the repo root, or the folder in GAZETTE_DEV_DATA_DIR (GAZETTE_DEV_DATA still names the v1
 * file). Each row's split and outlet come from the `.meta.jsonl` file beside it, its train/report part
 * from the fixed rule in split.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { partOf, type Part } from './split.js';
import { sharedPath } from './shared-dir.js';

/** The news outlet a row came from. */
export type Outlet = 'cnn' | 'dailymail' | 'unknown';

/** One article of a dev set with its reference highlights (one per line). */
export interface DevArticle {
  id: string;
  article: string;
  reference: string;
  split: 'train' | 'validation' | 'unknown';
  outlet: Outlet;
  /** Tuning may read `train` rows only; `report` rows are for the tables. */
  part: Part;
}

/** The two development sets. */
export type DevSetName = 'v1' | 'v2';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FILES: Record<DevSetName, string> = { v1: 'news-dev.jsonl', v2: 'news-dev-v2.jsonl' };

/** Where a dev set is looked for. */
export function devDataPath(name: DevSetName = 'v1'): string {
  if (name === 'v1' && process.env['GAZETTE_DEV_DATA']) return process.env['GAZETTE_DEV_DATA'];
  const dir = process.env['GAZETTE_DEV_DATA_DIR'] ?? sharedPath('data');
  return resolve(dir, FILES[name]);
}

function readJsonLines<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

/** Reads a dev set, or returns undefined (after printing why) when the file is not there. */
export function loadDevSet(name: DevSetName = 'v1'): DevArticle[] | undefined {
  const path = devDataPath(name);
  if (!existsSync(path)) {
    console.log(`Dev set ${name} not found at ${path}: set GAZETTE_DEV_DATA_DIR to the folder of ${FILES[name]}.`);
    return undefined;
  }
  const meta = new Map<string, { split?: string; outlet?: string }>();
  const metaPath = path.replace(/\.jsonl$/, '.meta.jsonl');
  if (existsSync(metaPath))
    for (const row of readJsonLines<{ id: string; split?: string; outlet?: string }>(metaPath)) meta.set(row.id, row);
  return readJsonLines<{ id: string; article: string; reference: string }>(path).map((row) => {
    const { split, outlet } = meta.get(row.id) ?? {};
    return {
      ...row,
      split: split === 'train' || split === 'validation' ? split : 'unknown',
      outlet: outlet === 'cnn' || outlet === 'dailymail' ? outlet : 'unknown',
      part: partOf(row.id),
    };
  });
}

/**
 * The distinct articles of v1 and v2 together, each once: v2's cleaned text where a row is in both (195
 * ids are), v1's otherwise. The Daily Mail rows are what this is for: 85 distinct articles, where v2
 * alone has 42. The v1-only rows keep their "By . … PUBLISHED: ." byline blocks, which the summariser's
 * cleaning reads past.
 */
export function loadPooledDevSets(): DevArticle[] | undefined {
  const v1 = loadDevSet('v1');
  const v2 = loadDevSet('v2');
  if (v1 === undefined || v2 === undefined) return undefined;
  const byId = new Map<string, DevArticle>();
  for (const row of [...v1, ...v2]) byId.set(row.id, row);
  return [...byId.values()];
}
