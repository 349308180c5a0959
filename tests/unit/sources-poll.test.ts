/**
 * `pollSources` through the real fetch (safeFetch, loopback allowed) against a loopback feed server,
 * with the real feed parser and the memory stores (held to the adapters' contract elsewhere).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { pollDeps } from '../../functions/adapters/http/feed-polling.js';
import { HttpFeedFetcher } from '../../functions/adapters/http/http-feed-fetcher.js';
import { SETTING_DEFAULTS } from '../../functions/core/settings.js';
import { parseFeed } from '../../functions/core/sources/parse-feed.js';
import { pollSources as poll, type PollDeps, type PollResult, type PollSettings } from '../../functions/core/sources/poll-sources.js';
import { newSource, type Source } from '../../functions/core/sources/source.js';
import { MemorySeenItems, MemorySources } from '../fakes/sources.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { articleHtml, rssFeed } from '../support/feed-fixtures.js';

const NOW = new Date('2026-12-01T09:00:00.000Z');
const HOUR = 3_600_000;
const SETTINGS: PollSettings = { pauseAfterErrors: 3, maxAgeToMailMs: 48 * HOUR };

/** One poll, committed at once, as a run does once its digests are stored. */
async function pollSources(deps: PollDeps, settings: PollSettings, now: Date): Promise<PollResult> {
  const result = await poll(deps, settings, now);
  await result.commit();
  return result;
}

const servers: FeedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function server(): Promise<FeedServer> {
  const started = await startFeedServer();
  servers.push(started);
  return started;
}

function deps(sources = new MemorySources(), seen = new MemorySeenItems()): PollDeps & { sources: MemorySources; seen: MemorySeenItems } {
  return {
    sources,
    seen,
    fetcher: new HttpFeedFetcher({ allowPrivateNetwork: true, deadlineMs: 5_000 }),
    parseFeed,
    random: () => 0.5,
  };
}

async function follow(d: ReturnType<typeof deps>, url: string, at = NOW): Promise<Source> {
  const source = newSource(url, at);
  await d.sources.add(source);
  return source;
}

const later = (ms: number) => new Date(NOW.getTime() + ms);

const twoItems = (base: string) =>
  rssFeed('Town Hall Notes', `${base}/`, [
    {
      guid: 'budget-2026',
      title: 'The budget vote',
      link: `${base}/budget?utm_source=rss`,
      date: '2026-12-01T07:00:00Z',
      html: articleHtml('budget'),
      categories: ['Council'],
    },
    { guid: 'parks', title: 'Parks reopen', link: `${base}/parks`, date: '2026-11-30T18:00:00Z', html: articleHtml('parks') },
  ]);

