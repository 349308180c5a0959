/**
 * Errors of the subscription use cases that are not in the shared `core/errors.ts`. The subscription
 * API maps them to HTTP statuses in one place (functions/handlers/subscription-api.ts).
 */
import { GazetteError } from '../errors.js';

/** One client sent more subscribe requests than its window allows (per-IP throttle). */
export class TooManyRequestsError extends GazetteError {
  override name = 'TooManyRequestsError';
  constructor() {
    super('too many requests');
  }
}
