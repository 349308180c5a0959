/**
 * Each Lambda function's settings, read from `process.env` once at cold start and validated with a
 * schema: the publisher, the subscription API, the confirmation sender and the SES events handler. A missing or malformed
 * variable fails the cold start with a `ConfigError` naming the variable; nothing required gets a
 * silent default. The site and mail settings take their rules and defaults from the one settings schema
 * (functions/core/settings.ts), which the CDK context and the CLI flags use too, and the mail settings
 * come from its one builder, so a deployed function and `npm start` send the same headers. The
 * schemas share their other pieces (sender, keyring, endpoints) the same way.
 *
 * The names deployed by infra live in `env-names.ts` (shared with the CDK stack). The few names below in
 * `LOCAL_ENV` exist only for `npm run dev` and the integration tests, which talk to emulators; infra never
 * sets them.
 */
import * as z from '../core/zod.js';
import { ConfigError } from '../core/errors.js';
import type { MailConfig, SiteConfig } from '../core/model.js';
import type { EditionDefaults } from '../core/editions/plan.js';
import {
  buildEditionDefaults,
  buildMailConfig,
  buildSiteConfig,
  buildSummarizerChoice,
  cadenceProblem,
  SETTING_RULES,
  settingsSchema,
  type SummarizerChoice,
} from '../core/settings.js';
import { ENV } from './env-names.js';
import type { PollingSettings } from '../adapters/http/feed-polling.js';

/**
 * Local-only variables (emulators). None of them is set on AWS: when an endpoint is absent the SDK uses
 * the real regional endpoint.
 */
export const LOCAL_ENV = {
  /** Endpoint of an S3 emulator (s3rver), e.g. `http://127.0.0.1:4568`; turns on path-style URLs. */
  s3Endpoint: 'GAZETTE_S3_ENDPOINT',
  /** Endpoint of an SES v1 emulator (aws-ses-v2-local). */
  sesEndpoint: 'GAZETTE_SES_ENDPOINT',
  /** Endpoint of a DynamoDB emulator (dynalite). */
  dynamodbEndpoint: 'GAZETTE_DYNAMODB_ENDPOINT',
  /** Endpoint of a Bedrock Runtime stand-in (a loopback stub of Converse in tests). */
  bedrockEndpoint: 'GAZETTE_BEDROCK_ENDPOINT',
  /** Endpoint of an SQS emulator (fauxqs). */
  sqsEndpoint: 'GAZETTE_SQS_ENDPOINT',
  /** Endpoint of a CloudFormation stand-in, for the operator commands' DescribeStacks (tests' loopback server). */
  cloudformationEndpoint: 'GAZETTE_CLOUDFORMATION_ENDPOINT',
  /** Endpoint of a Lambda stand-in, for `gazette run`'s Invoke and the settings read (tests' loopback server). */
  lambdaEndpoint: 'GAZETTE_LAMBDA_ENDPOINT',
  /**
   * The token keyring JSON itself (same format as the secret behind `GAZETTE_TOKEN_SECRET_ARN`). There is
   * no Secrets Manager emulator, so local runs pass the keyring directly. Never set this on AWS.
   */
  tokenKeyringJson: 'GAZETTE_TOKEN_KEYRING_JSON',
  /**
   * The origin-verify value itself (what the secret behind `GAZETTE_ORIGIN_VERIFY_SECRET_ARN` holds on
   * AWS). Local runs have no CloudFront and no Secrets Manager: the dev server, which plays CloudFront's
   * part, sends this value in the origin-verify header. Never set this on AWS.
   */
  originVerifySecret: 'GAZETTE_ORIGIN_VERIFY_SECRET',
  /** The subscriber id key itself (what the secret behind `GAZETTE_SUBSCRIBER_ID_SECRET_ARN` holds on AWS). Never set this on AWS. */
  subscriberIdKey: 'GAZETTE_SUBSCRIBER_ID_KEY',
} as const;

/** Where the token keyring comes from: Secrets Manager on AWS, inline JSON locally. */
export type KeyringSource = { kind: 'secret'; secretArn: string } | { kind: 'inline'; json: string };

