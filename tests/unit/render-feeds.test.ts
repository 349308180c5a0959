import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parse as parseHtml } from 'node-html-parser';
import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import type { Digest, SiteFile } from '../../functions/core/model.js';
import { RenderError, renderFeeds } from '../../functions/core/render/index.js';
import { hostileDigest, olderDigest, seedDigest, site, syntheticDigests } from './render-fixtures.js';
import { expectGolden } from './render-golden.js';

type Node = Record<string, any>;

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (_name, jpath) =>
    [
      'rss.channel.item',
      'rss.channel.item.category',
      'rss.channel.atom:link',
      'feed.link',
      'feed.author',
      'feed.entry',
      'feed.entry.link',
      'feed.entry.author',
      'feed.entry.category',
    ].includes(String(jpath)),
});

function file(files: SiteFile[], path: string): SiteFile {
  const found = files.find((candidate) => candidate.path === path);
  if (!found) throw new Error(`no ${path} in ${files.map((f) => f.path).join(', ')}`);
  return found;
}

function parseXml(body: Buffer): Node {
  const text = body.toString('utf8');
  expect(XMLValidator.validate(text)).toBe(true);
  return xml.parse(text) as Node;
}

/** The text a reader shows for an HTML string (entities decoded, tags dropped). */
function htmlText(markup: string): string {
  return parseHtml(markup).textContent;
}

const RFC_822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const permalink = (digest: Digest) => `${site.baseUrl}digests/${digest.slug}/`;

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: true, strict: true, strictRequired: false }));
const validateJsonFeed = ajv.compile(JSON.parse(readFileSync(new URL('../fixtures/jsonfeed-1.1.schema.json', import.meta.url), 'utf8')));

/** The hostile headline as every feed must give it back: controls gone, CR/LF folded into one space. */
const HOSTILE_TITLE = 'Breaking: <script>alert(1)</script> ]]> &amp; & 🚀 مرحبا שלום Bcc: victim@example.com';