describe('pollSources', () => {
  it('first fetch: every item becomes a raw article with its metadata and provenance, held from mail', async () => {
    const feeds = await server();
    feeds.feed('/town.xml', twoItems(feeds.url('')));
    const d = deps();
    const source = await follow(d, feeds.url('/town.xml'));

    const result = await pollSources(d, SETTINGS, NOW);

    expect(result.reports).toEqual([
      expect.objectContaining({ sourceId: source.id, outcome: 'new-items', newItems: 2, status: 'active', title: 'Town Hall Notes' }),
    ]);
    expect(result.reports[0]!.held).toEqual({ 'first-fetch': 2, 'too-old': 0 });
    const [budget, parks] = result.articles;
    expect(budget).toMatchObject({
      format: 'html',
      mailHold: 'first-fetch',
      provenance: { title: 'Town Hall Notes', url: feeds.url('/') },
      item: { title: 'The budget vote', published: new Date('2026-12-01T07:00:00Z'), tags: ['Council'] },
    });
    expect(new TextDecoder().decode(budget!.bytes)).toContain('budget report, part 1');
    expect(parks?.item?.url).toBe(feeds.url('/parks'));
    const stored = await d.sources.get(source.id);
    expect(stored).toMatchObject({ firstFetchDone: true, itemCount: 2, consecutiveErrors: 0, lastNewItemAt: NOW.toISOString() });
    expect(stored?.validators.etag).toMatch(/^".+"$/);
    expect(stored?.validators.lastModified).toBeDefined();
    expect(Date.parse(stored!.nextPollAt)).toBeGreaterThan(NOW.getTime());
  });

  it('second poll sends the validators, costs no parse on 304, and finds nothing new', async () => {
    const feeds = await server();
    feeds.feed('/town.xml', twoItems(feeds.url('')));
    const d = deps();
    await follow(d, feeds.url('/town.xml'));
    await pollSources(d, SETTINGS, NOW);
    const parses: string[] = [];
    const counting = { ...d, parseFeed: (...args: Parameters<typeof parseFeed>) => (parses.push(args[2]), parseFeed(...args)) };

    const again = await pollSources(counting, SETTINGS, later(25 * HOUR));

    const second = feeds.requests.filter((request) => request.path === '/town.xml')[1]!;
    expect(second.headers['if-none-match']).toMatch(/^".+"$/);
    expect(second.headers['if-modified-since']).toBeDefined();
    expect(again.reports[0]).toMatchObject({ outcome: 'not-modified', newItems: 0 });
    expect(again.articles).toEqual([]);
    expect(parses).toEqual([]);
  });

  it('only due sources are polled; a later item is new and mailable, an old one is held as too old', async () => {
    const feeds = await server();
    const base = feeds.url('');
    feeds.feed('/town.xml', twoItems(base));
    const d = deps();
    await follow(d, feeds.url('/town.xml'));
    await pollSources(d, SETTINGS, NOW);
    expect((await pollSources(d, SETTINGS, later(60_000))).reports).toEqual([]);

    feeds.feed(
      '/town.xml',
      rssFeed('Town Hall Notes', `${base}/`, [
        {
          guid: 'library',
          title: 'Library hours',
          link: `${base}/library`,
          date: later(20 * HOUR).toISOString(),
          html: articleHtml('library'),
        },
        {
          guid: 'archive-1999',
          title: 'From the archive',
          link: `${base}/1999`,
          date: '1999-05-01T00:00:00Z',
          html: articleHtml('archive'),
        },
        {
          guid: 'budget-2026',
          title: 'The budget vote (edited)',
          link: `${base}/budget`,
          date: '2026-12-01T07:00:00Z',
          html: articleHtml('budget'),
        },
      ]),
    );
    const result = await pollSources(d, SETTINGS, later(25 * HOUR));

    expect(result.articles.map((article) => [article.item?.title, article.mailHold])).toEqual([
      ['Library hours', undefined],
      ['From the archive', 'too-old'],
    ]);
    expect(result.reports[0]?.held).toEqual({ 'first-fetch': 0, 'too-old': 1 });
  });

  it('a permanent redirect moves the stored URL; 410 disables the source', async () => {
    const feeds = await server();
    const d = deps();
    const moved = await follow(d, feeds.url('/redirect/301'));
    const gone = await follow(d, feeds.url('/status/410'));

    const result = await pollSources(d, SETTINGS, NOW);

    expect((await d.sources.get(moved.id))?.url).toBe(feeds.url('/feed.xml'));
    expect(result.reports.find((report) => report.sourceId === gone.id)).toMatchObject({ outcome: 'gone', status: 'disabled' });
    expect((await d.sources.get(gone.id))?.status).toBe('disabled');
    expect((await pollSources(d, { ...SETTINGS, everySource: true }, later(48 * HOUR))).reports.map((r) => r.sourceId)).toEqual([moved.id]);

    // A moved feed polled with its validators answers 304 at the new address: the move is still stored.
    const stored = (await d.sources.get(moved.id))!;
    expect(await d.sources.update({ ...stored, url: feeds.url('/redirect/308') }, stored.version)).toBe('stored');
    const again = await pollSources(d, { ...SETTINGS, everySource: true }, later(72 * HOUR));
    expect(again.reports).toEqual([expect.objectContaining({ outcome: 'not-modified', url: feeds.url('/feed.xml') })]);
    expect((await d.sources.get(moved.id))?.url).toBe(feeds.url('/feed.xml'));
  });

  it('errors count up, back off, and pause the source after pauseAfterErrors in a row; validators are never stored from a failure', async () => {
    const feeds = await server();
    feeds.route(
      '/page.html',
      (_request, response) =>
        void response.writeHead(200, { 'content-type': 'text/html', etag: '"page"' }).end('<html><body>hi</body></html>'),
    );
    const d = deps();
    // A feed that posted 168 items last week is polled hourly; its errors back off from there.
    const broken = { ...newSource(feeds.url('/status/500'), NOW), itemsLastWeek: 168 };
    await d.sources.add(broken);
    const notFeed = await follow(d, feeds.url('/page.html'));

    let at = NOW;
    const delays: number[] = [];
    for (let poll = 1; poll <= 3; poll += 1) {
      const result = await pollSources(d, { ...SETTINGS, everySource: true }, at);
      const report = result.reports.find((r) => r.sourceId === broken.id)!;
      expect(report).toMatchObject({ outcome: 'error', message: expect.stringContaining('HTTP 500') });
      const stored = (await d.sources.get(broken.id))!;
      expect(stored.consecutiveErrors).toBe(poll);
      delays.push(Date.parse(stored.nextPollAt) - at.getTime());
      at = new Date(Date.parse(stored.nextPollAt));
    }
    expect(delays[1]).toBeGreaterThan(delays[0]!);
    expect(delays[2]).toBeGreaterThan(delays[1]!);
    expect((await d.sources.get(broken.id))?.status).toBe('paused');
    expect((await d.sources.get(broken.id))?.lastStatus).toMatch(/3 errors in a row; paused/);
    // A paused source is not polled on schedule, however late.
    expect((await pollSources(d, SETTINGS, later(1000 * HOUR))).reports.map((r) => r.sourceId)).not.toContain(broken.id);

    const page = (await d.sources.get(notFeed.id))!;
    expect(page.validators).toEqual({});
    expect(page.lastStatus).toMatch(/^not a readable feed: /);
  });

  it('broken, slow, huge and hostile sources each get a clear message and never stop the others', async () => {
    const feeds = await server();
    feeds.feed('/town.xml', twoItems(feeds.url('')));
    const d = { ...deps(), fetcher: new HttpFeedFetcher({ allowPrivateNetwork: true, deadlineMs: 1_500, maxBytes: 2 * 1024 * 1024 }) };
    await follow(d, 'http://127.0.0.1:1/nothing-listens-here.xml');
    for (const path of ['/redirect/loop-a', '/slow-drip', '/gzip/bomb', '/huge-undeclared', '/redirect/to-metadata', '/status/429', '/']) {
      await follow(d, feeds.url(path));
    }
    await follow(d, feeds.url('/town.xml'));

    const result = await pollSources(d, SETTINGS, NOW);

    expect(result.reports.filter((report) => report.outcome === 'new-items')).toHaveLength(1);
    expect(result.articles).toHaveLength(2);
    const messages = Object.fromEntries(result.reports.map((report) => [new URL(report.url).pathname, report.message]));
    expect(messages).toMatchObject({
      '/nothing-listens-here.xml': expect.stringMatching(/connection refused/),
      '/redirect/loop-a': expect.stringMatching(/too many redirects/),
      '/slow-drip': expect.stringMatching(/^timed out/),
      '/gzip/bomb': expect.stringMatching(/^too large/),
      '/huge-undeclared': expect.stringMatching(/^too large/),
      '/redirect/to-metadata': expect.stringMatching(/refused/),
      '/status/429': 'HTTP 429',
      '/': expect.stringMatching(/^not a readable feed: not a feed \(an HTML page/),
    });
  });

  it('items without text or title are skipped with a message; javascript: links dropped; future dates become now', async () => {
    const feeds = await server();
    feeds.feed(
      '/odd.xml',
      rssFeed('Odd Feed', feeds.url('/'), [
        { guid: 'empty', link: feeds.url('/empty') },
        { guid: 'title-only', title: 'Only a headline here', date: '2099-01-01T00:00:00Z' },
        { guid: 'js', title: 'Click me', link: 'javascript:alert(1)', html: articleHtml('script') },
      ]),
    );
    const d = deps();
    await follow(d, feeds.url('/odd.xml'));

    const result = await pollSources(d, SETTINGS, NOW);

    expect(result.articles.map((article) => article.item?.title)).toEqual(['Only a headline here', 'Click me']);
    const [titleOnly, js] = result.articles;
    expect(titleOnly).toMatchObject({ format: 'text' });
    // The parser or the poll: either way no date after now reaches the article.
    expect(titleOnly?.item?.published?.getTime() ?? NOW.getTime()).toBeLessThanOrEqual(NOW.getTime());
    expect(js?.item).not.toHaveProperty('url');
    expect(result.reports[0]?.itemMessages).toEqual([expect.stringMatching(/no text and no title; skipped$/)]);
  });

  it('never has two requests to one host in flight, and polls different hosts side by side', async () => {
    const inFlight = new Map<FeedServer, { now: number; max: number }>();
    const slowFeed = (feeds: FeedServer) => async (_request: IncomingMessage, response: ServerResponse) => {
      const counter = inFlight.get(feeds)!;
      counter.now += 1;
      counter.max = Math.max(counter.max, counter.now);
      await new Promise((resolve) => setTimeout(resolve, 40));
      counter.now -= 1;
      response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rssFeed('Slow', feeds.url('/'), []));
    };
    const hosts = [await server(), await server(), await server()];
    const d = deps();
    for (const feeds of hosts) {
      inFlight.set(feeds, { now: 0, max: 0 });
      feeds.route('/slow.xml', slowFeed(feeds));
      for (let index = 0; index < 4; index += 1) await follow(d, `${feeds.url('/slow.xml')}?n=${index}`);
    }
    const started = Date.now();
    const result = await pollSources(d, SETTINGS, NOW);
    const elapsed = Date.now() - started;

    expect(result.reports).toHaveLength(12);
    expect([...inFlight.values()].map((counter) => counter.max)).toEqual([1, 1, 1]);
    // Three hosts side by side: about 4 × 40 ms, not 12 × 40 ms (a wide bound: only the overlap matters).
    expect(elapsed).toBeLessThan(12 * 40);
  });

  it('excerpt-only items get the linked article (Readability, sanitised); a failed page falls back to the excerpt; never means never', async () => {
    const feeds = await server();
    const excerptFeed = rssFeed('Loopback News', feeds.url('/'), [
      {
        guid: 'first',
        title: 'First',
        link: feeds.url('/articles/first.html'),
        date: '2026-12-01T08:00:00Z',
        html: '<p>A short teaser.</p>',
      },
      {
        guid: 'broken',
        title: 'Broken page',
        link: feeds.url('/status/500'),
        date: '2026-12-01T08:00:00Z',
        html: '<p>Only the teaser here.</p>',
      },
    ]);
    feeds.feed('/excerpts.xml', excerptFeed);
    feeds.feed('/excerpts-never.xml', excerptFeed);
    const sources = new MemorySources();
    const d = pollDeps({ sources, seen: new MemorySeenItems() }, { ...SETTING_DEFAULTS, allowPrivateNetwork: true }, { random: () => 0.5 });
    await sources.add(newSource(feeds.url('/excerpts.xml'), NOW));
    await sources.add(newSource(feeds.url('/excerpts-never.xml'), NOW, 'never'));

    const result = await pollSources(d, SETTINGS, NOW);

    const text = (index: number) => new TextDecoder().decode(result.articles[index]!.bytes);
    const [never, auto] = [result.reports.find((r) => r.url.includes('never'))!, result.reports.find((r) => !r.url.includes('never'))!];
    const autoArticles = result.articles.filter((article) => !article.source.includes('never'));
    expect(autoArticles).toHaveLength(2);
    const first = new TextDecoder().decode(autoArticles[0]!.bytes);
    expect(first).toContain('Paragraph 1 of the loopback article');
    expect(first).not.toMatch(/tracker|injected|<script/);
    expect(new TextDecoder().decode(autoArticles[1]!.bytes)).toContain('Only the teaser here.');
    expect(auto.itemMessages).toEqual([
      expect.stringMatching(/status\/500: full text unavailable \(HTTP 500\); the feed's own text is used$/),
    ]);
    expect(never.itemMessages).toEqual([]);
    expect(text(0)).toContain('A short teaser.');
    expect(feeds.requests.filter((request) => request.path.startsWith('/articles/'))).toHaveLength(1);
  });

  it('records nothing until the commit: a run that dies before storing its digests is offered the same items again', async () => {
    const feeds = await server();
    feeds.feed('/town.xml', twoItems(feeds.url('')));
    const d = deps();
    const source = await follow(d, feeds.url('/town.xml'));

    const crashed = await poll(d, SETTINGS, NOW);
    expect(crashed.articles).toHaveLength(2);
    // No commit: the run died before its archive write.
    expect(await d.sources.get(source.id)).toEqual(source);
    expect(d.seen.seen.size).toBe(0);

    const retried = await poll(d, SETTINGS, later(60_000));
    expect(retried.articles.map((article) => article.item?.id)).toEqual(crashed.articles.map((article) => article.item?.id));
    expect(feeds.requests.filter((request) => request.path === '/town.xml').every((request) => !request.headers['if-none-match'])).toBe(
      true,
    );
    await retried.commit();
    expect((await poll(d, { ...SETTINGS, everySource: true }, later(120_000))).articles).toEqual([]);
  });

  it('a feed that renews every guid on each fetch floods nobody: the link identifies the item again', async () => {
    const feeds = await server();
    const base = feeds.url('');
    const withGuid = (guid: string) =>
      rssFeed('Renewing', `${base}/`, [
        { guid, title: 'Same story', link: `${base}/story`, date: '2026-12-01T07:00:00Z', html: articleHtml('story') },
      ]);
    feeds.feed('/renew.xml', withGuid('run-1'));
    const d = deps();
    await follow(d, feeds.url('/renew.xml'));
    expect((await pollSources(d, SETTINGS, NOW)).articles).toHaveLength(1);

    feeds.feed('/renew.xml', withGuid('run-2'));
    const again = await pollSources(d, { ...SETTINGS, everySource: true }, later(HOUR));
    expect(again.reports[0]).toMatchObject({ outcome: 'no-new-items', newItems: 0 });
  });
});
