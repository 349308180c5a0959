/**
 * Which items of a feed are the same item from one fetch to the next. The field's rule (Miniflux,
 * FreshRSS, rss2email): the feed's guid/id, else the link, else a hash of title and content. Some feeds
 * break guids (missing on most items, one guid repeated on every item, a CMS bug); when more than
 * {@link BROKEN_GUID_SHARE} of the items have a missing or repeated guid, the whole feed is identified
 * by link instead, because mixing the two would make an item's id depend on its neighbours.
 * Links are stripped of tracking parameters first, so `?utm_source=twitter` does not make an old item new.
 *
 * Ids are unique within one feed; a store keys them by source. Pure.
 */
import { createHash } from 'node:crypto';
import type { FeedItem } from './feed-model.js';

/** Share of items with a missing or repeated guid above which the feed is identified by link. */
export const BROKEN_GUID_SHARE = 0.05;

/** Query parameters that only say where a click came from; they never change what a link points to. */
const TRACKING_PARAMETERS = new Set([
  'fbclid',
  'gclid',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'yclid',
  'igshid',
  'mc_cid',
  'mc_eid',
  '_hsenc',
  '_hsmi',
  'mkt_tok',
  'oly_anon_id',
  'oly_enc_id',
  'vero_id',
  'wt_mc',
  'wt.mc_id',
  '__s',
  '_ga',
  '_gl',
]);

const TRACKING_PREFIXES = ['utm_', 'pk_', 'mtm_', 'at_'];

/** True when a query parameter name is a tracking parameter (case-insensitive). */
export function isTrackingParameter(name: string): boolean {
  const lower = name.toLowerCase();
  return TRACKING_PARAMETERS.has(lower) || TRACKING_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/** `url` without tracking parameters (other parameters keep their order); unchanged when not a URL. */
export function stripTrackingParameters(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const names = [...new Set([...parsed.searchParams.keys()])];
  const tracking = names.filter(isTrackingParameter);
  if (tracking.length === 0) return parsed.href;
  for (const name of tracking) parsed.searchParams.delete(name);
  return parsed.href;
}

/** An item with the id it is known by, and the other ids it may have been stored under. */
export interface IdentifiedItem {
  id: string;
  item: FeedItem;
  /**
   * The link identity when `id` is not it: a store that also checks these sees through a feed that
   * changes every guid on each fetch (the link stays; the item is not new).
   */
  alternateIds: string[];
}

function contentHash(item: FeedItem): string {
  const text = `${item.url ? stripTrackingParameters(item.url) : ''}\n${item.title ?? ''}\n${item.html ?? ''}`.replace(/\s+/g, ' ').trim();
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

const linkId = (item: FeedItem) => (item.url ? `link:${stripTrackingParameters(item.url)}` : undefined);

/** True when more than {@link BROKEN_GUID_SHARE} of the items have no guid or share one with another. */
export function guidsAreBroken(items: readonly FeedItem[]): boolean {
  if (items.length === 0) return false;
  const counts = new Map<string, number>();
  for (const { guid } of items) if (guid) counts.set(guid, (counts.get(guid) ?? 0) + 1);
  const broken = items.filter(({ guid }) => !guid || (counts.get(guid) ?? 0) > 1).length;
  return broken / items.length > BROKEN_GUID_SHARE;
}

/**
 * Every item with its id: `guid:…`, `link:…` or `hash:…`. A link shared by several items of the feed
 * (everything pointing at the homepage) identifies none of them: those fall back to the hash. An item
 * whose id already occurred earlier in the feed (a duplicated entry) is left out, so no id appears twice.
 */
export function identifyItems(items: readonly FeedItem[]): IdentifiedItem[] {
  const byLink = guidsAreBroken(items);
  const linkCounts = new Map<string, number>();
  for (const item of items) {
    const link = linkId(item);
    if (link) linkCounts.set(link, (linkCounts.get(link) ?? 0) + 1);
  }
  const seen = new Set<string>();
  const identified: IdentifiedItem[] = [];
  for (const item of items) {
    const candidate = linkId(item);
    const link = candidate && linkCounts.get(candidate) === 1 ? candidate : undefined;
    const guid = !byLink && item.guid ? `guid:${item.guid}` : undefined;
    const id = guid ?? link ?? `hash:${contentHash(item)}`;
    if (seen.has(id)) continue;
    seen.add(id);
    identified.push({ id, item, alternateIds: link && link !== id ? [link] : [] });
  }
  return identified;
}