/** Where the subscriber id key comes from: Secrets Manager on AWS, the key itself locally. */
export type SubscriberIdKeySource = { kind: 'secret'; secretArn: string } | { kind: 'inline'; value: string };

/** What a subscriber id key must look like, from the environment or from Secrets Manager alike. */
export const SUBSCRIBER_ID_KEY_VALUE = z.string().check(z.minLength(32, 'must be at least 32 characters'));

/** Where the origin-verify value comes from: Secrets Manager on AWS, the value itself locally. */
export type OriginVerifySource = { kind: 'secret'; secretArn: string } | { kind: 'inline'; value: string };

/**
 * What an origin-verify value must look like, from the environment or from Secrets Manager alike: it
 * travels as an HTTP header value (visible ASCII only) and must be long enough not to be guessed.
 */
export const ORIGIN_VERIFY_VALUE = z.string().check(z.regex(/^[\x21-\x7e]{32,}$/, 'must be at least 32 visible ASCII characters'));

/** Endpoint overrides for local emulators; all absent on AWS. */
export interface EndpointOverrides {
  s3?: string;
  ses?: string;
  dynamodb?: string;
  bedrock?: string;
  sqs?: string;
  /** The operator commands only. */
  cloudformation?: string;
  lambda?: string;
}

/** Everything the scheduled publisher needs from its environment, parsed and typed. */
export interface PublisherEnv {
  region: string;
  site: SiteConfig;
  mail: MailConfig;
  bucket: string;
  sesConfigurationSet: string;
  tables: { subscribers: string; deliveries: string; state: string };
  /** The bundled seed articles; absent when the deploy leaves them out (`publishSeeds` false). */
  seedsDir?: string;
  keyring: KeyringSource;
  /** Digests first stored longer than this before the run are published but not emailed (core default when absent). */
  staleAfterMs?: number;
  summarizer: SummarizerChoice;
  /** The feed sources table; without it the publisher follows no feeds (files only). */
  sourcesTable?: string;
  /** How feeds are fetched and polled (the settings schema's defaults unless infra sets them). */
  polling: PollingSettings;
  /** Enabled cadences, the default one, the time zone. */
  editions: EditionDefaults;
  /** A new article older than this by its own date is archived, not mailed. */
  maxAgeToMailMs: number;
  /** When set, recipients are enqueued here for the sender function instead of mailed by the publisher. */
  sendQueueUrl?: string;
  endpoints: EndpointOverrides;
}

/** What the sender function reads: the sender settings, the ledger, the keyring (for unsubscribe links), the queue. */
export interface SenderEnv {
  region: string;
  site: SiteConfig;
  mail: MailConfig;
  sesConfigurationSet: string;
  /** The ledger, and the state table that holds the senders' shared pause. */
  tables: { deliveries: string; state: string };
  keyring: KeyringSource;
  sendQueueUrl: string;
  /** Sender functions that may run at once; each takes MaxSendRate ÷ this. */
  senderConcurrency: number;
  endpoints: EndpointOverrides;
}

/** What the subscription API reads: the publisher's site and sender settings, but no bucket, ledger or seeds. */
export interface SubscriptionEnv {
  region: string;
  site: SiteConfig;
  mail: MailConfig;
  sesConfigurationSet: string;
  tables: { subscribers: string; state: string };
  keyring: KeyringSource;
  /** The value CloudFront sends in the origin-verify header; every other request is refused. */
  originVerify: OriginVerifySource;
  /**
   * The queue of confirmation jobs (SQS). Required on AWS, where the Lambda entry point demands it;
   * local runs (dev server, tests) hand the API an in-process queue instead.
   */
  confirmationQueueUrl?: string;
  /** Cadences the subscribe form and the manage page offer. */
  editions: EditionDefaults;
  endpoints: EndpointOverrides;
}

/** What the confirmation sender (the SQS worker behind the subscribe endpoint) reads. */
export interface ConfirmationSenderEnv {
  region: string;
  site: SiteConfig;
  mail: MailConfig;
  sesConfigurationSet: string;
  tables: { subscribers: string; state: string };
  keyring: KeyringSource;
  subscriberIdKey: SubscriberIdKeySource;
  /** The setting behind the global cap on confirmation mails (the SES quota may lower it further). */
  maxConfirmationsPerDay: number;
  endpoints: EndpointOverrides;
}

