/**
 * Where the local adapters keep their files under the output folder (`out/` by default), in one place
 * so `publish`, `serve` and the subscribers command agree.
 */
import { join } from 'node:path';

/** The files and folders of a local Gazette under `outDir`. */
export interface LocalLayout {
  /** The published site and feeds. */
  site: string;
  /** One `.eml` file per message. */
  outbox: string;
  archive: string;
  ledger: string;
  lease: string;
  /** HMAC keys of subscriber tokens, created on the first run. */
  keys: string;
}

/** The layout under `outDir`: `site/`, `outbox/`, and `state/` for the JSON state files. */
export function localLayout(outDir: string): LocalLayout {
  const state = join(outDir, 'state');
  return {
    site: join(outDir, 'site'),
    outbox: join(outDir, 'outbox'),
    archive: join(state, 'archive.jsonl'),
    ledger: join(state, 'deliveries.jsonl'),
    lease: join(state, 'lease.json'),
    keys: join(state, 'token-keys.json'),
  };
}
