/**
 * The sending engine's core: templates rendered once and personalised per recipient (byte for byte
 * what the renderer makes), the token bucket, and the concurrent sender's exactly-once rules with
 * several sends in flight (quota stop and resume, throttling, a crash, a refused sender).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidAddressError } from '../../functions/core/errors.js';
import type { OutgoingMail } from '../../functions/core/model.js';
import { deliveryIdForDigest } from '../../functions/core/publish/delivery.js';
import type { FailedSend, Mailer, SendOutcome } from '../../functions/core/publish/ports.js';
import type { Edition } from '../../functions/core/editions/edition.js';
import type { PlannedEdition } from '../../functions/core/editions/plan.js';
import type { Subscriber } from '../../functions/core/model.js';
import { deliverEdition, editionTemplate } from '../../functions/core/publish/deliver-edition.js';
import { publishDigests } from '../../functions/core/publish/publish-digests.js';
import { renderEditionEmail } from '../../functions/core/render/edition-email.js';
import { RenderError } from '../../functions/core/render/text.js';
import { ConcurrentSender } from '../../functions/core/send/concurrent-sender.js';
import type { DeliveryDispatcher, DeliveryJob, JobReport, Recipient, SettledCallback } from '../../functions/core/send/ports.js';
import { inFlightFor, TokenBucket, UNLIMITED } from '../../functions/core/send/rate-limiter.js';
import { checkedTemplate, MalformedTemplateError, personalise } from '../../functions/core/send/template.js';
import { loadSenderEnv } from '../../functions/shared/env.js';
import { holdBackSeconds, SEND_QUEUE_MAX_RECEIVES } from '../../functions/shared/send-queue.js';
import { FixedClock, MemoryLedger, memoryPublishWorld, MemoryReaders, RecordingMailer, TEST_PUBLISH_SETTINGS } from '../fakes/index.js';

const SEED = new URL('../../seeds/000_89c895b2b4859281.txt', import.meta.url);
import { hostileDigest, mail, seedDigest, seedEdition, singleEdition, site } from './render-fixtures.js';

const date = new Date('2025-05-08T13:00:00.000Z');
const recipientParts = (id: string) => ({
  to: `reader-${id}@example.net`,
  subscriberId: id,
  unsubscribeUrl: `https://gazette.example.com/api/unsubscribe?token=v1.k1.${id}.sig&x=1`,
  manageUrl: `https://gazette.example.com/api/manage?token=v1.k1.${id}.sig`,
});

/** The edition email for `digests` as a template, as the sender gets it. */
function templateOf(edition: Edition, digests = edition.digests) {
  return editionTemplate({ site, mail }, { edition, closeAt: new Date(edition.date), copies: [] }, digests, date);
}

describe('mail templates', () => {
  it('an edition template personalised gives the bytes renderEditionEmail makes, for every digest list', () => {
    const hostileEdition = { ...singleEdition, digests: [hostileDigest] };
    for (const edition of [seedEdition, singleEdition, hostileEdition]) {
      const carried = checkedTemplate(JSON.parse(JSON.stringify(templateOf(edition))));
      for (const id of ['abc123', 'Zz_-9']) {
        const expected = renderEditionEmail({ edition, site, mail, date, ...recipientParts(id) });
        const actual = personalise(carried, recipientParts(id));
        expect(actual.messageId).toBe(expected.messageId);
        expect(actual.raw.toString('latin1')).toBe(expected.raw.toString('latin1'));
      }
    }
  });

  it('refuses content that contains a placeholder, so no recipient value can leak into literal text', () => {
    const planted = { ...seedDigest, headline: 'Look: https://placeholder-a.invalid/u' };
    expect(() => templateOf(singleEdition, [planted])).toThrow(RenderError);
  });

  it('refuses a header-breaking recipient and a template of the wrong shape', () => {
    const template = templateOf(singleEdition);
    expect(() => personalise(template, { ...recipientParts('a'), to: 'x@y.z\r\nBcc: q@r.s' })).toThrow(InvalidAddressError);
    expect(() => personalise(template, { ...recipientParts('a'), subscriberId: 'a\r\nX: y' })).toThrow(RenderError);
    expect(() => checkedTemplate({ ...template, html: [{ slot: 'password' }] })).toThrow(MalformedTemplateError);
    expect(() => checkedTemplate('nope')).toThrow(MalformedTemplateError);
  });
});

