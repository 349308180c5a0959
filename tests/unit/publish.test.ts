import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Subscriber } from '../../functions/core/model.js';
import type { DeliveryId } from '../../functions/core/publish/delivery.js';
import { publishDigests, type PublishDeps } from '../../functions/core/publish/publish-digests.js';
import { ExtractiveSummarizer } from '../../functions/core/summarize/index.js';
import {
  FixedClock,
  MemoryArchive,
  MemoryLease,
  MemoryLedger,
  MemorySite,
  MemorySource,
  MemoryReaders,
  RecordingMailer,
  TEST_PUBLISH_SETTINGS,
} from '../fakes/index.js';

const seed = readFileSync(new URL('../../seeds/000_89c895b2b4859281.txt', import.meta.url), 'utf8');
const START = new Date('2026-11-28T07:00:00Z');

/** A plausible news article with a stable identity given in front matter. */
function markdownArticle(id: string, topic: string, extra = ''): string {
  return [
    '---',
    `id: ${id}`,
    `title: ${topic} council approves new budget for the coming year`,
    `url: https://news.example.com/${id}`,
    '---',
    `The ${topic} city council approved a new budget on Monday after a long debate about public transport.`,
    `Council members voted nine to four in favour of the plan, which raises spending on buses and cycle lanes.`,
    `Opponents argued that the ${topic} plan would increase local taxes for small businesses in the centre.`,
    `The mayor said the budget reflects what residents asked for during months of public consultation.`,
    `Construction on the first new cycle lanes is expected to begin in the spring, officials said.`,
    `A final review of the spending will take place at the end of the year. ${extra}`,
  ].join('\n');
}

function subscribers(count: number, extra: Subscriber[] = []): Subscriber[] {
  const confirmed = Array.from({ length: count }, (_, i) => ({
    id: `sub-${String(i).padStart(3, '0')}`,
    email: `reader${i}@example.com`,
    status: 'confirmed' as const,
  }));
  return [...confirmed, ...extra];
}

interface World {
  clock: FixedClock;
  source: MemorySource;
  archive: MemoryArchive;
  site: MemorySite;
  ledger: MemoryLedger;
  mailer: RecordingMailer;
  lease: MemoryLease;
  sleeps: number[];
  deps: PublishDeps;
}

function world(options: { people?: Subscriber[]; mailer?: RecordingMailer; files?: Record<string, string | Uint8Array> } = {}): World {
  const clock = new FixedClock(START);
  const source = new MemorySource(options.files ?? { '000_seed.txt': seed });
  const archive = new MemoryArchive();
  const site = new MemorySite();
  const ledger = new MemoryLedger();
  const mailer = options.mailer ?? new RecordingMailer();
  const lease = new MemoryLease();
  const sleeps: number[] = [];
  const deps: PublishDeps = {
    clock,
    source,
    archive,
    site,
    subscribers: new MemoryReaders(options.people ?? subscribers(3)),
    ledger,
    mailer,
    lease,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    random: () => 0.5,
  };
  return { clock, source, archive, site, ledger, mailer, lease, sleeps, deps };
}

const settings = TEST_PUBLISH_SETTINGS;

function recipients(mailer: RecordingMailer): string[] {
  return mailer.sent.map((mail) => mail.to).sort();
}

