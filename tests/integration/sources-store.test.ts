/**
 * The feed-source contracts (tests/unit/sources-store-contract.ts) against the DynamoDB adapters the
 * deployed stack uses, on dynalite with the real key schema: the same answers the SQLite adapters and
 * the fakes give, here with real conditional writes. Each test gets fresh tables.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { runGazette } from '../../functions/cli/gazette.js';
import { memoryIo } from '../fakes/memory-io.js';
import { DynamoSeenItems, DynamoSources } from '../../functions/adapters/aws/dynamodb-sources.js';
import { provisionGazette, uniqueResourceNames, type GazetteResourceNames } from '../../functions/dev/local-aws/emulators.js';
import { type AwsClients, createAwsClients, destroyAwsClients } from '../../functions/shared/aws-clients.js';
import { describeSeenItems, describeSourceStore } from '../unit/sources-store-contract.js';

const open: AwsClients[] = [];
afterEach(() => {
  for (const clients of open.splice(0)) destroyAwsClients(clients);
});

async function freshTables(): Promise<{ clients: AwsClients; names: GazetteResourceNames }> {
  const clients = createAwsClients({ region: 'eu-west-1', endpoints: inject('emulators') });
  open.push(clients);
  const names = uniqueResourceNames('sources');
  await provisionGazette(clients, names);
  return { clients, names };
}

describeSourceStore('DynamoDB (dynalite)', async () => {
  const { clients, names } = await freshTables();
  return { open: () => new DynamoSources(clients.doc, names.tables.sources) };
});

describeSeenItems('DynamoDB (dynalite)', async () => {
  const { clients, names } = await freshTables();
  return { open: () => new DynamoSeenItems(clients.doc, names.tables.sources) };
});

describe('gazette sources --table (a deployed stack, here on dynalite)', () => {
  it('adds, imports, lists, exports and removes on the DynamoDB table', async () => {
    const { names } = await freshTables();
    const dir = await mkdtemp(join(tmpdir(), 'gazette-sources-table-'));
    try {
      const table = ['--table', names.tables.sources, '--region', 'eu-west-1', '--endpoint', inject('emulators').dynamodb];
      const run = async (...args: string[]) => {
        const io = memoryIo();
        const code = await runGazette(['sources', ...args, ...table], io);
        return { code, out: io.out(), err: io.err() };
      };
      expect((await run('add', 'https://town.example.org/feed.xml', '--no-fetch')).out).toContain('added');
      const list = join(dir, 'feeds.txt');
      await writeFile(list, '# two feeds\nhttps://town.example.org/feed.xml\nhttps://b.example.com/rss\n');
      expect((await run('import', list)).out).toBe('1 added, 1 already followed, 0 refused\n');
      expect((await run('list')).out).toBe(
        'active    https://b.example.com/rss\nactive    https://town.example.org/feed.xml\n2 source(s)\n',
      );
      expect((await run('export')).out).toContain('xmlUrl="https://b.example.com/rss"');
      expect((await run('remove', 'https://b.example.com/rss')).out).toContain('removed');
      expect((await run('list')).out).toContain('1 source(s)');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
