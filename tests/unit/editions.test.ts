/**
 * Editions end to end through the publish use case with in-memory ports: one email per (edition,
 * subscriber), exactly once across reruns, crashes and quota stops; cadences and cursors; old and
 * imported items archived but never mailed. Mails are read back with mailparser.
 */
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import type { Cadence } from '../../functions/core/editions/edition.js';
import { DEFAULT_EDITION_TIME, type EditionDefaults } from '../../functions/core/editions/plan.js';
import type { Subscriber } from '../../functions/core/model.js';
import { publishDigests, type PublishSettings } from '../../functions/core/publish/publish-digests.js';
import {
  FixedClock,
  MemoryLedger,
  RecordingMailer,
  TEST_PUBLISH_SETTINGS,
  memoryPublishWorld,
  type MemoryPublishWorld,
} from '../fakes/index.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
/** Tuesday 1 December 2026, 07:00 UTC. */
const START = new Date('2026-12-01T07:00:00Z');

const ALL_CADENCES: EditionDefaults = {
  cadences: ['instant', 'daily', 'weekly'],
  defaultCadence: 'instant',
  timeZone: 'UTC',
  ...DEFAULT_EDITION_TIME,
};
const settings: PublishSettings = { ...TEST_PUBLISH_SETTINGS, editions: ALL_CADENCES };

const TOPICS = ['Harbour', 'River', 'Valley', 'Summit', 'Meadow', 'Forest', 'Canyon', 'Island', 'Prairie', 'Lagoon'];

/** A news article with a stable identity (front matter) about `topic`. */
function article(topic: string, extra = ''): string {
  const id = topic.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return [
    '---',
    `id: ${id}`,
    `title: ${topic} council approves a new budget for the coming year`,
    `url: https://news.example.com/${id}`,
    '---',
    `The ${topic} council approved a new budget on Monday after a long debate about public transport.`,
    `Council members voted nine to four in favour of the plan, which raises spending on buses and cycle lanes.`,
    `Opponents argued that the ${topic} plan would increase local taxes for small businesses in the centre.`,
    `The mayor said the budget reflects what residents asked for during months of public consultation.`,
    `Construction on the first new cycle lanes is expected to begin in the spring, officials said. ${extra}`,
  ].join('\n');
}

function articles(topics: readonly string[]): Record<string, string> {
  return Object.fromEntries(topics.map((topic) => [`${topic.toLowerCase()}.md`, article(topic)]));
}

function people(count: number, cadence?: Cadence): Subscriber[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `sub-${String(i).padStart(3, '0')}`,
    email: `reader${i}@example.com`,
    status: 'confirmed' as const,
    ...(cadence ? { cadence } : {}),
  }));
}

/** The next run on the same state: same archive, ledger, list and clock; new articles and mailer. */
function nextRun(previous: MemoryPublishWorld, files: Record<string, string>, mailer = new RecordingMailer()): MemoryPublishWorld {
  return memoryPublishWorld({
    files,
    archive: previous.archive,
    ledger: previous.ledger,
    subscribers: previous.subscribers,
    site: previous.site,
    clock: previous.clock,
    mailer,
  });
}

async function parsed(world: MemoryPublishWorld) {
  return Promise.all(world.mailer.sent.map(async (mail) => ({ to: mail.to, mail: await simpleParser(mail.raw) })));
}

/** The digest links an email carries in its HTML part (one per item shown). */
function itemLinks(html: string): string[] {
  return [...html.matchAll(/href="(https:\/\/digest\.example\.com\/digests\/[^"]+)"/g)].map((match) => match[1]!);
}

