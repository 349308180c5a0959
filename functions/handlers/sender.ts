/**
 * The sender Lambda: consumes the send queue (SQS event source mapping with `ReportBatchItemFailures`),
 * personalises each recipient's mail from the template in the message, claims, sends through SES and
 * reports the messages it could not finish. Each container paces itself at SES's MaxSendRate divided by
 * the mapping's maximum concurrency, so all senders together stay under the account's rate.
 */
import { awsSenderAdapters } from '../composition/aws.js';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadKeyring } from '../adapters/aws/secrets-keyring.js';
import { type SenderBatchResult, sendQueuedBatch } from '../adapters/aws/sqs-sender-batch.js';
import { ConcurrentSender, type SenderDeps } from '../core/send/concurrent-sender.js';
import type { Clock } from '../core/publish/ports.js';
import { inFlightFor, limiterFor, perWorkerRate } from '../core/send/rate-limiter.js';
import { manageUrl, unsubscribeUrl } from '../core/subscriptions/links.js';
import type { TokenKeyring } from '../core/tokens.js';
import { type AwsClients, createDynamoClients, createSecretsClient, createSesClient, createSqsClient } from '../shared/aws-clients.js';
import { loadSenderEnv, type SenderEnv } from '../shared/env.js';
import { coreLog, createLogger, createMetrics, type MetricsSink } from '../adapters/aws/powertools.js';
import { SENDER_METRICS, SERVICES } from '../shared/metric-names.js';
import { holdBackSeconds } from '../shared/send-queue.js';

/** Time kept back at the end of an invocation to record the last sends and answer. */
const SEND_MARGIN_MS = 20_000;

/** What the handler is built from; tests pass emulator clients and may override the core's deps. */
export interface SenderHandlerOptions {
  env: SenderEnv;
  clients: Pick<AwsClients, 'ses' | 'doc' | 'secrets'> & { sqs: SQSClient };
  logger?: Logger;
  /** Where each batch's counts go (Powertools `Metrics` on AWS; a recorder in tests). */
  metrics?: MetricsSink;
  /** The senders' clock; absent, the system time (tests pass one that runs ahead). */
  clock?: Clock;
}

/** The part of the Lambda context the handler reads. */
export interface SenderContext {
  getRemainingTimeInMillis?: () => number;
}

/** A sender handler bound to one environment and set of clients. */
export type SenderHandler = (event: SQSEvent, context: SenderContext) => Promise<SQSBatchResponse>;

/** Builds the handler: adapters now; the keyring and the send rate on first use (then kept for the container's life). */
export function createSenderHandler({
  env,
  clients,
  logger = createLogger(SERVICES.sender),
  metrics = createMetrics(SERVICES.sender),
  clock = { now: () => new Date() },
}: SenderHandlerOptions): SenderHandler {
  const adapters = awsSenderAdapters(env, clients);
  const { mailer, pause } = adapters;
  const sleep = (ms: number): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, ms));
  let keyring: Promise<TokenKeyring> | undefined;
  let rate: Promise<number> | undefined;
  let deps: SenderDeps | undefined;
  return async (event, context) => {
    // A failed load is forgotten, so the next invocation tries again instead of failing for the container's life.
    keyring ??= loadKeyring(env.keyring, clients.secrets).catch((error: unknown) => {
      keyring = undefined;
      throw error;
    });
    rate ??= mailer
      .maxSendRate()
      .then((maxSendRate) => perWorkerRate(maxSendRate, env.senderConcurrency))
      .catch((error: unknown) => {
        rate = undefined;
        throw error;
      });
    // Another sender met the quota (or a refused sender): wait with it instead of asking SES again.
    const paused = await pause.active(clock.now());
    if (paused) return holdBackWhilePaused(clients.sqs, env.sendQueueUrl, event.Records, paused.until, clock.now(), logger);
    const [tokens, perSecond] = await Promise.all([keyring, rate]);
    // One limiter per container (a container runs one invocation at a time), kept across invocations.
    deps ??= {
      ledger: adapters.ledger,
      mailer,
      limiter: limiterFor(clock, sleep, perSecond),
      clock,
      sleep,
      random: Math.random,
      log: coreLog(logger),
    };
    const remainingMs = context.getRemainingTimeInMillis?.();
    const sender = new ConcurrentSender(deps, {
      inFlight: inFlightFor(perSecond),
      partsFor: (recipient) => ({
        to: recipient.email,
        subscriberId: recipient.subscriberId,
        unsubscribeUrl: unsubscribeUrl(env.site, tokens, recipient.subscriberId, clock.now()),
        manageUrl: manageUrl(env.site, tokens, recipient.subscriberId, clock.now()),
      }),
      ...(remainingMs === undefined ? {} : { sendUntil: new Date(clock.now().getTime() + remainingMs - SEND_MARGIN_MS) }),
    });
    const result = await sendQueuedBatch(event.Records, sender, deps.log!);
    if (result.holdBack.length > 0) {
      // The stop is the account's, not this batch's: pause every sender for as long as these messages wait.
      const seconds = Math.max(...result.holdBack.map((record) => holdBackSeconds(Number(record.attributes.ApproximateReceiveCount))));
      const reason = result.stoppedBy === 'sender-rejected' ? 'sender-rejected' : 'quota';
      await pause.pauseUntil(new Date(clock.now().getTime() + seconds * 1000), reason);
      await holdBack(
        clients.sqs,
        env.sendQueueUrl,
        result.holdBack.map((record) => ({ record, seconds })),
      );
    }
    logger.info('send batch finished', {
      messages: event.Records.length,
      ...result,
      batchItemFailures: result.batchItemFailures.length,
      holdBack: result.holdBack.length,
    });
    recordBatchMetrics(metrics, result);
    return { batchItemFailures: result.batchItemFailures };
  };
}

