/**
 * The publisher's settings, read from `process.env` once at cold start and validated with a schema. A
 * missing or malformed variable fails the cold start with a `ConfigError` naming the variable; nothing
 * required gets a silent default.
 *
 * The names deployed by infra live in `env-names.ts` (shared with the CDK stack). The few names below in
 * `LOCAL_ENV` exist only for `npm run dev` and the integration tests, which talk to emulators; infra never
 * sets them.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { MailConfig, SiteConfig } from '../core/model.js';
import { ENV } from './env-names.js';

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
  /**
   * The token keyring JSON itself (same format as the secret behind `GAZETTE_TOKEN_SECRET_ARN`). There is
   * no Secrets Manager emulator, so local runs pass the keyring directly. Never set this on AWS.
   */
  tokenKeyringJson: 'GAZETTE_TOKEN_KEYRING_JSON',
} as const;

/** Where the token keyring comes from: Secrets Manager on AWS, inline JSON locally. */
export type KeyringSource = { kind: 'secret'; secretArn: string } | { kind: 'inline'; json: string };

/** Endpoint overrides for local emulators; all absent on AWS. */
export interface EndpointOverrides {
  s3?: string;
  ses?: string;
  dynamodb?: string;
}

/** Everything the scheduled publisher needs from its environment, parsed and typed. */
export interface PublisherEnv {
  region: string;
  site: SiteConfig;
  mail: MailConfig;
  bucket: string;
  sesConfigurationSet: string;
  tables: { subscribers: string; deliveries: string; state: string };
  seedsDir: string;
  keyring: KeyringSource;
  /** Digests first stored longer than this before the run are published but not emailed (core default when absent). */
  staleAfterMs?: number;
  endpoints: EndpointOverrides;
}

const text = z.string().trim().min(1, 'must not be empty');
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const email = z.email({ error: 'must be an email address' });

// One schema keyed by the real variable names, so every issue's path *is* the variable to blame.
const schema = z.object({
  AWS_REGION: text.default('us-east-1'),
  [ENV.siteBucket]: text,
  [ENV.siteBaseUrl]: httpUrl.refine((value) => value.endsWith('/'), 'must end with "/"'),
  [ENV.siteTitle]: text,
  [ENV.siteDescription]: z.string().default(''),
  [ENV.siteLanguage]: z
    .string()
    .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 tag like "en"')
    .default('en'),
  [ENV.feedLength]: z.coerce.number().int().min(1).max(500).default(20),
  [ENV.senderAddress]: email,
  [ENV.senderName]: text,
  [ENV.sesConfigurationSet]: text,
  [ENV.subscribersTable]: text,
  [ENV.deliveriesTable]: text,
  [ENV.stateTable]: text,
  [ENV.seedsDir]: text,
  [ENV.tokenSecretArn]: text.optional(),
  [ENV.staleAfterMinutes]: z.coerce.number().int().min(1).optional(),
  [LOCAL_ENV.tokenKeyringJson]: text.optional(),
  [LOCAL_ENV.s3Endpoint]: httpUrl.optional(),
  [LOCAL_ENV.sesEndpoint]: httpUrl.optional(),
  [LOCAL_ENV.dynamodbEndpoint]: httpUrl.optional(),
});

/**
 * Parses and validates the publisher's environment. Throws `ConfigError` whose message names every
 * offending variable, e.g. `GAZETTE_SITE_BUCKET: required`.
 */
export function loadPublisherEnv(source: Readonly<Record<string, string | undefined>>): PublisherEnv {
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
  const env = parsed.data;
  const secretArn = env[ENV.tokenSecretArn];
  const inlineKeyring = env[LOCAL_ENV.tokenKeyringJson];
  if (!secretArn && !inlineKeyring) {
    throw new ConfigError(`invalid environment: ${ENV.tokenSecretArn}: required`);
  }
  const senderAddress = env[ENV.senderAddress];
  const staleAfterMinutes = env[ENV.staleAfterMinutes];
  const senderDomain = senderAddress.slice(senderAddress.lastIndexOf('@') + 1).toLowerCase();
  const endpoints: EndpointOverrides = {};
  if (env[LOCAL_ENV.s3Endpoint]) endpoints.s3 = env[LOCAL_ENV.s3Endpoint];
  if (env[LOCAL_ENV.sesEndpoint]) endpoints.ses = env[LOCAL_ENV.sesEndpoint];
  if (env[LOCAL_ENV.dynamodbEndpoint]) endpoints.dynamodb = env[LOCAL_ENV.dynamodbEndpoint];
  return {
    region: env.AWS_REGION,
    site: {
      baseUrl: env[ENV.siteBaseUrl],
      title: env[ENV.siteTitle],
      description: env[ENV.siteDescription],
      language: env[ENV.siteLanguage],
      authorName: env[ENV.senderName],
      feedLength: env[ENV.feedLength],
    },
    mail: {
      fromName: env[ENV.senderName],
      fromAddress: senderAddress,
      // The sender identity is the one mailbox we know is ours; RFC 8058 mailto requests land there.
      unsubscribeMailbox: senderAddress,
      listId: `gazette.${senderDomain}`,
    },
    bucket: env[ENV.siteBucket],
    sesConfigurationSet: env[ENV.sesConfigurationSet],
    tables: {
      subscribers: env[ENV.subscribersTable],
      deliveries: env[ENV.deliveriesTable],
      state: env[ENV.stateTable],
    },
    seedsDir: env[ENV.seedsDir],
    // The ARN wins when both are set: a stray local variable must never replace the deployed secret.
    keyring: secretArn ? { kind: 'secret', secretArn } : { kind: 'inline', json: inlineKeyring as string },
    ...(staleAfterMinutes ? { staleAfterMs: staleAfterMinutes * 60_000 } : {}),
    endpoints,
  };
}
