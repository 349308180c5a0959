/**
 * The AWS composition: every adapter the Lambda functions run on, built from their validated
 * environment and clients in one place. The handlers (functions/handlers) only take an invocation;
 * `npm run dev` and the integration tests get the same adapters from here. Nothing here runs at import.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Logger } from '@aws-lambda-powertools/logger';
import { stateTableBedrockSummarizer } from '../adapters/aws/bedrock-summarizer.js';
import { DynamoArchive } from '../adapters/aws/dynamodb-archive.js';
import { DynamoDeliveryLedger } from '../adapters/aws/dynamodb-delivery-ledger.js';
import { DynamoSendingPause } from '../adapters/aws/dynamodb-sending-pause.js';
import { DynamoSeenItems, DynamoSources } from '../adapters/aws/dynamodb-sources.js';
import { DynamoFeedbackLedger, DynamoRateLimiter, DynamoRollingCounter, DynamoSubscribers } from '../adapters/aws/dynamodb-subscribers.js';
import { coreLog, createMetrics, type MetricsSink } from '../adapters/aws/powertools.js';
import { S3ArticleSource } from '../adapters/aws/s3-article-source.js';
import { S3SitePublisher } from '../adapters/aws/s3-site-publisher.js';
import { loadKeyring, loadSubscriberIdKey } from '../adapters/aws/secrets-keyring.js';
import { SesMailer } from '../adapters/aws/ses-mailer.js';
import { SqsSendQueue } from '../adapters/aws/sqs-send-queue.js';
import { pollDeps, pollSettings } from '../adapters/http/feed-polling.js';
import type { SubscriptionApiDeps } from '../adapters/http/subscription-http.js';
import { FolderArticleSource } from '../adapters/local/folder-article-source.js';
import { ConfigError } from '../core/errors.js';
import { CombinedArticleSource } from '../core/publish/combined-article-source.js';
import type { Clock, Log } from '../core/publish/ports.js';
import type { PublishDeps, PublishSettings } from '../core/publish/publish-digests.js';
import { renderConfirmationEmail } from '../core/render/email.js';
import { confirmationCap } from '../core/settings.js';
import { FeedArticleSource } from '../core/sources/feed-article-source.js';
import type { FeedbackDeps } from '../core/subscriptions/feedback.js';
import type { SubscriptionStore } from '../core/subscriptions/ports.js';
import type { SeenItems, SourceStore } from '../core/sources/source.js';
import { type ConfirmationQueue, DEFAULT_IP_THROTTLE, type SubscribeDeps } from '../core/subscriptions/subscribe.js';
import type { TokenKeyring } from '../core/tokens.js';
import { type AwsClients, createAwsClients, createSqsClient, destroyAwsClients } from '../shared/aws-clients.js';
import {
  type ConfirmationSenderEnv,
  DEFAULT_AWS_REGION,
  LOCAL_ENV,
  ORIGIN_VERIFY_VALUE,
  type OriginVerifySource,
  type PublisherEnv,
  type SenderEnv,
  type SesEventsEnv,
  type SubscriberIdKeySource,
  type SubscriptionEnv,
} from '../shared/env.js';
import { ORIGIN_VERIFY_HEADER } from '../shared/env-names.js';
import { SERVICES } from '../shared/metric-names.js';

/* ---------- the publisher ---------- */

/**
 * The publish use case's AWS adapters: the seed folder, the S3 inbox and the followed feeds as the
 * article source; the archive, subscribers and ledger in DynamoDB; the site in S3; SES for the quota
 * and (without a send queue) the mail; the send queue when the publisher fans out; the Bedrock
 * summariser when the deploy chose it.
 */
export function awsPublishDeps(
  env: PublisherEnv,
  clients: AwsClients,
  clock: Clock,
  log: Log,
): { deps: PublishDeps; feeds: FeedArticleSource | undefined } {
  const feeds = env.sourcesTable ? feedSource(env, env.sourcesTable, clients, clock, log) : undefined;
  const deps: PublishDeps = {
    clock,
    source: new CombinedArticleSource([
      ...(env.seedsDir ? [new FolderArticleSource(env.seedsDir)] : []),
      new S3ArticleSource(clients.s3, env.bucket),
      ...(feeds ? [feeds] : []),
    ]),
    archive: new DynamoArchive(clients.doc, env.tables.state),
    site: new S3SitePublisher(clients.s3, env.bucket),
    subscribers: new DynamoSubscribers(clients.doc, env.tables.subscribers),
    ledger: new DynamoDeliveryLedger(clients.doc, env.tables.deliveries),
    mailer: new SesMailer(clients.ses, { configurationSet: env.sesConfigurationSet, fromAddress: env.mail.fromAddress }),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    log,
    // With a send queue the publisher renders and enqueues; the sender function mails at the full rate.
    ...(env.sendQueueUrl
      ? { dispatcher: new SqsSendQueue(createSqsClient({ region: env.region, endpoints: env.endpoints }), env.sendQueueUrl) }
      : {}),
  };
  // A model writes the digests only when the deploy chose one; the extractive summariser stays its fallback.
  if (env.summarizer.kind === 'bedrock') {
    deps.summarizer = stateTableBedrockSummarizer({
      ...env.summarizer,
      region: env.region,
      endpoint: env.endpoints.bedrock,
      doc: clients.doc,
      stateTable: env.tables.state,
      clock: deps.clock,
      log: deps.log ?? (() => undefined),
    });
  }
  return { deps, feeds };
}