describe('renderFeeds', () => {
  const digests = [seedDigest, olderDigest];
  const files = renderFeeds(digests, site);

  it('writes the three feeds, sorted by path, with their content types and a 5–60 min Cache-Control', () => {
    expect(files.map((f) => [f.path, f.contentType])).toEqual([
      ['feeds/atom.xml', 'application/atom+xml; charset=utf-8'],
      ['feeds/feed.json', 'application/feed+json; charset=utf-8'],
      ['feeds/rss.xml', 'application/rss+xml; charset=utf-8'],
    ]);
    for (const f of files) {
      const maxAge = Number(/max-age=(\d+)/.exec(f.cacheControl)?.[1]);
      expect(maxAge).toBeGreaterThanOrEqual(300);
      expect(maxAge).toBeLessThanOrEqual(3600);
    }
  });

  it('matches the golden files for the seed-like digest', () => {
    const seedOnly = renderFeeds([seedDigest], site);
    expectGolden('rss.xml', file(seedOnly, 'feeds/rss.xml').body);
    expectGolden('atom.xml', file(seedOnly, 'feeds/atom.xml').body);
    expectGolden('feed.json', file(seedOnly, 'feeds/feed.json').body);
  });

  it('RSS 2.0 follows the profile the W3C validator applies', () => {
    const rss = parseXml(file(files, 'feeds/rss.xml').body).rss as Node;
    expect(rss['@version']).toBe('2.0');
    expect(rss['@xmlns:atom']).toBe('http://www.w3.org/2005/Atom');
    expect(rss['@xmlns:dc']).toBe('http://purl.org/dc/elements/1.1/');
    expect(rss['@xmlns:content']).toBe('http://purl.org/rss/1.0/modules/content/');
    const channel = rss.channel as Node;
    expect(channel.title).toBe(site.title);
    expect(channel.link).toBe(site.baseUrl);
    expect(channel.description).toBe(site.description);
    expect(channel.language).toBe('en');
    expect(channel.lastBuildDate).toMatch(RFC_822);
    expect(channel.lastBuildDate).toBe(new Date(seedDigest.updated).toUTCString());
    expect(channel['atom:link']).toEqual([{ '@href': `${site.baseUrl}feeds/rss.xml`, '@rel': 'self', '@type': 'application/rss+xml' }]);
    const items = channel.item as Node[];
    expect(items).toHaveLength(2);
    items.forEach((item, index) => {
      const digest = digests[index]!;
      expect(item.title).toBe(digest.headline);
      expect(item.link).toBe(permalink(digest));
      expect(item.guid).toEqual({ '#text': permalink(digest), '@isPermaLink': 'true' });
      expect(item.pubDate).toMatch(RFC_822);
      expect(new Date(item.pubDate).toISOString()).toBe(digest.published);
      // RSS <author> must be an email address; names go into dc:creator.
      expect(item.author).toBeUndefined();
      expect(item['dc:creator']).toBe(digest.author ?? site.authorName);
      expect(item.category).toEqual(digest.keywords);
      expect(htmlText(item.description)).toBe(digest.summary.join(' '));
      const content = parseHtml(item['content:encoded']);
      expect(content.querySelectorAll('li').map((li) => li.textContent)).toEqual(digest.keyPoints);
      expect(content.textContent).toContain(digest.summary[0]);
    });
    // The source link is absolute and its query string survived XML + HTML escaping.
    expect(
      parseHtml((items[1] as Node)['content:encoded'])
        .querySelector('a')
        ?.getAttribute('href'),
    ).toBe(olderDigest.sourceUrl);
  });

  it('RSS items put description before content:encoded (the validator warns NeedDescriptionBeforeContent otherwise)', () => {
    const text = file(files, 'feeds/rss.xml').body.toString('utf8');
    for (const item of text.split('<item>').slice(1)) {
      expect(item.indexOf('<description>')).toBeGreaterThan(-1);
      expect(item.indexOf('<description>')).toBeLessThan(item.indexOf('<content:encoded>'));
    }
  });

  it('RSS parses with rss-parser, a real feed reader library', async () => {
    const feed = await new Parser().parseString(file(files, 'feeds/rss.xml').body.toString('utf8'));
    expect(feed.title).toBe(site.title);
    expect(feed.items.map((item) => [item.title, item.link, item.guid, item.isoDate])).toEqual(
      digests.map((digest) => [digest.headline, permalink(digest), permalink(digest), digest.published]),
    );
  });

  it('Atom 1.0 carries what RFC 4287 requires and the validator recommends', async () => {
    const feed = parseXml(file(files, 'feeds/atom.xml').body).feed as Node;
    expect(feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed['@xml:lang']).toBe('en');
    expect(feed.id).toBe(site.baseUrl);
    expect(feed.title).toBe(site.title);
    expect(feed.subtitle).toBe(site.description);
    expect(feed.updated).toMatch(RFC_3339);
    expect(feed.updated).toBe(seedDigest.updated);
    expect(feed.author).toEqual([{ name: site.authorName, uri: site.baseUrl }]);
    expect(feed.link).toEqual([
      { '@rel': 'alternate', '@href': site.baseUrl },
      { '@rel': 'self', '@href': `${site.baseUrl}feeds/atom.xml` },
    ]);
    const entries = feed.entry as Node[];
    expect(entries).toHaveLength(2);
    entries.forEach((entry, index) => {
      const digest = digests[index]!;
      expect(entry.id).toBe(permalink(digest));
      expect(entry.title['@type']).toBe('html');
      expect(htmlText(entry.title['#text'])).toBe(digest.headline);
      expect(entry.link).toEqual([{ '@href': permalink(digest) }]);
      expect(entry.updated).toBe(digest.updated);
      expect(entry.published).toBe(digest.published);
      expect(entry.author).toEqual([{ name: digest.author ?? site.authorName }]);
      expect((entry.category as Node[]).map((category) => category['@term'])).toEqual(digest.keywords);
      expect(entry.summary['@type']).toBe('html');
      expect(htmlText(entry.summary['#text'])).toBe(digest.summary.join(' '));
      expect(entry.content['@type']).toBe('html');
    });
    const parsed = await new Parser().parseString(file(files, 'feeds/atom.xml').body.toString('utf8'));
    expect(parsed.items.map((item) => item.id)).toEqual(digests.map(permalink));
  });

  it('JSON Feed 1.1 validates against the 1.1 schema and carries self link, authors, language and dates', () => {
    const feed = JSON.parse(file(files, 'feeds/feed.json').body.toString('utf8'));
    expect(validateJsonFeed(feed), ajv.errorsText(validateJsonFeed.errors)).toBe(true);
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.feed_url).toBe(`${site.baseUrl}feeds/feed.json`);
    expect(feed.home_page_url).toBe(site.baseUrl);
    expect(feed.language).toBe('en');
    expect(feed.authors).toEqual([{ name: site.authorName, url: site.baseUrl }]);
    expect(feed.items.map((item: Node) => [item.id, item.url, item.date_published, item.date_modified, item.tags])).toEqual(
      digests.map((digest) => [permalink(digest), permalink(digest), digest.published, digest.updated, digest.keywords]),
    );
    expect(feed.items[1].external_url).toBe(olderDigest.sourceUrl);
    expect(feed.items[0].external_url).toBeUndefined();
  });

  it('the schema really rejects a JSON Feed 1.0 document (what feed.json1() writes)', () => {
    const legacy = {
      version: 'https://jsonfeed.org/version/1',
      title: 'x',
      author: { name: 'a' },
      items: [{ id: '1', content_html: '<p>x</p>' }],
    };
    expect(validateJsonFeed(legacy)).toBe(false);
  });

  it('keeps only the newest feedLength digests and takes `updated` from the entries, never the clock', () => {
    const many = syntheticDigests(30);
    // An older digest edited later must move the feed's updated time forward.
    many[5] = { ...many[5]!, updated: '2026-01-01T00:00:00.000Z' };
    const capped = renderFeeds(many, { ...site, feedLength: 10 });
    const rss = parseXml(file(capped, 'feeds/rss.xml').body).rss.channel as Node;
    expect((rss.item as Node[]).map((item) => item.link)).toEqual(many.slice(0, 10).map(permalink));
    expect(rss.lastBuildDate).toBe('Thu, 01 Jan 2026 00:00:00 GMT');
    const atom = parseXml(file(capped, 'feeds/atom.xml').body).feed as Node;
    expect(atom.entry).toHaveLength(10);
    expect(atom.updated).toBe('2026-01-01T00:00:00.000Z');
    expect(JSON.parse(file(capped, 'feeds/feed.json').body.toString()).items).toHaveLength(10);
  });

  it('refuses to render an empty feed (it would replace a good one)', () => {
    expect(() => renderFeeds([], site)).toThrow(RenderError);
  });

  it('rejects an unsafe slug, a bad date and a bad base URL instead of rendering them', () => {
    expect(() => renderFeeds([{ ...seedDigest, slug: '../../etc' }], site)).toThrow(RenderError);
    expect(() => renderFeeds([{ ...seedDigest, updated: 'yesterday' }], site)).toThrow(RenderError);
    expect(() => renderFeeds([seedDigest], { ...site, baseUrl: 'https://gazette.example.com' })).toThrow(RenderError);
  });

  it('is deterministic: same input, same bytes', () => {
    const again = renderFeeds(structuredClone(digests), { ...site });
    expect(again.map((f) => f.body.toString('base64'))).toEqual(files.map((f) => f.body.toString('base64')));
  });
});

