/**
 * The `FeedFetcher` port over `safeFetch`: every feed request gets the guarded fetch's deadline, size cap,
 * redirect limit and address checks, plus the source's validators (conditional GET).
 */
import type { FeedFetcher, FeedFetchResult } from '../../core/sources/feed-ports.js';
import type { Validators } from '../../core/sources/source.js';
import { safeFetch, type SafeFetchOptions } from './safe-fetch.js';

/** The fetch options every poll shares (validators are per source). */
export type FeedFetchOptions = Omit<SafeFetchOptions, 'validators'>;

/** `FeedFetcher` through `safeFetch`. */
export class HttpFeedFetcher implements FeedFetcher {
  constructor(private readonly options: FeedFetchOptions = {}) {}

  /** Fetches `url` with `validators`; every expected failure is a value. */
  async fetch(url: string, validators: Validators): Promise<FeedFetchResult> {
    return safeFetch(url, { ...this.options, validators });
  }
}
