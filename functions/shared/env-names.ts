/**
 * Names of the environment variables the Lambda functions read. Side-effect free on purpose: the CDK
 * stack imports this module to set the variables, the handlers import it to read them, so the two
 * can never drift apart.
 */
export const ENV = {
  /** Name of the S3 bucket that holds the site, the feeds and the `inbox/` prefix. */
  siteBucket: 'GAZETTE_SITE_BUCKET',
  /** Public base URL of the site, ending in `/` (the CloudFront URL or the custom domain). */
  siteBaseUrl: 'GAZETTE_SITE_BASE_URL',
  siteTitle: 'GAZETTE_SITE_TITLE',
  siteDescription: 'GAZETTE_SITE_DESCRIPTION',
  /** BCP 47 language tag of the site and feeds. */
  siteLanguage: 'GAZETTE_SITE_LANGUAGE',
  /** How many digests each feed keeps. */
  feedLength: 'GAZETTE_FEED_LENGTH',
  /** The verified SES sender address. */
  senderAddress: 'GAZETTE_SENDER_ADDRESS',
  senderName: 'GAZETTE_SENDER_NAME',
  /** The sender's postal address for the edition footer (setting `postalAddress`); unset: none printed. */
  postalAddress: 'GAZETTE_POSTAL_ADDRESS',
  /** Digests an edition email shows in full (setting `editionMaxItems`). */
  editionMaxItems: 'GAZETTE_EDITION_MAX_ITEMS',
  /** SES configuration set every message is sent through (events, suppression). */
  sesConfigurationSet: 'GAZETTE_SES_CONFIGURATION_SET',
  /** Name of the subscribers table (key schema in tables.ts, like the two below). */
  subscribersTable: 'GAZETTE_SUBSCRIBERS_TABLE',
  /** Name of the delivery ledger table. */
  deliveriesTable: 'GAZETTE_DELIVERIES_TABLE',
  /**
   * Name of the table holding the digest archive, the publisher's run lease, processed SES
   * notifications and request counters (one item kind per id prefix, see `STATE_ITEM` in tables.ts).
   */
  stateTable: 'GAZETTE_STATE_TABLE',
  /** Name of the feed sources table (sources and the items seen in each; key schema in tables.ts). */
  sourcesTable: 'GAZETTE_SOURCES_TABLE',
  /** Hours after its own date past which an article or feed item seen for the first time is never mailed. */
  maxAgeToMailHours: 'GAZETTE_MAX_AGE_TO_MAIL_HOURS',
  /** Failed polls in a row after which a feed source is paused. */
  sourcePauseAfterErrors: 'GAZETTE_SOURCE_PAUSE_AFTER_ERRORS',
  /** `true` lets feed fetches reach loopback and private addresses (intranet feeds; tests). */
  allowPrivateNetwork: 'GAZETTE_ALLOW_PRIVATE_NETWORK',
  /** Overall deadline of one feed fetch, in seconds. */
  fetchTimeoutSeconds: 'GAZETTE_FETCH_TIMEOUT_SECONDS',
  /** Largest feed body accepted, in bytes after decompression. */
  maxFeedBytes: 'GAZETTE_MAX_FEED_BYTES',
  /** Folder of the seed articles bundled with the publisher (`/var/task/seeds` on Lambda); unset with `publishSeeds` false. */
  seedsDir: 'GAZETTE_SEEDS_DIR',
  /**
   * Secrets Manager ARN of the HMAC key set for subscriber tokens. The secret is a JSON object:
   * `{"currentKeyId":"k1","k1":"<secret>","k0":"<older secret>"}` — every key other than
   * `currentKeyId` is a key id (see functions/core/tokens.ts `TokenKeyring`).
   */
  tokenSecretArn: 'GAZETTE_TOKEN_SECRET_ARN',
  /**
   * Secrets Manager ARN of the origin-verify secret (a plain random string, no JSON): CloudFront sends
   * it in the {@link ORIGIN_VERIFY_HEADER} on every `/api/*` request, and the subscription API answers
   * 403 to any request without it, so callers of the execute-api URL cannot bypass CloudFront (nor
   * forge the `X-Forwarded-For` entry the per-IP throttle trusts).
   */
  originVerifySecretArn: 'GAZETTE_ORIGIN_VERIFY_SECRET_ARN',
  /**
   * Secrets Manager ARN of the subscriber id key (a plain random string, no JSON): subscriber ids are
   * an HMAC of the address with it (functions/core/subscriptions/address.ts `subscriberIdFor`). Read by
   * the functions that derive an id from an address (subscription API, SES events). Never rotated.
   */
  subscriberIdSecretArn: 'GAZETTE_SUBSCRIBER_ID_SECRET_ARN',
  /** Minutes after the scheduled time past which a digest is published but not emailed. */
  staleAfterMinutes: 'GAZETTE_STALE_AFTER_MINUTES',
  /**
   * URL of the SQS queue of confirmation jobs: the subscription API queues one for every well-formed
   * subscribe request, the confirmation sender decides and mails.
   */
  confirmationQueueUrl: 'GAZETTE_CONFIRMATION_QUEUE_URL',
  /** Cadences subscribers may choose, comma-separated (`instant,daily,weekly`). */
  cadences: 'GAZETTE_CADENCES',
  /** The cadence of a subscriber who chose none. */
  defaultCadence: 'GAZETTE_DEFAULT_CADENCE',
  /** IANA time zone of edition dates and of subscribers who chose none. */
  timeZone: 'GAZETTE_TIME_ZONE',
  /** Confirmation mails in any rolling 24 hours (the confirmation sender's global cap). */
  maxConfirmationsPerDay: 'GAZETTE_MAX_CONFIRMATIONS_PER_DAY',
  /** `extractive` (default) or `bedrock`: who writes the publisher's digests (settings.ts `summarizer`). */
  summarizer: 'GAZETTE_SUMMARIZER',
  /** The Bedrock foundation model the publisher may invoke (set with `bedrock` only). */
  bedrockModelId: 'GAZETTE_BEDROCK_MODEL_ID',
  /** Model tokens per UTC day, counted in the state table before each call. */
  bedrockDailyTokenBudget: 'GAZETTE_BEDROCK_DAILY_TOKEN_BUDGET',
  /**
   * URL of the send queue. Set on the publisher, it enqueues each delivery's recipients there instead
   * of mailing them itself; set on the sender function, it is where partly sent batches are delayed.
   */
  sendQueueUrl: 'GAZETTE_SEND_QUEUE_URL',
  /**
   * How many sender functions may run at once (the event source mapping's maximum concurrency): each
   * sends at SES's MaxSendRate divided by this, so together they stay under it.
   */
  senderConcurrency: 'GAZETTE_SENDER_CONCURRENCY',
} as const;

/** One of the environment variable names above. */
export type EnvName = (typeof ENV)[keyof typeof ENV];

/**
 * The request header CloudFront adds to every request it forwards to the subscription API (an origin
 * custom header), whose value is the secret behind {@link ENV.originVerifySecretArn}. Lower-case, as
 * API Gateway's payload v2 and Node hand header names over. Shared here so infra and handler agree.
 */
export const ORIGIN_VERIFY_HEADER = 'x-gazette-origin-verify';