describe('renderFeeds with hostile content', () => {
  const files = renderFeeds([hostileDigest, seedDigest], site);
  const expectedSummary =
    'It says <script>alert("x")</script> and ]]> twice ]]> with &amp; and & plus 🚀🔥. Arabic مرحبا بالعالم and Hebrew שלום עולם sit beside <b>bold</b> and a bell.';

  it('RSS stays well-formed and gives the text back exactly (minus control characters)', async () => {
    const channel = parseXml(file(files, 'feeds/rss.xml').body).rss.channel as Node;
    const item = (channel.item as Node[])[0]!;
    expect(item.title).toBe(HOSTILE_TITLE);
    expect(htmlText(item.description)).toBe(expectedSummary);
    expect(item['dc:creator']).toBe('Mallory <mallory@example.com> X-Injected: yes');
    expect(item.category).toEqual(['script>', 'a&b', 'quote"s', 'ünïcødé']);
    const content = parseHtml(item['content:encoded']);
    expect(content.querySelectorAll('script, img, b')).toHaveLength(0);
    expect(content.querySelectorAll('li').map((li) => li.textContent)).toEqual([
      '<img src=x onerror=alert(1)>',
      'CDATA ]]> end',
      'Ampersand &lt; entity',
    ]);
    // The javascript: source URL never becomes a link.
    expect(content.querySelectorAll('a')).toHaveLength(0);
    const parsed = await new Parser().parseString(file(files, 'feeds/rss.xml').body.toString('utf8'));
    expect(parsed.items[0]?.title).toBe(HOSTILE_TITLE);
  });

  it('Atom stays well-formed; html-typed title and summary decode to the original text', async () => {
    const entry = (parseXml(file(files, 'feeds/atom.xml').body).feed.entry as Node[])[0]!;
    expect(htmlText(entry.title['#text'])).toBe(HOSTILE_TITLE);
    expect(htmlText(entry.summary['#text'])).toBe(expectedSummary);
    expect((entry.category as Node[]).map((category) => category['@term'])).toEqual(['script>', 'a&b', 'quote"s', 'ünïcødé']);
    expect(parseHtml(entry.content['#text']).querySelectorAll('script, img')).toHaveLength(0);
    const parsed = await new Parser().parseString(file(files, 'feeds/atom.xml').body.toString('utf8'));
    expect(htmlText(parsed.items[0]?.title ?? '')).toBe(HOSTILE_TITLE);
  });

  it('JSON Feed keeps plain text as text and HTML escaped', () => {
    const feed = JSON.parse(file(files, 'feeds/feed.json').body.toString('utf8'));
    expect(validateJsonFeed(feed), ajv.errorsText(validateJsonFeed.errors)).toBe(true);
    const item = feed.items[0];
    expect(item.title).toBe(HOSTILE_TITLE);
    expect(item.summary).toBe(expectedSummary);
    expect(item.content_text.startsWith(expectedSummary)).toBe(true);
    expect(parseHtml(item.content_html).querySelectorAll('script, img, b')).toHaveLength(0);
    expect(htmlText(item.content_html)).toContain(expectedSummary);
  });

  it('no output carries a control character', () => {
    for (const f of files) expect(f.body.toString('utf8')).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/);
  });
});
