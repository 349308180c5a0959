/**
 * The confirmation sender Lambda: reads the confirmation jobs the subscription API queued (SQS, one
 * per well-formed subscribe request) and runs `sendConfirmation` for each, after the person already
 * has the answer. A job that fails unexpectedly (DynamoDB unavailable) is reported as a batch item
 * failure, so SQS delivers it again and finally parks it in the dead-letter queue; a second delivery is
 * safe, because the store's reservation allows one mail per address per 24 h.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricsSink } from './publish.js';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoRollingCounter, DynamoSubscribers } from '../adapters/aws/dynamodb-subscribers.js';
import { loadKeyring, loadSubscriberIdKey } from '../adapters/aws/secrets-keyring.js';
import { SesMailer } from '../adapters/aws/ses-mailer.js';
import { parseConfirmationJob } from '../adapters/aws/sqs-confirmation-queue.js';
import { InvalidAddressError } from '../core/errors.js';
import type { Clock } from '../core/publish/ports.js';
import { renderConfirmationEmail } from '../core/render/email.js';
import { confirmationCap } from '../core/settings.js';
import { sendConfirmation, type SubscribeDeps } from '../core/subscriptions/subscribe.js';
import type { TokenKeyring } from '../core/tokens.js';
import { type AwsClients, createDynamoClients, createSecretsClient, createSesClient } from '../shared/aws-clients.js';
import { type ConfirmationSenderEnv, loadConfirmationSenderEnv } from '../shared/env.js';
import { coreLog, createLogger, createMetrics } from './logger.js';
import { SERVICES } from '../shared/metric-names.js';

/** A handler bound to its deps. */
export type ConfirmationSenderHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

/** Builds the handler over ready deps (tests pass emulator-backed or memory adapters). */
export function createConfirmationSender(deps: SubscribeDeps, clock: Clock = { now: () => new Date() }): ConfirmationSenderHandler {
  return async (event) => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      const job = parseConfirmationJob(record.body);
      if (!job) {
        deps.log?.('warn', 'confirmation job unreadable; dropped', { messageId: record.messageId });
        continue;
      }
      try {
        await sendConfirmation(deps, job, clock.now());
      } catch (error) {
        // The API queued only addresses it could normalise; one that is not is dropped, not retried.
        if (error instanceof InvalidAddressError) {
          deps.log?.('warn', 'confirmation job with an unusable address; dropped', { messageId: record.messageId });
          continue;
        }
        deps.log?.('error', 'confirmation job failed; SQS delivers it again', { messageId: record.messageId, error: String(error) });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
}

/** How long the SES quota is trusted: long enough to cost one call per container every few minutes. */
const QUOTA_CACHE_MS = 10 * 60 * 1000;

/** The AWS adapters behind `sendConfirmation` (secrets loaded once per cold start). */
export function awsConfirmationDeps(
  env: ConfirmationSenderEnv,
  clients: Pick<AwsClients, 'doc' | 'ses'>,
  secrets: { keyring: TokenKeyring; idKey: string },
  logger: Logger,
  metrics: MetricsSink = createMetrics(SERVICES.confirmationSender),
): SubscribeDeps {
  const mailer = new SesMailer(clients.ses, { configurationSet: env.sesConfigurationSet, fromAddress: env.mail.fromAddress });
  return {
    store: new DynamoSubscribers(clients.doc, env.tables.subscribers),
    mailer,
    renderConfirmation: renderConfirmationEmail,
    keyring: secrets.keyring,
    idKey: secrets.idKey,
    site: env.site,
    mail: env.mail,
    cap: {
      counter: new DynamoRollingCounter(clients.doc, env.tables.state),
      limit: cachedFor(QUOTA_CACHE_MS, async () => confirmationCap(env.maxConfirmationsPerDay, await mailer.dailyQuota())),
    },
    count: (metric) => {
      // Embedded metric format: one log line, no API call.
      metrics.addMetric(metric, MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    },
    log: coreLog(logger),
  };
}

/** `load` called at most once per `ms` (a failed call is not kept, so the next request retries). */
function cachedFor<T>(ms: number, load: () => Promise<T>): () => Promise<T> {
  let cached: { value: Promise<T>; until: number } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || cached.until <= now) {
      const value = load();
      cached = { value, until: now + ms };
      value.catch(() => {
        cached = undefined;
      });
    }
    return cached.value;
  };
}

let coldStart: Promise<ConfirmationSenderHandler> | undefined;

/** The Lambda entry point: environment, clients and secrets once per container. */
export const handler: ConfirmationSenderHandler = async (event) => {
  coldStart ??= (async () => {
    const env = loadConfirmationSenderEnv(process.env);
    const options = { region: env.region, endpoints: env.endpoints };
    const clients = { ...createDynamoClients(options), ses: createSesClient(options) };
    const secretsClient = createSecretsClient(options);
    const [keyring, idKey] = await Promise.all([
      loadKeyring(env.keyring, secretsClient),
      loadSubscriberIdKey(env.subscriberIdKey, secretsClient),
    ]);
    return createConfirmationSender(awsConfirmationDeps(env, clients, { keyring, idKey }, createLogger(SERVICES.confirmationSender)));
  })().catch((error: unknown) => {
    coldStart = undefined;
    throw error;
  });
  return (await coldStart)(event);
};
