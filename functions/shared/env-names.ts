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
  /** SES configuration set every message is sent through (events, suppression). */
  sesConfigurationSet: 'GAZETTE_SES_CONFIGURATION_SET',
  subscribersTable: 'GAZETTE_SUBSCRIBERS_TABLE',
  deliveriesTable: 'GAZETTE_DELIVERIES_TABLE',
  /** Table holding the digest archive and the publisher's run lease. */
  archiveTable: 'GAZETTE_ARCHIVE_TABLE',
  /** Secrets Manager ARN of the HMAC key set for subscriber tokens. */
  tokenSecretArn: 'GAZETTE_TOKEN_SECRET_ARN',
  /** Minutes after the scheduled time past which a digest is published but not emailed. */
  staleAfterMinutes: 'GAZETTE_STALE_AFTER_MINUTES',
} as const;

/** One of the environment variable names above. */
export type EnvName = (typeof ENV)[keyof typeof ENV];
