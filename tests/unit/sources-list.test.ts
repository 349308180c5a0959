/** OPML and text feed lists: read with a real XML parser, written so a reader (and we) read them back. */
import { describe, expect, it } from 'vitest';
import { readFeedList, readOpml, readTextList, writeOpml } from '../../functions/core/sources/source-list.js';

const READER_EXPORT = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>My subscriptions</title></head>
  <body>
    <outline text="News" title="News">
      <outline type="rss" text="Town Hall Notes" title="Town Hall Notes" xmlUrl="https://town.example.org/feed.xml" htmlUrl="https://town.example.org/"/>
      <outline text="Deeper">
        <outline type="rss" text="A &amp; B Weekly" xmlUrl="https://ab.example.com/rss?x=1&amp;y=2"/>
      </outline>
    </outline>
    <outline type="rss" text="Bad one" xmlUrl="javascript:alert(1)"/>
    <outline type="rss" text="Top level" xmlUrl="http://top.example.net/atom"/>
    <outline type="rss" text="Duplicate" xmlUrl="https://town.example.org/feed.xml"/>
  </body>
</opml>`;

describe('feed lists', () => {
  it('reads nested OPML outlines with xmlUrl, names and entities; reports unusable ones', () => {
    const read = readOpml(READER_EXPORT, 'subs.opml');
    expect(read).toEqual({
      feeds: [
        { url: 'https://town.example.org/feed.xml', title: 'Town Hall Notes' },
        { url: 'https://ab.example.com/rss?x=1&y=2', title: 'A & B Weekly' },
        { url: 'http://top.example.net/atom', title: 'Top level' },
      ],
      problems: ['subs.opml: outline "Bad one": xmlUrl is not an http(s) URL'],
    });
  });

  it('refuses malformed XML, a document that is not OPML and entity declarations, with the file named', () => {
    expect(readOpml('<opml><body><outline', 'a.opml')).toEqual({ error: expect.stringMatching(/^a\.opml: not well-formed XML/) });
    expect(readOpml('<rss version="2.0"><channel/></rss>', 'b.opml')).toEqual({ error: 'b.opml: not an OPML document (no <opml> root)' });
    const bomb = `<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><opml><body><outline text="&b;" xmlUrl="https://x.example/"/></body></opml>`;
    expect(readOpml(bomb, 'c.opml')).toEqual({ error: expect.stringMatching(/DOCTYPE is refused/) });
  });

  it('writes OPML that reads back to the same feeds, escaping what needs it', () => {
    const feeds = [
      { url: 'https://ab.example.com/rss?x=1&y=2', title: 'A & B "Weekly" <news>' },
      { url: 'https://plain.example.org/feed' },
    ];
    const opml = writeOpml(feeds, 'Gazette sources');
    expect(opml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<opml version="2.0">/);
    expect(opml).toContain('xmlUrl="https://ab.example.com/rss?x=1&amp;y=2"');
    expect(readOpml(opml, 'export.opml')).toEqual({
      feeds: [feeds[0], { url: 'https://plain.example.org/feed', title: 'https://plain.example.org/feed' }],
      problems: [],
    });
  });

  it('reads a text list: one URL a line, comments and blank lines ignored, bad lines named by number', () => {
    const text =
      '# my feeds\nhttps://a.example.com/feed.xml\n\n  https://b.example.com/rss   # the B blog\nnot a url\nftp://c.example.com/\nhttps://a.example.com/feed.xml\n';
    expect(readTextList(text, 'feeds.txt')).toEqual({
      feeds: [{ url: 'https://a.example.com/feed.xml' }, { url: 'https://b.example.com/rss' }],
      problems: ['feeds.txt:5: not an http(s) URL: "not a url"', 'feeds.txt:6: not an http(s) URL: "ftp://c.example.com/"'],
    });
    expect(readFeedList(READER_EXPORT, 'x.OPML')).toHaveProperty('feeds');
    expect(readFeedList('https://a.example.com/\n', 'list.txt')).toEqual({ feeds: [{ url: 'https://a.example.com/' }], problems: [] });
  });
});
