/**
 * The publish-port contracts (tests/unit/publish-ports-contract.ts) against the DynamoDB adapters the
 * deployed stack uses, on dynalite with the real key schemas: the same rules the SQLite adapters and
 * the fakes pass in tests/unit, here with real conditional writes. Each test gets fresh tables.
 */
import { afterEach, inject } from 'vitest';
import { DynamoArchive } from '../../functions/adapters/aws/dynamodb-archive.js';
import { DynamoDeliveryLedger } from '../../functions/adapters/aws/dynamodb-delivery-ledger.js';
import { DynamoRunLease } from '../../functions/adapters/aws/dynamodb-run-lease.js';
import { provisionGazette, uniqueResourceNames, type GazetteResourceNames } from '../../functions/cli/local-aws/emulators.js';
import { type AwsClients, createAwsClients, destroyAwsClients } from '../../functions/shared/aws-clients.js';
import { describeArchive, describeDeliveryLedger, describeRunLease } from '../unit/publish-ports-contract.js';

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
