/**
 * RSS 2.0, Atom 1.0 (both through the `feed` package) and JSON Feed 1.1 (built here: the package only
 * writes 1.0) from the archive's newest digests. Pure: same digests and settings, same bytes.
 */
import { Feed, type Item } from 'feed';
import type { Digest, SiteConfig } from '../model.js';
import { categoryTerms, digestHtmlFragment, digestPlainText, provenanceOf, sourceLink, summaryText } from './digest-content.js';
import { digestUrl } from './links.js';
import type { RenderContext } from './outputs.js';
import { RenderError, escapeText, html, oneLine, parseInstant } from './text.js';

/** Everything one feed entry needs, computed once and shared by the three formats. */
interface Entry {
  url: string;
  title: string;
  summary: string;
  contentHtml: string;
  contentText: string;
  published: Date;
  updated: Date;
  terms: string[];
  author: string;
  externalUrl: string | undefined;
  /** The feed the article was an item of (RSS and Atom `<source>`, JSON Feed `_gazette.source`). */
  provenance: { title: string; url: string } | undefined;
}

/** The generator name written into RSS and Atom (instead of the package's GitHub URL). */
const GENERATOR = 'Gazette';

/**
 * xml-js (under `feed`) writes element text by first turning every `&amp;` back into `&` and then
 * escaping `&`, `<`, `>`. Doubling every `&` first makes that round trip exact, so a literal `&amp;`
 * in a title stays `&amp;` for the reader instead of silently becoming `&`.
 */
function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;');
}

function toEntry(digest: Digest, site: SiteConfig): Entry {
  const title = oneLine(digest.headline);
  if (title === '') throw new RenderError(`digest ${JSON.stringify(digest.id)} has an empty headline`);
  const fragment = digestHtmlFragment(digest).value;
  // Our fragment escapes every `>` that comes from data, so `]]>` can only appear if markup itself
  // were broken; the CDATA sections `feed` writes would then end early. Fail loudly instead.
  if (fragment.includes(']]>')) throw new RenderError(`digest ${JSON.stringify(digest.id)} rendered an unsafe fragment`);
  return {
    url: digestUrl(site, digest),
    title,
    summary: summaryText(digest),
    contentHtml: fragment,
    contentText: digestPlainText(digest),
    published: parseInstant(digest.published, `digest ${digest.id} published`),
    updated: parseInstant(digest.updated, `digest ${digest.id} updated`),
    terms: categoryTerms(digest),
    author: oneLine(digest.author ?? '') || oneLine(site.authorName),
    externalUrl: sourceLink(digest),
    provenance: provenanceOf(digest),
  };
}

/**
 * RSS 2.0. Choices that keep the W3C validator silent: a self `atom:link`, `guid isPermaLink="true"`
 * (the permalink), RFC 822 dates, no `<author>` (it must be an email address; we have names) but
 * `dc:creator`, the summary in `description` and the full digest in `content:encoded`.
 */
export function rssFeed(context: RenderContext): string {
  const { site } = context;
  const { entries, updated } = feedData(context);
  const feed = new Feed({
    title: xmlText(oneLine(site.title)),
    description: xmlText(oneLine(site.description)),
    link: site.baseUrl,
    feedLinks: { rss: context.selfUrl },
    language: site.language,
    updated,
    generator: GENERATOR,
    ttl: 15,
  });
  for (const entry of entries) {
    const item: Item = {
      // `feed` wraps RSS titles in CDATA with a single `]]>` replacement, which breaks on a second
      // `]]>`. The title goes in as an escaped text element instead (an extension, see below).
      title: '',
      link: entry.url,
      date: entry.updated,
      published: entry.published,
      description: escapeText(entry.summary),
      content: entry.contentHtml,
      category: entry.terms.map((term) => ({ name: xmlText(term) })),
      extensions: [
        { name: 'title', objects: { _text: xmlText(entry.title) } },
        // xmlns:dc is declared by `feed` whenever an item has content, which every entry has.
        { name: 'dc:creator', objects: { _text: xmlText(entry.author) } },
        // RSS 2.0 <source url="…">title</source>: the channel the item came from. xml-js writes
        // attribute values as given; the URL is RFC 3986 (no quotes, no `<`), so `&` is all to escape.
        ...(entry.provenance
          ? [
              {
                name: 'source',
                objects: { _attributes: { url: entry.provenance.url.replace(/&/g, '&amp;') }, _text: xmlText(entry.provenance.title) },
              },
            ]
          : []),
      ],
    };
    feed.addItem(item);
  }
  return `${feed.rss2()}\n`;
}

/**
 * Atom 1.0 (RFC 4287): feed id, title, updated, author, self and alternate links; per entry id,
 * title, alternate link, updated, published, author, category terms, summary and content.
 * `feed` marks entry titles `type="html"`, so plain text is HTML-escaped before it goes in.
 */
