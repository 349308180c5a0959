/**
 * The publish-port contracts (tests/unit/publish-ports-contract.ts) against the DynamoDB adapters the
 * deployed stack uses, on dynalite with the real key schemas: the same rules the SQLite adapters and
 * the fakes pass in tests/unit, here with real conditional writes. Each test gets fresh tables.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { DynamoArchive } from '../../functions/adapters/aws/dynamodb-archive.js';
import { DynamoDeliveryLedger } from '../../functions/adapters/aws/dynamodb-delivery-ledger.js';
import { DynamoRunLease } from '../../functions/adapters/aws/dynamodb-run-lease.js';
import { provisionGazette, uniqueResourceNames, type GazetteResourceNames } from '../../functions/dev/local-aws/emulators.js';
import { type AwsClients, createAwsClients, destroyAwsClients } from '../../functions/shared/aws-clients.js';
import { archiveEntry } from '../../functions/core/publish/digest.js';
import { stateKey } from '../../functions/shared/tables.js';
import { describeArchive, describeDeliveryLedger, describeRunLease } from '../unit/publish-ports-contract.js';
import { seedDigest } from '../unit/render-fixtures.js';

const open: AwsClients[] = [];
afterEach(() => {
  for (const clients of open.splice(0)) destroyAwsClients(clients);
});

/** Fresh tables on the shared emulators, and clients for them. */
async function freshTables(): Promise<{ clients: AwsClients; names: GazetteResourceNames }> {
  const clients = createAwsClients({ region: 'eu-west-1', endpoints: inject('emulators') });
  open.push(clients);
  const names = uniqueResourceNames('ports');
  await provisionGazette(clients, names);
  return { clients, names };
}

describeDeliveryLedger('DynamoDB (dynalite)', async () => {
  const { clients, names } = await freshTables();
  return { open: () => new DynamoDeliveryLedger(clients.doc, names.tables.deliveries) };
});

describeArchive('DynamoDB (dynalite)', async () => {
  const { clients, names } = await freshTables();
  return { open: () => new DynamoArchive(clients.doc, names.tables.state) };
});

describeRunLease('DynamoDB (dynalite)', async () => {
  const { clients, names } = await freshTables();
  return { open: () => new DynamoRunLease(clients.doc, names.tables.state) };
});

describe('DynamoDB archive upgrade', () => {
  it('puts a digest stored without the index attributes (an earlier version) onto the index on the first list()', async () => {
    const { clients, names } = await freshTables();
    // The item exactly as the adapter wrote it before the archive index existed.
    const item = {
      ...stateKey('digest', seedDigest.id),
      digest: seedDigest,
      contentHash: seedDigest.contentHash,
      mailStatus: seedDigest.mailStatus,
    };
    await clients.doc.send(new PutCommand({ TableName: names.tables.state, Item: item }));
    const archive = new DynamoArchive(clients.doc, names.tables.state);
    expect(await archive.entries()).toEqual([]);
    expect(await archive.list()).toEqual([seedDigest]);
    expect(await archive.entries()).toEqual([archiveEntry(seedDigest)]);
    expect(await archive.entriesSeenAfter('2000-01-01T00:00:00.000Z')).toEqual([archiveEntry(seedDigest)]);
    expect(await archive.get([seedDigest.id, 'missing'])).toEqual([seedDigest]);
  });
});
