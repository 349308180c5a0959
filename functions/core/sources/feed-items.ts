/**
 * The rules every feed item passes, whatever format it came in:
 * - links are made absolute against the feed URL and kept only when http(s): a `javascript:` or
 *   `data:` link is dropped (the item stays, without a link);
 * - a date later than the fetch time (plus a few minutes of clock skew) is DROPPED, not clamped: a date
 *   that is wrong is not shown as if the feed had said "now"; the item is then placed by when it was
 *   first seen, like any undated item;
 * - the best content wins: full content (content:encoded, Atom content, content_html/text) over the
 *   summary, and `isExcerpt` says which one it is;
 * - an item with nothing to show or identify (no id, link, title or text) is skipped, with a warning.
 */
import type { FeedItem } from './feed-model.js';

/** An item as a format parser read it, before the rules. */
export interface RawItem {
  guid?: string | undefined;
  link?: string | undefined;
  title?: string | undefined;
  author?: string | undefined;
  /** Candidate dates, best first (published, then updated); invalid ones are ignored. */
  dates: ReadonlyArray<Date | null | undefined>;
  categories: ReadonlyArray<string | null | undefined>;
  /** Full content (HTML). */
  content?: string | undefined;
  /** Summary or description (HTML). */
  summary?: string | undefined;
}

/** Clock skew tolerated before a date counts as "in the future". */
export const FUTURE_DATE_TOLERANCE_MS = 10 * 60 * 1000;

/** `link` as an absolute http(s) URL resolved against `base`, or `undefined` (bad, or another scheme). */
export function safeLink(link: string | undefined, base: string): string | undefined {
  const trimmed = link?.trim();
  if (!trimmed) return undefined;
  let url: URL;
  try {
    url = new URL(trimmed, base);
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
}

function firstValidDate(dates: RawItem['dates'], now: Date): { date?: Date; future: boolean } {
  let future = false;
  for (const date of dates) {
    if (!date || Number.isNaN(date.getTime())) continue;
    if (date.getTime() > now.getTime() + FUTURE_DATE_TOLERANCE_MS) {
      future = true;
      continue;
    }
    return { date, future };
  }
  return { future };
}

function cleanText(value: string | undefined): string | undefined {
  const trimmed = value?.replace(/\s+/g, ' ').trim();
  return trimmed ? trimmed : undefined;
}

/** One raw item through the rules; `undefined` when it has nothing to show or identify. */
function finishItem(raw: RawItem, feedUrl: string, now: Date, notes: Notes): FeedItem | undefined {
  const url = safeLink(raw.link, feedUrl);
  if (raw.link?.trim() && !url) notes.unsafeLinks += 1;
  const { date, future } = firstValidDate(raw.dates, now);
  if (future) notes.futureDates += 1;
  const content = raw.content?.trim() ? raw.content : undefined;
  const summary = raw.summary?.trim() ? raw.summary : undefined;
  const html = content ?? summary;
  const guid = cleanText(raw.guid);
  const title = cleanText(raw.title);
  if (!guid && !url && !title && !html) {
    notes.empty += 1;
    return undefined;
  }
  const author = cleanText(raw.author);
  const categories = [...new Set(raw.categories.map((entry) => cleanText(entry ?? undefined)).filter(isText))];
  return {
    ...(guid ? { guid } : {}),
    ...(url ? { url } : {}),
    ...(title ? { title } : {}),
    ...(author ? { author } : {}),
    ...(date ? { published: date } : {}),
    categories,
    ...(html ? { html } : {}),
    isExcerpt: !content,
  };
}

interface Notes {
  unsafeLinks: number;
  futureDates: number;
  empty: number;
}

/** Every raw item through the rules, with one warning line per rule that changed something. */
export function finishItems(raw: readonly RawItem[], feedUrl: string, now: Date): { items: FeedItem[]; warnings: string[] } {
  const notes: Notes = { unsafeLinks: 0, futureDates: 0, empty: 0 };
  const items = raw.map((item) => finishItem(item, feedUrl, now, notes)).filter((item): item is FeedItem => !!item);
  const warnings: string[] = [];
  if (notes.unsafeLinks) warnings.push(`${count(notes.unsafeLinks)} with a link that is not http(s) (link dropped)`);
  if (notes.futureDates) warnings.push(`${count(notes.futureDates)} dated in the future (date dropped)`);
  if (notes.empty) warnings.push(`${count(notes.empty)} with no id, link, title or text (skipped)`);
  return { items, warnings };
}

const count = (n: number) => (n === 1 ? '1 item' : `${n} items`);
const isText = (value: string | undefined): value is string => !!value;

/** A feed without a title is named after its host, so a report can still say which source it is. */
export function fallbackTitle(url: string): string {
  try {
    return new URL(url).hostname || url;
  } catch {
    return url;
  }
}
