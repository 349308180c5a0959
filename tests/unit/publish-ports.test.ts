/**
 * The publish-port contracts (tests/unit/publish-ports-contract.ts) run against the local SQLite
 * adapters behind `npm start` and against the in-memory fakes the use-case tests rely on, so the fakes
 * keep the real adapters' rules. The DynamoDB adapters run the same contracts in tests/integration.
 * Every `open()` of a SQLite fixture is its own connection to the same database file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { localLayout, type LocalLayout } from '../../functions/adapters/local/layout.js';
import { openLocalState, type LocalState } from '../../functions/adapters/local/local-state.js';
import { SqliteArchive } from '../../functions/adapters/local/sqlite-archive.js';
import { SqliteLedger } from '../../functions/adapters/local/sqlite-ledger.js';
import { SqliteRunLease } from '../../functions/adapters/local/sqlite-run-lease.js';
import { MemoryArchive, MemoryLease, MemoryLedger } from '../fakes/index.js';
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