describe('TokenBucket', () => {
  it('spaces sends evenly at the rate, for concurrent callers too', async () => {
    const clock = new FixedClock(new Date(0));
    const starts: number[] = [];
    const sleep = async (ms: number) => clock.advance(ms);
    const bucket = new TokenBucket(clock, sleep, 10);
    // Ten callers at once: each reserves its own slot, 100 ms apart.
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const before = clock.now().getTime();
        await bucket.take();
        starts.push(before);
      }),
    );
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(900);
    const sequential: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      await bucket.take();
      sequential.push(clock.now().getTime());
    }
    expect(sequential.map((t, i) => (i === 0 ? 100 : t - sequential[i - 1]!))).toEqual([100, 100, 100, 100, 100]);
  });

  it('lets a burst through at once, then the rate', async () => {
    const clock = new FixedClock(new Date(0));
    const bucket = new TokenBucket(clock, async (ms) => clock.advance(ms), 100, 5);
    for (let i = 0; i < 5; i += 1) await bucket.take();
    expect(clock.now().getTime()).toBe(0);
    await bucket.take();
    expect(clock.now().getTime()).toBe(10);
  });

  it('keeps enough sends in flight for the rate', () => {
    expect(inFlightFor(1)).toBe(1);
    expect(inFlightFor(14)).toBe(3);
    expect(inFlightFor(500)).toBe(64);
    expect(inFlightFor(Infinity)).toBe(1);
  });
});

/** A mailer that takes a few milliseconds per send and records how many sends overlapped. */
class SlowMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  calls = 0;
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly failWith: (call: number) => FailedSend | Error | undefined = () => undefined) {}
  async send(outgoing: OutgoingMail): Promise<SendOutcome> {
    this.calls += 1;
    const call = this.calls;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 2));
    this.inFlight -= 1;
    const failure = this.failWith(call);
    if (failure instanceof Error) throw failure;
    if (failure) return failure;
    this.sent.push(outgoing);
    return { kind: 'sent', messageId: `m-${this.sent.length}` };
  }
  async maxSendRate(): Promise<number> {
    return Infinity;
  }
}

const delivery = deliveryIdForDigest('sha256:engine');
const template = templateOf(singleEdition);
const people = (n: number): Recipient[] => Array.from({ length: n }, (_, i) => ({ subscriberId: `s${i}`, email: `r${i}@example.org` }));
const job = (recipients: Recipient[]): DeliveryJob => ({ delivery: { deliveryId: delivery, template }, recipients });

function sender(mailer: Mailer, ledger: MemoryLedger, inFlight = 8) {
  return new ConcurrentSender(
    { ledger, mailer, limiter: UNLIMITED, clock: { now: () => new Date() }, sleep: async () => undefined, random: () => 0.5 },
    {
      inFlight,
      partsFor: (r) => ({
        to: r.email,
        subscriberId: r.subscriberId,
        unsubscribeUrl: `https://x.example/u?t=${r.subscriberId}`,
        manageUrl: `https://x.example/m?t=${r.subscriberId}`,
      }),
    },
  );
}

const addresses = (mailer: SlowMailer) => mailer.sent.map((m) => m.to).sort();
const statuses = (ledger: MemoryLedger) => [...ledger.entries.values()].map((e) => e.status);

