/**
 * Builds the REAL publish handler (functions/handlers/publish.ts) against the emulators for one test:
 * fresh bucket and tables, env parsed by the real env schema, real SDK clients with emulator endpoints.
 * Only the logger is silenced and the metrics are recorded so tests can read them.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { simpleParser, type ParsedMail } from 'mailparser';
import { inject } from 'vitest';
import { DynamoArchive } from '../../functions/adapters/aws/dynamodb-archive.js';
import type { Digest, SubscriberStatus } from '../../functions/core/model.js';
import { isSitePath } from '../../functions/core/render/outputs.js';
import { normaliseAddress, subscriberIdFor } from '../../functions/core/subscriptions/address.js';
import {
  createPublishHandler,
  type PublishHandler,
  type PublishHandlerOptions,
  type PublishSummary,
} from '../../functions/handlers/publish.js';
import { type AwsClients, createAwsClients, destroyAwsClients } from '../../functions/shared/aws-clients.js';
import { loadPublisherEnv, type PublisherEnv } from '../../functions/shared/env.js';
import {
  type EmulatorEndpoints,
  type GazetteResourceNames,
  provisionGazette,
  uniqueResourceNames,
} from '../../functions/dev/local-aws/emulators.js';
import { capturedSends } from '../../functions/dev/local-aws/ses-front.js';
import { publisherVariables, TEST_SUBSCRIBER_ID_KEY } from '../support/publisher-env.js';

export { publisherVariables, TEST_KEYRING_JSON, TEST_ORIGIN_VERIFY, TEST_SUBSCRIBER_ID_KEY } from '../support/publisher-env.js';

/** One metric data point the handler emitted. */
export interface RecordedMetric {
  name: string;
  value: number;
}

/** Everything one test needs. */
export interface Harness {
  endpoints: EmulatorEndpoints;
  names: GazetteResourceNames;
  env: PublisherEnv;
  clients: AwsClients;
  /** The real handler; `invoke` gives each call a fresh request id. */
  handler: PublishHandler;
  invoke(event?: Record<string, unknown>): Promise<PublishSummary>;
  /** Metrics published by completed invocations. */
  metrics: RecordedMetric[][];
  /** PutObject calls of site files (output registry keys) made by the handler's S3 client. */
  putCount(): number;
  /** Keys of those PutObject calls, in the order they were sent. */
  putKeys(): string[];
  /** A unique address for this test (the SES store is shared by all tests). */
  address(label: string): string;
  seedSubscriber(email: string, status: SubscriberStatus): Promise<string>;
  /** Raw messages SES accepted for this test's addresses, parsed; `to` is the envelope recipient. */
  mails(): Promise<{ to: string; parsed: ParsedMail; raw: Buffer }[]>;
  digests(): Promise<Digest[]>;
  deliveries(): Promise<Record<string, unknown>[]>;
  stateItems(): Promise<Record<string, unknown>[]>;
  object(key: string): Promise<{ body: Buffer; contentType?: string; cacheControl?: string; etag?: string; lastModified?: Date }>;
  head(key: string): Promise<{ etag?: string; lastModified?: Date }>;
  keys(prefix?: string): Promise<string[]>;
  close(): void;
}

/**
 * Provisions fresh resources and builds the handler. `options.clock` is the handler's clock;
 * `options.variables` are added to the environment the handler is built from (a setting under test).
 */
export async function createHarness(
  options: Pick<PublishHandlerOptions, 'clock'> & { variables?: Record<string, string> } = {},
): Promise<Harness> {
  const { variables = {}, ...handlerOptions } = options;
  const endpoints = inject('emulators');
  const names = uniqueResourceNames('it');
  const env = loadPublisherEnv({ ...publisherVariables(endpoints, names), ...variables });
  const clients = createAwsClients({ region: env.region, endpoints: env.endpoints });
  await provisionGazette(clients, names);
  const puts: string[] = [];
  clients.s3.middlewareStack.add(
    (next, context) => async (args) => {
      const key = String((args.input as { Key?: string }).Key);
      // The site's own files only: not the site mark, not an article moved to processed/.
      if (context.commandName === 'PutObjectCommand' && isSitePath(key)) puts.push(key);
      return next(args);
    },
    { step: 'initialize', name: 'countPuts' },
  );
  const tag = randomUUID().slice(0, 8);
  const metrics: RecordedMetric[][] = [];
  let pending: RecordedMetric[] = [];
  const handler = createPublishHandler({
    env,
    clients,
    logger: new Logger({ serviceName: 'publisher', logLevel: 'SILENT' }),
    metrics: {
      addMetric(name, _unit, value) {
        pending.push({ name, value });
      },
      publishStoredMetrics() {
        metrics.push(pending);
        pending = [];
      },
    },
    ...handlerOptions,
  });
  const scan = async (table: string) => (await clients.doc.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? [];
  const isOurs = (address: string) => address.includes(`+${tag}@`);

  return {
    endpoints,
    names,
    env,
    clients,
    handler,
    metrics,
    invoke: (event = {}) => handler(event, { awsRequestId: randomUUID() }),
    putCount: () => puts.length,
    putKeys: () => [...puts],
    address: (label) => `${label}+${tag}@example.com`,
    async seedSubscriber(email, status) {
      const id = subscriberIdFor(normaliseAddress(email), TEST_SUBSCRIBER_ID_KEY);
      const now = new Date().toISOString();
      await clients.doc.send(
        new PutCommand({ TableName: names.tables.subscribers, Item: { id, email, status, createdAt: now, updatedAt: now } }),
      );
      return id;
    },
    async mails() {
      const sends = (await capturedSends(endpoints.ses)).filter((send) => send.destinations.some(isOurs));
      return Promise.all(
        sends.map(async (send) => {
          const raw = Buffer.from(send.raw, 'base64');
          return { to: send.destinations.join(','), parsed: await simpleParser(raw), raw };
        }),
      );
    },
    digests: () => new DynamoArchive(clients.doc, names.tables.state).list(),
    deliveries: () => scan(names.tables.deliveries),
    stateItems: () => scan(names.tables.state),
    async object(key) {
      const object = await clients.s3.send(new GetObjectCommand({ Bucket: names.bucket, Key: key }));
      return {
        body: Buffer.from(await object.Body!.transformToByteArray()),
        contentType: object.ContentType,
        cacheControl: object.CacheControl,
        etag: object.ETag,
        lastModified: object.LastModified,
      };
    },
    async head(key) {
      const object = await clients.s3.send(new HeadObjectCommand({ Bucket: names.bucket, Key: key }));
      return { etag: object.ETag, lastModified: object.LastModified };
    },
    async keys(prefix) {
      const listing = await clients.s3.send(new ListObjectsV2Command({ Bucket: names.bucket, Prefix: prefix }));
      return (listing.Contents ?? []).map((object) => object.Key!).sort();
    },
    close: () => destroyAwsClients(clients),
  };
}

/** Counts how many messages went to each envelope recipient. */
export function countByRecipient(mails: { to: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const mail of mails) counts.set(mail.to, (counts.get(mail.to) ?? 0) + 1);
  return counts;
}
