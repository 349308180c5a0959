/**
 * Where the team's shared, non-redistributable material lives (the summariser's dev sets in `data/`, the
 * real feeds in `feeds/`): read in place at test and bench time, never copied into the repository.
 *
 * `GAZETTE_SHARED_DIR` names it; otherwise it is `../shared` beside the repository, and, for a clone made
 * somewhere else on a team machine (a CI checkout in a temporary folder), the machines' own `/work/shared`.
 * When none exists the caller fails with the path it tried: a missing corpus is an error, never a skip.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CANDIDATES = [resolve(repoRoot, '..', 'shared'), '/work/shared'];

/** The shared folder (see above); the first candidate when none exists, so errors name the usual place. */
export function sharedDir(): string {
  const fromEnv = process.env['GAZETTE_SHARED_DIR'];
  if (fromEnv) return resolve(fromEnv);
  return CANDIDATES.find((candidate) => existsSync(candidate)) ?? CANDIDATES[0]!;
}

/** A path inside the shared folder, e.g. `sharedPath('feeds')`. */
export function sharedPath(...parts: string[]): string {
  return resolve(sharedDir(), ...parts);
}
