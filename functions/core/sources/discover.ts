/**
 * Feed autodiscovery: the feeds a web page names in `<link rel="alternate" type="…">`, the convention
 * every blog engine and news site follows, so a user can paste a homepage instead of hunting for the feed
 * URL. Links resolve against `<base href>` when the page has one, else the page URL; only http(s) links
 * are kept. Pure (the articles' HTML parser).
 */
import { attribute, parseHtml } from '../articles/html.js';

/** The format a discovered link declares. */
export type DiscoveredFeedType = 'rss' | 'atom' | 'json';

/** One feed a page links to. */
export interface DiscoveredFeed {
  url: string;
  type: DiscoveredFeedType;
  /** The link's `title` (often "RSS", "Comments Feed"). */
  title?: string;
}

const FEED_TYPES: Record<string, DiscoveredFeedType> = {
  'application/rss+xml': 'rss',
  'application/rdf+xml': 'rss',
  'application/atom+xml': 'atom',
  'application/feed+json': 'json',
  'application/json': 'json',
};

function absolute(href: string, base: string): string | undefined {
  try {
    const url = new URL(href.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** The feeds `html` (fetched from `pageUrl`) links to, in document order, without duplicates. */
export function discoverFeeds(html: string, pageUrl: string): DiscoveredFeed[] {
  const root = parseHtml(html);
  const baseHref = attribute(root.querySelector('base[href]'), 'href');
  const base = (baseHref && absolute(baseHref, pageUrl)) || pageUrl;
  const found: DiscoveredFeed[] = [];
  const seen = new Set<string>();
  for (const link of root.querySelectorAll('link[rel][href][type]')) {
    const rel = (attribute(link, 'rel') ?? '').toLowerCase().split(/\s+/);
    if (!rel.includes('alternate')) continue;
    const mime = (attribute(link, 'type') ?? '').toLowerCase().split(';')[0]?.trim() ?? '';
    const type = FEED_TYPES[mime];
    const url = absolute(attribute(link, 'href') ?? '', base);
    if (!type || !url || seen.has(url)) continue;
    seen.add(url);
    const title = attribute(link, 'title')?.trim();
    found.push({ url, type, ...(title ? { title } : {}) });
  }
  return found;
}