/** The followed feeds over the sources table, polled when the run lists its articles. */
/** The run's settings from the publisher's environment; the handler adds what each invocation knows. */
export function awsPublishSettings(env: PublisherEnv, keyring: TokenKeyring, runId: string): PublishSettings {
  return {
    site: env.site,
    mail: env.mail,
    keyring,
    runId,
    ...(env.staleAfterMs ? { staleAfterMs: env.staleAfterMs } : {}),
    editions: env.editions,
    maxAgeToMailMs: env.maxAgeToMailMs,
  };
}

function feedSource(env: PublisherEnv, table: string, clients: AwsClients, clock: Clock, log: Log): FeedArticleSource {
  const stores = { sources: new DynamoSources(clients.doc, table), seen: new DynamoSeenItems(clients.doc, table) };
  return new FeedArticleSource(pollDeps(stores, env.polling, { siteUrl: env.site.baseUrl, log }), pollSettings(env.polling), clock);
}

/* ---------- the sender ---------- */

/** The sender function's adapters: SES for the mail and the rate, the ledger, and the senders' shared pause. */
export function awsSenderAdapters(
  env: SenderEnv,
  clients: Pick<AwsClients, 'ses' | 'doc'>,
): { mailer: SesMailer; ledger: DynamoDeliveryLedger; pause: DynamoSendingPause } {
  return {
    mailer: new SesMailer(clients.ses, { configurationSet: env.sesConfigurationSet, fromAddress: env.mail.fromAddress }),
    ledger: new DynamoDeliveryLedger(clients.doc, env.tables.deliveries),
    pause: new DynamoSendingPause(clients.doc, env.tables.state),
  };
}

/* ---------- the subscription API ---------- */

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

/* ---------- the confirmation sender ---------- */

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

/* ---------- SES events ---------- */

/** The adapters behind SES feedback: the subscribers, the de-duplication marks and the id key. */
export function awsFeedbackDeps(env: SesEventsEnv, clients: Pick<AwsClients, 'doc'>, idKey: string, log: Log): FeedbackDeps {
  return {
    store: new DynamoSubscribers(clients.doc, env.tables.subscribers),
    ledger: new DynamoFeedbackLedger(clients.doc, env.tables.state),
    idKey,
    log,
  };
}

/* ---------- the operator's commands on a deployed table (`--table`) ---------- */

/** A deployed table as `gazette subscribers --table` and `gazette sources --table` name it. */
export interface DeployedTable {
  table: string;
  /** Absent: $AWS_REGION, else the default region. */
  region?: string | undefined;
  /** Absent: the DynamoDB emulator in $GAZETTE_DYNAMODB_ENDPOINT, else AWS itself. */
  endpoint?: string | undefined;
}

function operatorClients(target: DeployedTable): AwsClients {
  const endpoint = target.endpoint ?? process.env[LOCAL_ENV.dynamodbEndpoint];
  return createAwsClients({
    region: target.region ?? process.env.AWS_REGION ?? DEFAULT_AWS_REGION,
    endpoints: endpoint ? { dynamodb: endpoint } : {},
  });
}

/** A deployed subscribers table, with the id key loaded from `idKeySource` only when an action asks. */
export function awsSubscriberTable(
  target: DeployedTable,
  idKeySource: () => SubscriberIdKeySource,
): { store: SubscriptionStore; idKey(): Promise<string>; close(): void } {
  const clients = operatorClients(target);
  return {
    store: new DynamoSubscribers(clients.doc, target.table),
    idKey: () => loadSubscriberIdKey(idKeySource(), clients.secrets),
    close: () => destroyAwsClients(clients),
  };
}

/** A deployed sources table: the followed feeds and the items already seen. */
export function awsSourceTables(
  target: DeployedTable,
  warn: (message: string) => void,
): { sources: SourceStore; seen: SeenItems; close(): void } {
  const clients = operatorClients(target);
  return {
    sources: new DynamoSources(clients.doc, target.table, warn),
    seen: new DynamoSeenItems(clients.doc, target.table),
    close: () => destroyAwsClients(clients),
  };
}
