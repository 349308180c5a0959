/**
 * Starts the four AWS emulators in this process on free ports of 127.0.0.1 — s3rver (S3), dynalite
 * (DynamoDB), aws-ses-v2-local (SES v1/v2, behind the front in ses-front.ts) and fauxqs (SQS; chosen
 * over local-aws-sqs, see SQS-EMULATOR.md) — and provisions Gazette's bucket, tables and queues in them. Used by `npm run dev` and by the integration and e2e global setups.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateTableCommand, type CreateTableCommandInput, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { buildApp as buildFauxqs } from 'fauxqs';
import { LOCAL_ENV } from '../../shared/env.js';
import { ENV } from '../../shared/env-names.js';
import { SEND_QUEUE_MAX_RECEIVES } from '../../shared/send-queue.js';
import { TABLE_KEYS, type TableKeySchema, type TableRole } from '../../shared/tables.js';
import { LOCAL_HOST as HOST, startSesFront } from './ses-front.js';

/** Base URLs of the running emulators (what the SDK clients' `endpoint` is set to). */
export interface EmulatorEndpoints {
  s3: string;
  dynamodb: string;
  /** The SES front: SDK endpoint, web inbox at `/`, captured mails at `/store`, test controls at `/__gazette/*`. */
  ses: string;
  sqs: string;
}

/** Running emulators. */
export interface Emulators {
  endpoints: EmulatorEndpoints;
  /** Stops all three and removes s3rver's temporary folder. */
  stop(): Promise<void>;
}

/** Options for `startEmulators`. */
export interface StartOptions {
  /** Port of the SES front (0 = any free port; `npm run dev` may pin one for a stable inbox URL). */
  sesPort?: number;
}

const require = createRequire(import.meta.url);

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
type Dynalite = (options: Record<string, unknown>) => Server;
type SesServer = (config: { host: string; port: number }) => Promise<Server>;

/** Starts s3rver, dynalite and aws-ses-v2-local (behind the SES front) on free ports. */
export async function startEmulators(options: StartOptions = {}): Promise<Emulators> {
  const stops: (() => Promise<void>)[] = [];
  try {
    const directory = await mkdtemp(join(tmpdir(), 'gazette-s3rver-'));
    stops.push(() => rm(directory, { recursive: true, force: true }));
    const S3rver = require('s3rver') as S3rverConstructor;
    const s3 = new S3rver({ address: HOST, port: 0, silent: true, directory, resetOnClose: true });
    const s3Address = await s3.run();
    stops.push(() => s3.close());

    const dynalite = require('dynalite') as Dynalite;
    // Tables are ACTIVE at once; the 500 ms defaults would make every CreateTable wait.
    const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => dynamo.once('error', reject).listen(0, HOST, resolve));
    stops.push(() => closeServer(dynamo));

    // CommonJS with `exports.default`: plain Node ESM and vitest disagree on what a default import gives,
    // so require() it and take `.default` explicitly.
    const sesModule = require('aws-ses-v2-local') as { default: SesServer };
    const ses = await sesModule.default({ host: HOST, port: 0 });
    stops.push(() => closeServer(ses));
    const front = await startSesFront(`http://${HOST}:${(ses.address() as AddressInfo).port}`, options.sesPort ?? 0);
    stops.push(() => closeServer(front));

    // fauxqs's own startFauxqs() listens on every interface; its app, listened on here, stays on loopback.
    const sqs = buildFauxqs({ logger: false });
    const sqsAddress = await sqs.listen({ port: 0, host: HOST });
    stops.push(() => sqs.close());

    return {
      endpoints: {
        s3: `http://${HOST}:${s3Address.port}`,
        dynamodb: `http://${HOST}:${(dynamo.address() as AddressInfo).port}`,
        ses: `http://${HOST}:${(front.address() as AddressInfo).port}`,
        sqs: sqsAddress,
      },
      stop: () => stopAll(stops),
    };
  } catch (error) {
    await stopAll(stops);
    throw error;
  }
}

/** Physical names of Gazette's bucket, tables and queues (the stack lets CDK generate them on AWS). */
export interface GazetteResourceNames {
  bucket: string;
  tables: Record<TableRole, string>;
  /** The send queue and its dead-letter queue. */
  queues: { send: string; deadLetter: string };
}

/** Fresh, unique resource names, so tests sharing one set of emulators never see each other's data. */
export function uniqueResourceNames(label = 'gazette'): GazetteResourceNames {
  const suffix = randomUUID().slice(0, 8);
  return {
    bucket: `${label}-site-${suffix}`,
    tables: {
      subscribers: `${label}-subscribers-${suffix}`,
      deliveries: `${label}-deliveries-${suffix}`,
      state: `${label}-state-${suffix}`,
      sources: `${label}-sources-${suffix}`,
    },
    queues: { send: `${label}-send-${suffix}`, deadLetter: `${label}-send-dlq-${suffix}` },
  };
}

