/**
 * What a publisher run with nothing new costs, measured on the real handler against the emulators: an
 * archive of `count` digests written straight through the DynamoDB adapter (summarising thousands of
 * articles would measure the summariser), the state the run before left (the bundled seed published and
 * mailed, every reader's cursor at the newest digest, the site's mark), then one more run, counted. Used
 * by the O(1) integration test and by `npm run bench -- incremental`.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoArchive } from '../../functions/adapters/aws/dynamodb-archive.js';
import { S3SitePublisher } from '../../functions/adapters/aws/s3-site-publisher.js';
import { type EmulatorEndpoints, provisionGazette, uniqueResourceNames } from '../../functions/dev/local-aws/emulators.js';
import type { Digest } from '../../functions/core/model.js';
import { siteFingerprint } from '../../functions/core/render/fingerprint.js';
import { createPublishHandler, type PublishSummary } from '../../functions/handlers/publish.js';
import { type AwsClients, createAwsClients, destroyAwsClients } from '../../functions/shared/aws-clients.js';
import { loadPublisherEnv } from '../../functions/shared/env.js';
import { syntheticDigests } from '../unit/render-fixtures.js';
import { publisherVariables } from './publisher-env.js';

/** Archive writes in flight while seeding. */
const SEED_CONCURRENCY = 32;
const HOUR = 60 * 60 * 1000;

/** One counted run: its AWS requests by command, and the process's CPU time around it. */
export interface CountedRun {
  summary: PublishSummary;
  /** Every request the handler's clients (S3, DynamoDB, SES, Secrets Manager) sent, by command name. */
  requests: Map<string, number>;
  /** Their total. */
  total: number;
  /** User + system CPU of this process during the run (the in-process emulators included). */
  cpuMs: number;
}

/** A publisher over an archive of `count` digests, ready for counted runs. */
export interface ArchiveWorld {
  /** The run that published the bundled seed on top of the archive (one new digest), counted. */
  seeded: CountedRun;
  /** Runs the real handler once, counting. */
  invoke(): Promise<CountedRun>;
  clients: AwsClients;
  /** The site bucket. */
  bucket: string;
  close(): void;
}

/**
 * `count` synthetic digests an hour apart, the newest an hour ago (so the newest day is inside the
 * editions' window), already mailed in the editions their cursors record.
 */
export function archiveOf(count: number, now: Date): Digest[] {
  return syntheticDigests(count).map((digest, index) => {
    const at = new Date(now.getTime() - (index + 1) * HOUR).toISOString();
    return { ...digest, published: at, updated: at, firstSeen: at };
  });
}

/** Counts each command the clients send, from now on (one middleware on every client the handler has). */
function countRequests(clients: AwsClients): Map<string, number> {
  const counts = new Map<string, number>();
  for (const client of [clients.s3, clients.dynamodb, clients.ses, clients.secrets]) {
    (client.middlewareStack as { add: (middleware: unknown, options: unknown) => void }).add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        const name = String(context.commandName);
        counts.set(name, (counts.get(name) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );
  }
  return counts;
}

/**
 * Provisions fresh resources on the emulators, seeds `count - 1` digests, `readers` confirmed
 * subscribers and the site's mark, and runs the handler once so the bundled seed is published and
 * mailed: the archive then holds `count` digests, and the next `invoke()` finds nothing new.
 */
export async function archiveWorld(endpoints: EmulatorEndpoints, count: number, readers = 3): Promise<ArchiveWorld> {
  const names = uniqueResourceNames('idle');
  const env = loadPublisherEnv(publisherVariables(endpoints, names));
  const clients = createAwsClients({ region: env.region, endpoints: env.endpoints });
  await provisionGazette(clients, names);
  const now = new Date();
  const digests = archiveOf(count - 1, now);
  const archive = new DynamoArchive(clients.doc, names.tables.state);
  for (let start = 0; start < digests.length; start += SEED_CONCURRENCY) {
    await Promise.all(digests.slice(start, start + SEED_CONCURRENCY).map((digest) => archive.put(digest, undefined)));
  }
  const cursor = digests[0]?.firstSeen ?? now.toISOString();
  for (let index = 0; index < readers; index += 1) {
    const at = new Date(now.getTime() - 30 * 24 * HOUR).toISOString();
    await clients.doc.send(
      new PutCommand({
        TableName: names.tables.subscribers,
        Item: { id: `reader-${index}`, email: `reader${index}@example.com`, status: 'confirmed', cursor, createdAt: at, updatedAt: at },
      }),
    );
  }
  // The site as the run before left it: its pages are never read by a run with nothing new, its mark is.
  await new S3SitePublisher(clients.s3, names.bucket).writeMark({ renderedWith: siteFingerprint(env.site), published: digests.length });

  const handler = createPublishHandler({
    env,
    clients,
    logger: new Logger({ serviceName: 'publisher', logLevel: 'SILENT' }),
    metrics: { addMetric: () => undefined, publishStoredMetrics: () => undefined },
  });
  const counts = countRequests(clients);
  let runs = 0;
  const invoke = async (): Promise<CountedRun> => {
    counts.clear();
    const cpu = process.cpuUsage();
    const summary = await handler({ scheduledAt: new Date().toISOString() }, { awsRequestId: `idle-run-${(runs += 1)}` });
    const used = process.cpuUsage(cpu);
    const requests = new Map(counts);
    return { summary, requests, total: [...requests.values()].reduce((sum, n) => sum + n, 0), cpuMs: (used.user + used.system) / 1000 };
  };
  // The run before: it publishes the bundled seed article and mails it; from then on nothing is new.
  const seeded = await invoke();
  return { seeded, invoke, clients, bucket: names.bucket, close: () => destroyAwsClients(clients) };
}