describe('ConcurrentSender', () => {
  it('keeps several sends in flight and mails each recipient once', async () => {
    const mailer = new SlowMailer();
    const ledger = new MemoryLedger();
    const [report] = await sender(mailer, ledger).dispatch([job(people(40))]);
    expect(report).toMatchObject({ sent: 40, alreadySent: 0, failed: 0, deferred: [] });
    expect(mailer.maxInFlight).toBe(8);
    expect(addresses(mailer)).toEqual(
      people(40)
        .map((p) => p.email)
        .sort(),
    );
    expect(statuses(ledger).every((s) => s === 'sent')).toBe(true);
    // The same job again (a duplicate queue delivery): nothing more goes out.
    const [again] = await sender(mailer, ledger).dispatch([job(people(40))]);
    expect(again).toMatchObject({ sent: 0, alreadySent: 40 });
    expect(mailer.sent).toHaveLength(40);
  });

  it('stops on the quota with every unsent claim released, and a resume mails exactly the rest', async () => {
    const ledger = new MemoryLedger();
    const quota = new SlowMailer((call) => (call > 12 ? { kind: 'quota', detail: 'Daily message quota exceeded' } : undefined));
    const [first] = await sender(quota, ledger).dispatch([job(people(50))]);
    expect(first!.stoppedBy).toBe('quota');
    expect(first!.sent).toBe(12);
    expect(first!.sent + first!.deferred.length).toBe(50);
    expect(statuses(ledger).filter((s) => s === 'claimed')).toHaveLength(0);
    expect(statuses(ledger).filter((s) => s === 'sent')).toHaveLength(12);

    const later = new SlowMailer();
    const done = await ledger.sentSubscribers(delivery);
    const [second] = await sender(later, ledger).dispatch([job(people(50).filter((p) => !done.has(p.subscriberId)))]);
    expect(second).toMatchObject({ sent: 38, alreadySent: 0, deferred: [] });
    expect([...addresses(quota), ...addresses(later)].sort()).toEqual(
      people(50)
        .map((p) => p.email)
        .sort(),
    );
  });

  it('retries throttling on the Nth send with backoff: nothing lost, nothing doubled', async () => {
    const mailer = new SlowMailer((call) => (call % 7 === 0 ? { kind: 'throttled', detail: 'Maximum sending rate exceeded' } : undefined));
    const ledger = new MemoryLedger();
    const [report] = await sender(mailer, ledger).dispatch([job(people(30))]);
    expect(report).toMatchObject({ sent: 30, deferred: [] });
    expect(mailer.calls).toBeGreaterThan(30);
    expect(addresses(mailer)).toEqual(
      people(30)
        .map((p) => p.email)
        .sort(),
    );
  });

  it('a refused sender costs one call, whatever the concurrency, and releases everything', async () => {
    const mailer = new SlowMailer(() => ({ kind: 'rejected-sender', detail: 'Account sending paused' }));
    const ledger = new MemoryLedger();
    const [report] = await sender(mailer, ledger, 32).dispatch([job(people(20))]);
    expect(report).toMatchObject({ sent: 0, stoppedBy: 'sender-rejected' });
    expect(report!.deferred).toHaveLength(20);
    expect(mailer.calls).toBe(1);
    expect(ledger.entries.size).toBe(0);
  });

  it('after a crash mid-send, waits for the sends in flight, reports the pair in doubt with its claim kept, and a retry mails the rest once', async () => {
    const crashing = new SlowMailer((call) => (call === 10 ? new Error('socket hang up') : undefined));
    const ledger = new MemoryLedger();
    const [crashed] = await sender(crashing, ledger).dispatch([job(people(30))]);
    expect(crashing.inFlight).toBe(0);
    expect(crashed).toMatchObject({ stoppedBy: 'in-doubt', sent: crashing.sent.length });
    expect(crashed!.inDoubt).toHaveLength(1);
    expect(crashed!.deferred).toHaveLength(30 - 1 - crashing.sent.length);
    expect(statuses(ledger).filter((s) => s === 'claimed')).toHaveLength(1);
    const retry = new SlowMailer();
    const [report] = await sender(retry, ledger).dispatch([job(people(30))]);
    expect(report!.sent + crashing.sent.length).toBe(29);
    const everyone = [...addresses(crashing), ...addresses(retry)];
    expect(new Set(everyone).size).toBe(everyone.length);
  });

  it('marks a refused recipient failed and an unusable address rejected, and mails the rest', async () => {
    const ledger = new MemoryLedger();
    const mailer = new SlowMailer((call) => (call === 3 ? { kind: 'rejected-recipient', detail: 'Address blacklisted' } : undefined));
    const list = [...people(5), { subscriberId: 'bad', email: 'x@y.z\r\nBcc: all@example.org' }];
    const [report] = await sender(mailer, ledger).dispatch([job(list)]);
    expect(report).toMatchObject({ sent: 4, failed: 2 });
    expect(statuses(ledger).filter((s) => s === 'failed')).toHaveLength(1);
  });
});

