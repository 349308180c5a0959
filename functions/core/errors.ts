/**
 * Named domain errors. Two places map them: `functions/cli/cli-errors.ts` to exit codes and one-line
 * messages, `functions/adapters/http/subscription-http.ts` to HTTP statuses. Their messages are safe to show to
 * an operator, never to a subscriber.
 */

/** Base class so callers can tell domain failures from bugs. */
export class GazetteError extends Error {
  override name = 'GazetteError';
}

/** One article could not be read or summarised; the run continues without it. */
export class ArticleError extends GazetteError {
  override name = 'ArticleError';
  constructor(
    /** File name or key of the article. */
    readonly source: string,
    reason: string,
  ) {
    super(`${source}: ${reason}`);
  }
}

/** A setting (env, CLI flag, CDK context) is missing or malformed. */
export class ConfigError extends GazetteError {
  override name = 'ConfigError';
}

/** An email address failed validation. The message is generic on purpose. */
export class InvalidAddressError extends GazetteError {
  override name = 'InvalidAddressError';
  constructor(readonly reason: string) {
    super('invalid email address');
  }
}

/** A subscription token is forged, truncated, expired or for another purpose. */
export class InvalidTokenError extends GazetteError {
  override name = 'InvalidTokenError';
  constructor(readonly reason: string) {
    super('invalid or expired link');
  }
}
