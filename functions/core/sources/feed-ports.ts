/**
 * What polling needs from the network and from a feed parser, declared beside the use case that calls
 * it (functions/core/sources/poll-sources.ts). The HTTP adapter (functions/adapters/http) implements the
 * fetch ports; the parser is pure and passed in by the composition root.
 */
import type { FeedItem, ParsedFeed } from './feed-model.js';
import type { Validators } from './source.js';

export type { FeedItem, ParsedFeed };

/** The response headers polling reads. */
export interface FeedResponseHeaders {
  etag?: string | undefined;
  lastModified?: string | undefined;
  contentType?: string | undefined;
  cacheControl?: string | undefined;
  retryAfter?: string | undefined;
}

/**
 * Every expected answer of one feed request, as a value: a body, `304`, `410`, another HTTP status, or a
 * failure before any status (DNS, TLS, deadline, size cap, redirect loop, refused address).
 */
export type FeedFetchResult =
  | {
      kind: 'ok';
      status: number;
      /** The URL the body came from, after redirects. */
      url: string;
      /** Set when every redirect on the way was permanent (301, 308): the source's new URL. */
      permanentUrl?: string | undefined;
      headers: FeedResponseHeaders;
      body: Uint8Array;
    }
  /** `permanentUrl` as for `ok`: a moved feed still answers 304 at its new address. */
  | { kind: 'not-modified'; permanentUrl?: string | undefined }
  | { kind: 'gone' }
  | { kind: 'http-error'; status: number; retryAfterMs?: number | undefined }
  | { kind: 'failed'; reason: string };

/** Fetches a feed with its stored validators (conditional GET). */
export interface FeedFetcher {
  fetch(url: string, validators: Validators): Promise<FeedFetchResult>;
}

/** Parses a feed body (RSS, Atom, JSON Feed); an unreadable one is an `error` value, never a throw. */
export type FeedParser = (body: Uint8Array, contentType: string | undefined, feedUrl: string, now: Date) => ParsedFeed | { error: string };

/**
 * Fetches an item's linked page and extracts the article's HTML (Readability), for feeds that carry only
 * excerpts. An `error` value means: use the item's own text.
 */
export interface FullTextFetcher {
  fetchArticle(url: string): Promise<{ html: string } | { error: string }>;
}
