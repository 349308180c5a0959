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
  /**
   * The one SQLite database of local state: archive, delivery ledger, run lease, token keys and local
   * subscribers (see local-state.ts).
   */
  database: string;
  /**
   * The JSON state files of earlier versions; imported into the database once, then renamed to
   * `<name>.imported` (see local-state.ts).
   */
  legacy: { archive: string; ledger: string; lease: string; keys: string };
}

/** The layout under `outDir`: `site/`, `outbox/`, and `state/` for the state database. */
export function localLayout(outDir: string): LocalLayout {
  const state = join(outDir, 'state');
  return {
    site: join(outDir, 'site'),
    outbox: join(outDir, 'outbox'),
    database: join(state, 'gazette.sqlite'),
    legacy: {
      archive: join(state, 'archive.jsonl'),
      ledger: join(state, 'deliveries.jsonl'),
      lease: join(state, 'lease.json'),
      keys: join(state, 'token-keys.json'),
    },
  };
}
