/**
 * The publish-port contracts (tests/unit/publish-ports-contract.ts) run against the local SQLite
 * adapters behind `npm start` and against the in-memory fakes the use-case tests rely on, so the fakes
 * keep the real adapters' rules. The DynamoDB adapters run the same contracts in tests/integration.
 * Every `open()` of a SQLite fixture is its own connection to the same database file.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { localLayout, type LocalLayout } from '../../functions/adapters/local/layout.js';
import { openLocalState, type LocalState } from '../../functions/adapters/local/local-state.js';
import { SqliteArchive } from '../../functions/adapters/local/sqlite-archive.js';
import { SqliteLedger } from '../../functions/adapters/local/sqlite-ledger.js';
import { SqliteRunLease } from '../../functions/adapters/local/sqlite-run-lease.js';
import { archiveEntry } from '../../functions/core/publish/digest.js';
import { MemoryArchive, MemoryLease, MemoryLedger } from '../fakes/index.js';
import { seedDigest } from './render-fixtures.js';
import { describeArchive, describeDeliveryLedger, describeRunLease } from './publish-ports-contract.js';

const dirs: string[] = [];
const connections: LocalState[] = [];
afterEach(() => {
  for (const state of connections.splice(0)) state.close();
});
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh output folder whose state database each call to the returned function opens anew. */
async function freshDatabase(): Promise<() => LocalState> {
  const dir = await mkdtemp(join(tmpdir(), 'gazette-ports-'));
  dirs.push(dir);
  const layout: LocalLayout = localLayout(dir);
  return () => {
    const state = openLocalState(layout);
    connections.push(state);
    return state;
  };
}

/** One in-memory instance stands for the storage: every handle is the same object. */
const shared = <Port>(port: Port) => ({ open: () => port });

describeDeliveryLedger('SQLite', async () => {
  const connect = await freshDatabase();
  return { open: () => new SqliteLedger(connect()) };
});
describeDeliveryLedger('memory fake', async () => shared(new MemoryLedger()));

describeArchive('SQLite', async () => {
  const connect = await freshDatabase();
  return { open: () => new SqliteArchive(connect()) };
});
describeArchive('memory fake', async () => shared(new MemoryArchive()));

describeRunLease('SQLite', async () => {
  const connect = await freshDatabase();
  return { open: () => new SqliteRunLease(connect()) };
});
describeRunLease('memory fake', async () => shared(new MemoryLease()));

describe('SQLite archive upgrade', () => {
  it('adds the index columns to a version-2 database and indexes its digests on the first list()', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gazette-ports-'));
    dirs.push(dir);
    const layout = localLayout(dir);
    await mkdir(join(dir, 'state'), { recursive: true });
    // The digests table exactly as version 2 created it, with one digest in it.
    const old = new Database(layout.database);
    old.exec('CREATE TABLE digests (id TEXT PRIMARY KEY, content_hash TEXT, body TEXT NOT NULL) WITHOUT ROWID');
    old
      .prepare('INSERT INTO digests (id, content_hash, body) VALUES (?, ?, ?)')
      .run(seedDigest.id, seedDigest.contentHash, JSON.stringify(seedDigest));
    old.pragma('user_version = 2');
    old.close();

    const state = openLocalState(layout);
    connections.push(state);
    const archive = new SqliteArchive(state);
    expect(await archive.entries()).toEqual([]);
    expect(await archive.list()).toEqual([seedDigest]);
    expect(await archive.entries()).toEqual([archiveEntry(seedDigest)]);
    expect(await archive.entriesSeenAfter('2000-01-01T00:00:00.000Z')).toEqual([archiveEntry(seedDigest)]);
    expect(await archive.get([seedDigest.id])).toEqual([seedDigest]);
  });
});
