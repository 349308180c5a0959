/**
 * `gazette sources …` and `gazette publish --sources FILE` as a user types them, on a temporary `--out`
 * and a loopback feed server (hence `--allow-private-network`), through the real fetch, parser and
 * SQLite state.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runGazette } from '../../functions/cli/gazette.js';
import { EXIT_CODES } from '../../functions/cli/cli-errors.js';
import { memoryIo } from '../fakes/memory-io.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { articleHtml, rssFeed } from '../support/feed-fixtures.js';

let work: string;
let out: string;
let feeds: FeedServer;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'gazette-sources-cli-'));
  out = join(work, 'out');
  feeds = await startFeedServer();
});
afterEach(async () => {
  await feeds.close();
  await rm(work, { recursive: true, force: true });
});

async function gazette(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo();
  const code = await runGazette(args, io);
  return { code, out: io.out(), err: io.err() };
}

const sources = (...args: string[]) => gazette('sources', ...args, '--out', out, '--allow-private-network');

describe('gazette sources', () => {
  it('add (a homepage: autodiscovery), list, import OPML, export, check, remove', async () => {
    const added = await sources('add', feeds.url('/'));
    expect(added).toMatchObject({ code: EXIT_CODES.ok, err: '' });
    expect(added.out).toContain(`found the feed ${feeds.url('/feed.xml')} on ${feeds.url('/')}`);
    expect(added.out).toContain('(Loopback News): added');
    expect((await sources('add', feeds.url('/feed.xml'))).out).toContain('already followed');

    const opml = join(work, 'reader.opml');
    await writeFile(
      opml,
      `<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body><outline text="Folder">
<outline type="rss" text="Broken" xmlUrl="${feeds.url('/status/500')}"/><outline type="rss" text="Bad" xmlUrl="file:///etc/passwd"/></outline></body></opml>`,
    );
    const imported = await sources('import', opml);
    expect(imported.code).toBe(EXIT_CODES.partial);
    expect(imported.out).toBe('1 added, 0 already followed, 1 refused\n');
    expect(imported.err).toContain('"Bad": xmlUrl is not an http(s) URL');

    const list = await sources('list');
    expect(list.out.split('\n').filter(Boolean)).toEqual([
      `active    ${feeds.url('/feed.xml')}  Loopback News`,
      `active    ${feeds.url('/status/500')}  Broken`,
      '2 source(s)',
    ]);
    const exported = await sources('export');
    expect(exported.out).toContain(`xmlUrl="${feeds.url('/feed.xml')}"`);

    const check = await sources('check');
    expect(check.code).toBe(EXIT_CODES.partial);
    expect(check.out).toMatch(
      new RegExp(
        `^ACTIVE +${escape(feeds.url('/feed.xml'))}  Loopback News\\n +last: 200, a readable feed of 1 items · 0 items · last new item: never · 0 errors in a row`,
        'm',
      ),
    );
    expect(check.out).toMatch(/^FAILING +\S+\/status\/500  Broken\n +last: HTTP 500 · 0 items · last new item: never · 1 errors in a row/m);
    expect(check.out).toContain('2 source(s): 1 healthy, 1 failing, 0 paused, 0 disabled');

    expect((await sources('remove', feeds.url('/status/500'))).out).toContain('/status/500: removed');
    expect((await sources('remove', feeds.url('/status/500'))).out).toBe('not followed; nothing removed\n');
    expect((await sources('list')).out).toContain('1 source(s)');
  });

  it('add refuses a page without a feed and a non-http URL, with a clear message', async () => {
    feeds.route(
      '/plain.html',
      (_request, response) =>
        void response.writeHead(200, { 'content-type': 'text/html' }).end('<html><head><title>x</title></head><body>hi</body></html>'),
    );
    const noFeed = await sources('add', feeds.url('/plain.html'));
    expect(noFeed.code).toBe(EXIT_CODES.partial);
    expect(noFeed.err).toMatch(/no feed added: .*the page links to no feed/);
    expect((await sources('add', 'javascript:alert(1)')).code).toBe(EXIT_CODES.usage);
    expect((await sources('list')).out).toBe('0 source(s)\n');
  });
});

describe('gazette publish --sources', () => {
  it("publishes a list's feeds next to the seeds: the first fetch is not mailed, a later item is, a re-run is a 304", async () => {
    const seeds = join(work, 'seeds');
    await cp(join(import.meta.dirname, '../../seeds'), seeds, { recursive: true });
    const subscribers = join(work, 'subscribers.json');
    await writeFile(subscribers, JSON.stringify([{ email: 'reader@example.com', status: 'confirmed' }]));
    const base = feeds.url('');
    feeds.feed(
      '/town.xml',
      rssFeed('Town Hall Notes', `${base}/`, [
        { guid: 'budget', title: 'The budget vote', link: `${base}/budget`, date: '2026-12-01T06:00:00Z', html: articleHtml('budget') },
      ]),
    );
    const list = join(work, 'feeds.txt');
    await writeFile(list, `# my feeds\n${feeds.url('/town.xml')}\n`);
    const publish = (now: string) =>
      gazette(
        'publish',
        '--seeds',
        seeds,
        '--out',
        out,
        '--subscribers',
        subscribers,
        '--now',
        now,
        '--sources',
        list,
        '--allow-private-network',
      );

    const first = await publish('2026-12-01T07:00:00Z');
    // The items are short (under fullTextMinWords), so their linked pages are tried; the server has none.
    expect(first.err.split('\n').filter(Boolean)).toEqual([
      `source warning: ${feeds.url('/town.xml')} item ${base}/budget: full text unavailable (HTTP 404); the feed's own text is used`,
    ]);
    expect(first.code).toBe(EXIT_CODES.ok);
    expect(first.out).toContain('Digests: 2 new');
    expect(first.out).toContain("Held:    1 new digest(s) published but not mailed (1 from a feed's first fetch)");
    expect(first.out).toContain('Sources: 1 polled, 1 new items, 0 failing');
    expect(await readdir(join(out, 'outbox'))).toHaveLength(1); // the seed only
    const pages = await Promise.all(
      (await readdir(join(out, 'site/digests'))).map((slug) => readFile(join(out, 'site/digests', slug, 'index.html'), 'utf8')),
    );
    expect(pages.filter((page) => page.includes(`From <a href="${base}/">Town Hall Notes</a>`))).toHaveLength(1);

    feeds.feed(
      '/town.xml',
      rssFeed('Town Hall Notes', `${base}/`, [
        {
          guid: 'library',
          title: 'Library hours change',
          link: `${base}/library`,
          date: '2026-12-02T07:30:00Z',
          html: articleHtml('library'),
        },
        { guid: 'budget', title: 'The budget vote', link: `${base}/budget`, date: '2026-12-01T06:00:00Z', html: articleHtml('budget') },
      ]),
    );
    // One item last week: due a day later (±10 % jitter), so 27 hours on.
    const second = await publish('2026-12-02T10:00:00Z');
    expect(second.out).toContain('Digests: 1 new');
    expect(second.out).not.toContain('Held:');
    const mails = await readdir(join(out, 'outbox'));
    expect(mails).toHaveLength(2);
    const texts = await Promise.all(mails.map(async (name) => (await simpleParser(await readFile(join(out, 'outbox', name)))).text ?? ''));
    expect(texts.some((text) => text.includes('From Town Hall Notes') && text.includes(`Original article: ${base}/library`))).toBe(true);

    // Two items last week: due in 3.5 days (±10 %).
    const third = await publish('2026-12-06T09:00:00Z');
    expect(third.out).toContain('Digests: 0 new');
    expect(third.out).toContain('Town Hall Notes: not-modified');
    const townRequests = feeds.requests.filter((request) => request.path === '/town.xml');
    expect(townRequests.at(-1)?.headers['if-none-match']).toBeDefined();
  });

  it('without sources nothing is fetched and the report has no Sources line', async () => {
    const seeds = join(work, 'seeds');
    await cp(join(import.meta.dirname, '../../seeds'), seeds, { recursive: true });
    const run = await gazette('publish', '--seeds', seeds, '--out', out, '--no-mail', '--now', '2026-12-01T07:00:00Z');
    expect(run.code).toBe(EXIT_CODES.ok);
    expect(run.out).not.toMatch(/Sources:|Held:/);
    expect(feeds.requests).toEqual([]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
