/**
 * Feed items through the whole publish use case: the feed source joins the file source, each new item
 * becomes a digest with the item's own metadata and its feed's provenance, a source's first fetch and
 * items already old when first seen are published but never mailed, and a later item is mailed once.
 * Real fetch (loopback) and parser; the publish ports are the memory fakes.
 */
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { CombinedArticleSource } from '../../functions/core/publish/combined-article-source.js';
import { HttpFeedFetcher } from '../../functions/adapters/http/http-feed-fetcher.js';
import { publishDigests } from '../../functions/core/publish/publish-digests.js';
import { FeedArticleSource } from '../../functions/core/sources/feed-article-source.js';
import { parseFeed } from '../../functions/core/sources/parse-feed.js';
import { newSource } from '../../functions/core/sources/source.js';
import { FixedClock, MemoryArchive, MemoryLedger, memoryPublishWorld, RecordingMailer, TEST_PUBLISH_SETTINGS } from '../fakes/index.js';
import { MemorySeenItems, MemorySources } from '../fakes/sources.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { articleHtml, rssFeed } from '../support/feed-fixtures.js';

const HOUR = 3_600_000;
let feeds: FeedServer | undefined;
afterEach(async () => {
  await feeds?.close();
  feeds = undefined;
});

const reader = { id: 'reader1', email: 'reader@example.net', status: 'confirmed' as const };
const SEED = `A plain article from the seed folder. ${'It says something sensible about the weather and the harvest. '.repeat(6)}`;

describe('publishing feed items', () => {
  it('first fetch: published with item metadata and provenance, mailed to nobody; a later item is mailed once', async () => {
    feeds = await startFeedServer();
    const base = feeds.url('');
    feeds.feed(
      '/notes.xml',
      rssFeed('Town Hall Notes', `${base}/`, [
        {
          guid: 'budget',
          title: 'The budget vote',
          link: `${base}/budget?utm_source=rss&fbclid=x`,
          date: '2026-11-28T05:00:00Z',
          html: articleHtml('budget'),
          categories: ['Council'],
        },
      ]),
    );
    const sources = new MemorySources();
    const seen = new MemorySeenItems();
    await sources.add(newSource(feeds.url('/notes.xml'), new Date('2026-11-28T00:00:00Z')));
    const clock = new FixedClock(new Date('2026-11-28T07:00:00Z'));
    const archive = new MemoryArchive();
    const ledger = new MemoryLedger();
    const mailer = new RecordingMailer();
    const run = async () => {
      const world = memoryPublishWorld({ files: { 'seed.txt': SEED }, people: [reader], archive, ledger, mailer, clock });
      const feedSource = new FeedArticleSource(
        { sources, seen, fetcher: new HttpFeedFetcher({ allowPrivateNetwork: true }), parseFeed, random: () => 0.5 },
        { pauseAfterErrors: 10, maxAgeToMailMs: 48 * HOUR },
        clock,
      );
      const report = await publishDigests(
        { ...world, source: new CombinedArticleSource([world.source, feedSource]) },
        TEST_PUBLISH_SETTINGS,
      );
      return { report, feedSource };
    };

    const first = await run();
    expect(first.report.created).toHaveLength(2);
    expect(first.report.held).toEqual({ 'first-fetch': 1, 'too-old': 0 });
    const budget = first.report.created.find((digest) => digest.provenance)!;
    expect(budget).toMatchObject({
      sourceUrl: `${base}/budget`,
      provenance: { title: 'Town Hall Notes', url: `${base}/` },
      published: '2026-11-28T05:00:00.000Z',
      mailStatus: 'not-mailed',
    });
    expect(budget.keywords).toContain('council');
    // Only the seed file is mailed; the feed's backlog is not.
    expect(mailer.sent).toHaveLength(1);
    expect(first.feedSource.reports).toEqual([expect.objectContaining({ outcome: 'new-items', newItems: 1 })]);

    // The feed posted once last week, so it is due a day later (the schedule's rate rule).
    clock.advance(25 * HOUR);
    feeds.feed(
      '/notes.xml',
      rssFeed('Town Hall Notes', `${base}/`, [
        {
          guid: 'library',
          title: 'Library hours change',
          link: `${base}/library`,
          date: '2026-11-28T08:30:00Z',
          html: articleHtml('library'),
        },
        { guid: 'old', title: 'An old note', link: `${base}/old`, date: '2026-11-01T08:30:00Z', html: articleHtml('archive') },
        { guid: 'budget', title: 'The budget vote', link: `${base}/budget`, date: '2026-11-28T05:00:00Z', html: articleHtml('budget') },
      ]),
    );
    const second = await run();
    expect([...archive.digests.values()].map((digest) => [digest.sourceUrl, digest.mailStatus])).toEqual(
      expect.arrayContaining([
        [`${base}/library`, 'pending'], // pending: it goes out in editions (cursors record who got it)
        [`${base}/old`, 'not-mailed'],
      ]),
    );
    expect(second.report.created).toHaveLength(2);
    expect(second.report.held).toEqual({ 'first-fetch': 0, 'too-old': 1 });
    expect(mailer.sent).toHaveLength(2);
    const mail = await simpleParser(mailer.sent[1]!.raw);
    // The edition email names the feed and links the original article.
    expect(mail.text).toContain('From Town Hall Notes');
    expect(mail.text).toContain(`Original article: ${base}/library`);

    // A third run with nothing new in the feed: a conditional request, nothing created, nothing mailed.
    clock.advance(25 * HOUR);
    const third = await run();
    expect(third.report.created).toEqual([]);
    expect(mailer.sent).toHaveLength(2);
    expect(feeds.requests.at(-1)?.headers['if-none-match']).toBeDefined();
  });
});
