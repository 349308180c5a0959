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

/** The feed types, re-exported so callers import the parser and its result from one module. */
export type { FeedItem, FeedParseError, ParsedFeed } from './feed-model.js';

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
  const prologue = scanPrologue(start);
  const kind = rootKind(start, prologue);
  if (kind === 'html') {
    return { error: 'not a feed (an HTML page; its <link rel="alternate"> may name the feed)' };
  }
  if (kind === 'other') return { error: 'not a feed: no RSS, RDF or Atom root element' };
  // The DOCTYPE goes: feeds never need one, and an internal subset is where entity-expansion attacks
  // (the "billion laughs") and external entities live; without it, `&name;` stays an unknown entity.
  const { doctype } = prologue;
  const xml = doctype ? start.slice(0, doctype.start) + start.slice(doctype.end) : start;
  return parseXml(xml, feedUrl, now);
}

/** Where the prologue (declaration, comments, processing instructions, DOCTYPE) ends and what it held. */
interface Prologue {
  /** Index of the root element's `<`, or -1 when the text does not continue with an element. */
  rootIndex: number;
  doctype?: { start: number; end: number; html: boolean };
}

/** Scans the prologue linearly with indexOf (no regular expression over the whole body). */
function scanPrologue(text: string): Prologue {
  let index = 0;
  let doctype: Prologue['doctype'];
  for (;;) {
    while (index < text.length && /\s/.test(text.charAt(index))) index += 1;
    const end = text.startsWith('<?', index)
      ? closeOf(text, '?>', index)
      : text.startsWith('<!--', index)
        ? closeOf(text, '-->', index + 4)
        : text.startsWith('<!', index)
          ? declarationEnd(text, index)
          : undefined;
    if (end === undefined) break;
    if (end < 0) return { rootIndex: -1, ...(doctype ? { doctype } : {}) };
    if (/^<!doctype/i.test(text.slice(index, index + 9))) {
      doctype = { start: index, end, html: /^<!doctype\s+html\b/i.test(text.slice(index, index + 20)) };
    }
    index = end;
  }
  return { rootIndex: text.charAt(index) === '<' ? index : -1, ...(doctype ? { doctype } : {}) };
}

/** The index just after `marker` at or after `from`, or -1 when it never comes. */
function closeOf(text: string, marker: string, from: number): number {
  const at = text.indexOf(marker, from);
  return at < 0 ? -1 : at + marker.length;
}

/** The end of a `<!…>` declaration, with its `[internal subset]` when it has one. */
function declarationEnd(text: string, start: number): number {
  const close = text.indexOf('>', start);
  const bracket = text.indexOf('[', start);
  if (close < 0) return -1;
  if (bracket < 0 || bracket > close) return close + 1;
  const subsetEnd = text.indexOf(']', bracket);
  return subsetEnd < 0 ? -1 : closeOf(text, '>', subsetEnd);
}

/** What the root element says the document is. */
function rootKind(text: string, prologue: Prologue): 'feed' | 'html' | 'other' {
  if (prologue.doctype?.html) return 'html';
  if (prologue.rootIndex < 0) return 'other';
  const root = /^<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s>/]/.exec(text.slice(prologue.rootIndex, prologue.rootIndex + 200));
  const name = root?.[2]?.toLowerCase();
  if (name === 'rss' || name === 'feed' || name === 'rdf' || name === 'channel') return 'feed';
  if (name === 'html' || name === 'head' || name === 'body') return 'html';
  return 'other';
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
