/**
 * The confirmation sender Lambda: reads the confirmation jobs the subscription API queued (SQS, one
 * per well-formed subscribe request) and runs `sendConfirmation` for each, after the person already
 * has the answer. A job that fails unexpectedly (DynamoDB unavailable) is reported as a batch item
 * failure, so SQS delivers it again and finally parks it in the dead-letter queue; a second delivery is
 * safe, because the store's reservation allows one mail per address per 24 h.
 */
import { awsConfirmationDeps } from '../composition/aws.js';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadKeyring, loadSubscriberIdKey } from '../adapters/aws/secrets-keyring.js';
import { parseConfirmationJob } from '../adapters/aws/sqs-confirmation-queue.js';
import { InvalidAddressError } from '../core/errors.js';
import type { Clock } from '../core/publish/ports.js';
import { sendConfirmation, type SubscribeDeps } from '../core/subscriptions/subscribe.js';
import { createDynamoClients, createSecretsClient, createSesClient } from '../shared/aws-clients.js';
import { loadConfirmationSenderEnv } from '../shared/env.js';
import { createLogger } from '../adapters/aws/powertools.js';
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
