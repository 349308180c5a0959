/**
 * The scheduled handler follows a feed: against the emulators (S3, SES, DynamoDB) and a loopback feed
 * server (`GAZETTE_ALLOW_PRIVATE_NETWORK=true`, as an intranet deployment would set it), the first run
 * publishes the feed's items and mails none of them (a first fetch); a later run makes only
 * conditional requests, the server answers 304, and nothing new is published or mailed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoSources } from '../../functions/adapters/aws/dynamodb-sources.js';
import { newSource } from '../../functions/core/sources/source.js';
import { ENV } from '../../functions/shared/env-names.js';
import { FixedClock } from '../fakes/index.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { articleHtml, rssFeed } from '../support/feed-fixtures.js';
import { createHarness, type Harness } from './harness.js';

let harness: Harness | undefined;
let feeds: FeedServer | undefined;
afterEach(async () => {
  harness?.close();
  await feeds?.close();
  harness = undefined;
  feeds = undefined;
});

const HOUR = 3_600_000;

describe('the scheduled publisher with a followed feed', () => {
  it('publishes a first fetch unmailed, then polls with validators only: 304, 0 new digests, 0 mails', async () => {
    feeds = await startFeedServer();
    const base = feeds.url('');
    const start = new Date();
    const clock = new FixedClock(start);
    feeds.feed(
      '/town.xml',
      rssFeed('Town Hall Notes', `${base}/`, [
        {
          guid: 'budget',
          title: 'The budget vote',
          link: `${base}/budget`,
          date: new Date(start.getTime() - HOUR).toISOString(),
          html: articleHtml('budget'),
        },
        {
          guid: 'parks',
          title: 'Parks reopen',
          link: `${base}/parks`,
          date: new Date(start.getTime() - 2 * HOUR).toISOString(),
          html: articleHtml('parks'),
        },
      ]),
    );
    harness = await createHarness({ clock, variables: { [ENV.allowPrivateNetwork]: 'true' } });
    const sources = new DynamoSources(harness.clients.doc, harness.names.tables.sources);
    const source = newSource(feeds.url('/town.xml'), start);
    await sources.add(source);
    const reader = harness.address('reader');
    await harness.seedSubscriber(reader, 'confirmed');

    const first = await harness.invoke();

    expect(first.sources).toEqual({ polled: 1, newItems: 2, failing: [] });
    expect(first.held).toEqual({ 'first-fetch': 2, 'too-old': 0 });
    const fromFeed = (await harness.digests()).filter((digest) => digest.provenance);
    expect(fromFeed.map((digest) => [digest.sourceUrl, digest.mailStatus]).sort()).toEqual([
      [`${base}/budget`, 'not-mailed'],
      [`${base}/parks`, 'not-mailed'],
    ]);
    const rss = (await harness.object('feeds/rss.xml')).body.toString('utf8');
    expect(rss).toContain(`<source url="${base}/">Town Hall Notes</source>`);
    const mailsAfterFirst = await harness.mails();
    // The seeds are mailed as always; nothing from the feed's first fetch is.
    expect(mailsAfterFirst.length).toBeGreaterThan(0);
    for (const mail of mailsAfterFirst) expect(mail.parsed.text).not.toContain('Town Hall Notes');
    const stored = await sources.get(source.id);
    expect(stored).toMatchObject({ firstFetchDone: true, itemCount: 2 });
    expect(stored?.validators.etag).toBeDefined();
    const requestsBefore = feeds.requests.length;

    // Past the feed's next poll time (a day for two items a week, ±10 %): due again.
    clock.advance(27 * HOUR);
    const second = await harness.invoke();

    const later = feeds.requests.slice(requestsBefore);
    expect(later.length).toBeGreaterThan(0);
    for (const request of later) {
      expect(request.headers['if-none-match']).toBe(stored?.validators.etag);
      expect(request.headers['if-modified-since']).toBe(stored?.validators.lastModified);
    }
    expect((await sources.get(source.id))?.lastStatus).toBe('304 not modified');
    expect(second.sources).toEqual({ polled: 1, newItems: 0, failing: [] });
    expect(second.created).toBe(0);
    expect(second.mail.sent).toBe(0);
    expect(await harness.mails()).toHaveLength(mailsAfterFirst.length);
  });

  it('a failing feed is reported by URL and the files still publish', async () => {
    feeds = await startFeedServer();
    harness = await createHarness({ variables: { [ENV.allowPrivateNetwork]: 'true' } });
    await new DynamoSources(harness.clients.doc, harness.names.tables.sources).add(newSource(feeds.url('/status/503'), new Date()));

    const run = await harness.invoke();

    expect(run.sources.failing).toEqual([{ url: feeds.url('/status/503'), status: 'active', message: 'HTTP 503' }]);
    expect(run.created).toBeGreaterThan(0);
  });

  it('by default refuses a loopback feed (no request forgery), as a clear per-source error', async () => {
    feeds = await startFeedServer();
    harness = await createHarness();
    await new DynamoSources(harness.clients.doc, harness.names.tables.sources).add(newSource(feeds.url('/feed.xml'), new Date()));

    const run = await harness.invoke();

    expect(run.sources.failing).toEqual([expect.objectContaining({ message: expect.stringMatching(/refused address/) })]);
    expect(feeds.requests).toEqual([]);
  });
});