describe('resuming an edition', () => {
  it('reads what was sent with one query per edition and claims only the rest', async () => {
    const quotaMailer = new RecordingMailer((call) => (call > 3 ? { kind: 'quota', detail: 'Daily message quota exceeded' } : undefined));
    const readers = Array.from({ length: 10 }, (_, i) => ({
      id: `sub-${i}`,
      email: `reader${i}@example.org`,
      status: 'confirmed' as const,
    }));
    const first = memoryPublishWorld({ files: { 'seed.txt': readFileSync(SEED, 'utf8') }, people: readers, mailer: quotaMailer });
    const report = await publishDigests(first, TEST_PUBLISH_SETTINGS);
    expect(report.mail).toMatchObject({ sent: 3, deferred: 7, stoppedBy: 'quota' });

    const ledger = first.ledger;
    let claims = 0;
    const counting = Object.assign(Object.create(ledger) as MemoryLedger, {
      claim: (...args: Parameters<MemoryLedger['claim']>) => {
        claims += 1;
        return ledger.claim(...args);
      },
      sentSubscribers: (...args: Parameters<MemoryLedger['sentSubscribers']>) => ledger.sentSubscribers(...args),
    });
    const resumedMailer = new SlowMailer();
    const queriesBefore = ledger.sentSubscribersQueries;
    // As if the first run died after its sends but before moving any cursor: the same ten copies are
    // planned again, and the ledger (one query) says three of them are settled.
    const resumed = await publishDigests(
      { ...first, subscribers: new MemoryReaders(readers), ledger: counting, mailer: resumedMailer },
      { ...TEST_PUBLISH_SETTINGS, runId: 'run-2' },
    );
    expect(resumed.mail).toMatchObject({ sent: 7, alreadySent: 3, deferred: 0 });
    expect(ledger.sentSubscribersQueries - queriesBefore).toBe(1);
    expect(claims).toBe(7);
    expect([...quotaMailer.sent.map((m) => m.to), ...addresses(resumedMailer)].sort()).toEqual(readers.map((r) => r.email).sort());
  });
});

