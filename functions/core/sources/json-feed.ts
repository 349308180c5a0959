/**
 * JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), validated with zod. The feed object must be
 * a JSON Feed (a `version` URL and an `items` array); each item is validated on its own, so one malformed
 * item is skipped with a warning instead of losing the feed. 1.0's `author` and 1.1's `authors` are both
 * read; `content_text` is escaped and turned into paragraphs so every item's content is HTML.
 */
import escapeHtml from 'escape-html';
import * as z from '../zod.js';
import type { FeedParseError, ParsedFeed } from './feed-model.js';
import { fallbackTitle, finishItems, safeLink, type RawItem } from './feed-items.js';

const optionalText = z.catch(z.optional(z.string()), undefined);
const author = z.looseObject({ name: optionalText });

const jsonFeedSchema = z.object({
  version: z.string().check(z.regex(/^https?:\/\/jsonfeed\.org\/version\/1(\.\d+)?\/?$/, 'version must be a JSON Feed version URL')),
  title: optionalText,
  home_page_url: optionalText,
  items: z.array(z.unknown(), { error: 'items must be a list' }),
});

const jsonItemSchema = z.object({
  // 1.1 says a string; some 1.0 generators wrote numbers, which identify just as well.
  id: z.optional(z.union([z.string(), z.pipe(z.number(), z.transform(String))])),
  url: optionalText,
  external_url: optionalText,
  title: optionalText,
  content_html: optionalText,
  content_text: optionalText,
  summary: optionalText,
  date_published: optionalText,
  date_modified: optionalText,
  author: z.catch(z.optional(author), undefined),
  authors: z.catch(z.optional(z.array(author)), undefined),
  tags: z.catch(z.optional(z.array(z.string())), undefined),
});

/** Plain text as HTML paragraphs (blank lines separate them), escaped. */
function textAsHtml(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`)
    .join('\n');
}

const toDate = (value: string | undefined) => (value ? new Date(value) : undefined);

function rawItem(item: z.output<typeof jsonItemSchema>): RawItem {
  const authorName = [...(item.authors ?? []), ...(item.author ? [item.author] : [])]
    .map((entry) => entry.name)
    .find((name) => !!name?.trim());
  return {
    guid: item.id,
    link: item.url ?? item.external_url,
    title: item.title,
    author: authorName,
    dates: [toDate(item.date_published), toDate(item.date_modified)],
    categories: item.tags ?? [],
    content: item.content_html ?? (item.content_text ? textAsHtml(item.content_text) : undefined),
    summary: item.summary ? textAsHtml(item.summary) : undefined,
  };
}

/** Parses JSON Feed text fetched from `feedUrl`. */
export function parseJsonFeed(text: string, feedUrl: string, now: Date): ParsedFeed | FeedParseError {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { error: `not a feed: malformed JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const feed = jsonFeedSchema.safeParse(json);
  if (!feed.success) {
    const issue = feed.error.issues[0];
    return { error: `not a JSON Feed: ${issue?.path.join('.') || 'document'} ${issue?.message ?? 'is invalid'}` };
  }
  const parsedItems = feed.data.items.map((item) => jsonItemSchema.safeParse(item));
  const invalid = parsedItems.filter((result) => !result.success).length;
  const raw = parsedItems.flatMap((result) => (result.success ? [rawItem(result.data)] : []));
  const { items, warnings } = finishItems(raw, feedUrl, now);
  if (invalid) warnings.push(`${invalid === 1 ? '1 item' : `${invalid} items`} not valid JSON Feed items (skipped)`);
  const siteUrl = safeLink(feed.data.home_page_url, feedUrl);
  return {
    title: feed.data.title?.trim() || fallbackTitle(siteUrl ?? feedUrl),
    ...(siteUrl ? { siteUrl } : {}),
    items,
    ...(warnings.length ? { warnings } : {}),
  };
}