describe('editions', () => {
  it('mails five new articles as ONE email per confirmed subscriber, carrying all five', async () => {
    const w = memoryPublishWorld({
      files: articles(TOPICS.slice(0, 5)),
      people: [...people(3), { id: 'pend-1', email: 'pending@example.com', status: 'pending' }],
      clock: new FixedClock(START),
    });
    const report = await publishDigests(w, settings);
    expect(report.created).toHaveLength(5);
    expect(report.mail).toMatchObject({ sent: 3, alreadySent: 0, failed: 0, deferred: 0, editions: 1 });
    const mails = await parsed(w);
    expect(mails.map((m) => m.to).sort()).toEqual(['reader0@example.com', 'reader1@example.com', 'reader2@example.com']);
    for (const { mail } of mails) {
      expect(new Set(itemLinks(String(mail.html))).size).toBe(5);
      expect(mail.subject).toMatch(/^Gazette · 1 Dec: .+, and 4 more$/);
      expect(mail.text).not.toContain(mail.subject!);
    }
    // The edition has a page, listed in the archive; the feeds still have one item per digest.
    const editionPage = [...w.site.files.keys()].filter((path) => path.startsWith('editions/'));
    expect(editionPage).toEqual(['editions/2026-12-01-0700-instant/index.html']);
    expect(w.site.files.get('archive/index.html')!.body.toString()).toContain('editions/2026-12-01-0700-instant/');
    expect(w.site.files.get('feeds/feed.json')!.body.toString().match(/"id":/g)).toHaveLength(5);
  });

  it('sends nothing the second time, and nothing at all for an empty period', async () => {
    const first = memoryPublishWorld({ files: articles(TOPICS.slice(0, 2)), people: people(2), clock: new FixedClock(START) });
    await publishDigests(first, settings);
    first.clock.advance(HOUR);
    const second = nextRun(first, articles(TOPICS.slice(0, 2)));
    const report = await publishDigests(second, { ...settings, runId: 'run-2' });
    expect(second.mailer.calls).toBe(0);
    expect(report.mail).toMatchObject({ sent: 0, alreadySent: 0, deferred: 0 });
  });

  it("two runs within one minute are two editions: the second run's new digests are not lost", async () => {
    const first = memoryPublishWorld({
      files: articles(TOPICS.slice(0, 1)),
      people: people(2),
      clock: new FixedClock(new Date('2026-12-01T07:12:09.345Z')),
    });
    await publishDigests(first, settings);
    first.clock.advance(20_000);
    const second = nextRun(first, articles(TOPICS.slice(0, 2)));
    const report = await publishDigests(second, { ...settings, runId: 'run-2' });
    expect(report.mail).toMatchObject({ sent: 2, alreadySent: 0 });
    expect(second.mailer.sent.every((mail) => mail.messageId.startsWith('edition.instant.2026-12-01-0712-29345-instant.'))).toBe(true);
  });

  it('every edition has its own page: two instant runs in one second, and daily editions at two hours of one date', async () => {
    // Page paths are made from the edition id alone, so they must tell apart everything ids tell apart.
    const readers: Subscriber[] = [
      people(1, 'instant')[0]!,
      { ...people(2, 'daily')[1]!, hour: 6 },
      { ...people(3, 'daily')[2]!, hour: 7 },
    ];
    let w = memoryPublishWorld({ files: {}, people: readers, clock: new FixedClock(new Date('2026-12-01T11:00:00Z')) });
    await publishDigests(w, settings);
    const runs: [string, number][] = [
      ['2026-12-01T12:00:00.100Z', 1],
      ['2026-12-01T12:00:00.600Z', 2],
      ['2026-12-02T06:00:00.000Z', 2],
      ['2026-12-02T07:00:00.000Z', 2],
    ];
    for (const [at, count] of runs) {
      w.clock.set(new Date(at));
      w = nextRun(w, articles(TOPICS.slice(0, count)));
      await publishDigests(w, { ...settings, runId: at });
    }
    const pages = [...w.site.files.keys()].filter((path) => path.startsWith('editions/')).sort();
    expect(pages).toEqual([
      'editions/2026-12-01-1200-00100-instant/index.html',
      'editions/2026-12-01-1200-00600-instant/index.html',
      'editions/2026-12-02-0600-daily/index.html',
      'editions/2026-12-02-0700-daily/index.html',
    ]);
    // Each page lists its own digests: one each for the instant ones, both for each daily one.
    const listed = pages.map((path) => new Set(itemLinks(w.site.files.get(path)!.body.toString())).size);
    expect(listed).toEqual([1, 1, 2, 2]);
    const archive = w.site.files.get('archive/index.html')!.body.toString();
    for (const path of pages) expect(archive).toContain(path.replace(/index\.html$/, ''));
  });

  it('after a crash half way through an edition, the retry mails the rest once and nobody twice', async () => {
    const crashing = new RecordingMailer((call) => (call === 3 ? new Error('process killed') : undefined));
    const first = memoryPublishWorld({
      files: articles(TOPICS.slice(0, 3)),
      people: people(5),
      clock: new FixedClock(START),
      mailer: crashing,
    });
    // The third send's outcome is unknown: that copy is reported in doubt (its claim kept) and the run stops.
    const crashed = await publishDigests(first, settings);
    expect(crashed.mail).toMatchObject({ sent: 2, deferred: 2, stoppedBy: 'in-doubt' });
    expect(crashed.mail.inDoubt).toEqual([{ deliveryId: expect.stringMatching(/^edition:instant:/), subscriberId: 'sub-002' }]);
    expect(crashing.sent.map((mail) => mail.to)).toEqual(['reader0@example.com', 'reader1@example.com']);
    first.clock.advance(10 * 60 * 1000);
    const retry = nextRun(first, articles(TOPICS.slice(0, 3)));
    const report = await publishDigests(retry, { ...settings, runId: 'run-2' });
    // reader2's claim stays (the crash may have sent it): at most once beats at least once.
    expect(retry.mailer.sent.map((mail) => mail.to)).toEqual(['reader3@example.com', 'reader4@example.com']);
    expect(report.mail).toMatchObject({ sent: 2, alreadySent: 1 });
    const ids = [...crashing.sent, ...retry.mailer.sent].map((mail) => mail.messageId);
    expect(new Set(ids).size).toBe(4);
    // Everyone's cursor is now past the edition: a third run sends nothing.
    first.clock.advance(HOUR);
    const third = nextRun(first, articles(TOPICS.slice(0, 3)));
    await publishDigests(third, { ...settings, runId: 'run-3' });
    expect(third.mailer.calls).toBe(0);
  });

  it('a quota stop resumes the SAME edition next run, even when new articles arrived meanwhile', async () => {
    const quota = new RecordingMailer((call) => (call >= 3 ? { kind: 'quota', detail: 'Daily message quota exceeded' } : undefined));
    const first = memoryPublishWorld({
      files: articles(TOPICS.slice(0, 2)),
      people: people(4),
      clock: new FixedClock(START),
      mailer: quota,
    });
    const stopped = await publishDigests(first, settings);
    expect(stopped.mail).toMatchObject({ sent: 2, deferred: 2, stoppedBy: 'quota' });
    const firstSubjects = (await parsed(first)).map(({ mail }) => mail.subject);
    first.clock.advance(DAY);
    const resumed = nextRun(first, articles(TOPICS.slice(0, 3)));
    await publishDigests(resumed, { ...settings, runId: 'run-2' });
    const mails = await parsed(resumed);
    // The two left out get the first edition (same Message-ID scheme, same two items), then everyone the new one.
    const resumedFirst = mails.filter(({ mail }) => mail.messageId!.startsWith('<edition.instant.2026-12-01-0700-instant.'));
    expect(resumedFirst.map((m) => m.to)).toEqual(['reader2@example.com', 'reader3@example.com']);
    expect(resumedFirst.map(({ mail }) => mail.subject)).toEqual(firstSubjects);
    for (const { mail } of resumedFirst) expect(new Set(itemLinks(String(mail.html))).size).toBe(2);
    const second = mails.filter(({ mail }) => mail.messageId!.startsWith('<edition.instant.2026-12-02-0700-instant.'));
    expect(second.map((m) => m.to).sort()).toEqual(people(4).map((p) => p.email));
    for (const { mail } of second) expect(new Set(itemLinks(String(mail.html))).size).toBe(1);
  });

  it('accumulates a week of daily runs into one weekly edition, while daily readers get one a day', async () => {
    const readers = [...people(1, 'weekly'), { ...people(2, 'daily')[1]! }];
    // Monday 30 November 2026 07:00 UTC: the weekly edition closes on Mondays at 07:00.
    let w = memoryPublishWorld({ files: {}, people: readers, clock: new FixedClock(new Date('2026-11-30T08:00:00Z')) });
    await publishDigests(w, settings);
    const weekly: string[] = [];
    const daily: string[] = [];
    for (let day = 0; day < 7; day += 1) {
      // Each day at 12:00 one new article arrives; the hourly run at 07:00 the next morning closes the daily.
      w.clock.set(new Date(Date.parse('2026-11-30T12:00:00Z') + day * DAY));
      w = nextRun(w, articles(TOPICS.slice(0, day + 1)));
      await publishDigests(w, { ...settings, runId: `noon-${day}` });
      w.clock.set(new Date(Date.parse('2026-12-01T07:00:00Z') + day * DAY));
      w = nextRun(w, articles(TOPICS.slice(0, day + 1)));
      await publishDigests(w, { ...settings, runId: `morning-${day}` });
      for (const { to, mail } of await parsed(w)) (to === 'reader0@example.com' ? weekly : daily).push(String(mail.html));
    }
    expect(daily).toHaveLength(7);
    for (const html of daily) expect(new Set(itemLinks(html)).size).toBe(1);
    expect(weekly).toHaveLength(1);
    expect(new Set(itemLinks(weekly[0]!)).size).toBe(7);
  });

  for (const [change, from] of [
    ['March', '2026-03-27T12:00:00Z'],
    ['October', '2026-10-23T12:00:00Z'],
  ] as const) {
    it(`hourly runs across the ${change} clock change send a daily 07:00 Europe/London reader one edition a day, at 07:00 local`, async () => {
      const reader: Subscriber = { ...people(1)[0]!, cadence: 'daily', timeZone: 'Europe/London', hour: 7 };
      let w = memoryPublishWorld({ files: {}, people: [reader], clock: new FixedClock(new Date(from)) });
      const londonDefaults = { ...settings, editions: { ...ALL_CADENCES, timeZone: 'Europe/London' } };
      const sentAt: string[] = [];
      for (let hour = 0; hour < 4 * 24; hour += 1) {
        const now = new Date(Date.parse(from) + hour * HOUR);
        w.clock.set(now);
        // One new article a day, at noon UTC.
        w = nextRun(w, articles(TOPICS.slice(0, Math.floor(hour / 24) + 1)));
        await publishDigests(w, { ...londonDefaults, runId: `h${hour}` });
        for (const { mail } of await parsed(w)) {
          sentAt.push(
            new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', dateStyle: 'short', timeStyle: 'short' }).format(mail.date!),
          );
          expect(new Set(itemLinks(String(mail.html))).size).toBe(1);
        }
      }
      // Articles on four days, editions on the four mornings after: each at 07:00 London time.
      expect(sentAt).toHaveLength(4);
      expect(sentAt.every((when) => when.endsWith(' 07:00'))).toBe(true);
      expect(new Set(sentAt.map((when) => when.slice(0, 10))).size).toBe(4);
    });
  }

  it('a cadence switch mid-week neither loses nor repeats a digest', async () => {
    const reader = { ...people(1, 'weekly')[0]! };
    let w = memoryPublishWorld({ files: {}, people: [reader], clock: new FixedClock(new Date('2026-11-30T07:30:00Z')) });
    const received: string[] = [];
    const run = async (at: string, topics: readonly string[]) => {
      w.clock.set(new Date(at));
      w = nextRun(w, articles(topics));
      await publishDigests(w, { ...settings, runId: at });
      for (const { mail } of await parsed(w)) received.push(...new Set(itemLinks(String(mail.html))));
    };
    await run('2026-11-30T12:00:00Z', TOPICS.slice(0, 1));
    await run('2026-12-01T12:00:00Z', TOPICS.slice(0, 2));
    expect(received).toEqual([]);
    // Wednesday: switch weekly → instant; the next run brings the two waiting digests and the new one.
    w.subscribers.all[0] = { ...w.subscribers.all[0]!, cadence: 'instant' };
    await run('2026-12-02T12:00:00Z', TOPICS.slice(0, 3));
    expect(received).toHaveLength(3);
    // Thursday: switch back to weekly; Friday's article waits for Monday, nothing earlier comes again.
    w.subscribers.all[0] = { ...w.subscribers.all[0]!, cadence: 'weekly' };
    await run('2026-12-04T12:00:00Z', TOPICS.slice(0, 4));
    await run('2026-12-07T07:00:00Z', TOPICS.slice(0, 4));
    expect(received).toHaveLength(4);
    expect(new Set(received).size).toBe(4);
  });

  it('an hour and time zone change neither loses nor repeats a digest, and each edition comes at the local hour then chosen', async () => {
    // Daily at 07:00 UTC; one article a day at 12:00 UTC; hourly runs for four days.
    const reader: Subscriber = { ...people(1, 'daily')[0]!, timeZone: 'UTC', hour: 7 };
    const from = Date.parse('2026-12-01T06:00:00Z');
    let w = memoryPublishWorld({ files: {}, people: [reader], clock: new FixedClock(new Date(from)) });
    const changes = new Map<number, Partial<Subscriber>>([
      // Tuesday 13:00 UTC: to 20:00 in New York (01:00 UTC the next night), a later close.
      [31, { hour: 20, timeZone: 'America/New_York' }],
      // Wednesday 15:00 UTC: to 07:00 in Tokyo (22:00 UTC the day before), a close already past.
      [57, { hour: 7, timeZone: 'Asia/Tokyo' }],
    ]);
    const received: { links: string[]; local: string }[] = [];
    for (let hour = 0; hour <= 4 * 24; hour += 1) {
      const now = new Date(from + hour * HOUR);
      const change = changes.get(hour);
      if (change) w.subscribers.all[0] = { ...w.subscribers.all[0]!, ...change };
      w.clock.set(now);
      // Articles on Tuesday to Friday, each first seen at 12:00 UTC.
      w = nextRun(w, articles(TOPICS.slice(0, Math.min(4, Math.floor((hour + 18) / 24)))));
      await publishDigests(w, { ...settings, runId: `h${hour}` });
      const zone = w.subscribers.all[0]!.timeZone!;
      for (const { mail } of await parsed(w)) {
        const local = new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeStyle: 'short' }).format(mail.date!);
        received.push({ links: [...new Set(itemLinks(String(mail.html)))], local: `${local} ${zone}` });
      }
    }
    expect(received.map((mail) => mail.local)).toEqual(['07:00 UTC', '20:00 America/New_York', '07:00 Asia/Tokyo', '07:00 Asia/Tokyo']);
    const links = received.flatMap((mail) => mail.links);
    expect(received.every((mail) => mail.links.length === 1)).toBe(true);
    expect(new Set(links).size).toBe(4);
    expect(w.archive.digests.size).toBe(4);
  });

  it('archives an article already older than maxAgeToMail when first seen, and never mails it', async () => {
    const old = article('Harbour').replace('---\nThe', 'published: 2026-11-20T09:00:00Z\n---\nThe');
    const w = memoryPublishWorld({ files: { 'harbour.md': old }, people: people(2), clock: new FixedClock(START) });
    const report = await publishDigests(w, settings);
    expect(report.created).toHaveLength(1);
    expect(report.created[0]!.mailStatus).toBe('not-mailed');
    expect(w.mailer.calls).toBe(0);
    expect(w.site.files.has(`digests/${report.created[0]!.slug}/index.html`)).toBe(true);
  });

  it('--no-mail builds the archive and mails nothing, then or later', async () => {
    const w = memoryPublishWorld({ files: articles(TOPICS.slice(0, 3)), people: people(2), clock: new FixedClock(START) });
    const report = await publishDigests(w, { ...settings, noMail: true });
    expect(report.created.map((digest) => digest.mailStatus)).toEqual(['not-mailed', 'not-mailed', 'not-mailed']);
    w.clock.advance(HOUR);
    const later = nextRun(w, articles(TOPICS.slice(0, 3)));
    await publishDigests(later, { ...settings, runId: 'run-2' });
    expect(w.mailer.calls + later.mailer.calls).toBe(0);
    expect(w.subscribers.cursorMoves).toEqual([]);
  });

  it('shows at most editionMaxItems digests and the rest as "and N more" linking to the edition page', async () => {
    const w = memoryPublishWorld({ files: articles(TOPICS), people: people(1), clock: new FixedClock(START) });
    await publishDigests(w, { ...settings, mail: { ...settings.mail, editionMaxItems: 4 } });
    const mails = await parsed(w);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!.mail;
    expect(new Set(itemLinks(String(mail.html))).size).toBe(4);
    expect(mail.html).toContain('And 6 more digests in this edition');
    expect(mail.text).toContain('And 6 more digests in this edition: https://digest.example.com/editions/2026-12-01-0700-instant/');
    expect(mail.subject).toMatch(/, and 9 more$/);
  });

  it('a run with nothing due asks the mail service, the ledger and the cursors nothing', async () => {
    const first = memoryPublishWorld({ files: articles(TOPICS.slice(0, 1)), people: people(3, 'daily'), clock: new FixedClock(START) });
    await publishDigests(first, settings);
    first.clock.advance(HOUR);
    const counting = new CountingLedger();
    const idle = memoryPublishWorld({
      files: articles(TOPICS.slice(0, 1)),
      archive: first.archive,
      subscribers: first.subscribers,
      site: first.site,
      clock: first.clock,
      ledger: counting,
    });
    const moves = first.subscribers.cursorMoves.length;
    const puts = first.archive.puts;
    const writes = first.site.writes;
    await publishDigests(idle, { ...settings, runId: 'idle' });
    expect({
      sends: idle.mailer.calls,
      ledger: counting.calls,
      cursors: first.subscribers.cursorMoves.length - moves,
      puts: first.archive.puts - puts,
      siteWrites: first.site.writes - writes,
    }).toEqual({
      sends: 0,
      ledger: 0,
      cursors: 0,
      puts: 0,
      siteWrites: 0,
    });
  });
});