/** One data point per count an operator alarms on; flushed at once (embedded metric format, no API call). */
function recordBatchMetrics(metrics: MetricsSink, result: SenderBatchResult): void {
  metrics.addMetric(SENDER_METRICS.mailsSent, MetricUnit.Count, result.sent);
  metrics.addMetric(SENDER_METRICS.mailsFailed, MetricUnit.Count, result.failed);
  metrics.addMetric(SENDER_METRICS.mailsDeferred, MetricUnit.Count, result.deferred);
  metrics.addMetric(SENDER_METRICS.senderRejected, MetricUnit.Count, result.stoppedBy === 'sender-rejected' ? 1 : 0);
  metrics.publishStoredMetrics();
}

/** Most entries one ChangeMessageVisibilityBatch takes (SQS's limit; also the event source's batch size). */
const VISIBILITY_BATCH = 10;

/**
 * Makes each message invisible for its own number of seconds, so a spent quota is not retried every few
 * seconds: one ChangeMessageVisibilityBatch per ten messages instead of a call per message. An entry SQS
 * refuses fails the invocation, as a refused single call did, and the batch comes back.
 */
async function holdBack(sqs: SQSClient, queueUrl: string, holds: readonly { record: SQSRecord; seconds: number }[]): Promise<void> {
  for (let start = 0; start < holds.length; start += VISIBILITY_BATCH) {
    const entries = holds.slice(start, start + VISIBILITY_BATCH).map(({ record, seconds }, index) => ({
      Id: String(index),
      ReceiptHandle: record.receiptHandle,
      VisibilityTimeout: seconds,
    }));
    const { Failed = [] } = await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    if (Failed.length > 0)
      throw new Error(`could not hold back ${Failed.length} message(s): ${Failed[0]?.Code ?? 'error'} ${Failed[0]?.Message ?? ''}`);
  }
}

/**
 * A batch received while sending is paused: nothing is sent or claimed; every message waits until the
 * pause ends (at most its own hold-back, so a long pause still costs few receives) and is reported failed.
 */
async function holdBackWhilePaused(
  sqs: SQSClient,
  queueUrl: string,
  records: readonly SQSRecord[],
  until: Date,
  now: Date,
  logger: Logger,
): Promise<SQSBatchResponse> {
  const untilPause = Math.ceil((until.getTime() - now.getTime()) / 1000);
  await holdBack(
    sqs,
    queueUrl,
    records.map((record) => ({
      record,
      seconds: Math.max(1, Math.min(untilPause, holdBackSeconds(Number(record.attributes.ApproximateReceiveCount)))),
    })),
  );
  logger.info('sending is paused; batch held back', { messages: records.length, pausedUntil: until.toISOString() });
  return { batchItemFailures: records.map((record) => ({ itemIdentifier: record.messageId })) };
}

let coldStart: SenderHandler | undefined;

/** The Lambda entry point: validates the environment and builds everything on the first invocation. */
export const handler: SenderHandler = async (event, context) => {
  if (!coldStart) {
    const env = loadSenderEnv(process.env);
    const options = { region: env.region, endpoints: env.endpoints };
    const clients = {
      ses: createSesClient(options),
      ...createDynamoClients(options),
      secrets: createSecretsClient(options),
      sqs: createSqsClient(options),
    };
    coldStart = createSenderHandler({ env, clients });
  }
  return coldStart(event, context);
};
