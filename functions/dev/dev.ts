/**
 * `npm run dev`: the deployed architecture on one machine. Starts the S3, DynamoDB and SES emulators in
 * this process, creates the bucket and tables, adds one confirmed example subscriber, runs the REAL
 * scheduled publish handler against them, and serves the site out of the emulated bucket. Ctrl-C stops
 * everything.
 *
 * Flags: `--port N` (site, default 8080; 0 = any free port), `--ses-port N` (SES inbox, default any free
 * port), `--once` (publish, print the URLs, stop: a smoke test for CI).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoSubscribers } from '../adapters/aws/dynamodb-subscribers.js';
import { feedLinks } from '../core/render/outputs.js';
import { addSubscriber } from '../core/subscriptions/operator.js';
import { createPublishHandler, type PublishSummary } from '../handlers/publish.js';
import { createSubscriptionApi } from '../adapters/http/api-gateway.js';
import { awsConfirmationDeps, awsSubscriptionDeps, loadSubscriptionSecrets } from '../composition/aws.js';
import { loadSubscriberIdKey } from '../adapters/aws/secrets-keyring.js';
import { AfterResponseQueue } from '../adapters/local/after-response-queue.js';
import { sendConfirmation } from '../core/subscriptions/subscribe.js';
import { type AwsClients, createAwsClients, destroyAwsClients } from '../shared/aws-clients.js';
import { DEFAULT_AWS_REGION, LOCAL_ENV, loadConfirmationSenderEnv, loadPublisherEnv, loadSubscriptionEnv } from '../shared/env.js';
import { ENV, ORIGIN_VERIFY_HEADER } from '../shared/env-names.js';
import { SERVICES } from '../shared/metric-names.js';
import { SUBSCRIPTION_ROUTES } from '../core/subscriptions/links.js';
import { quietSdkNodeVersionWarning } from '../cli/sdk-warnings.js';
import { emulatorEnvironment, type Emulators, type GazetteResourceNames, provisionGazette, startEmulators } from './local-aws/emulators.js';
import { bucketSite } from './bucket-site.js';
import { LOCAL_SITE_PORT, startSiteServer, type SiteServer } from '../cli/site-server.js';

/** The example subscriber this script adds, so the first run has someone to mail. */
const EXAMPLE_SUBSCRIBER = 'reader@example.com';

const NAMES: GazetteResourceNames = {
  bucket: 'gazette-site',
  tables: { subscribers: 'gazette-subscribers', deliveries: 'gazette-deliveries', state: 'gazette-state', sources: 'gazette-sources' },
  // Named for completeness: `npm run dev` mails from the publisher itself (no sender function runs locally).
  queues: { send: 'gazette-send', deadLetter: 'gazette-send-dlq' },
};

/**
 * The publisher's environment for a local run, as infra sets it on AWS (language and feed length left to
 * the settings schema's defaults) plus the local-only
 * endpoint overrides, an inline keyring, origin-verify value and subscriber id key (all fresh per start: there
 * is no Secrets Manager locally).
 */
function devVariables(emulators: Emulators, siteUrl: string, originVerify: string): Record<string, string> {
  return {
    ...emulatorEnvironment(emulators.endpoints, NAMES),
    AWS_REGION: DEFAULT_AWS_REGION,
    [ENV.siteBaseUrl]: siteUrl,
    [ENV.siteTitle]: 'Gazette (local)',
    [ENV.siteDescription]: 'Concise digests, published locally against emulated AWS services.',
    [ENV.senderAddress]: 'gazette@example.com',
    [ENV.senderName]: 'Gazette',
    [ENV.sesConfigurationSet]: 'gazette-local',
    [LOCAL_ENV.tokenKeyringJson]: JSON.stringify({ currentKeyId: 'dev', dev: randomBytes(32).toString('base64url') }),
    [LOCAL_ENV.originVerifySecret]: originVerify,
    [LOCAL_ENV.subscriberIdKey]: randomBytes(32).toString('base64url'),
  };
}

/** Embedded-metric JSON on stdout would only bury the URLs the dev server prints. */
const NO_METRICS = { addMetric: () => undefined, publishStoredMetrics: () => undefined };

/** A `--port`-style flag as a port number (0 = any free port). */
function portFlag(flag: string, value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--${flag}: not a port number: ${value}`);
  return port;
}

/** One line per publish run, after the first run and after each Enter alike. */
function describeRun(summary: PublishSummary): string {
  return `Published ${summary.digests} digest(s): ${summary.filesWritten} object(s) written to s3://${NAMES.bucket}; ${summary.mail.sent} mail(s) sent, ${summary.articleErrors} article error(s).`;
}

/**
 * The subscription API under /api/*, as CloudFront routes it when deployed, with the same keyring as
 * the publisher so the links in digests verify; returns the subscriber id key it loaded.
 */
