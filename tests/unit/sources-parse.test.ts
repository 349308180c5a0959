/**
 * parseFeed on hand-written fixtures for each rule (formats, charsets, hostile input) and on the real
 * feeds in ../shared/feeds (read at test time, never copied here).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFeed, type FeedItem, type ParsedFeed } from '../../functions/core/sources/parse-feed.js';
import { decodeFeedBytes } from '../../functions/core/sources/charset.js';
import { sharedPath } from '../../bench/lib/shared-dir.js';
import { feedCorpusFiles } from '../../bench/lib/feed-corpus.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const FEED_URL = 'https://news.example.com/blog/feed.xml';

function parsed(body: string | Buffer, contentType?: string, feedUrl = FEED_URL): ParsedFeed {
  const result = parseFeed(Buffer.isBuffer(body) ? body : Buffer.from(body), contentType, feedUrl, NOW);
  if ('error' in result) throw new Error(`expected a feed, got: ${result.error}`);
  return result;
}

function failure(body: string | Buffer, contentType?: string): string {
  const result = parseFeed(Buffer.isBuffer(body) ? body : Buffer.from(body), contentType, FEED_URL, NOW);
  if (!('error' in result)) throw new Error(`expected an error, got a feed titled ${result.title}`);
  return result.error;
}

const rss = (items: string, channel = '') =>
  `<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Example News</title><link>https://news.example.com/</link>${channel}${items}</channel></rss>`;

describe('parseFeed: formats', () => {
  it('reads RSS 2.0 items with guid, link, author, date, categories and full content', () => {
    const feed = parsed(
      rss(
        `<item><title>Hello &amp; welcome</title><link>https://news.example.com/hello</link><guid isPermaLink="false">post-1</guid>
         <author>ann@example.com (Ann Author)</author><pubDate>Mon, 30 Nov 2026 10:00:00 GMT</pubDate>
         <category>Politics</category><category>World</category><category>Politics</category>
         <description>Short.</description><content:encoded><![CDATA[<p>The whole story.</p>]]></content:encoded></item>`,
        '<ttl>90</ttl>',
      ),
    );
    expect(feed.title).toBe('Example News');
    expect(feed.siteUrl).toBe('https://news.example.com/');
    expect(feed.ttlMinutes).toBe(90);
    expect(feed.items).toEqual<FeedItem[]>([
      {
        guid: 'post-1',
        url: 'https://news.example.com/hello',
        title: 'Hello & welcome',
        author: expect.stringContaining('Ann Author') as unknown as string,
        published: new Date('2026-11-30T10:00:00Z'),
        categories: ['Politics', 'World'],
        html: '<p>The whole story.</p>',
        isExcerpt: false,
      },
    ]);
  });

  it('marks a description-only item as an excerpt', () => {
    const [item] = parsed(
      rss('<item><title>T</title><link>https://x.example/a</link><description>Just a teaser…</description></item>'),
    ).items;
    expect(item?.html).toBe('Just a teaser…');
    expect(item?.isExcerpt).toBe(true);
  });

  it('reads Atom 1.0 with content over summary', () => {
    const feed = parsed(`<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom News</title>
      <link rel="alternate" href="https://atom.example.com/"/><id>urn:feed</id><updated>2026-11-30T00:00:00Z</updated>
      <entry><id>urn:entry:1</id><title>One</title><link rel="alternate" href="/posts/one"/><updated>2026-11-29T08:00:00Z</updated>
      <author><name>Bo</name></author><category term="tech"/><summary>Sum.</summary><content type="html">&lt;p&gt;Body&lt;/p&gt;</content></entry>
      </feed>`);
    expect(feed.title).toBe('Atom News');
    expect(feed.items).toHaveLength(1);
    const [item] = feed.items;
    expect(item).toMatchObject({ guid: 'urn:entry:1', title: 'One', author: 'Bo', categories: ['tech'], isExcerpt: false });
    expect(item?.url).toBe('https://atom.example.com/posts/one');
    expect(item?.html).toBe('<p>Body</p>');
    expect(item?.published).toEqual(new Date('2026-11-29T08:00:00Z'));
  });

  it('reads RSS 1.0 (RDF)', () => {
    const feed =
      parsed(`<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
      <channel rdf:about="https://rdf.example.com/"><title>RDF News</title><link>https://rdf.example.com/</link></channel>
      <item rdf:about="https://rdf.example.com/1"><title>First</title><link>https://rdf.example.com/1</link><description>D</description></item>
      </rdf:RDF>`);
    expect(feed.title).toBe('RDF News');
    expect(feed.items.map((item) => item.url)).toEqual(['https://rdf.example.com/1']);
  });

  it('reads JSON Feed 1.1 (authors, content_html, tags) and 1.0 (author, content_text)', () => {
    const v11 = parsed(
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title: 'JSON News',
        home_page_url: 'https://json.example.com/',
        items: [
          {
            id: 'a',
            url: '/a',
            title: 'A',
            content_html: '<p>A body</p>',
            summary: 'A sum',
            date_published: '2026-11-30T09:00:00Z',
            authors: [{ name: 'Cy' }],
            tags: ['x', 'y'],
          },
        ],
      }),
      'application/feed+json',
    );
    expect(v11).toMatchObject({ title: 'JSON News', siteUrl: 'https://json.example.com/' });
    expect(v11.items).toEqual([
      {
        guid: 'a',
        url: 'https://news.example.com/a',
        title: 'A',
        author: 'Cy',
        published: new Date('2026-11-30T09:00:00Z'),
        categories: ['x', 'y'],
        html: '<p>A body</p>',
        isExcerpt: false,
      },
    ]);
    const v10 = parsed(
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1',
        title: 'Old JSON',
        items: [{ id: 7, content_text: 'Line <one>\n\nLine two', author: { name: 'Di' } }],
      }),
    );
    expect(v10.items[0]).toMatchObject({ guid: '7', author: 'Di', html: '<p>Line &lt;one&gt;</p>\n<p>Line two</p>', isExcerpt: false });
  });

  it('skips one invalid JSON Feed item with a warning and keeps the rest', () => {
    const feed = parsed(
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title: 'J',
        items: [{ id: 'ok', title: 'Fine' }, 'not an object', { id: { nested: true } }],
      }),
    );
    expect(feed.items.map((item) => item.guid)).toEqual(['ok']);
    expect(feed.warnings).toEqual(['2 items not valid JSON Feed items (skipped)']);
  });

  it('names JSON that is not a JSON Feed', () => {
    expect(failure('{"hello": "world"}')).toBe('not a JSON Feed: version Invalid input: expected string, received undefined');
    expect(failure('{"version": "https://jsonfeed.org/version/1.1", "items": 3}')).toBe('not a JSON Feed: items items must be a list');
    expect(failure('{"version": ')).toMatch(/^not a feed: malformed JSON \(/);
  });
});

describe('parseFeed: links, dates, empty items', () => {
  it('resolves relative links against the feed URL and drops javascript: and data: links', () => {
    const feed = parsed(
      `<?xml version="1.0"?><rss version="2.0"><channel><title>Rel</title>
       <item><title>Relative</title><link>../posts/1.html</link></item>
       <item><title>Script</title><link>javascript:alert(document.cookie)</link></item>
       <item><title>Data</title><link>data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;</link></item>
       </channel></rss>`,
    );
    expect(feed.items.map((item) => [item.title, item.url])).toEqual([
      ['Relative', 'https://news.example.com/posts/1.html'],
      ['Script', undefined],
      ['Data', undefined],
    ]);
    expect(feed.warnings).toEqual(['2 items with a link that is not http(s) (link dropped)']);
  });

  it('uses a permalink guid as the link when an item has none', () => {
    const feed = parsed(
      rss(
        '<item><title>G</title><guid>https://news.example.com/g</guid></item><item><title>R</title><guid isPermaLink="true">/r</guid></item><item><title>O</title><guid>opaque-7</guid></item>',
      ),
    );
    expect(feed.items.map((item) => item.url)).toEqual(['https://news.example.com/g', 'https://news.example.com/r', undefined]);
  });

  it('drops a date in the future (the item stays, placed by when it is first seen)', () => {
    const feed = parsed(
      rss(
        '<item><title>Future</title><guid>f</guid><pubDate>Fri, 01 Jan 2099 00:00:00 GMT</pubDate></item><item><title>Skewed</title><guid>s</guid><pubDate>Tue, 01 Dec 2026 12:05:00 GMT</pubDate></item>',
      ),
    );
    expect(feed.items.map((item) => [item.guid, item.published?.toISOString()])).toEqual([
      ['f', undefined],
      ['s', '2026-12-01T12:05:00.000Z'],
    ]);
    expect(feed.warnings).toEqual(['1 item dated in the future (date dropped)']);
  });

  it('keeps items with no link, no date or no text, and skips items with nothing at all', () => {
    const feed = parsed(
      rss(
        '<item><title>Only a title</title></item><item><description>Only text</description></item><item></item><item><category>c</category></item>',
      ),
    );
    expect(feed.items).toEqual([
      { title: 'Only a title', categories: [], isExcerpt: true },
      { categories: [], html: 'Only text', isExcerpt: true },
    ]);
    expect(feed.warnings).toEqual(['2 items with no id, link, title or text (skipped)']);
  });

  it('names a feed without a title after its host', () => {
    expect(parsed('<rss version="2.0"><channel><item><title>x</title></item></channel></rss>').title).toBe('news.example.com');
  });
});

describe('parseFeed: bad input gets a clear message', () => {
  it('an HTML page instead of a feed', () => {
    const page =
      '<!DOCTYPE html><html><head><title>Home</title><link rel="alternate" type="application/rss+xml" href="/feed"></head><body></body></html>';
    expect(failure(page, 'text/html; charset=utf-8')).toBe('not a feed (an HTML page; its <link rel="alternate"> may name the feed)');
    expect(failure('<html><body>Moved</body></html>')).toBe('not a feed (an HTML page; its <link rel="alternate"> may name the feed)');
  });

  it('an empty body and a document that is neither', () => {
    expect(failure('')).toBe('not a feed: the response was empty');
    expect(failure('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>')).toBe('not a feed: no RSS, RDF or Atom root element');
    expect(failure('just some text')).toBe('not a feed: no RSS, RDF or Atom root element');
  });

  it('malformed XML is either recovered leniently or named as malformed', () => {
    // Unclosed elements: the parser recovers what it can, as the 98.4% recovery rate promises.
    const truncated = parsed(
      rss('<item><title>Kept</title><link>https://x.example/k</link></item><item><title>Cut off').replace('</channel></rss>', ''),
    );
    expect(truncated.items[0]?.title).toBe('Kept');
    expect(failure('<rss version="2.0"><channel><title>T</title><item><title><![CDATA[never closed</title></item></channel></rss>')).toBe(
      'not a feed: malformed XML (CDATA is not closed.)',
    );
    expect(failure('<rss version="2.0"')).toMatch(/^not a feed: malformed XML \(/);
  });

  it('entity expansion (billion laughs) neither hangs nor expands', () => {
    let entities = '<!ENTITY lol0 "lol">';
    for (let level = 1; level <= 12; level += 1) {
      entities += `<!ENTITY lol${level} "${`&lol${level - 1};`.repeat(10)}">`;
    }
    const bomb = `<?xml version="1.0"?><!DOCTYPE rss [${entities}]><rss version="2.0"><channel><title>Laughs &lol12;</title><item><title>&lol12;</title><guid>b</guid></item></channel></rss>`;
    const feed = parsed(bomb);
    expect(feed.title.length).toBeLessThan(100);
    expect(feed.items[0]?.guid).toBe('b');
    expect(JSON.stringify(feed)).not.toContain('lollol');
  });

  it('a DOCTYPE after a long comment is still removed, and DOCTYPE text inside content is kept', () => {
    const padding = `<!--${' '.repeat(10_000)}-->`;
    const feed = parsed(
      `<?xml version="1.0"?>${padding}<!DOCTYPE rss [<!ENTITY a "AAAA"><!ENTITY b "&a;&a;&a;&a;">]><rss version="2.0"><channel><title>T &b;</title><item><guid>1</guid><description><![CDATA[<!DOCTYPE html> is how pages start]]></description></item></channel></rss>`,
    );
    expect(feed.title).not.toContain('AAAA');
    expect(feed.items[0]?.html).toBe('<!DOCTYPE html> is how pages start');
  });

  it('an external entity (XXE) is never read', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><title>X</title><item><title>&xxe;</title><guid>x</guid></item></channel></rss>`;
    expect(JSON.stringify(parsed(xxe))).not.toContain('root:');
  });
});

describe('parseFeed: charsets', () => {
  const body = (title: string) =>
    `<rss version="2.0"><channel><title>${title}</title><item><title>${title}</title><guid>1</guid></item></channel></rss>`;
  const TITLE = 'Café – “Grüße”';

  it('ISO-8859-1 declared in the XML prolog', () => {
    const bytes = Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>${body('Café Grüße')}`, 'latin1');
    expect(parsed(bytes, 'application/xml').title).toBe('Café Grüße');
  });

  it('Windows-1252 from the HTTP charset (curly quotes and the en dash)', () => {
    const text = body(TITLE);
    const bytes = Buffer.from([...text].map((char) => ({ '–': 0x96, '“': 0x93, '”': 0x94 })[char] ?? char.charCodeAt(0)));
    expect(parsed(bytes, 'application/rss+xml; charset=windows-1252').title).toBe(TITLE);
  });

  it('UTF-16 LE and BE with a byte order mark', () => {
    const text = `<?xml version="1.0" encoding="UTF-16"?>${body(TITLE)}`;
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    expect(parsed(le).title).toBe(TITLE);
    expect(parsed(be).title).toBe(TITLE);
  });

  it('a UTF-8 BOM, and bytes that claim UTF-8 but are not, read as Windows-1252', () => {
    expect(parsed(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body(TITLE))])).title).toBe(TITLE);
    const latin = Buffer.from(`<?xml version="1.0" encoding="utf-8"?>${body('Café')}`, 'latin1');
    expect(decodeFeedBytes(latin, undefined).encoding).toBe('windows-1252');
    expect(parsed(latin).title).toBe('Café');
  });

  it('an unknown charset label falls back to the next evidence', () => {
    const bytes = Buffer.from(`<?xml version="1.0" encoding="x-made-up"?>${body(TITLE)}`);
    expect(parsed(bytes, 'text/xml; charset=utf-8').title).toBe(TITLE);
  });
});

describe('parseFeed over the real feeds in ../shared/feeds', () => {
  const CORPUS = sharedPath('feeds');

  it('recovers items from every real feed except the two that hold none', () => {
    const files = feedCorpusFiles(CORPUS);
    expect(files.length).toBeGreaterThanOrEqual(45);
    const withoutItems: string[] = [];
    for (const file of files) {
      const result = parseFeed(readFileSync(join(CORPUS, file)), undefined, `https://feeds.example.com/${file}`, NOW);
      if ('error' in result || result.items.length === 0) withoutItems.push(file);
    }
    const recovered = files.length - withoutItems.length;
    console.log(`feed corpus: items recovered from ${recovered}/${files.length} files (${((100 * recovered) / files.length).toFixed(1)}%)`);
    // unrecognized.rss is an HTML "Object Moved" page; incomplete-fields.atom has one entry with nothing in it.
    expect(withoutItems).toEqual(['rss-parser/incomplete-fields.atom', 'rss-parser/unrecognized.rss']);
  });

  it("matches feedsmith's expected item titles for every format version", () => {
    const folder = join(CORPUS, 'feedsmith');
    const references = readdirSync(folder).filter((name) => name.endsWith('.xml'));
    expect(references.length).toBeGreaterThanOrEqual(12);
    for (const name of references) {
      const expected = JSON.parse(readFileSync(join(folder, name.replace(/\.xml$/, '.json')), 'utf8')) as {
        items?: { title?: string }[];
        entries?: { title?: string }[];
      };
      const titles = (expected.items ?? expected.entries ?? []).map((item) => item.title);
      const feed = parsed(readFileSync(join(folder, name)), undefined, `https://feeds.example.com/${name}`);
      expect(
        feed.items.map((item) => item.title),
        name,
      ).toEqual(titles);
    }
  });

  it('decodes the real ISO-8859-1 feed', () => {
    const feed = parsed(readFileSync(join(CORPUS, 'rss-parser/encoding.rss')));
    expect(feed.title).toBe('Jornal de Notícias - Últimas Notícias');
  });
});
