/**
 * The body of one digest in the two forms every channel needs: an HTML fragment (feed content, the
 * page's article) and plain text (JSON Feed `content_text`, the mail's text part).
 */
import type { Digest } from '../model.js';
import { html, oneLine, safeHttpUrl, trusted, type SafeHtml } from './text.js';

/** The digest's summary as one paragraph of plain text. */
export function summaryText(digest: Digest): string {
  return digest.summary
    .map((sentence) => oneLine(sentence))
    .filter(Boolean)
    .join(' ');
}

/** Keywords cleaned for use as categories: one line, no `<` (feed attribute values cannot carry it), deduplicated, in the given order. */
export function categoryTerms(digest: Digest): string[] {
  const terms = digest.keywords
    .map((keyword) => oneLine(keyword).replace(/</g, '').replace(/\s+/g, ' ').trim())
    .filter((term) => term.length > 0);
  return [...new Set(terms)];
}

/** "1 min read · article 5 min, 812 words". */
export function readingLine(digest: Digest): string {
  return `${digest.digestReadingMinutes} min read · article ${digest.articleReadingMinutes} min, ${digest.articleWords} words`;
}

/** The digest's reading time the way readers say it, shown once per digest: "3 min read". */
export function readingTime(digest: Digest): string {
  return `${digest.digestReadingMinutes} min read`;
}

/** Where a digest came from, for a "From …" line: the feed (provenance) when it was a feed item, else the original article's site. */
export interface DigestSource {
  /** Plain text: the feed's title, or the article's host name. */
  label: string;
  /** Absolute http(s) URL. */
  url: string;
}

/** The digest's source (see {@link DigestSource}); undefined when there is no usable http(s) URL for either. */
export function digestSource(digest: Pick<Digest, 'provenance' | 'sourceUrl'>): DigestSource | undefined {
  const feedUrl = safeHttpUrl(digest.provenance?.url);
  const feedTitle = oneLine(digest.provenance?.title ?? '');
  if (feedUrl) return { label: feedTitle || new URL(feedUrl).host, url: feedUrl };
  const article = sourceLink(digest);
  return article ? { label: new URL(article).host, url: article } : undefined;
}

/** The link to the original article, when the article gave a usable http(s) URL. */
export function sourceLink(digest: Pick<Digest, 'sourceUrl'>): string | undefined {
  return safeHttpUrl(digest.sourceUrl);
}

/** The feed a digest's article came from, with a usable link and a one-line name; absent for files. */
export function provenanceOf(digest: Digest): { title: string; url: string } | undefined {
  const url = safeHttpUrl(digest.provenance?.url);
  if (!digest.provenance || !url) return undefined;
  return { title: oneLine(digest.provenance.title) || new URL(url).host, url };
}

/**
 * The full digest as an HTML fragment for feed readers: summary, key points, source. No headline
 * (readers show the entry title), no styles, absolute URLs only (feed readers resolve nothing).
 * `sectionHeadingLevel` keeps the page outline right where the fragment sits under an h2; pages show
 * the reading time in their meta line and their source in a "From …" line, and leave them out here. `dir="auto"` lets right-to-left text lay out by itself.
 */
export function digestHtmlFragment(
  digest: Digest,
  options: { sectionHeadingLevel?: 2 | 3; readingTime?: boolean; source?: boolean } = {},
): SafeHtml {
  const sectionHeadingLevel = options.sectionHeadingLevel ?? 2;
  const open = trusted(`<h${sectionHeadingLevel}>`);
  const close = trusted(`</h${sectionHeadingLevel}>`);
  const source = sourceLink(digest);
  const keyPoints = digest.keyPoints.map((point) => oneLine(point)).filter(Boolean);
  return html`<p dir="auto">${summaryText(digest)}</p>${
    keyPoints.length > 0 ? html`${open}Key points${close}<ul>${keyPoints.map((point) => html`<li dir="auto">${point}</li>`)}</ul>` : ''
  }${
    // Without a URL there is nothing a reader can follow; the file name would only be noise.
    options.source === false
      ? ''
      : source
        ? html`<p>Source: <a href="${source}">${new URL(source).host}</a>${viaFeed(digest)}</p>`
        : provenanceParagraph(digest)
  }${options.readingTime === false ? '' : html`<p>${readingLine(digest)}</p>`}`;
}

/** " via <feed title>" for a feed item's digest (linked to the feed's site), nothing for a file's. */
function viaFeed(digest: Digest): SafeHtml | '' {
  const feed = provenanceOf(digest);
  return feed ? html` via <a href="${feed.url}">${feed.title}</a>` : '';
}

/** "Source: <feed title>" for a feed item without a link of its own. */
function provenanceParagraph(digest: Digest): SafeHtml | '' {
  const feed = provenanceOf(digest);
  return feed ? html`<p>Source: <a href="${feed.url}">${feed.title}</a></p>` : '';
}

/** The full digest as plain text (LF line breaks; the mail renderer converts to CRLF). */
export function digestPlainText(digest: Digest): string {
  const source = sourceLink(digest);
  const keyPoints = digest.keyPoints.map((point) => oneLine(point)).filter(Boolean);
  const lines = [summaryText(digest)];
  if (keyPoints.length > 0) lines.push('', 'Key points:', ...keyPoints.map((point) => `- ${point}`));
  const feed = provenanceOf(digest);
  if (source) lines.push('', `Source: ${source}`);
  if (feed) lines.push(...(source ? [] : ['']), `Via: ${feed.title} (${feed.url})`);
  return lines.join('\n');
}