/** A shared key schema as CreateTable spells it: the table's keys, its indexes, and every key attribute's type. */
function keySchema(keys: TableKeySchema): Pick<CreateTableCommandInput, 'AttributeDefinitions' | 'KeySchema' | 'GlobalSecondaryIndexes'> {
  const keyParts = (schema: Pick<TableKeySchema, 'partitionKey' | 'sortKey'>) => [
    { key: schema.partitionKey, KeyType: 'HASH' as const },
    ...(schema.sortKey ? [{ key: schema.sortKey, KeyType: 'RANGE' as const }] : []),
  ];
  const indexes = keys.indexes ?? [];
  const attributes = new Map([keys, ...indexes].flatMap(keyParts).map(({ key }) => [key.name, key.type] as const));
  return {
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: keyParts(keys).map(({ key, KeyType }) => ({ AttributeName: key.name, KeyType })),
    ...(indexes.length > 0
      ? {
          GlobalSecondaryIndexes: indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: keyParts(index).map(({ key, KeyType }) => ({ AttributeName: key.name, KeyType })),
            Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.include] },
          })),
        }
      : {}),
  };
}

/** Creates the bucket and the three tables with the key schemas of the deployed stack; returns once all are ACTIVE. */
export async function provisionGazette(clients: { s3: S3Client; dynamodb: DynamoDBClient }, names: GazetteResourceNames): Promise<void> {
  await clients.s3.send(new CreateBucketCommand({ Bucket: names.bucket }));
  // The TTL attribute is not set here: dynalite has no UpdateTimeToLive, and the lease and the
  // notification ledger decide expiry by their own conditions anyway.
  await Promise.all(
    (Object.keys(TABLE_KEYS) as TableRole[]).map((role) =>
      clients.dynamodb.send(
        new CreateTableCommand({ TableName: names.tables[role], BillingMode: 'PAY_PER_REQUEST', ...keySchema(TABLE_KEYS[role]) }),
      ),
    ),
  );
  // dynalite answers CreateTable before it stores the table as ACTIVE (even with createTableMs 0), and
  // an item write to a CREATING table fails with ResourceNotFoundException: wait for ACTIVE.
  await Promise.all(Object.values(names.tables).map((table) => waitUntilActive(clients.dynamodb, table)));
}

/**
 * Creates the send queue with a redrive policy to its dead-letter queue, as the stack does; returns
 * both URLs. `visibilityTimeoutSeconds` is short in tests, so a message a crashed worker held comes back soon.
 */
export async function provisionSendQueue(
  sqs: SQSClient,
  names: GazetteResourceNames,
  visibilityTimeoutSeconds = 30,
  maxReceiveCount = SEND_QUEUE_MAX_RECEIVES,
): Promise<{ sendQueueUrl: string; deadLetterQueueUrl: string }> {
  const deadLetterQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: names.queues.deadLetter }))).QueueUrl!;
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ['QueueArn'] }));
  const redrive = JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount });
  const created = await sqs.send(
    new CreateQueueCommand({
      QueueName: names.queues.send,
      Attributes: { VisibilityTimeout: String(visibilityTimeoutSeconds), RedrivePolicy: redrive },
    }),
  );
  return { sendQueueUrl: created.QueueUrl!, deadLetterQueueUrl };
}

async function waitUntilActive(dynamodb: DynamoDBClient, table: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: table }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`table ${table} did not become ACTIVE`);
}

/**
 * The variables infra sets to name the bucket, the tables and the seeds folder, plus the local-only
 * endpoints of these emulators. Callers add the site and sender settings and an inline keyring, which
 * differ between `npm run dev` and the tests.
 */
export function emulatorEnvironment(endpoints: EmulatorEndpoints, names: GazetteResourceNames): Record<string, string> {
  return {
    [ENV.siteBucket]: names.bucket,
    [ENV.subscribersTable]: names.tables.subscribers,
    [ENV.deliveriesTable]: names.tables.deliveries,
    [ENV.stateTable]: names.tables.state,
    [ENV.sourcesTable]: names.tables.sources,
    [ENV.seedsDir]: resolve('seeds'),
    [LOCAL_ENV.s3Endpoint]: endpoints.s3,
    [LOCAL_ENV.sesEndpoint]: endpoints.ses,
    [LOCAL_ENV.dynamodbEndpoint]: endpoints.dynamodb,
    [LOCAL_ENV.sqsEndpoint]: endpoints.sqs,
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Idle keep-alive sockets from the SDK would hold close() open until they time out.
    server.closeAllConnections();
  });
}

async function stopAll(stops: (() => Promise<void>)[]): Promise<void> {
  for (const stop of stops.reverse()) {
    try {
      await stop();
    } catch {
      // Keep stopping the rest; one emulator failing to close must not leak the others.
    }
  }
}
