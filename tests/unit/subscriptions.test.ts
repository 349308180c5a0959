import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryFeedbackLedger, MemoryRateLimiter, MemorySubscribers } from '../../functions/adapters/local/local-subscriptions.js';
import { AfterResponseQueue } from '../../functions/adapters/local/after-response-queue.js';
import { InvalidAddressError, InvalidTokenError } from '../../functions/core/errors.js';
import type { SubscriberStatus } from '../../functions/core/model.js';
import { legacySubscriberIdFor, subscriberIdFor } from '../../functions/core/subscriptions/address.js';
import { confirm, unsubscribe } from '../../functions/core/subscriptions/confirm.js';
import { clientNetwork, clientThrottleKey } from '../../functions/core/subscriptions/client-key.js';
import { TooManyRequestsError } from '../../functions/core/subscriptions/errors.js';
import { parseSesNotification } from '../../functions/adapters/aws/ses-notification.js';
import { recordFeedback, type FeedbackDeps } from '../../functions/core/subscriptions/feedback.js';
import { addSubscriber, importSubscribers, OperatorInputError, removeSubscriber } from '../../functions/core/subscriptions/operator.js';
import type { SubscriberRecord } from '../../functions/core/subscriptions/ports.js';
import {
  type ConfirmationJob,
  type IpThrottle,
  sendConfirmation,
  subscribe,
  type SubscribeDeps,
  type SubscribeOutcome,
  type SubscribeRequest,
} from '../../functions/core/subscriptions/subscribe.js';
import { signToken } from '../../functions/core/tokens.js';
import { ID_KEY, KEYRING, MAIL, plainConfirmation, RecordingMailer, SITE } from './subscriptions-helpers.js';

/** An SES notification as the SES-events handler applies it: read by the adapter, ruled by the core. */
const recordSesEvent = async (deps: FeedbackDeps, notification: unknown, now: Date) =>
  recordFeedback(deps, parseSesNotification(notification), now);

const T0 = new Date('2025-03-01T09:00:00.000Z');
const HOUR = 60 * 60 * 1000;
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const ANN = 'ann@example.org';
const ANN_ID = subscriberIdFor(ANN, ID_KEY);

function record(email: string, status: SubscriberStatus, extra: Partial<SubscriberRecord> = {}): SubscriberRecord {
  return { id: subscriberIdFor(email, ID_KEY), email, status, createdAt: T0.toISOString(), updatedAt: T0.toISOString(), ...extra };
}

type SubscribeTestDeps = SubscribeDeps & { throttle?: IpThrottle };

/**
 * Both halves as one: `subscribe` answers and queues, the queued job is then sent at once. For the
 * rules of the decision; the tests of the answer alone are in 'subscribe answers without the list'.
 */
async function subscribeAndSend(deps: SubscribeTestDeps, request: SubscribeRequest, now: Date): Promise<SubscribeOutcome | 'honeypot'> {
  const jobs: ConfirmationJob[] = [];
  const confirmations = { enqueue: async (job: ConfirmationJob) => void jobs.push(job) };
  const answered = await subscribe(
    { keyring: deps.keyring, confirmations, ...(deps.throttle ? { throttle: deps.throttle } : {}) },
    request,
    now,
  );
  if (answered === 'honeypot') return answered;
  expect(jobs).toHaveLength(1);
  return sendConfirmation(deps, jobs[0]!, now);
}

function setup(initial: SubscriberRecord[] = []) {
  const store = new MemorySubscribers(initial);
  const mailer = new RecordingMailer();
  const limiter = new MemoryRateLimiter();
  const deps: SubscribeDeps = {
    store,
    mailer,
    renderConfirmation: plainConfirmation,
    keyring: KEYRING,
    idKey: ID_KEY,
    site: SITE,
    mail: MAIL,
  };
  const links = { store, keyring: KEYRING };
  return { store, mailer, limiter, deps, links };
}