/** What the SES events handler reads: infra gives it the two tables and the subscriber id key (and the region). */
export interface SesEventsEnv {
  region: string;
  tables: { subscribers: string; state: string };
  /** Bounces name addresses; the key turns them into subscriber ids. */
  subscriberIdKey: SubscriberIdKeySource;
  endpoints: EndpointOverrides;
}

const text = z.string().check(z.trim(), z.minLength(1, 'must not be empty'));
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

// Schemas are keyed by the real variable names, so every issue's path *is* the variable to blame.
/** The region when nothing names one (the Lambda runtime always does; the operator's `--table` commands may not). */
export const DEFAULT_AWS_REGION = 'us-east-1';
const region = { AWS_REGION: z._default(text, DEFAULT_AWS_REGION) };
// Infra always sets the base URL, title, sender and name: a missing one is a wiring bug, so they are
// required here although the CDK context has defaults for some; the rest take the schema's defaults.
const site = {
  [ENV.siteBaseUrl]: SETTING_RULES.baseUrl,
  [ENV.siteTitle]: SETTING_RULES.siteTitle,
  [ENV.siteDescription]: settingsSchema.shape.siteDescription,
  [ENV.siteLanguage]: settingsSchema.shape.language,
  [ENV.feedLength]: settingsSchema.shape.feedLength,
  // Edition dates on pages and in mail are shown in it.
  [ENV.timeZone]: settingsSchema.shape.timeZone,
  // The publisher plans editions by them; the API offers them on the manage page.
  [ENV.cadences]: settingsSchema.shape.cadences,
  [ENV.defaultCadence]: settingsSchema.shape.defaultCadence,
};
const sender = {
  [ENV.senderAddress]: SETTING_RULES.senderEmail,
  [ENV.senderName]: SETTING_RULES.senderName,
  [ENV.postalAddress]: z.optional(SETTING_RULES.postalAddress),
  [ENV.editionMaxItems]: settingsSchema.shape.editionMaxItems,
  [ENV.sesConfigurationSet]: text,
};
const subscriberTables = {
  [ENV.subscribersTable]: text,
  [ENV.stateTable]: text,
};
// Either the deployed secret or, locally, the keyring itself; `keyringSource` demands one of them.
const keyring = {
  [ENV.tokenSecretArn]: z.optional(text),
  [LOCAL_ENV.tokenKeyringJson]: z.optional(text),
};

// Like the keyring: the deployed secret's ARN or, locally, the key; `subscriberIdKeySource` demands one.
const subscriberIdKey = {
  [ENV.subscriberIdSecretArn]: z.optional(text),
  [LOCAL_ENV.subscriberIdKey]: z.optional(SUBSCRIBER_ID_KEY_VALUE),
};

// Key order is the order problems are reported in: keep it the order an operator reads the variables.
const publisherSchema = z.object({
  ...region,
  [ENV.siteBucket]: text,
  ...site,
  ...sender,
  [ENV.subscribersTable]: text,
  [ENV.deliveriesTable]: text,
  [ENV.stateTable]: text,
  [ENV.seedsDir]: z.optional(text),
  ...keyring,
  // Optional: the use case's default is the schema's default too.
  [ENV.staleAfterMinutes]: z.optional(SETTING_RULES.staleAfterMinutes),
  [ENV.summarizer]: settingsSchema.shape.summarizer,
  [ENV.bedrockModelId]: settingsSchema.shape.bedrockModelId,
  [ENV.bedrockDailyTokenBudget]: settingsSchema.shape.bedrockDailyTokenBudget,
  [ENV.sourcesTable]: z.optional(text),
  [ENV.maxAgeToMailHours]: settingsSchema.shape.maxAgeToMailHours,
  [ENV.sourcePauseAfterErrors]: settingsSchema.shape.sourcePauseAfterErrors,
  [ENV.allowPrivateNetwork]: settingsSchema.shape.allowPrivateNetwork,
  [ENV.fetchTimeoutSeconds]: settingsSchema.shape.fetchTimeoutSeconds,
  [ENV.maxFeedBytes]: settingsSchema.shape.maxFeedBytes,
  [LOCAL_ENV.s3Endpoint]: z.optional(httpUrl),
  [LOCAL_ENV.sesEndpoint]: z.optional(httpUrl),
  [LOCAL_ENV.dynamodbEndpoint]: z.optional(httpUrl),
  [LOCAL_ENV.bedrockEndpoint]: z.optional(httpUrl),
  [ENV.sendQueueUrl]: z.optional(text),
  [LOCAL_ENV.sqsEndpoint]: z.optional(httpUrl),
});

