/**
 * When the linked page is fetched for an item's full text. Per source, `fullText` is:
 * - `never`: the feed's own text is all there is;
 * - `always`: every item with a link is fetched (feeds known to carry teasers);
 * - `auto` (default): fetched when the feed marks the text as a summary (`isExcerpt`) or when it is
 *   shorter than `minWords` (setting `fullTextMinWords`, default 150) — a "read more" stub.
 * Words are counted on the text the article will actually have, through the same HTML-to-text path as
 * `.html` articles, so markup, scripts and styles do not count. Pure.
 */
import { htmlParagraphs, parseHtml } from '../articles/html.js';
import type { FeedItem } from './feed-model.js';

/** A source's full-text mode. */
export type FullTextMode = 'auto' | 'always' | 'never';

/** The full-text modes, for validating a source's setting. */
export const FULL_TEXT_MODES: readonly FullTextMode[] = ['auto', 'always', 'never'];

/** Words of the readable text of `html` (0 for none). */
export function wordCount(html: string | undefined): number {
  if (!html) return 0;
  let words = 0;
  for (const paragraph of htmlParagraphs(parseHtml(html))) words += paragraph.split(/\s+/).filter(Boolean).length;
  return words;
}

/** True when `item`'s linked page should be fetched and extracted (it needs a link to have one). */
export function needsFullText(item: Pick<FeedItem, 'url' | 'html' | 'isExcerpt'>, mode: FullTextMode, minWords: number): boolean {
  if (!item.url || mode === 'never') return false;
  if (mode === 'always') return true;
  return item.isExcerpt || wordCount(item.html) < minWords;
}
