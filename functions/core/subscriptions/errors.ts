/**
 * Errors of the subscription use cases that are not in the shared `core/errors.ts`. The subscription
 * API maps them to HTTP statuses in one place (functions/adapters/http/subscription-http.ts).
 */
import { GazetteError } from '../errors.js';

/** One client sent more subscribe requests than its window allows (per-IP throttle). */
export class TooManyRequestsError extends GazetteError {
  override name = 'TooManyRequestsError';
  constructor() {
    super('too many requests');
  }
}

/** A cadence change that cannot be stored as asked (a disabled cadence, an hour of 25): a 400 with the reason. */
export class InvalidPreferenceError extends GazetteError {
  override name = 'InvalidPreferenceError';
}
