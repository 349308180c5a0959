/**
 * A fetched body to a {@link ParsedFeed}, whatever the format: RSS 0.9x, RSS 1.0 (RDF), RSS 2.0 and Atom
 * through `@rowanmanning/feed-parser` (measured in TOOLCHAIN.md: items recovered from 98.4% of 1,553 real
 * feeds, the fastest of five; lenient with broken feeds, dates normalised), JSON Feed 1.0/1.1 through a
 * zod schema (it is plain JSON; no parser needed). Whatever the format, the same rules then apply
 * (./feed-items.ts): absolute http(s) links only, no dates in the future, content preferred over summary.
 *
 * Pure: the caller passes `now` (for the future-date rule); no I/O.
 */
import { parseFeed as parseXmlFeed } from '@rowanmanning/feed-parser';
import { decodeFeedBytes } from './charset.js';
import type { FeedParseError, ParsedFeed } from './feed-model.js';
import { fallbackTitle, finishItems, safeLink, type RawItem } from './feed-items.js';
import { parseJsonFeed } from './json-feed.js';

export type { FeedItem, FeedParseError, ParsedFeed } from './feed-model.js';

/** The most of a body looked at to tell a feed from a page: the root element is near the start. */
const SNIFF_LENGTH = 4096;

/**
 * Parses `body` (fetched from `feedUrl`, served as `contentType`) into a feed, or says in one line why
 * it is not one. `now` is the fetch time: item dates after it are dropped.
 */
export function parseFeed(body: Uint8Array, contentType: string | undefined, feedUrl: string, now: Date): ParsedFeed | FeedParseError {
  if (body.length === 0) return { error: 'not a feed: the response was empty' };
  const { text } = decodeFeedBytes(body, contentType);
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (start.startsWith('{') || /[/+]json\b/i.test(contentType ?? '')) {
    return parseJsonFeed(start, feedUrl, now);
  }
  const kind = sniffMarkup(start.slice(0, SNIFF_LENGTH));
  if (kind === 'html') {
    return { error: 'not a feed (an HTML page; its <link rel="alternate"> may name the feed)' };
  }
  if (kind === 'other') return { error: 'not a feed: no RSS, RDF or Atom root element' };
  return parseXml(withoutDoctype(start), feedUrl, now);
}

/** What a document's first element says it is. Comments, declarations and processing instructions are skipped. */
function sniffMarkup(head: string): 'feed' | 'html' | 'other' {
  const withoutPrologue = head.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, '');
  if (/^\s*<!doctype\s+html/i.test(withoutPrologue)) return 'html';
  const root = /<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s>/]/.exec(withoutPrologue.replace(/<![^>]*>/g, ''));
  const name = root?.[2]?.toLowerCase();
  if (name === 'rss' || name === 'feed' || name === 'rdf' || name === 'channel') return 'feed';
  if (name === 'html' || name === 'head' || name === 'body') return 'html';
  return 'other';
}

/**
 * The document without its DOCTYPE declaration. Feeds never need one, and an internal subset is where
 * entity-expansion attacks (the "billion laughs") live; without it, `&name;` stays an unknown entity.
 */
function withoutDoctype(text: string): string {
  const start = text.search(/<!DOCTYPE/i);
  if (start < 0 || start > SNIFF_LENGTH) return text;
  const bracket = text.indexOf('[', start);
  const close = text.indexOf('>', start);
  if (close < 0) return text;
  if (bracket < 0 || bracket > close) return text.slice(0, start) + text.slice(close + 1);
  const subsetEnd = text.indexOf(']', bracket);
  const end = subsetEnd < 0 ? -1 : text.indexOf('>', subsetEnd);
  return end < 0 ? text.slice(0, start) : text.slice(0, start) + text.slice(end + 1);
}

function parseXml(text: string, feedUrl: string, now: Date): ParsedFeed | FeedParseError {
  let feed: ReturnType<typeof parseXmlFeed>;
  try {
    feed = parseXmlFeed(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { error: `not a feed: malformed XML (${detail.split('\n')[0]})` };
  }
  memoiseFeedFields(feed);
  const siteUrl = safeLink(feed.url ?? undefined, feedUrl);
  const raw: RawItem[] = feed.items.map((item) => ({
    guid: item.id ?? undefined,
    link: item.url ?? permalinkGuid(item),
    title: item.title ?? undefined,
    author: item.authors.map((author) => author.name ?? author.email).find((name) => !!name) ?? undefined,
    dates: [item.published, item.updated],
    categories: item.categories.map((category) => category.label ?? category.term),
    content: item.content ?? undefined,
    summary: item.description ?? undefined,
  }));
  const { items, warnings } = finishItems(raw, feedUrl, now);
  const ttl = Number(feed.element.findElementWithName('ttl')?.textContentNormalized);
  return {
    title: feed.title?.trim() || fallbackTitle(siteUrl ?? feedUrl),
    ...(siteUrl ? { siteUrl } : {}),
    ...(Number.isInteger(ttl) && ttl > 0 ? { ttlMinutes: ttl } : {}),
    items,
    ...(warnings.length ? { warnings } : {}),
  };
}

type XmlItem = ReturnType<typeof parseXmlFeed>['items'][number];

/**
 * An RSS guid that is the item's address (`isPermaLink` true, RSS 2.0's default), for items with no
 * `<link>`. Without the attribute only absolute URLs count: many feeds omit it on opaque ids.
 */
function permalinkGuid(item: XmlItem): string | undefined {
  const guid = item.element.findElementWithName('guid');
  const text = guid?.textContentNormalized;
  if (!guid || !text) return undefined;
  const permaLink = guid.getAttribute('ispermalink')?.trim().toLowerCase();
  if (permaLink === 'false') return undefined;
  if (permaLink !== 'true' && !/^https?:\/\//i.test(text)) return undefined;
  return text;
}

/**
 * Every item getter of the parser that falls back to the feed (`url` to resolve links, `authors` and
 * `categories` to inherit) recomputes the feed's value by walking the whole channel: quadratic in the
 * number of items (a 730-episode podcast took seconds). The feed's values are fixed, so each is computed
 * once and pinned on the instance, which the items' `this.feed.…` then read.
 */
function memoiseFeedFields(feed: ReturnType<typeof parseXmlFeed>): void {
  for (const key of ['url', 'authors', 'categories'] as const) {
    Object.defineProperty(feed, key, { value: feed[key], configurable: true });
  }
}