describe('subscribe', () => {
  it('stores a new address as pending and sends exactly one confirmation mail with a confirm link', async () => {
    const { store, mailer, deps } = setup();
    expect(await subscribeAndSend(deps, { email: ' Ann@EXAMPLE.org ' }, T0)).toBe('mailed');
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]?.to).toBe('Ann@example.org');
    const url = mailer.confirmUrl();
    expect(url.origin + url.pathname).toBe('https://news.example.org/api/confirm');
    const saved = await store.get(ANN_ID);
    expect(saved).toMatchObject({ email: 'Ann@example.org', status: 'pending', lastConfirmationAt: T0.toISOString(), source: 'form' });
    // Double opt-in: nothing reaches the digest list until the link is followed.
    expect(await store.listConfirmed()).toEqual([]);
  });

  it('sends one mail for 50 subscribes of the same address within a minute, sequential or concurrent', async () => {
    const { mailer, deps } = setup();
    const outcomes = [];
    for (let i = 0; i < 25; i += 1) outcomes.push(await subscribeAndSend(deps, { email: ANN }, at(i * 1000)));
    outcomes.push(
      ...(await Promise.all(
        Array.from({ length: 25 }, (_, i) => subscribeAndSend(deps, { email: i % 2 ? ANN : 'ANN@example.ORG' }, at(30_000 + i))),
      )),
    );
    expect(outcomes.filter((outcome) => outcome === 'mailed')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'not-mailed')).toHaveLength(49);
    expect(mailer.sent).toHaveLength(1);
  });

  it('sends a pending address a new mail only after 24 hours', async () => {
    const { mailer, deps } = setup();
    await subscribeAndSend(deps, { email: ANN }, T0);
    expect(await subscribeAndSend(deps, { email: ANN }, at(24 * HOUR - 1))).toBe('not-mailed');
    expect(await subscribeAndSend(deps, { email: ANN }, at(24 * HOUR + 1))).toBe('mailed');
    expect(mailer.sent).toHaveLength(2);
  });

  it('sends nothing to a confirmed, bounced or complained address and leaves it as it was', async () => {
    for (const status of ['confirmed', 'bounced', 'complained'] as const) {
      const { store, mailer, deps } = setup([record(ANN, status)]);
      expect(await subscribeAndSend(deps, { email: ANN }, at(48 * HOUR))).toBe('not-mailed');
      expect(mailer.sent).toHaveLength(0);
      expect((await store.get(ANN_ID))?.status).toBe(status);
    }
  });

  it('makes an unsubscribed address pending again with a new confirmation, respecting the cooldown', async () => {
    const recent = setup([record(ANN, 'unsubscribed', { lastConfirmationAt: at(-HOUR).toISOString() })]);
    expect(await subscribeAndSend(recent.deps, { email: ANN }, T0)).toBe('not-mailed');
    expect((await recent.store.get(ANN_ID))?.status).toBe('unsubscribed');

    const old = setup([record(ANN, 'unsubscribed', { lastConfirmationAt: at(-30 * 24 * HOUR).toISOString() })]);
    expect(await subscribeAndSend(old.deps, { email: ANN }, T0)).toBe('mailed');
    expect((await old.store.get(ANN_ID))?.status).toBe('pending');
    expect(old.mailer.sent).toHaveLength(1);
  });

  it('ignores a filled honeypot: nothing stored, no mail, even for a malformed address', async () => {
    const { store, mailer, deps } = setup();
    expect(await subscribeAndSend(deps, { email: ANN, honeypot: 'http://spam.example' }, T0)).toBe('honeypot');
    expect(await subscribeAndSend(deps, { email: 'not an address', honeypot: 'x' }, T0)).toBe('honeypot');
    expect(await store.listAll()).toEqual([]);
    expect(mailer.sent).toEqual([]);
    // An empty or blank honeypot is a person.
    expect(await subscribeAndSend(deps, { email: ANN, honeypot: '  ' }, T0)).toBe('mailed');
  });

  it('refuses a malformed address with InvalidAddressError and stores nothing', async () => {
    const { store, deps } = setup();
    await expect(subscribeAndSend(deps, { email: 'ann@example.org\r\nBcc: x@example.org' }, T0)).rejects.toBeInstanceOf(
      InvalidAddressError,
    );
    expect(await store.listAll()).toEqual([]);
  });

  it('frees the 24 h slot when SES throttled or the quota ran out, so a retry mails at once', async () => {
    for (const failure of [
      { kind: 'throttled', detail: 'slow down' },
      { kind: 'quota', detail: 'quota' },
    ] as const) {
      const { mailer, deps } = setup();
      mailer.failures.push(failure);
      expect(await subscribeAndSend(deps, { email: ANN }, T0)).toBe('mail-failed');
      expect(await subscribeAndSend(deps, { email: ANN }, at(1000))).toBe('mailed');
      expect(mailer.sent).toHaveLength(1);
    }
  });

  it('keeps the slot when SES rejected the recipient', async () => {
    const { mailer, deps } = setup();
    mailer.failures.push({ kind: 'rejected-recipient', detail: 'suppressed' });
    expect(await subscribeAndSend(deps, { email: ANN }, T0)).toBe('mail-failed');
    expect(await subscribeAndSend(deps, { email: ANN }, at(1000))).toBe('not-mailed');
    expect(mailer.sent).toHaveLength(0);
  });

  it('throttles per IP (without storing the IP) and lets other IPs through', async () => {
    const { limiter, deps, mailer } = setup();
    const throttled: SubscribeTestDeps = { ...deps, throttle: { limiter, limit: 3, windowMs: 60_000 } };
    for (let i = 0; i < 3; i += 1) await subscribeAndSend(throttled, { email: `p${i}@example.org`, ip: '203.0.113.7' }, at(i));
    await expect(subscribeAndSend(throttled, { email: 'p9@example.org', ip: '203.0.113.7' }, at(10))).rejects.toBeInstanceOf(
      TooManyRequestsError,
    );
    expect(await subscribeAndSend(throttled, { email: 'q@example.org', ip: '198.51.100.1' }, at(10))).toBe('mailed');
    expect(await subscribeAndSend(throttled, { email: 'p9@example.org', ip: '203.0.113.7' }, at(60_000))).toBe('mailed');
    expect(mailer.sent).toHaveLength(5);
  });

  it('counts an IPv6 client by its /64: fresh addresses in one /64 share one budget', async () => {
    const { limiter, deps } = setup();
    const throttled: SubscribeTestDeps = { ...deps, throttle: { limiter, limit: 3, windowMs: 60_000 } };
    const inOneSlash64 = ['2001:db8:1:2::1', '2001:db8:1:2:ffff::9', '2001:0db8:0001:0002:abcd:1234:5678:9abc'];
    for (const [i, ip] of inOneSlash64.entries()) await subscribeAndSend(throttled, { email: `v${i}@example.org`, ip }, at(i));
    await expect(subscribeAndSend(throttled, { email: 'v9@example.org', ip: '2001:db8:1:2:dead:beef::1' }, at(10))).rejects.toBeInstanceOf(
      TooManyRequestsError,
    );
    expect(await subscribeAndSend(throttled, { email: 'w@example.org', ip: '2001:db8:1:3::1' }, at(10))).toBe('mailed');
  });
});