export function atomFeed(context: RenderContext): string {
  const { site } = context;
  const { entries, updated, language } = feedData(context);
  const feed = new Feed({
    id: site.baseUrl,
    title: xmlText(oneLine(site.title)),
    description: xmlText(oneLine(site.description)),
    link: site.baseUrl,
    feedLinks: { atom: context.selfUrl },
    updated,
    generator: GENERATOR,
    author: { name: xmlText(oneLine(site.authorName)), link: site.baseUrl },
  });
  for (const entry of entries) {
    feed.addItem({
      id: entry.url,
      title: escapeText(entry.title),
      link: entry.url,
      date: entry.updated,
      published: entry.published,
      description: escapeText(entry.summary),
      content: entry.contentHtml,
      author: [{ name: xmlText(entry.author) }],
      category: entry.terms.map((term) => ({ term })),
    });
  }
  const xml = withAtomSources(feed.atom1(), entries);
  // `feed` has no option for the Atom root's xml:lang; the root tag it writes is a fixed string.
  const root = '<feed xmlns="http://www.w3.org/2005/Atom">';
  if (!xml.includes(root)) throw new RenderError('unexpected Atom root element from the feed package');
  return `${xml.replace(root, `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${language}">`)}\n`;
}

/**
 * Adds RFC 4287 `<source>` (the original feed's id, title and link) to the entries with provenance.
 * `feed` cannot write it (its Atom entries take no extensions), so it goes in after: the n-th `</entry>`
 * closes the n-th entry, as every data `<` is escaped. The element is built with the escaping template.
 */
function withAtomSources(xml: string, entries: Entry[]): string {
  if (entries.every((entry) => !entry.provenance)) return xml;
  const parts = xml.split('</entry>');
  if (parts.length !== entries.length + 1) throw new RenderError('unexpected Atom entry count from the feed package');
  return parts
    .map((part, index) => {
      const provenance = entries[index]?.provenance;
      if (!provenance) return part;
      const source = html`    <source>
            <id>${provenance.url}</id>
            <title type="text">${provenance.title}</title>
            <link rel="alternate" href="${provenance.url}"/>
        </source>
    `;
      return `${part.replace(/\s*$/, '\n')}${source.value}`;
    })
    .join('</entry>');
}

/** JSON Feed 1.1 (https://jsonfeed.org/version/1.1), built directly. */
export function jsonFeed(context: RenderContext): string {
  const { site } = context;
  const { entries, language } = feedData(context);
  const feed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: oneLine(site.title),
    home_page_url: site.baseUrl,
    feed_url: context.selfUrl,
    description: oneLine(site.description),
    language,
    authors: [{ name: oneLine(site.authorName), url: site.baseUrl }],
    items: entries.map((entry) => ({
      id: entry.url,
      url: entry.url,
      ...(entry.externalUrl ? { external_url: entry.externalUrl } : {}),
      title: entry.title,
      content_html: entry.contentHtml,
      content_text: entry.contentText,
      summary: entry.summary,
      date_published: entry.published.toISOString(),
      date_modified: entry.updated.toISOString(),
      tags: entry.terms,
      authors: [{ name: entry.author }],
      language,
      // JSON Feed has no source field; an underscore extension is how the spec lets one be added.
      ...(entry.provenance ? { _gazette: { source: { title: entry.provenance.title, url: entry.provenance.url } } } : {}),
    })),
  };
  return `${JSON.stringify(feed, null, 2)}\n`;
}

/** The entries and dates all feeds share, computed once per render. */
interface FeedData {
  entries: Entry[];
  /** The latest `updated` among the entries, never the clock. */
  updated: Date;
  language: string;
}

const FEED_DATA = Symbol('feed data');

/**
 * The newest `site.feedLength` digests as entries (`digests` is newest first), computed by the first
 * feed rendered and reused by the others. Throws `RenderError` for an empty list: the use case never
 * publishes an empty archive, and an empty feed must never replace a good one.
 */
function feedData({ digests, site, memo }: RenderContext): FeedData {
  const cached = memo.get(FEED_DATA) as FeedData | undefined;
  if (cached) return cached;
  if (!Number.isInteger(site.feedLength) || site.feedLength < 1) {
    throw new RenderError(`site feedLength must be a positive integer: ${site.feedLength}`);
  }
  if (digests.length === 0) throw new RenderError('refusing to render feeds without digests');
  const entries = digests.slice(0, site.feedLength).map((digest) => toEntry(digest, site));
  const updated = new Date(Math.max(...entries.map((entry) => entry.updated.getTime())));
  const data = { entries, updated, language: site.language };
  memo.set(FEED_DATA, data);
  return data;
}
