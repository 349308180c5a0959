/**
 * The publish-port contracts (tests/unit/publish-ports-contract.ts) run against the local JSON-file
 * adapters behind `npm start` and against the in-memory fakes the use-case tests rely on, so the fakes
 * keep the real adapters' rules. The DynamoDB adapters run the same contracts in tests/integration.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { FileRunLease } from '../../functions/adapters/local/file-run-lease.js';
import { JsonFileArchive } from '../../functions/adapters/local/json-file-archive.js';
import { JsonFileLedger } from '../../functions/adapters/local/json-file-ledger.js';
import { MemoryArchive, MemoryLease, MemoryLedger } from '../fakes/index.js';
import { describeArchive, describeDeliveryLedger, describeRunLease } from './publish-ports-contract.js';

const dirs: string[] = [];
async function tempPath(file: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gazette-ports-'));
  dirs.push(dir);
  return join(dir, 'state', file);
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** One in-memory instance stands for the storage: every handle is the same object. */
const shared = <Port>(port: Port) => ({ open: () => port });

describeDeliveryLedger('JSON file', async () => {
  const path = await tempPath('deliveries.jsonl');
  return { open: () => new JsonFileLedger(path) };
});
describeDeliveryLedger('memory fake', async () => shared(new MemoryLedger()));

describeArchive('JSON file', async () => {
  const path = await tempPath('archive.jsonl');
  return { open: () => new JsonFileArchive(path) };
});
describeArchive('memory fake', async () => shared(new MemoryArchive()));

describeRunLease('file', async () => {
  const path = await tempPath('lease.json');
  return { open: () => new FileRunLease(path) };
});
describeRunLease('memory fake', async () => shared(new MemoryLease()));