describe('client throttle keys', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:abcd:1234:5678:9abc', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::ffff:cb00:7107', '203.0.113.7'],
    ['2001:db8::203.0.113.7', '2001:db8:0:0::/64'],
  ])('counts %s as %s', (ip, network) => {
    expect(clientNetwork(ip)).toBe(network);
  });

  it('is a keyed hash: neither the address nor its bare SHA-256 appears, and another secret gives another key', () => {
    const key = clientThrottleKey('203.0.113.7', 'secret-one');
    expect(key).not.toContain('203.0.113.7');
    expect(key).not.toContain(createHash('sha256').update('203.0.113.7').digest('hex').slice(0, 24));
    expect(clientThrottleKey('203.0.113.7', 'secret-two')).not.toBe(key);
    expect(clientThrottleKey('::ffff:203.0.113.7', 'secret-one')).toBe(key);
  });
});

describe('confirm', () => {
  async function pendingAnn() {
    const context = setup();
    await subscribeAndSend(context.deps, { email: ANN }, T0);
    return { ...context, token: context.mailer.confirmToken() };
  }

  it('confirms with the mailed link, and a second click changes nothing', async () => {
    const { store, links, token } = await pendingAnn();
    expect(await confirm(links, token, at(HOUR))).toBe('confirmed');
    // The confirmation time goes with them: no edition reaches back before it.
    expect(await store.listConfirmed()).toEqual([{ id: ANN_ID, email: ANN, status: 'confirmed', confirmedAt: at(HOUR).toISOString() }]);
    const after = await store.get(ANN_ID);
    expect(await confirm(links, token, at(2 * HOUR))).toBe('already-confirmed');
    expect(await store.get(ANN_ID)).toEqual(after);
  });

  it('accepts a link at exactly 72 h and refuses it at 72 h + 1 s, leaving the address pending', async () => {
    const late = await pendingAnn();
    await expect(confirm(late.links, late.token, at(72 * HOUR + 1000))).rejects.toMatchObject({
      name: 'InvalidTokenError',
      reason: 'expired',
    });
    expect((await late.store.get(ANN_ID))?.status).toBe('pending');
    const onTime = await pendingAnn();
    expect(await confirm(onTime.links, onTime.token, at(72 * HOUR))).toBe('confirmed');
  });

  it('refuses forged, truncated, cross-purpose and unknown-key tokens without any change', async () => {
    const { store, links, token } = await pendingAnn();
    const [keyId, payload, mac] = token.split('.') as [string, string, string];
    const flipped = `${mac.slice(0, -2)}${mac.at(-2) === 'A' ? 'B' : 'A'}${mac.at(-1)}`;
    const otherPayload = Buffer.from(JSON.stringify({ s: subscriberIdFor('eve@example.org', ID_KEY), t: T0.getTime() / 1000 })).toString(
      'base64url',
    );
    const bad = {
      forgedMac: `${keyId}.${payload}.${flipped}`,
      otherSubscriber: `${keyId}.${otherPayload}.${mac}`,
      truncated: token.slice(0, -5),
      noMac: `${keyId}.${payload}`,
      crossPurpose: signToken('unsubscribe', ANN_ID, KEYRING, T0),
      unknownKey: signToken('confirm', ANN_ID, { currentKeyId: 'k9', secrets: { k9: 'attacker-secret-0123456' } }, T0),
      empty: '',
    };
    const before = await store.get(ANN_ID);
    for (const [name, value] of Object.entries(bad)) {
      await expect(confirm(links, value, at(HOUR)), name).rejects.toBeInstanceOf(InvalidTokenError);
    }
    expect(await store.get(ANN_ID)).toEqual(before);
  });

  it('accepts a link signed with an older key still in the keyring (rotation)', async () => {
    const { links } = await pendingAnn();
    const oldKeyToken = signToken('confirm', ANN_ID, { currentKeyId: 'k1', secrets: KEYRING.secrets }, T0);
    expect(await confirm(links, oldKeyToken, at(HOUR))).toBe('confirmed');
  });

  it('does not bring back an address that unsubscribed, bounced or complained meanwhile', async () => {
    for (const status of ['unsubscribed', 'bounced', 'complained'] as const) {
      const { store, links } = setup([record(ANN, status)]);
      const token = signToken('confirm', ANN_ID, KEYRING, T0);
      await expect(confirm(links, token, at(HOUR))).rejects.toBeInstanceOf(InvalidTokenError);
      expect((await store.get(ANN_ID))?.status).toBe(status);
    }
  });
});

