/**
 * The feed-source contracts (tests/unit/sources-store-contract.ts) against the DynamoDB adapters the
 * deployed stack uses, on dynalite with the real key schema: the same answers the SQLite adapters and
 * the fakes give, here with real conditional writes. Each test gets fresh tables.
 */
import { afterEach, inject } from 'vitest';
import { DynamoSeenItems, DynamoSources } from '../../functions/adapters/aws/dynamodb-sources.js';
import { provisionGazette, uniqueResourceNames, type GazetteResourceNames } from '../../functions/cli/local-aws/emulators.js';
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
