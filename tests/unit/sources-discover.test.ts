import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverFeeds } from '../../functions/core/sources/discover.js';
import { safeFetch } from '../../functions/adapters/http/safe-fetch.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';

describe('discoverFeeds', () => {
  it('finds RSS, Atom and JSON Feed links in document order, resolved against the page', () => {
    const html = `<!doctype html><html><head>
      <link rel="stylesheet" href="/style.css" type="text/css">
      <link rel="alternate" type="application/rss+xml" title="Posts" href="/feed/">
      <link rel="ALTERNATE" type="application/atom+xml; charset=utf-8" href="atom.xml">
      <link rel="alternate" type="application/feed+json" href="https://cdn.example.net/feed.json">
      <link rel="alternate" type="text/html" hreflang="de" href="/de/">
      <link rel="alternate" type="application/rss+xml" href="/feed/">
      <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
      </head><body></body></html>`;
    expect(discoverFeeds(html, 'https://blog.example.com/posts/')).toEqual([
      { url: 'https://blog.example.com/feed/', type: 'rss', title: 'Posts' },
      { url: 'https://blog.example.com/posts/atom.xml', type: 'atom' },
      { url: 'https://cdn.example.net/feed.json', type: 'json' },
    ]);
  });

  it('honours <base href>', () => {
    const html =
      '<html><head><base href="https://static.example.org/site/"><link rel="alternate" type="application/rss+xml" href="rss.xml"></head></html>';
    expect(discoverFeeds(html, 'https://example.org/')).toEqual([{ url: 'https://static.example.org/site/rss.xml', type: 'rss' }]);
  });

  it('returns nothing for a page without feed links', () => {
    expect(discoverFeeds('<html><head><title>x</title></head></html>', 'https://example.org/')).toEqual([]);
    expect(discoverFeeds('', 'https://example.org/')).toEqual([]);
  });
});

describe('discoverFeeds on a fetched homepage', () => {
  let server: FeedServer;
  beforeAll(async () => {
    server = await startFeedServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('finds the loopback server feed from its homepage, and that feed fetches', async () => {
    const page = await safeFetch(server.url('/'), { allowPrivateNetwork: true, accept: 'text/html' });
    if (page.kind !== 'ok') throw new Error(`homepage fetch: ${JSON.stringify(page)}`);
    const feeds = discoverFeeds(page.body.toString('utf8'), page.url);
    expect(feeds.map((feed) => feed.url)).toEqual([server.url('/feed.xml'), server.url('/atom.xml'), server.url('/feed.json')]);
    const feed = await safeFetch(feeds[0]?.url ?? '', { allowPrivateNetwork: true });
    expect(feed.kind).toBe('ok');
  });
});
