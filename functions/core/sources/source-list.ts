/**
 * Lists of feeds as people bring them: OPML (what every feed reader exports, outlines nested in folders,
 * each feed an outline with `xmlUrl`) and plain text (one URL a line, `#` starts a comment). Read and
 * written with fast-xml-parser, a real XML parser and builder, so escaping and nesting are its job.
 * Pure: text in, values out; a bad line or document is an error value naming where.
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

/** One feed of a list: its URL and, from OPML, the name the reader gave it. */
export interface ListedFeed {
  url: string;
  title?: string;
}

/** A list read: the feeds found, and one message per entry that could not be used. */
export interface ReadList {
  feeds: ListedFeed[];
  problems: string[];
}

/** An absolute http(s) URL, normalised; undefined for anything else. */
export function feedUrlOf(value: string): string | undefined {
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a `.txt` list: one URL a line, blank lines and `#` comments (whole-line or trailing) ignored. */
export function readTextList(text: string, name: string): ReadList {
  const feeds: ListedFeed[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const value = line.replace(/(^|\s)#.*$/, '').trim();
    if (!value) return;
    const url = feedUrlOf(value);
    if (url) feeds.push({ url });
    else problems.push(`${name}:${index + 1}: not an http(s) URL: ${JSON.stringify(value.slice(0, 200))}`);
  });
  return { feeds: unique(feeds), problems };
}

interface Outline {
  '@_xmlUrl'?: unknown;
  '@_text'?: unknown;
  '@_title'?: unknown;
  outline?: Outline[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  // Only the five XML entities and character references: no entity a document declares itself.
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => name === 'outline',
});

/** Reads an OPML document: every outline with an `xmlUrl`, at any depth of folders. */
export function readOpml(text: string, name: string): ReadList | { error: string } {
  if (/<!DOCTYPE/i.test(text)) return { error: `${name}: an OPML file with a DOCTYPE is refused (entity declarations)` };
  let document: { opml?: { body?: { outline?: Outline[] } | string } };
  try {
    document = parser.parse(text, true) as typeof document;
  } catch (error) {
    return { error: `${name}: not well-formed XML (${(error as Error).message.split('\n')[0]})` };
  }
  if (!document.opml) return { error: `${name}: not an OPML document (no <opml> root)` };
  const body = typeof document.opml.body === 'object' ? document.opml.body : undefined;
  const feeds: ListedFeed[] = [];
  const problems: string[] = [];
  const visit = (outlines: Outline[] | undefined, depth: number): void => {
    // Readers nest folders a few levels deep; a thousand levels is an attack, not a folder.
    if (!outlines || depth > 32) return;
    for (const outline of outlines) {
      const xmlUrl = typeof outline['@_xmlUrl'] === 'string' ? outline['@_xmlUrl'] : undefined;
      if (xmlUrl !== undefined) {
        const url = feedUrlOf(xmlUrl);
        const title = [outline['@_title'], outline['@_text']].find(
          (value): value is string => typeof value === 'string' && value.trim() !== '',
        );
        if (url) feeds.push({ url, ...(title ? { title: title.trim() } : {}) });
        else problems.push(`${name}: outline ${JSON.stringify(title ?? xmlUrl.slice(0, 200))}: xmlUrl is not an http(s) URL`);
      }
      visit(outline.outline, depth + 1);
    }
  };
  visit(body?.outline, 0);
  return { feeds: unique(feeds), problems };
}

/** Reads a list by its file name: `.opml` and `.xml` as OPML, anything else as one URL a line. */
export function readFeedList(text: string, name: string): ReadList | { error: string } {
  return /\.(opml|xml)$/i.test(name) ? readOpml(text, name) : readTextList(text, name);
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
  suppressEmptyNode: true,
  processEntities: true,
});

/** An OPML 2.0 document of `feeds`, for any feed reader to import. */
export function writeOpml(feeds: readonly ListedFeed[], title: string): string {
  const outlines = feeds.map((feed) => ({
    '@_type': 'rss',
    '@_text': feed.title ?? feed.url,
    ...(feed.title ? { '@_title': feed.title } : {}),
    '@_xmlUrl': feed.url,
  }));
  const xml = builder.build({ opml: { '@_version': '2.0', head: { title }, body: { outline: outlines } } }) as string;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
}

function unique(feeds: ListedFeed[]): ListedFeed[] {
  const seen = new Set<string>();
  return feeds.filter((feed) => (seen.has(feed.url) ? false : (seen.add(feed.url), true)));
}