describe('unsubscribe', () => {
  it('unsubscribes a confirmed address at once and is idempotent', async () => {
    const { store, links } = setup([record(ANN, 'confirmed')]);
    const token = signToken('unsubscribe', ANN_ID, KEYRING, T0);
    expect(await unsubscribe(links, token, at(HOUR))).toBe('unsubscribed');
    const after = await store.get(ANN_ID);
    expect(after?.status).toBe('unsubscribed');
    expect(await store.listConfirmed()).toEqual([]);
    expect(await unsubscribe(links, token, at(2 * HOUR))).toBe('already-inactive');
    expect(await store.get(ANN_ID)).toEqual(after);
  });

  it('never expires: a year-old link still works', async () => {
    const { links } = setup([record(ANN, 'confirmed')]);
    expect(await unsubscribe(links, signToken('unsubscribe', ANN_ID, KEYRING, T0), at(365 * 24 * HOUR))).toBe('unsubscribed');
  });

  it('refuses a confirm token and forged tokens, changing nothing', async () => {
    const { store, links } = setup([record(ANN, 'confirmed')]);
    await expect(unsubscribe(links, signToken('confirm', ANN_ID, KEYRING, T0), at(HOUR))).rejects.toBeInstanceOf(InvalidTokenError);
    const token = signToken('unsubscribe', ANN_ID, KEYRING, T0);
    await expect(unsubscribe(links, `${token}x`, at(HOUR))).rejects.toBeInstanceOf(InvalidTokenError);
    expect((await store.get(ANN_ID))?.status).toBe('confirmed');
  });

  it('leaves bounced and complained addresses as they are, and answers the same for unknown ids', async () => {
    const { store, links } = setup([record(ANN, 'bounced')]);
    expect(await unsubscribe(links, signToken('unsubscribe', ANN_ID, KEYRING, T0), T0)).toBe('already-inactive');
    expect((await store.get(ANN_ID))?.status).toBe('bounced');
    expect(await unsubscribe(links, signToken('unsubscribe', subscriberIdFor('nobody@example.org', ID_KEY), KEYRING, T0), T0)).toBe(
      'already-inactive',
    );
    expect(await store.get(subscriberIdFor('nobody@example.org', ID_KEY))).toBeUndefined();
  });
});