/** A ledger that counts every call. */
class CountingLedger extends MemoryLedger {
  calls = 0;
  override async claim(...args: Parameters<MemoryLedger['claim']>) {
    this.calls += 1;
    return super.claim(...args);
  }
}

describe('edits and identities', () => {
  const TEXT = [
    'The harbour authority opened a new ferry terminal on Monday after two years of building work.',
    'The terminal doubles the number of daily crossings to the island and adds a covered waiting hall.',
    'Local businesses said they expect more visitors in the summer months, when ferries are often full.',
    'The old terminal will be turned into a market hall, the authority said in a statement.',
  ].join('\n\n');

  it('a .txt file without id or url edited in place updates its digest and mails nobody again', async () => {
    const w = memoryPublishWorld({ files: { 'ferry.txt': TEXT }, people: people(2), clock: new FixedClock(START) });
    const first = await publishDigests(w, settings);
    expect(first.created.map((digest) => digest.id)).toEqual(['path:ferry.txt']);
    expect(w.mailer.sent).toHaveLength(2);
    w.clock.advance(HOUR);
    const fixed = nextRun(w, { 'ferry.txt': TEXT.replace('two years', 'three years') });
    const second = await publishDigests(fixed, { ...settings, runId: 'run-2' });
    expect(second.created).toEqual([]);
    expect(second.updated.map((digest) => digest.id)).toEqual(['path:ferry.txt']);
    expect(second.published).toBe(1);
    expect(fixed.archive.digests.size).toBe(1);
    expect(fixed.mailer.calls).toBe(0);
    expect(second.updated[0]!.slug).toBe(first.created[0]!.slug);
    expect(second.updated[0]!.contentHash).not.toBe(first.created[0]!.contentHash);
    expect(second.site.written).toContain(`digests/${first.created[0]!.slug}/index.html`);
  });

  it('keeps the text-hash id an earlier version stored for the same file, so an upgrade re-publishes nothing', async () => {
    const w = memoryPublishWorld({ files: { 'ferry.txt': TEXT }, people: people(1), clock: new FixedClock(START) });
    await publishDigests(w, { ...settings, noMail: true });
    // What an earlier version stored: the same digest under `sha256:…`, already mailed on its own.
    const [stored] = [...w.archive.digests.values()];
    w.archive.digests.clear();
    w.archive.digests.set('sha256:0123', { ...stored!, id: 'sha256:0123', mailStatus: 'done' });
    w.clock.advance(HOUR);
    const upgraded = nextRun(w, { 'ferry.txt': TEXT });
    const report = await publishDigests(upgraded, { ...settings, runId: 'run-2' });
    expect(report.created).toEqual([]);
    expect([...w.archive.digests.keys()]).toEqual(['sha256:0123']);
    expect(upgraded.mailer.calls).toBe(0);
  });

  it('refuses a front-matter id that would pose as an edition', async () => {
    const w = memoryPublishWorld({
      files: { 'x.md': `---\nid: edition:instant:x\n---\n${TEXT}` },
      people: people(1),
      clock: new FixedClock(START),
    });
    const report = await publishDigests(w, settings);
    expect(report.articleErrors).toEqual([{ source: 'x.md', message: 'x.md: front-matter id must not begin with "edition:"' }]);
  });
});
