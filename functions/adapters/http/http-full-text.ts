/**
 * The `FullTextFetcher` port: the linked page through `safeFetch` (the same deadline, size cap, redirect
 * limit and address checks as feeds), decoded by its declared charset, and the article extracted and
 * sanitised by `extractFullText` (Readability on linkedom). Every failure is a value: the poll then
 * uses the item's own text.
 */
import { decodeFeedBytes } from '../../core/sources/charset.js';
import type { FullTextFetcher } from '../../core/sources/feed-ports.js';
import { extractFullText } from './full-text.js';
import { safeFetch } from './safe-fetch.js';
import type { FeedFetchOptions } from './http-feed-fetcher.js';

/** `FullTextFetcher` over `safeFetch` and Readability. */
export class HttpFullTextFetcher implements FullTextFetcher {
  constructor(private readonly options: FeedFetchOptions = {}) {}

  async fetchArticle(url: string): Promise<{ html: string } | { error: string }> {
    const fetched = await safeFetch(url, { ...this.options, accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1' });
    if (fetched.kind === 'http-error') return { error: `HTTP ${fetched.status}` };
    if (fetched.kind === 'failed') return { error: fetched.reason };
    if (fetched.kind !== 'ok') return { error: fetched.kind === 'gone' ? '410 gone' : 'no page' };
    const page = decodeFeedBytes(fetched.body, fetched.headers.contentType).text;
    const extracted = extractFullText(page, fetched.url);
    return extracted ? { html: extracted.html } : { error: 'no article found on the page' };
  }
}