/** An SES event-publishing notification as SNS delivers it (configuration set destination). */
function bounceEvent(bounceType: string, feedbackId: string, recipient = ANN) {
  return {
    eventType: 'Bounce',
    bounce: {
      bounceType,
      bounceSubType: bounceType === 'Transient' ? 'MailboxFull' : 'General',
      bouncedRecipients: [{ emailAddress: recipient, action: 'failed', status: '5.1.1' }],
      timestamp: T0.toISOString(),
      feedbackId,
    },
    mail: { messageId: 'msg-1', destination: [recipient] },
  };
}

describe('recordSesEvent', () => {
  function feedbackSetup(status: SubscriberStatus = 'confirmed') {
    const store = new MemorySubscribers([record(ANN, status)]);
    const ledger = new MemoryFeedbackLedger();
    let transitions = 0;
    const countingStore = {
      get: (id: string) => store.get(id),
      transition: (...args: Parameters<MemorySubscribers['transition']>) => {
        transitions += 1;
        return store.transition(...args);
      },
    };
    return { store, ledger, deps: { store: countingStore, ledger, idKey: ID_KEY }, transitions: () => transitions };
  }

  it('marks a permanent bounce as bounced, and the address leaves the digest list', async () => {
    const { store, deps } = feedbackSetup();
    expect(await recordSesEvent(deps, bounceEvent('Permanent', 'fb-1'), T0)).toEqual({ outcome: 'applied', changed: 1 });
    expect(await store.get(ANN_ID)).toMatchObject({ status: 'bounced', statusReason: 'bounce: Permanent/General' });
    expect(await store.listConfirmed()).toEqual([]);
  });

  it('changes nothing for a transient (out-of-office) or undetermined bounce', async () => {
    const { store, deps, transitions } = feedbackSetup();
    expect((await recordSesEvent(deps, bounceEvent('Transient', 'fb-2'), T0)).outcome).toBe('ignored');
    expect((await recordSesEvent(deps, bounceEvent('Undetermined', 'fb-3'), T0)).outcome).toBe('ignored');
    expect((await store.get(ANN_ID))?.status).toBe('confirmed');
    expect(transitions()).toBe(0);
  });

  it('processes a duplicate notification once', async () => {
    const { store, deps, transitions } = feedbackSetup();
    const event = bounceEvent('Permanent', 'fb-dup');
    expect((await recordSesEvent(deps, event, T0)).outcome).toBe('applied');
    // The operator re-adds nothing here; a second delivery must not touch the store at all.
    expect(await recordSesEvent(deps, structuredClone(event), at(60_000))).toEqual({ outcome: 'duplicate', changed: 0 });
    expect(transitions()).toBe(1);
    expect((await store.get(ANN_ID))?.status).toBe('bounced');
  });

  it('marks a complaint as complained, also over a bounce, in the identity-notification format', async () => {
    const { store, deps } = feedbackSetup('bounced');
    const complaint = {
      notificationType: 'Complaint',
      complaint: { complainedRecipients: [{ emailAddress: 'ANN@Example.org' }], feedbackId: 'fb-c', complaintFeedbackType: 'abuse' },
      mail: { messageId: 'msg-2' },
    };
    expect(await recordSesEvent(deps, complaint, T0)).toEqual({ outcome: 'applied', changed: 1 });
    expect(await store.get(ANN_ID)).toMatchObject({ status: 'complained', statusReason: 'complaint: abuse' });
  });

  it('never creates records for unknown or unparsable recipients, and ignores other event types', async () => {
    const { store, deps } = feedbackSetup();
    expect(await recordSesEvent(deps, bounceEvent('Permanent', 'fb-4', 'stranger@example.org'), T0)).toEqual({
      outcome: 'applied',
      changed: 0,
    });
    expect(await recordSesEvent(deps, bounceEvent('Permanent', 'fb-5', 'not an address'), T0)).toEqual({ outcome: 'applied', changed: 0 });
    expect((await recordSesEvent(deps, { eventType: 'Delivery', mail: { messageId: 'm' } }, T0)).outcome).toBe('ignored');
    expect((await store.listAll()).map((row) => row.status)).toEqual(['confirmed']);
  });

  it('leaves no completion mark when applying fails, so the SNS retry does the work', async () => {
    const store = new MemorySubscribers([record(ANN, 'confirmed')]);
    const ledger = new MemoryFeedbackLedger();
    let fail = true;
    const flaky = {
      get: (id: string) => store.get(id),
      transition: (...args: Parameters<MemorySubscribers['transition']>) => {
        if (fail) return Promise.reject(new Error('DynamoDB unavailable'));
        return store.transition(...args);
      },
    };
    await expect(recordSesEvent({ store: flaky, ledger, idKey: ID_KEY }, bounceEvent('Permanent', 'fb-6'), T0)).rejects.toThrow(
      'DynamoDB unavailable',
    );
    fail = false;
    expect(await recordSesEvent({ store: flaky, ledger, idKey: ID_KEY }, bounceEvent('Permanent', 'fb-6'), at(1000))).toEqual({
      outcome: 'applied',
      changed: 1,
    });
  });

  it('applies a bounce whose first invocation died between reading the ledger and applying it', async () => {
    const { store, ledger, deps } = feedbackSetup();
    // The first invocation got as far as the ledger (as far as the old claim went) and was killed.
    expect(await ledger.isDone('fb-killed', T0)).toBe(false);
    expect(await recordSesEvent(deps, bounceEvent('Permanent', 'fb-killed'), at(30_000))).toEqual({ outcome: 'applied', changed: 1 });
    expect((await store.get(ANN_ID))?.status).toBe('bounced');
    expect(await ledger.isDone('fb-killed', at(31_000))).toBe(true);
  });

  it('rejects a message that is not an SES notification', async () => {
    const { deps } = feedbackSetup();
    await expect(recordSesEvent(deps, { eventType: 'Bounce', bounce: { bounceType: 5 } }, T0)).rejects.toThrow();
    await expect(recordSesEvent(deps, 'hello', T0)).rejects.toThrow();
  });
});

