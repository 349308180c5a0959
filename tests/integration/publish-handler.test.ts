/**
 * The real scheduled handler against S3, DynamoDB and SES emulators: what lands in the bucket, who gets
 * mail, and that a second run changes nothing.
 */
import { DynamoSubscribers } from '../../functions/adapters/aws/dynamodb-subscribers.js';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import RssParser from 'rss-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { parseKeyring, verifyToken } from '../../functions/core/tokens.js';
import { isSitePath } from '../../functions/core/render/outputs.js';
import { SITE_MARK_KEY } from '../../functions/shared/bucket-layout.js';
import { countByRecipient, createHarness, type Harness, TEST_KEYRING_JSON } from './harness.js';

const harnesses: Harness[] = [];
afterEach(() => {
  for (const harness of harnesses.splice(0)) harness.close();
});
async function harness(): Promise<Harness> {
  const created = await createHarness();
  harnesses.push(created);
  return created;
}

const MAX_AGE = /(?:^|[ ,])max-age=(\d+)/;

describe('publish handler against the emulators', () => {
  it('publishes the seed digest, its pages and the three feeds with real content types and cache headers', async () => {
    const h = await harness();
    const summary = await h.invoke({ scheduledAt: new Date().toISOString() });

    expect(summary).toMatchObject({ digests: 1, created: 1, updated: 0, articleErrors: 0, filesUnchanged: 0 });
    const [digest] = await h.digests();
    expect(digest).toBeDefined();
    const keys = await h.keys();
    expect(keys).toEqual(
      expect.arrayContaining(['index.html', `digests/${digest!.slug}/index.html`, 'feeds/rss.xml', 'feeds/atom.xml', 'feeds/feed.json']),
    );
    // Every site file, and beside them the mark of what the site was rendered from.
    expect(summary.filesWritten).toBe(keys.filter(isSitePath).length);
    expect(keys.filter((key) => !isSitePath(key))).toEqual([SITE_MARK_KEY]);
    // Permalinks before the pages that list them, feeds last: no reader follows a link to a missing page.
    const order = h.putKeys();
    const lastDigestPage = Math.max(...order.map((key, index) => (key.startsWith('digests/') ? index : -1)));
    const firstFeed = order.findIndex((key) => key.startsWith('feeds/'));
    expect(lastDigestPage).toBeLessThan(order.indexOf('index.html'));
    expect(order.indexOf('index.html')).toBeLessThan(firstFeed);
    expect(order.slice(firstFeed).every((key) => key.startsWith('feeds/'))).toBe(true);

    const expectedTypes: Record<string, string> = {
      'index.html': 'text/html; charset=utf-8',
      [`digests/${digest!.slug}/index.html`]: 'text/html; charset=utf-8',
      'feeds/rss.xml': 'application/rss+xml; charset=utf-8',
      'feeds/atom.xml': 'application/atom+xml; charset=utf-8',
      'feeds/feed.json': 'application/feed+json; charset=utf-8',
    };
    for (const [key, contentType] of Object.entries(expectedTypes)) {
      const object = await h.object(key);
      expect(object.contentType, key).toBe(contentType);
      const maxAge = Number(MAX_AGE.exec(object.cacheControl ?? '')?.[1]);
      expect(maxAge, `${key} max-age`).toBeGreaterThanOrEqual(300);
      expect(maxAge, `${key} max-age`).toBeLessThanOrEqual(3600);
    }
    // The bytes survive the trip intact (s3rver stores aws-chunked framing when checksums are left on).
    const page = (await h.object(`digests/${digest!.slug}/index.html`)).body.toString('utf8');
    expect(page.startsWith('<!DOCTYPE html>') || page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain(digest!.summary[0]!.slice(0, 40));

    const parser = new RssParser();
    const rss = await parser.parseString((await h.object('feeds/rss.xml')).body.toString('utf8'));
    const atom = await parser.parseString((await h.object('feeds/atom.xml')).body.toString('utf8'));
    for (const feed of [rss, atom]) {
      expect(feed.title).toBe('Gazette Integration');
      expect(feed.items).toHaveLength(1);
      expect(feed.items[0]!.title).toBe(digest!.headline);
      expect(feed.items[0]!.link).toBe(`https://news.example.com/digests/${digest!.slug}/`);
    }
    const json = JSON.parse((await h.object('feeds/feed.json')).body.toString('utf8')) as { version: string; items: { url: string }[] };
    expect(json.version).toBe('https://jsonfeed.org/version/1.1');
    expect(json.items.map((item) => item.url)).toEqual([`https://news.example.com/digests/${digest!.slug}/`]);

    expect(h.metrics).toEqual([
      expect.arrayContaining([
        { name: 'DigestsPublished', value: 1 },
        { name: 'MailsSent', value: 0 },
        { name: 'MailsFailed', value: 0 },
      ]),
    ]);
  });

  it('mails each confirmed subscriber exactly once, with one-click unsubscribe headers, and nobody else', async () => {
    const h = await harness();
    const confirmed = [h.address('ana'), h.address('bo'), h.address('chen')];
    const pendingAddress = h.address('pending');
    const unsubscribed = h.address('gone');
    const ids = new Map<string, string>();
    for (const email of confirmed) ids.set(email, await h.seedSubscriber(email, 'confirmed'));
    await h.seedSubscriber(pendingAddress, 'pending');
    await h.seedSubscriber(unsubscribed, 'unsubscribed');

    const summary = await h.invoke();

    expect(summary.mail).toMatchObject({ sent: 3, alreadySent: 0, failed: 0, deferred: 0 });
    const mails = await h.mails();
    expect(Object.fromEntries(countByRecipient(mails))).toEqual(Object.fromEntries(confirmed.map((email) => [email, 1])));
    const [digest] = await h.digests();
    const keyring = parseKeyring(TEST_KEYRING_JSON, 'test');
    for (const { to, parsed, raw } of mails) {
      expect(parsed.subject).toContain(digest!.headline);
      expect(parsed.from?.value[0]?.address).toBe('news@example.com');
      expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0]?.address : undefined).toBe(to);
      expect(parsed.text).toContain(digest!.summary[0]!.slice(0, 40));
      expect(parsed.html).toBeTruthy();
      // Exactly one of each RFC 8058 field in the bytes SES received.
      const header = raw.toString('utf8').split('\r\n\r\n')[0]!;
      expect(header.match(/^List-Unsubscribe:/gim)).toHaveLength(1);
      expect(header.match(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/gim)).toHaveLength(1);
      // The one-click link carries a valid unsubscribe token for exactly this subscriber.
      const link = /<(https:\/\/news\.example\.com\/api\/unsubscribe\?token=[^>]+)>/.exec(
        String(parsed.headers.get('list-unsubscribe') ?? header),
      )?.[1];
      expect(link).toBeDefined();
      const token = new URL(link!).searchParams.get('token')!;
      expect(verifyToken(token, 'unsubscribe', keyring, new Date()).subscriberId).toBe(ids.get(to));
    }
    // The emulator's own inbox shows the same mails (what `npm run dev` points people at).
    const store = await fetch(`${h.endpoints.ses}/store`).then(
      (response) => response.json() as Promise<{ emails: { destination: { to: string[] } }[] }>,
    );
    const inStore = store.emails.flatMap((email) => email.destination.to).filter((to) => confirmed.some((address) => to.includes(address)));
    expect(inStore).toHaveLength(3);

    const deliveries = await h.deliveries();
    expect(deliveries).toHaveLength(3);
    // The ledger's partition key holds the edition's delivery id: one edition, three copies.
    for (const delivery of deliveries) {
      expect(delivery).toMatchObject({ digestId: digest!.editions![0], status: 'sent', messageId: expect.stringMatching(/^ses-/) });
    }
    expect(digest!.editions![0]).toMatch(/^edition:instant:/);
    expect(digest!.mailStatus).toBe('pending');
    expect(h.metrics.at(-1)).toEqual(expect.arrayContaining([{ name: 'MailsSent', value: 3 }]));
  });

  it('a second invocation uploads nothing, mails nobody and leaves ETags and Last-Modified alone', async () => {
    const h = await harness();
    await h.seedSubscriber(h.address('ana'), 'confirmed');
    const first = await h.invoke();
    expect(first.mail.sent).toBe(1);
    const putsAfterFirst = h.putCount();
    expect(putsAfterFirst).toBe(first.filesWritten);
    const before = await Promise.all((await h.keys()).map(async (key) => [key, await h.head(key)] as const));
    // Every AWS request the idle run makes, by command: what "a run with nothing due" costs.
    const requests: string[] = [];
    for (const client of [h.clients.s3, h.clients.ses, h.clients.dynamodb] as const) {
      (client.middlewareStack as { add: (mw: unknown, options: unknown) => void }).add(
        (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
          requests.push(String(context.commandName));
          return next(args);
        },
        { step: 'initialize', name: `count-${requests.length}-${Math.random()}` },
      );
    }

    const second = await h.invoke();
    const idle = [...requests];
    // Nothing due: no SES call at all (not even the quota read), no ledger write, no cursor write, no upload.
    expect(idle.filter((command) => /Send|GetSendQuota/.test(command))).toEqual([]);
    expect(idle.filter((command) => /^(PutObject|UpdateItem)Command$/.test(command))).toEqual([]);
    // Nine requests in all, whatever the archive holds: the lease (put, delete), the site's mark, the
    // inbox's listing, the seed's digest by id, one query of the followed feeds (none here), the list,
    // the archive index's query of the editions' window (nothing after the reader's cursor), and the
    // last-run record for `gazette status` (put). No scan of the archive, no listing of the site,
    // nothing rendered. An hourly schedule costs this when nothing is due.
    expect([...idle].sort()).toEqual([
      'BatchGetItemCommand',
      'DeleteItemCommand',
      'GetObjectCommand',
      'ListObjectsV2Command',
      'PutItemCommand',
      'PutItemCommand',
      'QueryCommand',
      'QueryCommand',
      'ScanCommand',
    ]);

    expect(h.putCount()).toBe(putsAfterFirst);
    expect(second).toMatchObject({ created: 0, updated: 0, filesWritten: 0, filesUnchanged: 0 });
    expect(second.mail).toMatchObject({ sent: 0, failed: 0, deferred: 0 });
    expect(await h.mails()).toHaveLength(1);
    const after = await Promise.all((await h.keys()).map(async (key) => [key, await h.head(key)] as const));
    expect(after).toEqual(before);
  });

  it('five new articles in inbox/ are ONE email per confirmed subscriber with all of them; the next run sends nothing', async () => {
    const h = await harness();
    const readers = [h.address('dee'), h.address('eli')];
    for (const email of readers) await h.seedSubscriber(email, 'confirmed');
    await h.invoke();
    expect(await h.mails()).toHaveLength(2);
    const towns = ['Alder', 'Birch', 'Cedar', 'Dogwood', 'Elm'];
    for (const town of towns) {
      const body = [
        '---',
        `title: ${town} opens a new public library`,
        `url: https://example.org/${town.toLowerCase()}-library`,
        '---',
        '',
        `The town of ${town} opened its new public library on Monday, after two years of building work by local firms.`,
        '',
        `The library has a reading room, a children's floor and a workshop with tools that residents can borrow for free.`,
        '',
        `The council said the building uses a third less energy than the old one and will open on Sundays from next month.`,
        '',
      ].join('\n');
      await h.clients.s3.send(new PutObjectCommand({ Bucket: h.names.bucket, Key: `inbox/${town.toLowerCase()}.md`, Body: body }));
    }

    const summary = await h.invoke();

    expect(summary).toMatchObject({ created: 5 });
    expect(summary.mail).toMatchObject({ sent: 2, editions: 1 });
    const mails = (await h.mails()).slice(2);
    expect(Object.fromEntries(countByRecipient(mails))).toEqual(Object.fromEntries(readers.map((email) => [email, 1])));
    for (const { parsed } of mails) {
      const linked = new Set(
        [...String(parsed.html).matchAll(/href="https:\/\/news\.example\.com\/digests\/([^"/]+)\/"/g)].map((m) => m[1]),
      );
      expect(linked.size).toBe(5);
      expect(parsed.subject).toMatch(/, and 4 more$/);
    }
    // Each reader's cursor is stored in the subscribers table; the edition page is on the site.
    const stored = await new DynamoSubscribers(h.clients.doc, h.names.tables.subscribers).listConfirmed();
    expect(stored.map((subscriber) => subscriber.cursor).every((cursor) => typeof cursor === 'string')).toBe(true);
    expect((await h.keys('editions/')).length).toBe(2);

    const again = await h.invoke();
    expect(again.mail).toMatchObject({ sent: 0, alreadySent: 0 });
    expect(await h.mails()).toHaveLength(4);
  });

  it('reads each inbox article once: a stored one moves to processed/, a bad one stays and is reported every run, an edit re-uploaded updates in place and mails nobody', async () => {
    const h = await harness();
    const reader = h.address('fay');
    await h.seedSubscriber(reader, 'confirmed');
    const article = (fix: string) =>
      [
        '# Ferry timetable changes in spring',
        '',
        `The ferry company will run ${fix} crossings a day from April, the harbour office said on Monday.`,
        '',
        'The first boat leaves at six in the morning and the last one returns just before midnight.',
        '',
      ].join('\n');
    const put = (key: string, body: string) => h.clients.s3.send(new PutObjectCommand({ Bucket: h.names.bucket, Key: key, Body: body }));
    await put('inbox/ferry.md', article('twelve'));
    await put('inbox/minutes.pdf', '%PDF-1.7 not an article');
    await put('inbox/blank.txt', '   \n');

    const first = await h.invoke();
    expect(first).toMatchObject({ created: 2, articleErrors: 2 });
    expect(await h.keys('inbox/')).toEqual(['inbox/blank.txt', 'inbox/minutes.pdf']);
    expect(await h.keys('processed/')).toEqual(['processed/ferry.md']);
    expect((await h.object('processed/ferry.md')).body.toString('utf8')).toBe(article('twelve'));
    expect(await h.mails()).toHaveLength(1);

    // The bad ones are where the operator put them, and every run says so.
    const second = await h.invoke();
    expect(second).toMatchObject({ created: 0, updated: 0, articleErrors: 2 });

    // The same name again, edited: its identity is the name it arrived under, so the digest is updated.
    await put('inbox/ferry.md', article('fourteen'));
    const third = await h.invoke();
    expect(third).toMatchObject({ created: 0, updated: 1, articleErrors: 2 });
    expect(third.mail.sent).toBe(0);
    expect(await h.mails()).toHaveLength(1);
    expect(await h.keys('inbox/')).toEqual(['inbox/blank.txt', 'inbox/minutes.pdf']);
    expect((await h.object('processed/ferry.md')).body.toString('utf8')).toBe(article('fourteen'));
    const ferry = (await h.digests()).find((digest) => digest.sourceName === 'inbox/ferry.md');
    expect(ferry?.id).toBe('path:inbox/ferry.md');
    expect(ferry?.summary.join(' ')).toContain('fourteen');
  });

  it('publishes an article dropped into inbox/ next to the seeds', async () => {
    const h = await harness();
    const firstRun = await h.invoke();
    const putsBefore = h.putCount();
    const article = [
      '---',
      'title: Harbour cranes return to the old port',
      'url: https://example.org/harbour-cranes',
      'tags: [city, port]',
      '---',
      '',
      'The city brought two restored harbour cranes back to the old port on Monday, after three years of repairs in a shipyard up the river.',
      '',
      'Engineers replaced the rusted steel of both jibs and rebuilt the driver cabins with the original wooden panels. The work cost less than planned because volunteers catalogued every part before it was taken apart.',
      '',
      'The cranes will not lift cargo again, but visitors can climb into the cabins on weekends from next month. The port museum expects the cranes to double its summer visitors.',
      '',
    ].join('\n');
    await h.clients.s3.send(
      new PutObjectCommand({ Bucket: h.names.bucket, Key: 'inbox/harbour-cranes.md', Body: article, ContentType: 'text/markdown' }),
    );

    const summary = await h.invoke();

    expect(summary).toMatchObject({ created: 1, digests: 2, articleErrors: 0 });
    const digests = await h.digests();
    const cranes = digests.find((digest) => digest.sourceName === 'inbox/harbour-cranes.md');
    expect(cranes).toBeDefined();
    expect(await h.keys(`digests/${cranes!.slug}/`)).toEqual([`digests/${cranes!.slug}/index.html`]);
    const rss = await new RssParser().parseString((await h.object('feeds/rss.xml')).body.toString('utf8'));
    expect(rss.items.map((item) => item.link)).toContain(`https://news.example.com/digests/${cranes!.slug}/`);
    // Only what the new digest touches was rendered: the seed's own page was not even rendered again.
    const seed = digests.find((digest) => digest !== cranes)!;
    expect(summary.filesWritten + summary.filesUnchanged).toBeLessThan(firstRun.filesWritten);
    expect(h.putKeys().slice(putsBefore)).not.toContain(`digests/${seed.slug}/index.html`);
    expect(await h.keys(`digests/${seed.slug}/`)).toHaveLength(1);
  });
});
