/**
 * The feed-source contracts (tests/unit/sources-store-contract.ts) against the SQLite adapters behind
 * `npm start` and the memory fakes; DynamoDB runs the same contracts in tests/integration. Each `open()`
 * of a SQLite fixture is its own connection to the same database file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { localLayout } from '../../functions/adapters/local/layout.js';
import { openLocalState, type LocalState } from '../../functions/adapters/local/local-state.js';
import { SqliteSeenItems, SqliteSources } from '../../functions/adapters/local/sqlite-sources.js';
import { newSource } from '../../functions/core/sources/source.js';
import { MemorySeenItems, MemorySources } from '../fakes/sources.js';
import { describeSeenItems, describeSourceStore } from './sources-store-contract.js';

const dirs: string[] = [];
const connections: LocalState[] = [];
afterEach(() => {
  for (const state of connections.splice(0)) state.close();
});
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function freshDatabase(): Promise<() => LocalState> {
  const dir = await mkdtemp(join(tmpdir(), 'gazette-sources-'));
  dirs.push(dir);
  return () => {
    const state = openLocalState(localLayout(dir));
    connections.push(state);
    return state;
  };
}

describeSourceStore('SQLite', async () => {
  const connect = await freshDatabase();
  return { open: () => new SqliteSources(connect()) };
});
describeSourceStore('memory fake', async () => {
  const store = new MemorySources();
  return { open: () => store };
});
describeSeenItems('SQLite', async () => {
  const connect = await freshDatabase();
  return { open: () => new SqliteSeenItems(connect()) };
});
describeSeenItems('memory fake', async () => {
  const seen = new MemorySeenItems();
  return { open: () => seen };
});

describe('SQLite source store', () => {
  it('reports a broken record by id and lists the others', async () => {
    const connect = await freshDatabase();
    const state = connect();
    const store = new SqliteSources(state, (message) => warnings.push(message));
    const warnings: string[] = [];
    await store.add(newSource('https://ok.example.com/feed', new Date('2026-12-01T00:00:00Z')));
    state.db.prepare("INSERT INTO sources (id, url, version, record) VALUES ('src-broken', 'x', 0, '{\"id\":\"src-broken\"}')").run();
    expect((await store.list()).map((source) => source.url)).toEqual(['https://ok.example.com/feed']);
    expect(warnings).toEqual([expect.stringMatching(/source "src-broken" skipped: url: /)]);
  });
});