describe('operator use cases', () => {
  it('adds an address as confirmed with its consent note, and requires the note', async () => {
    const { store } = setup();
    await expect(addSubscriber({ store, idKey: ID_KEY }, { email: ANN, note: ' ' }, T0)).rejects.toBeInstanceOf(OperatorInputError);
    await expect(addSubscriber({ store, idKey: ID_KEY }, { email: ANN, note: 'consent\nBcc: x' }, T0)).rejects.toBeInstanceOf(
      OperatorInputError,
    );
    expect(await addSubscriber({ store, idKey: ID_KEY }, { email: ANN, note: 'consent: paper form 2025-02-28' }, T0)).toMatchObject({
      outcome: 'added',
      status: 'confirmed',
    });
    expect(await store.get(ANN_ID)).toMatchObject({
      status: 'confirmed',
      consentNote: 'consent: paper form 2025-02-28',
      source: 'operator',
      confirmedAt: T0.toISOString(),
    });
  });

  it('confirms a pending address but never overrides unsubscribed, bounced or complained', async () => {
    const pending = setup([record(ANN, 'pending')]);
    expect(await addSubscriber({ store: pending.store, idKey: ID_KEY }, { email: ANN, note: 'consent: phone' }, T0)).toMatchObject({
      outcome: 'confirmed',
      status: 'confirmed',
    });
    for (const status of ['unsubscribed', 'bounced', 'complained'] as const) {
      const { store } = setup([record(ANN, status)]);
      expect(await addSubscriber({ store, idKey: ID_KEY }, { email: ANN, note: 'consent: phone' }, T0)).toMatchObject({
        outcome: 'unchanged',
        status,
      });
      expect((await store.get(ANN_ID))?.consentNote).toBeUndefined();
    }
  });

  it('imports good rows and reports bad ones by line', async () => {
    const { store } = setup([record('bob@example.org', 'unsubscribed')]);
    const report = await importSubscribers(
      { store, idKey: ID_KEY },
      [
        { line: 2, email: ANN, note: 'consent: fair' },
        { line: 3, email: 'not-an-address' },
        { line: 4, email: 'bob@example.org' },
        { line: 5, email: 'cy@example.org' },
      ],
      'consent: imported list of 2025-02',
      T0,
    );
    expect(report.rejected).toEqual([{ line: 3, reason: 'invalid address (not exactly one @)' }]);
    expect(report.results.map((row) => [row.email, row.outcome, row.status])).toEqual([
      [ANN, 'added', 'confirmed'],
      ['bob@example.org', 'unchanged', 'unsubscribed'],
      ['cy@example.org', 'added', 'confirmed'],
    ]);
    expect((await store.get(subscriberIdFor('cy@example.org', ID_KEY)))?.consentNote).toBe('consent: imported list of 2025-02');
  });

  it('removes an address by any spelling', async () => {
    const { store } = setup([record(ANN, 'confirmed')]);
    expect(await removeSubscriber({ store, idKey: ID_KEY }, 'ANN@EXAMPLE.ORG')).toMatchObject({ email: ANN, status: 'confirmed' });
    expect(await removeSubscriber({ store, idKey: ID_KEY }, ANN)).toBeUndefined();
    expect(await store.listAll()).toEqual([]);
  });
});