async function mountSubscriptionApi(
  server: SiteServer,
  clients: AwsClients,
  variables: Record<string, string>,
  originVerify: string,
): Promise<string> {
  const apiEnv = loadSubscriptionEnv(variables);
  const apiLogger = new Logger({ serviceName: SERVICES.subscriptionApi, logLevel: 'WARN' });
  const apiSecrets = await loadSubscriptionSecrets(apiEnv, clients.secrets);
  // The confirmation sender's part runs in this process after each answer (SQS and a worker on AWS).
  const senderEnv = loadConfirmationSenderEnv(variables);
  const idKey = await loadSubscriberIdKey(senderEnv.subscriberIdKey, clients.secrets);
  const sender = awsConfirmationDeps(senderEnv, clients, { keyring: apiSecrets.keyring, idKey }, apiLogger, NO_METRICS);
  const confirmations = new AfterResponseQueue(
    (job) => sendConfirmation(sender, job, new Date()),
    (error) => apiLogger.error('confirmation job failed', { error: String(error) }),
  );
  server.mountApi({
    handler: createSubscriptionApi(awsSubscriptionDeps(apiEnv, clients, apiSecrets, apiLogger, confirmations)),
    originHeaders: { [ORIGIN_VERIFY_HEADER]: originVerify },
  });
  return idKey;
}

/** What `npm run dev` prints once it is up: the run, the URLs to open and the emulators. */
function startupBanner(summary: PublishSummary, site: string, emulators: Emulators, once: boolean): string {
  return [
    '',
    describeRun(summary),
    '',
    `  Site        ${site}`,
    ...feedLinks({ baseUrl: site }).map((feed) => `  ${feed.label.padEnd(11)} ${feed.url}`),
    `  Subscribe   ${site}${SUBSCRIPTION_ROUTES.subscribe.path}   (the form on every page posts here)`,
    `  SES inbox   ${emulators.endpoints.ses}/   (mail to ${EXAMPLE_SUBSCRIBER})`,
    '',
    `  Emulators   S3 ${emulators.endpoints.s3}   DynamoDB ${emulators.endpoints.dynamodb}   SES ${emulators.endpoints.ses}`,
    '',
    once ? 'Stopping (--once).' : 'Press Enter to publish again (after adding articles to seeds/), Ctrl-C to stop.',
  ].join('\n');
}

/** Enter runs the scheduled handler again, like the next morning's schedule would; Ctrl-C or SIGTERM ends. */
async function publishOnEnterUntilStopped(publishAgain: () => Promise<void> | undefined): Promise<void> {
  const onLine = (): void => {
    publishAgain()?.catch((error: unknown) => console.error(`publish failed: ${error instanceof Error ? error.message : String(error)}`));
  };
  if (process.stdin.isTTY) process.stdin.on('data', onLine);
  await new Promise<void>((resolveSignal) => {
    process.once('SIGINT', () => resolveSignal());
    process.once('SIGTERM', () => resolveSignal());
  });
  process.stdin.off('data', onLine);
  process.stdin.pause();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: String(LOCAL_SITE_PORT) },
      'ses-port': { type: 'string', default: '0' },
      once: { type: 'boolean', default: false },
    },
  });
  const port = portFlag('port', values.port);
  const sesPort = portFlag('ses-port', values['ses-port']);

  const emulators = await startEmulators({ sesPort });
  const clients = createAwsClients({ region: DEFAULT_AWS_REGION, endpoints: emulators.endpoints });
  let server: SiteServer | undefined;
  let publishAgain: (() => Promise<void>) | undefined;
  const stop = async (): Promise<void> => {
    await server?.close();
    destroyAwsClients(clients);
    await emulators.stop();
  };
  try {
    await provisionGazette(clients, NAMES);
    // The dev server plays CloudFront: it sends this value in the origin-verify header, as the deployed
    // distribution sends the generated secret, so the API's check runs on every local request too.
    const originVerify = randomBytes(32).toString('base64url');
    server = await startSiteServer({ source: bucketSite(clients.s3, NAMES.bucket), port });
    const variables = devVariables(emulators, server.url, originVerify);
    const env = loadPublisherEnv(variables);
    const idKey = await mountSubscriptionApi(server, clients, variables, originVerify);

    // Through the operator's own use case, so the example row has the shape every real row has.
    await addSubscriber(
      { store: new DynamoSubscribers(clients.doc, env.tables.subscribers), idKey },
      { email: EXAMPLE_SUBSCRIBER, note: 'example subscriber added by npm run dev' },
      new Date(),
    );

    const publish = createPublishHandler({
      env,
      clients,
      logger: new Logger({ serviceName: SERVICES.publisher, logLevel: 'WARN' }),
      // Embedded-metric JSON on stdout would only bury the URLs below.
      metrics: NO_METRICS,
    });
    const publishNow = () => publish({ scheduledAt: new Date().toISOString() }, { awsRequestId: randomUUID() });
    publishAgain = async () => console.log(describeRun(await publishNow()));
    const summary = await publishNow();

    console.log(startupBanner(summary, server.url, emulators, values.once));
  } catch (error) {
    await stop();
    throw error;
  }

  if (values.once) return stop();
  await publishOnEnterUntilStopped(() => publishAgain?.());
  console.log('\nStopping emulators…');
  await stop();
}

quietSdkNodeVersionWarning();
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`npm run dev: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
