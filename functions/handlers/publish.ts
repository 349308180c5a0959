/**
 * The scheduled publisher Lambda: EventBridge Scheduler invokes it with
 * `{"scheduledAt": "<aws.scheduler.scheduled-time>"}`; it runs the publish use case once with the AWS
 * adapters and returns a small summary, which it also records (tiny) as the last run for `gazette
 * status`. Clients and adapters are built once per cold start.
 */
import { awsPublishDeps, awsPublishSettings } from '../composition/aws.js';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from '../core/zod.js';
import { DynamoRunLease } from '../adapters/aws/dynamodb-run-lease.js';
import { DynamoLastRun } from '../adapters/aws/dynamodb-last-run.js';
import { loadKeyring } from '../adapters/aws/secrets-keyring.js';
import { publishDigests } from '../core/publish/publish-digests.js';
import type { Clock } from '../core/publish/ports.js';
import { failedRunOf, type LastRun, lastRunOf, type PublishSummary, summaryOf } from '../core/publish/run-summary.js';
import type { TokenKeyring } from '../core/tokens.js';
import { type AwsClients, createAwsClients } from '../shared/aws-clients.js';
import { loadPublisherEnv, type PublisherEnv } from '../shared/env.js';
import { coreLog, createLogger, createMetrics, type MetricsSink } from '../adapters/aws/powertools.js';
import { PUBLISHER_METRICS, SERVICES } from '../shared/metric-names.js';

/** The event the schedule sends. `time` is accepted too, for an EventBridge rule as the trigger. */
const publishEvent = z.looseObject({
  scheduledAt: z.optional(z.iso.datetime({ offset: true })),
  time: z.optional(z.iso.datetime({ offset: true })),
});

/** Input of one invocation (anything else in the event is ignored). */
export type PublishEvent = z.input<typeof publishEvent> | null | undefined;

/** What an invocation returns (also its log line); see core/publish/run-summary.ts. */
export type { PublishSummary };

/** What the handler is built from; tests pass emulator clients and may override the rest. */
export interface PublishHandlerOptions {
  env: PublisherEnv;
  clients: AwsClients;
  logger?: Logger;
  /** Where the run's metrics go (Powertools `Metrics` on AWS; a recorder in tests). */
  metrics?: MetricsSink;
  /** The run's clock; absent, the system time (tests pass one that runs ahead). */
  clock?: Clock;
}

/** The part of the Lambda context the handler reads. */
export interface PublishContext {
  awsRequestId: string;
  getRemainingTimeInMillis?: () => number;
}

/** A publish handler bound to one environment and set of clients. */
export type PublishHandler = (event: PublishEvent, context: PublishContext) => Promise<PublishSummary>;

/** How long a lease outlives its run's deadline: past it the run is certainly dead (Lambda killed it). */
const LEASE_GRACE_MS = 30_000;
/** Time kept back at the end of an invocation for the archive update and the log line. */
const SEND_MARGIN_MS = 60_000;

/** Builds the handler: adapters now, the keyring on first use (then kept for the container's life). */
export function createPublishHandler({
  env,
  clients,
  logger = createLogger(SERVICES.publisher),
  metrics = createMetrics(SERVICES.publisher),
  clock = { now: () => new Date() },
}: PublishHandlerOptions): PublishHandler {
  const { deps, feeds } = awsPublishDeps(env, clients, clock, coreLog(logger));
  const lease = new DynamoRunLease(clients.doc, env.tables.state);
  const lastRun = new DynamoLastRun(clients.doc, env.tables.state);
  let keyring: Promise<TokenKeyring> | undefined;
  return async (event, context) => {
    logger.appendKeys({ runId: context.awsRequestId });
    const input = z.parse(publishEvent, event ?? {});
    const scheduled = input.scheduledAt ?? input.time;
    const startedAt = deps.clock.now();
    let summary: PublishSummary;
    try {
      summary = await run(context, scheduled);
    } catch (error) {
      // `gazette status` shows why the last run failed, not the run before it that worked.
      await recordLastRun(failedRunOf(context.awsRequestId, error, startedAt, deps.clock.now()));
      throw error;
    }
    logger.info('publish run finished', { ...summary });
    recordRunMetrics(metrics, summary);
    // A run turned away by the lease did nothing: the record stays the one of the run that holds it.
    if (!summary.skipped) await recordLastRun(lastRunOf(summary, startedAt, deps.clock.now(), deps.dispatcher !== undefined));
    return summary;
  };

  /** One publish with the keyring loaded (once per container) and the lease bounded by the Lambda deadline. */
  async function run(context: PublishContext, scheduled: string | undefined): Promise<PublishSummary> {
    keyring ??= loadKeyring(env.keyring, clients.secrets).catch((error: unknown) => {
      keyring = undefined;
      throw error;
    });
    const remainingMs = context.getRemainingTimeInMillis?.();
    const report = await publishDigests(
      // A run killed at its timeout never releases the lease; ending it just after the deadline lets
      // Lambda's retry (a minute or more later) take over instead of being turned away.
      { ...deps, lease: remainingMs === undefined ? lease : lease.withMaxTtl(remainingMs + LEASE_GRACE_MS) },
      {
        ...awsPublishSettings(env, await keyring, context.awsRequestId),
        ...(scheduled ? { scheduledAt: new Date(scheduled) } : {}),
        // Stop sending a minute before Lambda would kill the run; the next run carries on.
        ...(remainingMs === undefined ? {} : { sendUntil: new Date(deps.clock.now().getTime() + remainingMs - SEND_MARGIN_MS) }),
      },
    );
    return summaryOf(context.awsRequestId, report, feeds?.reports ?? []);
  }

  /** Writes the last-run record; a failure to write it is logged, never the run's failure. */
  async function recordLastRun(record: LastRun): Promise<void> {
    await lastRun.record(record).catch((error: unknown) => {
      logger.warn('could not record the last run', { error: error instanceof Error ? error.message : String(error) });
    });
  }
}

/** One data point per count an operator alarms on; flushed at once (embedded metric format, no API call). */
function recordRunMetrics(metrics: MetricsSink, summary: PublishSummary): void {
  metrics.addMetric(PUBLISHER_METRICS.digestsPublished, MetricUnit.Count, summary.created + summary.updated);
  metrics.addMetric(PUBLISHER_METRICS.mailsSent, MetricUnit.Count, summary.mail.sent);
  metrics.addMetric(PUBLISHER_METRICS.mailsFailed, MetricUnit.Count, summary.mail.failed);
  metrics.addMetric(PUBLISHER_METRICS.mailsDeferred, MetricUnit.Count, summary.mail.deferred);
  metrics.addMetric(PUBLISHER_METRICS.mailsInDoubt, MetricUnit.Count, summary.mail.inDoubt.length);
  metrics.addMetric(PUBLISHER_METRICS.senderRejected, MetricUnit.Count, summary.mail.stoppedBy === 'sender-rejected' ? 1 : 0);
  metrics.publishStoredMetrics();
}

let coldStart: PublishHandler | undefined;

/** The Lambda entry point: validates the environment and builds everything on the first invocation. */
export const handler: PublishHandler = async (event, context) => {
  if (!coldStart) {
    const env = loadPublisherEnv(process.env);
    coldStart = createPublishHandler({ env, clients: createAwsClients({ region: env.region, endpoints: env.endpoints }) });
  }
  return coldStart(event, context);
};