describe('keyed subscriber ids and records stored before them', () => {
  /** A record as stored before ids were keyed: under the bare SHA-256 of the address. */
  function legacyRecord(email: string, status: SubscriberStatus): SubscriberRecord {
    return { ...record(email, status), id: legacySubscriberIdFor(email) };
  }

  it('gives a new sign-up the keyed id, never the bare hash anyone could compute from the address', async () => {
    const { store, deps } = setup();
    expect(await subscribeAndSend(deps, { email: ANN }, T0)).toBe('mailed');
    expect((await store.listAll()).map((row) => row.id)).toEqual([subscriberIdFor(ANN, ID_KEY)]);
    expect(await store.get(legacySubscriberIdFor(ANN))).toBeUndefined();
    // The id in the confirm link is the keyed one too.
    const { mailer } = setup();
    await subscribeAndSend({ ...deps, mailer }, { email: 'bob@example.org' }, T0);
    const payload = JSON.parse(Buffer.from(mailer.confirmToken().split('.')[1]!, 'base64url').toString('utf8')) as { s: string };
    expect(payload.s).toBe(subscriberIdFor('bob@example.org', ID_KEY));
  });

  it('an old record still unsubscribes through the link mailed before, and stays under its old id', async () => {
    const { store, links } = setup([legacyRecord(ANN, 'confirmed')]);
    const oldLink = signToken('unsubscribe', legacySubscriberIdFor(ANN), KEYRING, T0);
    expect(await unsubscribe(links, oldLink, at(HOUR))).toBe('unsubscribed');
    expect((await store.listAll()).map((row) => [row.id, row.status])).toEqual([[legacySubscriberIdFor(ANN), 'unsubscribed']]);
  });

  it('a sign-up, a bounce and the operator find an old record by its address instead of making a second one', async () => {
    const { store, deps, mailer } = setup([legacyRecord(ANN, 'confirmed')]);
    expect(await subscribeAndSend(deps, { email: ANN }, T0)).toBe('not-mailed');
    expect(mailer.sent).toHaveLength(0);
    expect(await addSubscriber({ store, idKey: ID_KEY }, { email: ANN, note: 'consent: phone' }, T0)).toMatchObject({
      id: legacySubscriberIdFor(ANN),
      outcome: 'unchanged',
    });
    const bounce = {
      notificationType: 'Bounce',
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: ANN }], feedbackId: 'fb-old' },
      mail: { messageId: 'm-old' },
    };
    expect(await recordSesEvent({ store, ledger: new MemoryFeedbackLedger(), idKey: ID_KEY }, bounce, T0)).toEqual({
      outcome: 'applied',
      changed: 1,
    });
    expect((await store.listAll()).map((row) => [row.id, row.status])).toEqual([[legacySubscriberIdFor(ANN), 'bounced']]);
    expect(await removeSubscriber({ store, idKey: ID_KEY }, ANN)).toMatchObject({ id: legacySubscriberIdFor(ANN) });
    expect(await store.listAll()).toEqual([]);
  });

  it('another id key gives every address other ids (a stranger without the key cannot derive them)', async () => {
    const one = setup();
    const other = setup();
    await subscribeAndSend(one.deps, { email: ANN }, T0);
    await subscribeAndSend({ ...other.deps, idKey: `${ID_KEY}-other` }, { email: ANN }, T0);
    const [first] = await one.store.listAll();
    const [second] = await other.store.listAll();
    expect(first?.id).not.toBe(second?.id);
  });
});

