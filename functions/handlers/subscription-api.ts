/**
 * The subscription API Lambda (API Gateway HTTP API, payload v2): POST /api/subscribe, GET /api/confirm,
 * GET|HEAD|POST /api/unsubscribe. It only loads its environment and secrets and builds the adapters;
 * the event's conversion is functions/adapters/http/api-gateway.ts, and routing, parsing, the
 * origin-verify check and the error-to-status mapping live in functions/adapters/http/subscription-http.ts.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoRateLimiter, DynamoSubscribers } from '../adapters/aws/dynamodb-subscribers.js';
import { loadKeyring } from '../adapters/aws/secrets-keyring.js';
import { SqsConfirmationQueue } from '../adapters/aws/sqs-confirmation-queue.js';
import { createSubscriptionApi, type SubscriptionApiHandler } from '../adapters/http/api-gateway.js';
import type { SubscriptionApiDeps } from '../adapters/http/subscription-http.js';
import { type ConfirmationQueue, DEFAULT_IP_THROTTLE } from '../core/subscriptions/subscribe.js';
import { ConfigError } from '../core/errors.js';
import type { TokenKeyring } from '../core/tokens.js';
import { type AwsClients, createDynamoClients, createSecretsClient } from '../shared/aws-clients.js';
import { loadSubscriptionEnv, ORIGIN_VERIFY_VALUE, type OriginVerifySource, type SubscriptionEnv } from '../shared/env.js';
import { ENV, ORIGIN_VERIFY_HEADER } from '../shared/env-names.js';
import { coreLog, createLogger } from './logger.js';
import { SERVICES } from '../shared/metric-names.js';

/** The API's secrets, loaded once per cold start ({@link loadSubscriptionSecrets}). */
export interface SubscriptionSecrets {
  keyring: TokenKeyring;
  /** The value CloudFront sends in the origin-verify header. */
  originVerify: string;
}

/** Reads the origin-verify value from its source, validated like the local variable; never logs it. */
export async function loadOriginVerifyValue(source: OriginVerifySource, secrets: SecretsManagerClient): Promise<string> {
  if (source.kind === 'inline') return source.value;
  const result = await secrets.send(new GetSecretValueCommand({ SecretId: source.secretArn }));
  if (!result.SecretString) throw new ConfigError(`secret ${source.secretArn} has no string value`);
  const parsed = ORIGIN_VERIFY_VALUE.safeParse(result.SecretString);
  if (!parsed.success)
    throw new ConfigError(`secret ${source.secretArn}: origin-verify value ${parsed.error.issues[0]?.message ?? 'is malformed'}`);
  return parsed.data;
}

/** Loads the token keyring and the origin-verify value together (one round trip's time at cold start). */
export async function loadSubscriptionSecrets(env: SubscriptionEnv, secrets: SecretsManagerClient): Promise<SubscriptionSecrets> {
  const [keyring, originVerify] = await Promise.all([loadKeyring(env.keyring, secrets), loadOriginVerifyValue(env.originVerify, secrets)]);
  return { keyring, originVerify };
}

/**
 * The AWS adapters behind the API (secrets loaded once: pass the result of {@link loadSubscriptionSecrets}).
 * `confirmations` is where subscribe requests go: the SQS queue on AWS, an in-process queue locally.
 */
export function awsSubscriptionDeps(
  env: SubscriptionEnv,
  clients: Pick<AwsClients, 'doc'>,
  secrets: SubscriptionSecrets,
  logger: Logger,
  confirmations: ConfirmationQueue,
): SubscriptionApiDeps {
  return {
    store: new DynamoSubscribers(clients.doc, env.tables.subscribers),
    confirmations,
    keyring: secrets.keyring,
    site: env.site,
    throttle: { limiter: new DynamoRateLimiter(clients.doc, env.tables.state), ...DEFAULT_IP_THROTTLE },
    log: coreLog(logger),
    originVerify: { header: ORIGIN_VERIFY_HEADER, value: secrets.originVerify },
    editions: env.editions,
  };
}

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