describe('deliverEdition through a dispatcher', () => {
  const readers: Subscriber[] = ['a', 'b', 'c'].map((id) => ({ id: `sub-${id}`, email: `${id}@example.org`, status: 'confirmed' }));
  // Cursors make lists differ: sub-c subscribed after the lead digest and gets only the rest.
  const planned: PlannedEdition = {
    edition: seedEdition,
    closeAt: new Date(seedEdition.date),
    copies: [
      { subscriber: readers[0]!, digests: seedEdition.digests },
      { subscriber: readers[1]!, digests: seedEdition.digests },
      { subscriber: readers[2]!, digests: seedEdition.digests.slice(1) },
    ],
  };
  /** A dispatcher that enqueues, as the send queue does: every recipient settled at once. */
  class EnqueueingDispatcher implements DeliveryDispatcher {
    readonly jobs: DeliveryJob[] = [];
    async dispatch(jobs: DeliveryJob[], onSettled?: SettledCallback): Promise<JobReport[]> {
      this.jobs.push(...jobs);
      for (const job of jobs) for (const recipient of job.recipients) await onSettled?.(job, recipient);
      return jobs.map((job) => ({ sent: 0, alreadySent: 0, failed: 0, enqueued: job.recipients.length, deferred: [], inDoubt: [] }));
    }
  }
  const deps = (ledger: MemoryLedger, subscribers: MemoryReaders) => ({
    clock: new FixedClock(date),
    ledger,
    mailer: new RecordingMailer(),
    subscribers,
    sleep: async () => undefined,
    random: () => 0.5,
  });
  const settings = { site, mail, keyring: TEST_PUBLISH_SETTINGS.keyring };

  it('renders one template per distinct digest list, skips what the ledger settled (one query), and moves each cursor at enqueue', async () => {
    const ledger = new MemoryLedger();
    await ledger.claim(seedEdition.id, 'sub-b');
    await ledger.markSent(seedEdition.id, 'sub-b', 'ses-1');
    const subscribers = new MemoryReaders(readers);
    const dispatcher = new EnqueueingDispatcher();
    const queries = ledger.sentSubscribersQueries;

    const tally = await deliverEdition(deps(ledger, subscribers), settings, planned, dispatcher);

    expect(ledger.sentSubscribersQueries - queries).toBe(1);
    expect(tally).toEqual({ sent: 2, alreadySent: 1, failed: 0, deferred: 0, inDoubt: [] });
    expect(dispatcher.jobs.map((job) => job.recipients.map((r) => r.subscriberId))).toEqual([['sub-a'], ['sub-c']]);
    expect(dispatcher.jobs.every((job) => job.delivery.deliveryId === seedEdition.id)).toBe(true);
    // Each template carries its own list: sub-c's mail has no lead digest.
    const lead = seedEdition.digests[0]!.headline;
    const [full, rest] = dispatcher.jobs.map((job) =>
      personalise(job.delivery.template, { ...recipientParts('x') }).raw.toString('latin1'),
    );
    expect(full).toContain(lead.slice(0, 20));
    expect(rest).not.toContain(lead.slice(0, 20));
    // The settled copy and both enqueued ones: every cursor is now at the edition's close.
    expect(subscribers.cursorMoves.map((move) => move.id).sort()).toEqual(['sub-a', 'sub-b', 'sub-c']);
    expect(new Set(subscribers.cursorMoves.map((move) => move.cursor))).toEqual(new Set([planned.closeAt.toISOString()]));
  });

  it('keeps a copy in doubt out of the cursor moves and reports it', async () => {
    const ledger = new MemoryLedger();
    const subscribers = new MemoryReaders(readers);
    const crashing = new SlowMailer((call) => (call === 2 ? new Error('socket hang up') : undefined));
    const tally = await deliverEdition({ ...deps(ledger, subscribers), mailer: crashing }, settings, planned, sender(crashing, ledger, 1));
    expect(tally).toMatchObject({ sent: 1, stoppedBy: 'in-doubt', deferred: 1 });
    expect(tally.inDoubt).toEqual([{ deliveryId: seedEdition.id, subscriberId: 'sub-b' }]);
    expect(subscribers.cursorMoves.map((move) => move.id)).toEqual(['sub-a']);
  });
});

describe("the sender function's environment", () => {
  const complete = {
    GAZETTE_SITE_BASE_URL: 'https://news.example.com/',
    GAZETTE_SITE_TITLE: 'Gazette',
    GAZETTE_SENDER_ADDRESS: 'news@example.com',
    GAZETTE_SENDER_NAME: 'Gazette',
    GAZETTE_SES_CONFIGURATION_SET: 'events',
    GAZETTE_DELIVERIES_TABLE: 'deliveries',
    GAZETTE_STATE_TABLE: 'state',
    GAZETTE_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:keys',
    GAZETTE_SEND_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/111111111111/send',
    GAZETTE_SENDER_CONCURRENCY: '10',
  };

  it('reads a complete environment', () => {
    expect(loadSenderEnv(complete)).toMatchObject({
      senderConcurrency: 10,
      tables: { deliveries: 'deliveries', state: 'state' },
      keyring: { kind: 'secret' },
    });
  });

  it('fails the cold start naming the missing queue and a malformed concurrency', () => {
    expect(() => loadSenderEnv({ ...complete, GAZETTE_SEND_QUEUE_URL: undefined, GAZETTE_SENDER_CONCURRENCY: 'many' })).toThrow(
      /GAZETTE_SEND_QUEUE_URL: required.*GAZETTE_SENDER_CONCURRENCY/,
    );
  });
});

describe('holding back messages stopped by the quota', () => {
  it('waits 30 minutes, then doubles up to two hours', () => {
    expect([1, 2, 3, 4, 10].map(holdBackSeconds)).toEqual([1800, 3600, 7200, 7200, 7200]);
  });

  it('keeps a message out of the dead-letter queue through a whole day of spent quota', () => {
    const waited = Array.from({ length: SEND_QUEUE_MAX_RECEIVES - 1 }, (_, index) => holdBackSeconds(index + 1)).reduce((a, b) => a + b);
    expect(waited).toBeGreaterThan(48 * 60 * 60);
  });
});