describe('subscribe answers without the list', () => {
  /** A store that fails the test if the answering half touches it. */
  const untouchable = new Proxy(
    {},
    {
      get: (_target, name) => {
        throw new Error(`the answer read the store (${String(name)})`);
      },
    },
  );

  it('queues one job for every well-formed address, new or already confirmed, and reads nothing', async () => {
    const jobs: ConfirmationJob[] = [];
    const deps = { keyring: KEYRING, confirmations: { enqueue: async (job: ConfirmationJob) => void jobs.push(job) }, store: untouchable };
    expect(await subscribe(deps, { email: ' Ann@EXAMPLE.org ' }, T0)).toBe('queued');
    expect(await subscribe(deps, { email: 'confirmed-already@example.org' }, T0)).toBe('queued');
    expect(jobs).toEqual([{ email: 'Ann@example.org' }, { email: 'confirmed-already@example.org' }]);
    await expect(subscribe(deps, { email: 'not an address' }, T0)).rejects.toBeInstanceOf(InvalidAddressError);
    expect(await subscribe(deps, { email: ANN, honeypot: 'bot' }, T0)).toBe('honeypot');
    expect(jobs).toHaveLength(2);
  });

  it('locally, the queued job runs after the answer: nothing is mailed until the request has returned', async () => {
    const { store, mailer, deps } = setup([record('confirmed@example.org', 'confirmed')]);
    const queue = new AfterResponseQueue(
      (job) => sendConfirmation(deps, job, T0),
      (error) => {
        throw error;
      },
    );
    expect(await subscribe({ keyring: KEYRING, confirmations: queue }, { email: ANN }, T0)).toBe('queued');
    expect(await subscribe({ keyring: KEYRING, confirmations: queue }, { email: 'confirmed@example.org' }, T0)).toBe('queued');
    // Answered, and not one store write or mail yet.
    expect(mailer.sent).toHaveLength(0);
    expect(await store.get(ANN_ID)).toBeUndefined();
    await queue.idle();
    expect(mailer.sent.map((mail) => mail.to)).toEqual([ANN]);
    expect((await store.get(ANN_ID))?.status).toBe('pending');
  });

  it('a job that fails after the answer is reported, and the next one still runs', async () => {
    const errors: unknown[] = [];
    const done: string[] = [];
    const queue = new AfterResponseQueue(
      async (job) => {
        if (job.email === 'bad@example.org') throw new Error('table unavailable');
        done.push(job.email);
      },
      (error) => errors.push(error),
    );
    await queue.enqueue({ email: 'bad@example.org' });
    await queue.enqueue({ email: 'good@example.org' });
    await queue.idle();
    expect(errors.map(String)).toEqual(['Error: table unavailable']);
    expect(done).toEqual(['good@example.org']);
  });
});