describe('publishDigests', () => {
  it('publishes a digest per article, the site and feeds, and mails each confirmed subscriber once', async () => {
    const w = world({
      people: subscribers(2, [
        { id: 'pending-1', email: 'pending@example.com', status: 'pending' },
        { id: 'gone-1', email: 'gone@example.com', status: 'unsubscribed' },
      ]),
    });
    const report = await publishDigests(w.deps, settings);
    expect(report.created).toHaveLength(1);
    expect(report.articleErrors).toEqual([]);
    expect(report.site.written).toEqual(expect.arrayContaining(['index.html', 'feeds/rss.xml', 'feeds/atom.xml', 'feeds/feed.json']));
    expect(report.site.written).toContain(`digests/${report.created[0]!.slug}/index.html`);
    expect(report.mail).toMatchObject({ sent: 2, alreadySent: 0, failed: 0, deferred: 0 });
    expect(recipients(w.mailer)).toEqual(['reader0@example.com', 'reader1@example.com']);
    // The digest stays in the stream of editions; the edition that carried it is recorded on it.
    expect(w.archive.digests.get(report.created[0]!.id)).toMatchObject({
      mailStatus: 'pending',
      editions: ['edition:instant:2026-11-28-0700-instant'],
    });
  });

  it('changes nothing and mails nobody when run again on the same articles', async () => {
    const w = world();
    await publishDigests(w.deps, settings);
    const writes = w.site.writes;
    const puts = w.archive.puts;
    w.clock.advance(24 * 60 * 60 * 1000);
    const second = await publishDigests(w.deps, { ...settings, runId: 'run-2' });
    expect(second.created).toEqual([]);
    expect(second.unchanged).toBe(1);
    expect(second.site.written).toEqual([]);
    expect(w.site.writes).toBe(writes);
    expect(w.archive.puts).toBe(puts);
    expect(w.mailer.sent).toHaveLength(3);
  });

  it('updates an edited article in place, with a new updated date, and does not mail it again', async () => {
    const w = world({ files: { 'budget.md': markdownArticle('budget-2026', 'Springfield') } });
    const first = await publishDigests(w.deps, settings);
    const original = first.created[0]!;
    w.clock.advance(60 * 60 * 1000);
    w.source.put(
      'budget.md',
      markdownArticle('budget-2026', 'Springfield', 'An amendment about parking was added late on Monday evening.'),
    );
    const second = await publishDigests(w.deps, { ...settings, runId: 'run-2' });
    expect(second.updated).toHaveLength(1);
    const edited = second.updated[0]!;
    expect(edited.slug).toBe(original.slug);
    expect(edited.published).toBe(original.published);
    expect(edited.updated).toBe(w.clock.now().toISOString());
    expect(edited.updated > original.updated).toBe(true);
    expect(w.mailer.sent).toHaveLength(3);
    const rss = w.site.files.get('feeds/rss.xml')!.body.toString('utf8');
    expect(rss.match(/<item>/g)).toHaveLength(1);
  });

  it('mails a new article as a new digest', async () => {
    const w = world({ files: { 'a.md': markdownArticle('a', 'Springfield') } });
    await publishDigests(w.deps, settings);
    w.clock.advance(60 * 60 * 1000);
    w.source.put('b.md', markdownArticle('b', 'Shelbyville'));
    const second = await publishDigests(w.deps, { ...settings, runId: 'run-2' });
    expect(second.created.map((digest) => digest.id)).toEqual(['b']);
    expect(second.published).toBe(2);
    expect([...w.archive.digests.keys()].sort()).toEqual(['a', 'b']);
    expect(w.mailer.sent).toHaveLength(6);
    // The second run's new digest is the second run's edition, to everyone once.
    expect(w.mailer.sent.slice(3).every((mail) => mail.messageId.startsWith('edition.instant.2026-11-28-0800-instant.'))).toBe(true);
  });

  it('retries throttled sends with growing jittered backoff and loses or doubles nothing', async () => {
    const mailer = new RecordingMailer((call) =>
      call === 2 || call === 3 || call === 5 ? { kind: 'throttled', detail: 'Maximum sending rate exceeded' } : undefined,
    );
    const w = world({ mailer, people: subscribers(4) });
    const report = await publishDigests(w.deps, settings);
    expect(report.mail).toMatchObject({ sent: 4, deferred: 0 });
    expect(recipients(mailer)).toEqual(['reader0@example.com', 'reader1@example.com', 'reader2@example.com', 'reader3@example.com']);
    expect(mailer.calls).toBe(7);
    // Two consecutive throttles on one message: the second wait is drawn from a window twice as wide.
    expect(w.sleeps.slice(0, 2)).toEqual([200, 400]);
  });

  it('stops cleanly on the daily quota and resumes on the next run without doubles', async () => {
    let quotaLeft = 2;
    const mailer = new RecordingMailer(() => (quotaLeft-- > 0 ? undefined : { kind: 'quota', detail: 'Daily message quota exceeded' }));
    const w = world({ mailer, people: subscribers(5) });
    const first = await publishDigests(w.deps, settings);
    expect(first.mail).toMatchObject({ sent: 2, deferred: 3, stoppedBy: 'quota' });
    expect([...w.ledger.entries.values()].filter((entry) => entry.status === 'sent')).toHaveLength(2);
    expect([...w.ledger.entries.values()].filter((entry) => entry.status === 'claimed')).toHaveLength(0);
    expect(w.archive.digests.get(first.created[0]!.id)?.mailStatus).toBe('pending');

    // The next day's run (the two who got it have their cursor past it, so the ledger is not even asked): the quota is back and the digest is still worth sending.
    quotaLeft = 100;
    w.clock.advance(24 * 60 * 60 * 1000);
    const second = await publishDigests(w.deps, { ...settings, runId: 'run-2' });
    expect(second.mail).toMatchObject({ sent: 3, alreadySent: 0, deferred: 0 });
    expect(recipients(mailer)).toEqual([
      'reader0@example.com',
      'reader1@example.com',
      'reader2@example.com',
      'reader3@example.com',
      'reader4@example.com',
    ]);
    expect(new Set(mailer.sent.map((mail) => mail.messageId.split('.').slice(0, 3).join('.'))).size).toBe(1);
  });

  it('after a crash half way, a retry mails the rest exactly once', async () => {
    const w = world({ people: subscribers(6) });
    // The process dies while claiming the 4th pair: three were sent and recorded.
    const realClaim = w.ledger.claim.bind(w.ledger);
    let claims = 0;
    w.deps.ledger = Object.assign(Object.create(w.ledger), {
      claim: async (deliveryId: DeliveryId, subscriberId: string, at: Date) => {
        claims += 1;
        if (claims === 4) throw new Error('process killed');
        return realClaim(deliveryId, subscriberId, at);
      },
    });
    await expect(publishDigests(w.deps, settings)).rejects.toThrow('process killed');
    expect(w.mailer.sent).toHaveLength(3);
    expect(w.lease.holder).toBeUndefined();

    w.deps.ledger = w.ledger;
    const retry = await publishDigests(w.deps, { ...settings, runId: 'run-2' });
    expect(retry.mail).toMatchObject({ sent: 3, alreadySent: 0 });
    expect(recipients(w.mailer)).toEqual(
      subscribers(6)
        .map((s) => s.email)
        .sort(),
    );
  });

  it('keeps the claim when a send fails in an unknown way, reports the pair in doubt, and a retry never sends it twice', async () => {
    const mailer = new RecordingMailer((call) => (call === 2 ? new Error('socket hang up') : undefined));
    const w = world({ mailer });
    const first = await publishDigests(w.deps, settings);
    const digestId = first.created[0]!.id;
    const editionId = w.archive.digests.get(digestId)!.editions![0]!;
    // Neither sent nor failed: in doubt, named by pair; the run stops and leaves the third for later.
    expect(first.mail).toEqual({
      sent: 1,
      alreadySent: 0,
      failed: 0,
      deferred: 1,
      stale: 0,
      editions: 1,
      inDoubt: [{ deliveryId: editionId, subscriberId: 'sub-001' }],
      stoppedBy: 'in-doubt',
    });
    expect(w.ledger.entries.get(`${editionId}|sub-001`)).toEqual({ status: 'claimed' });
    expect(w.lease.holder).toBeUndefined();

    const retry = await publishDigests(w.deps, { ...settings, runId: 'run-2' });
    // reader0 was sent (cursor moved); reader1's claim stays from the unknown failure; reader2 is new.
    expect(retry.mail).toMatchObject({ sent: 1, alreadySent: 1, inDoubt: [] });
    expect(retry.mail.stoppedBy).toBeUndefined();
    expect(recipients(mailer)).toEqual(['reader0@example.com', 'reader2@example.com']);
  });

  it('reports a pair in doubt when the ledger fails to record a send that went out', async () => {
    const w = world();
    const realMarkSent = w.ledger.markSent.bind(w.ledger);
    w.deps.ledger = Object.assign(Object.create(w.ledger), {
      markSent: async (deliveryId: DeliveryId, subscriberId: string, messageId: string) =>
        subscriberId === 'sub-000'
          ? Promise.reject(new Error('ProvisionedThroughputExceeded'))
          : realMarkSent(deliveryId, subscriberId, messageId),
    });
    const report = await publishDigests(w.deps, settings);
    const editionId = w.archive.digests.get(report.created[0]!.id)!.editions![0]!;
    expect(report.mail).toMatchObject({ sent: 0, failed: 0, deferred: 2, stoppedBy: 'in-doubt' });
    expect(report.mail.inDoubt).toEqual([{ deliveryId: editionId, subscriberId: 'sub-000' }]);
    expect(w.mailer.sent).toHaveLength(1);
  });

  it('skips a rejected recipient and still mails everyone else', async () => {
    const mailer = new RecordingMailer((_, mail) =>
      mail.to === 'reader1@example.com' ? { kind: 'rejected-recipient', detail: 'Address blacklisted' } : undefined,
    );
    const w = world({ mailer });
    const report = await publishDigests(w.deps, settings);
    expect(report.mail).toMatchObject({ sent: 2, failed: 1 });
    expect(w.ledger.entries.get('edition:instant:2026-11-28-0700-instant|sub-001')?.status).toBe('failed');
    // Refused for good: the stream moves on for them too, so no later run tries again.
    const again = await publishDigests(w.deps, { ...settings, runId: 'run-2' });
    expect(again.mail).toMatchObject({ sent: 0, failed: 0, alreadySent: 0 });
  });

  it('skips an address that cannot go in a header and still mails everyone else', async () => {
    const w = world({ people: subscribers(2, [{ id: 'bad-1', email: 'a@example.com,\r\nBcc: victim@example.com', status: 'confirmed' }]) });
    const report = await publishDigests(w.deps, settings);
    expect(report.mail).toMatchObject({ sent: 2, failed: 1 });
    expect(recipients(w.mailer)).toEqual(['reader0@example.com', 'reader1@example.com']);
    expect(w.mailer.sent.every((mail) => !mail.raw.toString('utf8').includes('victim@example.com'))).toBe(true);
  });

  it('keeps under the mail service rate by pacing sends', async () => {
    const mailer = new RecordingMailer(() => undefined, 2);
    const w = world({ mailer, people: subscribers(4) });
    await publishDigests(w.deps, settings);
    expect(mailer.sent).toHaveLength(4);
    expect(w.sleeps).toEqual([500, 500, 500]);
  });

  it('stops sending at its deadline and leaves the rest for the next run', async () => {
    const mailer = new RecordingMailer(() => undefined, 1);
    const w = world({ mailer, people: subscribers(5) });
    // One mail a second and a deadline 2.5 s away: three sends fit, two are left.
    const first = await publishDigests(w.deps, { ...settings, sendUntil: new Date(START.getTime() + 2500) });
    expect(first.mail).toMatchObject({ sent: 3, deferred: 2, stoppedBy: 'deadline' });
    const second = await publishDigests(w.deps, { ...settings, runId: 'run-2' });
    expect(second.mail).toMatchObject({ sent: 2, alreadySent: 0 });
    expect(recipients(mailer)).toEqual(
      subscribers(5)
        .map((s) => s.email)
        .sort(),
    );
  });

  it('publishes the good articles when one is bad and names the bad one', async () => {
    const w = world({
      files: {
        'a.md': markdownArticle('a', 'Springfield'),
        'empty.txt': '   \n\n  ',
        'binary.txt': new Uint8Array([0, 159, 146, 150, 0, 1, 2]),
      },
    });
    const report = await publishDigests(w.deps, settings);
    expect(report.created.map((digest) => digest.id)).toEqual(['a']);
    expect(report.articleErrors.map((error) => error.source).sort()).toEqual(['binary.txt', 'empty.txt']);
    expect(report.articleErrors.every((error) => error.message.includes(error.source))).toBe(true);
  });

  it('tells the source which articles failed once their digests are stored, so it keeps those for the next run', async () => {
    const w = world({ files: { 'good.md': markdownArticle('good', 'River'), 'empty.txt': ' ', 'notes.pdf': '%PDF' } });
    await publishDigests(w.deps, settings);
    expect(w.source.settled).toEqual([['empty.txt', 'notes.pdf']]);
    await publishDigests(w.deps, { ...settings, runId: 'run-2', dryRun: true });
    expect(w.source.settled).toHaveLength(1);
  });

  it('takes a model-backed summariser that fails for one article: that article is skipped, the rest published', async () => {
    const w = world({ files: { 'a.md': markdownArticle('a', 'Springfield'), 'b.md': markdownArticle('b', 'Shelbyville') } });
    w.deps.summarizer = {
      // Remote and fallible: one call fails, the other answers a few words of its own (no reading times).
      summarize: async (article) => {
        if (article.id === 'b') throw new Error('model endpoint timed out');
        return { headline: 'A model wrote this', sentences: ['Two short words.'], keyPoints: [], keywords: ['budget'] };
      },
    };
    const report = await publishDigests(w.deps, settings);
    expect(report.articleErrors).toEqual([{ source: 'b.md', message: 'b.md: model endpoint timed out' }]);
    expect(report.created).toHaveLength(1);
    // The core computes the reading times, whichever summariser wrote the words.
    expect(report.created[0]).toMatchObject({ id: 'a', headline: 'A model wrote this', articleWords: 98, digestReadingMinutes: 1 });
    expect(report.created[0]!.articleReadingMinutes).toBe(1);
  });

  it('keeps a digest no feed can carry out of the archive, so it never blocks later runs', async () => {
    const w = world({ files: { 'a.md': markdownArticle('a', 'Springfield'), 'b.md': markdownArticle('b', 'Shelbyville') } });
    // A summariser that (wrongly) yields an empty headline for one article.
    const extractive = new ExtractiveSummarizer();
    w.deps.summarizer = {
      summarize: async (article) => ({ ...(await extractive.summarize(article)), ...(article.source === 'b.md' ? { headline: '' } : {}) }),
    };
    const report = await publishDigests(w.deps, settings);
    expect(report.created.map((digest) => digest.id)).toEqual(['a']);
    expect(report.articleErrors).toEqual([{ source: 'b.md', message: expect.stringMatching(/^b\.md: .*headline/) }]);
    expect([...w.archive.digests.keys()]).toEqual(['a']);
    const again = await publishDigests(w.deps, { ...settings, runId: 'run-2' });
    expect(again.site.written).toEqual([]);
    expect(again.articleErrors.map((error) => error.source)).toEqual(['b.md']);
  });

  it('does nothing while another run holds the lease', async () => {
    const w = world();
    await w.lease.acquire('other-run', START, 60_000);
    const report = await publishDigests(w.deps, settings);
    expect(report.skipped).toBe('lease-busy');
    expect(w.site.writes).toBe(0);
    expect(w.mailer.calls).toBe(0);
  });

  it('updates feeds but mails nothing when the run is far later than its schedule', async () => {
    const w = world();
    const report = await publishDigests(w.deps, { ...settings, scheduledAt: new Date(START.getTime() - 7 * 60 * 60 * 1000) });
    expect(report.created).toHaveLength(1);
    expect(report.site.written).toContain('feeds/rss.xml');
    expect(w.mailer.calls).toBe(0);
    expect(w.archive.digests.get(report.created[0]!.id)?.mailStatus).toBe('stale');
  });

  it('gives up on an edition whose sending stopped more than eight days ago', async () => {
    let quotaBack = false;
    const mailer = new RecordingMailer(() => (quotaBack ? undefined : { kind: 'quota', detail: 'Daily message quota exceeded' }));
    const w = world({ mailer });
    const first = await publishDigests(w.deps, settings);
    expect(first.mail.stoppedBy).toBe('quota');
    quotaBack = true;
    w.clock.advance(8 * 24 * 60 * 60 * 1000 + 1);
    const later = await publishDigests(w.deps, { ...settings, runId: 'run-2' });
    expect(later.mail).toMatchObject({ sent: 0, deferred: 0 });
    expect(mailer.sent).toEqual([]);
  });

  it('writes and sends nothing on a dry run but reports what it would do', async () => {
    const w = world();
    const report = await publishDigests(w.deps, { ...settings, dryRun: true });
    expect(report.created).toHaveLength(1);
    expect(report.mail.sent).toBe(3);
    expect(w.site.writes).toBe(0);
    expect(w.archive.puts).toBe(0);
    expect(w.mailer.calls).toBe(0);
  });
});