const senderSchema = z.object({
  ...region,
  ...site,
  ...sender,
  [ENV.deliveriesTable]: text,
  [ENV.stateTable]: text,
  ...keyring,
  [ENV.sendQueueUrl]: text,
  [ENV.senderConcurrency]: z.coerce.number().check(z.int(), z.minimum(1), z.maximum(1000)),
  [LOCAL_ENV.sesEndpoint]: z.optional(httpUrl),
  [LOCAL_ENV.dynamodbEndpoint]: z.optional(httpUrl),
  [LOCAL_ENV.sqsEndpoint]: z.optional(httpUrl),
});

/** The part both the publisher and the API read: what the site and mail builders take. */
const siteAndSenderSchema = z.object({ ...site, ...sender });

const subscriptionSchema = z.object({
  ...region,
  ...site,
  ...sender,
  ...subscriberTables,
  ...keyring,
  // Like the keyring: the deployed secret's ARN or, locally, the value; `originVerifySource` demands one.
  [ENV.originVerifySecretArn]: z.optional(text),
  [LOCAL_ENV.originVerifySecret]: z.optional(ORIGIN_VERIFY_VALUE),
  [ENV.confirmationQueueUrl]: z.optional(text),
  [LOCAL_ENV.dynamodbEndpoint]: z.optional(httpUrl),
});

const confirmationSenderSchema = z.object({
  ...region,
  ...site,
  ...sender,
  ...subscriberTables,
  ...keyring,
  ...subscriberIdKey,
  [ENV.maxConfirmationsPerDay]: settingsSchema.shape.maxConfirmationsPerDay,
  [LOCAL_ENV.sesEndpoint]: z.optional(httpUrl),
  [LOCAL_ENV.dynamodbEndpoint]: z.optional(httpUrl),
});

const sesEventsSchema = z.object({
  ...region,
  ...subscriberTables,
  ...subscriberIdKey,
  [LOCAL_ENV.dynamodbEndpoint]: z.optional(httpUrl),
});

/** Validates `source` against `schema`; the `ConfigError` names every offending variable, e.g. `GAZETTE_SITE_BUCKET: required`. */
function parseEnvironment<Schema extends z.ZodMiniObject>(
  schema: Schema,
  source: Readonly<Record<string, string | undefined>>,
): z.output<Schema> {
  // Empty strings count as unset, so `FOO=` is reported as missing rather than as a blank value.
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      const reason = issue.code === 'invalid_type' && present[name] === undefined ? 'required' : issue.message;
      return `${name}: ${reason}`;
    });
    throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  }
  return parsed.data;
}

function keyringSource(env: {
  [ENV.tokenSecretArn]?: string | undefined;
  [LOCAL_ENV.tokenKeyringJson]?: string | undefined;
}): KeyringSource {
  const secretArn = env[ENV.tokenSecretArn];
  const inlineKeyring = env[LOCAL_ENV.tokenKeyringJson];
  // The ARN wins when both are set: a stray local variable must never replace the deployed secret.
  if (secretArn) return { kind: 'secret', secretArn };
  if (inlineKeyring) return { kind: 'inline', json: inlineKeyring };
  throw new ConfigError(`invalid environment: ${ENV.tokenSecretArn}: required`);
}

function originVerifySource(env: z.output<typeof subscriptionSchema>): OriginVerifySource {
  const secretArn = env[ENV.originVerifySecretArn];
  const value = env[LOCAL_ENV.originVerifySecret];
  // As with the keyring, the ARN wins: a stray local value must never replace the deployed secret.
  if (secretArn) return { kind: 'secret', secretArn };
  if (value) return { kind: 'inline', value };
  throw new ConfigError(`invalid environment: ${ENV.originVerifySecretArn}: required`);
}

