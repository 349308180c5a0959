/**
 * The subscription API Lambda (API Gateway HTTP API, payload v2): POST /api/subscribe, GET /api/confirm,
 * GET|HEAD|POST /api/unsubscribe. It only loads its environment; the adapters and secrets come from
 * functions/composition/aws.ts, the event's conversion is functions/adapters/http/api-gateway.ts, and routing, parsing, the
 * origin-verify check and the error-to-status mapping live in functions/adapters/http/subscription-http.ts.
 */
import { awsSubscriptionDeps, loadSubscriptionSecrets } from '../composition/aws.js';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsConfirmationQueue } from '../adapters/aws/sqs-confirmation-queue.js';
import { createSubscriptionApi, type SubscriptionApiHandler } from '../adapters/http/api-gateway.js';
import { ConfigError } from '../core/errors.js';
import { createDynamoClients, createSecretsClient } from '../shared/aws-clients.js';
import { loadSubscriptionEnv } from '../shared/env.js';
import { ENV } from '../shared/env-names.js';
import { createLogger } from '../adapters/aws/powertools.js';
import { SERVICES } from '../shared/metric-names.js';

let coldStart: Promise<SubscriptionApiHandler> | undefined;

/** The Lambda entry point: environment, clients and secrets once per container. */
export const handler: SubscriptionApiHandler = async (event) => {
  coldStart ??= (async () => {
    const env = loadSubscriptionEnv(process.env);
    // Only local runs may do without the queue (they pass an in-process one); on AWS it is wiring.
    if (!env.confirmationQueueUrl) throw new ConfigError(`invalid environment: ${ENV.confirmationQueueUrl}: required`);
    const options = { region: env.region, endpoints: env.endpoints };
    const clients = createDynamoClients(options);
    const secrets = await loadSubscriptionSecrets(env, createSecretsClient(options));
    // The queue is the one SQS call of this function; it has no emulator endpoint (local runs pass their own queue).
    const queue = new SqsConfirmationQueue(new SQSClient({ region: env.region }), env.confirmationQueueUrl);
    return createSubscriptionApi(awsSubscriptionDeps(env, clients, secrets, createLogger(SERVICES.subscriptionApi), queue));
  })().catch((error: unknown) => {
    coldStart = undefined;
    throw error;
  });
  return (await coldStart)(event);
};
