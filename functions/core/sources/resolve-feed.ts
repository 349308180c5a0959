/**
 * What `gazette sources add URL` follows: the URL itself when it serves a feed, else the first feed the
 * page names through `<link rel="alternate">` autodiscovery (a homepage is the URL people know).
 * Every candidate is fetched and parsed, so only a readable feed is ever added.
 */
import { discoverFeeds } from './discover.js';
import type { FeedFetcher, FeedParser } from './feed-ports.js';

/** The feed found for a URL, or why none was. */
export type ResolvedFeed = { url: string; title: string; via?: string } | { error: string };

/** Finds the feed `url` serves or links to; `via` is the page it was discovered on. */
export async function resolveFeed(deps: { fetcher: FeedFetcher; parseFeed: FeedParser }, url: string, now: Date): Promise<ResolvedFeed> {
  const first = await fetchFeed(deps, url, now);
  if ('title' in first) return first;
  if (!first.page) return { error: first.error };
  const candidates = discoverFeeds(first.page.html, first.page.url);
  if (candidates.length === 0) return { error: `${url}: ${first.error}, and the page links to no feed` };
  const problems: string[] = [];
  for (const candidate of candidates) {
    const found = await fetchFeed(deps, candidate.url, now);
    if ('title' in found) return { ...found, via: url };
    problems.push(`${candidate.url}: ${found.error}`);
  }
  return { error: `${url} links to feeds, but none could be read (${problems.join('; ')})` };
}

type Fetched = { url: string; title: string } | { error: string; page?: { html: string; url: string } };

async function fetchFeed(deps: { fetcher: FeedFetcher; parseFeed: FeedParser }, url: string, now: Date): Promise<Fetched> {
  const fetched = await deps.fetcher.fetch(url, {});
  if (fetched.kind === 'not-modified') return { error: 'unexpected 304 without validators' };
  if (fetched.kind === 'gone') return { error: '410 gone' };
  if (fetched.kind === 'http-error') return { error: `HTTP ${fetched.status}` };
  if (fetched.kind === 'failed') return { error: fetched.reason };
  const parsed = deps.parseFeed(fetched.body, fetched.headers.contentType, fetched.url, now);
  // A moved feed is added under its new address; a temporary redirect keeps the address given.
  if (!('error' in parsed)) return { url: fetched.permanentUrl ?? url, title: parsed.title };
  return { error: parsed.error, page: { html: new TextDecoder().decode(fetched.body), url: fetched.url } };
}