function subscriberIdKeySource(env: {
  [ENV.subscriberIdSecretArn]?: string | undefined;
  [LOCAL_ENV.subscriberIdKey]?: string | undefined;
}): SubscriberIdKeySource {
  const secretArn = env[ENV.subscriberIdSecretArn];
  const value = env[LOCAL_ENV.subscriberIdKey];
  // As with the keyring, the ARN wins: a stray local value must never replace the deployed secret.
  if (secretArn) return { kind: 'secret', secretArn };
  if (value) return { kind: 'inline', value };
  throw new ConfigError(`invalid environment: ${ENV.subscriberIdSecretArn}: required`);
}

function siteConfig(env: z.output<typeof siteAndSenderSchema>): SiteConfig {
  return buildSiteConfig({
    baseUrl: env[ENV.siteBaseUrl],
    siteTitle: env[ENV.siteTitle],
    siteDescription: env[ENV.siteDescription],
    language: env[ENV.siteLanguage],
    senderName: env[ENV.senderName],
    feedLength: env[ENV.feedLength],
    timeZone: env[ENV.timeZone],
    cadences: env[ENV.cadences],
    defaultCadence: env[ENV.defaultCadence],
  });
}

function mailConfig(env: z.output<typeof siteAndSenderSchema>): MailConfig {
  return buildMailConfig({
    senderEmail: env[ENV.senderAddress],
    senderName: env[ENV.senderName],
    postalAddress: env[ENV.postalAddress],
    editionMaxItems: env[ENV.editionMaxItems],
  });
}

/**
 * The emulator endpoints named by the local variables of `env` (unset on AWS: every client then uses
 * the SDK's regional endpoint). The functions read them from their validated environment; the operator
 * commands straight from the shell's.
 */
export function endpointOverrides(env: Partial<Record<(typeof LOCAL_ENV)[keyof typeof LOCAL_ENV], string | undefined>>): EndpointOverrides {
  return {
    ...(env[LOCAL_ENV.s3Endpoint] ? { s3: env[LOCAL_ENV.s3Endpoint] } : {}),
    ...(env[LOCAL_ENV.sesEndpoint] ? { ses: env[LOCAL_ENV.sesEndpoint] } : {}),
    ...(env[LOCAL_ENV.dynamodbEndpoint] ? { dynamodb: env[LOCAL_ENV.dynamodbEndpoint] } : {}),
    ...(env[LOCAL_ENV.bedrockEndpoint] ? { bedrock: env[LOCAL_ENV.bedrockEndpoint] } : {}),
    ...(env[LOCAL_ENV.sqsEndpoint] ? { sqs: env[LOCAL_ENV.sqsEndpoint] } : {}),
    ...(env[LOCAL_ENV.cloudformationEndpoint] ? { cloudformation: env[LOCAL_ENV.cloudformationEndpoint] } : {}),
    ...(env[LOCAL_ENV.lambdaEndpoint] ? { lambda: env[LOCAL_ENV.lambdaEndpoint] } : {}),
  };
}

/** The cadence settings; a default cadence that is not enabled fails the cold start. */
function editionDefaults(env: z.output<typeof siteAndSenderSchema>): EditionDefaults {
  const settings = { cadences: env[ENV.cadences], defaultCadence: env[ENV.defaultCadence], timeZone: env[ENV.timeZone] };
  const problem = cadenceProblem(settings);
  if (problem) throw new ConfigError(`${ENV.defaultCadence} ${problem}`);
  return buildEditionDefaults(settings);
}

/** Parses and validates the publisher's environment; throws `ConfigError` naming every offending variable. */
export function loadPublisherEnv(source: Readonly<Record<string, string | undefined>>): PublisherEnv {
  const env = parseEnvironment(publisherSchema, source);
  const staleAfterMinutes = env[ENV.staleAfterMinutes];
  return {
    region: env.AWS_REGION,
    site: siteConfig(env),
    mail: mailConfig(env),
    bucket: env[ENV.siteBucket],
    sesConfigurationSet: env[ENV.sesConfigurationSet],
    tables: {
      subscribers: env[ENV.subscribersTable],
      deliveries: env[ENV.deliveriesTable],
      state: env[ENV.stateTable],
    },
    ...(env[ENV.seedsDir] ? { seedsDir: env[ENV.seedsDir] } : {}),
    keyring: keyringSource(env),
    ...(staleAfterMinutes ? { staleAfterMs: staleAfterMinutes * 60_000 } : {}),
    summarizer: buildSummarizerChoice({
      summarizer: env[ENV.summarizer],
      bedrockModelId: env[ENV.bedrockModelId],
      bedrockDailyTokenBudget: env[ENV.bedrockDailyTokenBudget],
    }),
    ...(env[ENV.sourcesTable] ? { sourcesTable: env[ENV.sourcesTable] } : {}),
    polling: {
      maxAgeToMailHours: env[ENV.maxAgeToMailHours],
      sourcePauseAfterErrors: env[ENV.sourcePauseAfterErrors],
      allowPrivateNetwork: env[ENV.allowPrivateNetwork],
      fetchTimeoutSeconds: env[ENV.fetchTimeoutSeconds],
      maxFeedBytes: env[ENV.maxFeedBytes],
    },
    editions: editionDefaults(env),
    maxAgeToMailMs: env[ENV.maxAgeToMailHours] * 60 * 60 * 1000,
    ...(env[ENV.sendQueueUrl] ? { sendQueueUrl: env[ENV.sendQueueUrl] } : {}),
    endpoints: endpointOverrides(env),
  };
}

/** Parses and validates the sender function's environment; throws `ConfigError` naming every offending variable. */
export function loadSenderEnv(source: Readonly<Record<string, string | undefined>>): SenderEnv {
  const env = parseEnvironment(senderSchema, source);
  return {
    region: env.AWS_REGION,
    site: siteConfig(env),
    mail: mailConfig(env),
    sesConfigurationSet: env[ENV.sesConfigurationSet],
    tables: { deliveries: env[ENV.deliveriesTable], state: env[ENV.stateTable] },
    keyring: keyringSource(env),
    sendQueueUrl: env[ENV.sendQueueUrl],
    senderConcurrency: env[ENV.senderConcurrency],
    endpoints: endpointOverrides(env),
  };
}

/** Parses and validates the subscription API's environment; throws `ConfigError` naming every offending variable. */
export function loadSubscriptionEnv(source: Readonly<Record<string, string | undefined>>): SubscriptionEnv {
  const env = parseEnvironment(subscriptionSchema, source);
  return {
    region: env.AWS_REGION,
    site: siteConfig(env),
    mail: mailConfig(env),
    sesConfigurationSet: env[ENV.sesConfigurationSet],
    tables: { subscribers: env[ENV.subscribersTable], state: env[ENV.stateTable] },
    keyring: keyringSource(env),
    originVerify: originVerifySource(env),
    ...(env[ENV.confirmationQueueUrl] ? { confirmationQueueUrl: env[ENV.confirmationQueueUrl] } : {}),
    editions: editionDefaults(env),
    endpoints: endpointOverrides(env),
  };
}

/** Parses and validates the confirmation sender's environment; throws `ConfigError` naming every offending variable. */
export function loadConfirmationSenderEnv(source: Readonly<Record<string, string | undefined>>): ConfirmationSenderEnv {
  const env = parseEnvironment(confirmationSenderSchema, source);
  return {
    region: env.AWS_REGION,
    site: siteConfig(env),
    mail: mailConfig(env),
    sesConfigurationSet: env[ENV.sesConfigurationSet],
    tables: { subscribers: env[ENV.subscribersTable], state: env[ENV.stateTable] },
    keyring: keyringSource(env),
    subscriberIdKey: subscriberIdKeySource(env),
    maxConfirmationsPerDay: env[ENV.maxConfirmationsPerDay],
    endpoints: endpointOverrides(env),
  };
}

/** Parses and validates the SES events handler's environment; throws `ConfigError` naming every missing variable. */
export function loadSesEventsEnv(source: Readonly<Record<string, string | undefined>>): SesEventsEnv {
  const env = parseEnvironment(sesEventsSchema, source);
  return {
    region: env.AWS_REGION,
    tables: { subscribers: env[ENV.subscribersTable], state: env[ENV.stateTable] },
    subscriberIdKey: subscriberIdKeySource(env),
    endpoints: endpointOverrides(env),
  };
}
