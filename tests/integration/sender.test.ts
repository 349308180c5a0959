/**
 * Fan-out sending against the emulators (fauxqs for SQS, dynalite, aws-ses-v2-local behind the SES
 * front): the publisher renders once and enqueues, the sender function consumes real `SQSEvent`s and
 * reports partial failures. Exactly once per (delivery, subscriber) across duplicate deliveries, a
 * crash mid-batch, throttling, the quota running out, and 2,000 recipients through four senders.
 */
import { BatchWriteCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoSendingPause } from '../../functions/adapters/aws/dynamodb-sending-pause.js';
import { sesStats, setSesFaults } from '../../functions/dev/local-aws/ses-front.js';
import { normaliseAddress, subscriberIdFor } from '../../functions/core/subscriptions/address.js';
import { parseKeyring, verifyToken } from '../../functions/core/tokens.js';
import { FIRST_HOLD_BACK_SECONDS } from '../../functions/shared/send-queue.js';
import { countByRecipient, TEST_KEYRING_JSON, TEST_SUBSCRIBER_ID_KEY } from './harness.js';
import { createFanoutHarness, type FanoutHarness } from './sender-harness.js';

const harnesses: FanoutHarness[] = [];
afterEach(async () => {
  for (const harness of harnesses.splice(0)) {
    await setSesFaults(harness.endpoints.ses, {});
    harness.close();
  }
});
async function harness(options?: Parameters<typeof createFanoutHarness>[0]): Promise<FanoutHarness> {
  const created = await createFanoutHarness(options);
  harnesses.push(created);
  return created;
}

/** Seeds `count` confirmed subscribers with BatchWrite (25 per request); returns their addresses. */
async function subscribers(h: FanoutHarness, count: number): Promise<string[]> {
  const addresses = Array.from({ length: count }, (_, index) => h.address(`reader${index}`));
  const now = new Date().toISOString();
  for (let start = 0; start < addresses.length; start += 25) {
    const items = addresses.slice(start, start + 25).map((email) => ({
      PutRequest: {
        Item: {
          id: subscriberIdFor(normaliseAddress(email), TEST_SUBSCRIBER_ID_KEY),
          email,
          status: 'confirmed',
          createdAt: now,
          updatedAt: now,
        },
      },
    }));
    await h.clients.doc.send(new BatchWriteCommand({ RequestItems: { [h.names.tables.subscribers]: items } }));
  }
  return addresses;
}

async function expectEachOnce(h: FanoutHarness, addresses: string[]): Promise<void> {
  const counts = countByRecipient(await h.mails());
  expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(addresses.map((address) => [address, 1])));
}

/** Every ledger item, through every page of the scan. */
async function ledgerItems(h: FanoutHarness): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan({ client: h.clients.doc }, { TableName: h.names.tables.deliveries, ConsistentRead: true })) {
    items.push(...(page.Items ?? []));
  }
  return items;
}

describe('fan-out through the send queue', () => {
  it('the publisher enqueues 50 recipients per message; the sender mails each once with their own unsubscribe link', async () => {
    const h = await harness();
    const addresses = await subscribers(h, 120);

    const summary = await h.publish();
    expect(summary.mail).toMatchObject({ sent: 120, deferred: 0, editions: 1, inDoubt: [] });
    expect(await h.depth()).toEqual({ visible: 3, inFlight: 0 });
    // The publisher mailed nobody itself; the edition is recorded on its digest.
    expect(await h.mails()).toHaveLength(0);
    const [editionId] = (await h.digests())[0]!.editions!;
    expect(editionId).toMatch(/^edition:instant:/);

    await h.drain();
    await expectEachOnce(h, addresses);
    expect(await h.depth()).toEqual({ visible: 0, inFlight: 0 });
    expect(h.senderMetrics).toEqual({ MailsSent: 120, MailsFailed: 0, MailsDeferred: 0, SenderRejected: 0 });
    // One ledger partition: the edition, one copy per subscriber.
    expect(new Set((await ledgerItems(h)).map((item) => item.digestId))).toEqual(new Set([editionId]));
    const keyring = parseKeyring(TEST_KEYRING_JSON, 'test');
    for (const mail of (await h.mails()).slice(0, 5)) {
      const id = subscriberIdFor(normaliseAddress(mail.to), TEST_SUBSCRIBER_ID_KEY);
      // The raw header block, unfolded (mailparser turns List-Unsubscribe into an object).
      const header = mail.raw
        .toString('latin1')
        .split('\r\n\r\n')[0]!
        .replace(/\r\n[ \t]+/g, ' ');
      const token = /^List-Unsubscribe: <[^>]*token=([^>&]+)>/im.exec(header)?.[1];
      expect(verifyToken(decodeURIComponent(token!), 'unsubscribe', keyring, new Date()).subscriberId).toBe(id);
      expect(mail.parsed.text).toContain(`token=${token}`);
      expect(mail.parsed.html).toContain(`token=${token}`);
      // The edition mail's own per-recipient link: their signed manage page.
      const manage = /\/manage[^"\s]*token=([^"&\s]+)/.exec(mail.parsed.html as string)?.[1];
      expect(verifyToken(decodeURIComponent(manage!), 'manage', keyring, new Date()).subscriberId).toBe(id);
      expect(mail.parsed.messageId).toMatch(new RegExp(`^<?edition\\..*\\.${id}@`));
    }
  });

  it('a duplicate SQS delivery of the same messages sends no second email', async () => {
    const h = await harness();
    const addresses = await subscribers(h, 60);
    await h.publish();
    let first: Parameters<typeof h.sender>[0] | undefined;
    await h.pollOnce({
      invoke: async (event) => {
        first = event;
        return h.sender(event, {});
      },
    });
    // At-least-once: the same records arrive again (a poller that lost its delete, say).
    const again = await h.sender(first!, {});
    expect(again.batchItemFailures).toEqual([]);
    await expectEachOnce(h, addresses);
  });

  it('a worker that crashes mid-batch leaves its messages to reappear; the retry mails the rest once', async () => {
    const h = await harness();
    const addresses = await subscribers(h, 100);
    await h.publish();
    // The 31st send reaches SES but its response is lost: the invocation fails, nothing is deleted.
    await setSesFaults(h.endpoints.ses, { loseResponseAfterSends: 30 });
    let received: SQSRecord[] = [];
    const crashing = h.pollOnce({
      invoke: (event) => {
        received = event.Records;
        return h.sender(event, {});
      },
    });
    await expect(crashing).rejects.toThrow();
    const before = (await h.mails()).length;
    expect(before).toBeGreaterThan(30);
    expect(before).toBeLessThan(100);
    expect(await h.depth()).toEqual({ visible: 0, inFlight: 2 });

    await setSesFaults(h.endpoints.ses, {});
    // The visibility timeout passes: the two messages come back.
    await h.expireInFlight(received);
    await h.drain();
    await expectEachOnce(h, addresses);
    // The pair whose response was lost stays claimed (at most once), and was in fact delivered.
    expect((await ledgerItems(h)).filter((item) => item.status === 'claimed')).toHaveLength(1);
  });

  it('throttling on the Nth send is retried with backoff: nothing lost, nothing doubled', async () => {
    const h = await harness();
    const addresses = await subscribers(h, 50);
    await h.publish();
    await setSesFaults(h.endpoints.ses, { throttleRequests: [3, 4, 20] });
    const before = await sesStats(h.endpoints.ses);
    await h.drain();
    expect((await sesStats(h.endpoints.ses)).sendRequests - before.sendRequests).toBe(53);
    await expectEachOnce(h, addresses);
  });

  it('stops on the daily quota, releases the unsent claims, holds the messages back and pauses every sender; past the pause the rest goes once', async () => {
    let offsetMs = 0;
    const h = await harness({ senderClock: { now: () => new Date(Date.now() + offsetMs) } });
    const addresses = await subscribers(h, 100);
    await h.publish();
    await setSesFaults(h.endpoints.ses, { quotaAfterSends: 40 });

    const received = await h.pollOnce();
    expect(received).toHaveLength(2);
    expect((await h.mails()).length).toBe(40);
    expect(h.senderMetrics).toMatchObject({ MailsSent: 40, MailsDeferred: 60 });
    const ledger = await ledgerItems(h);
    expect(ledger.map((item) => item.status)).toEqual(Array(40).fill('sent'));
    // Held back (30 minutes), not redelivered at once and not deleted.
    expect(await h.depth()).toEqual({ visible: 0, inFlight: 2 });

    // The messages come back to a sender while the pause holds: it asks SES nothing and holds them again.
    await setSesFaults(h.endpoints.ses, {});
    const before = await sesStats(h.endpoints.ses);
    await h.expireInFlight(received);
    const whilePaused = await h.pollOnce();
    expect(whilePaused).toHaveLength(2);
    expect((await sesStats(h.endpoints.ses)).sendRequests).toBe(before.sendRequests);
    expect((await h.mails()).length).toBe(40);
    expect(await h.depth()).toEqual({ visible: 0, inFlight: 2 });

    // Past the pause the held messages are sent, each remaining recipient once.
    offsetMs = (FIRST_HOLD_BACK_SECONDS + 1) * 1000;
    await h.expireInFlight(whilePaused);
    await h.drain();
    await expectEachOnce(h, addresses);
    expect((await ledgerItems(h)).every((item) => item.status === 'sent')).toBe(true);
  });

  it('the shared pause only ever grows, and lapses by itself', async () => {
    const h = await harness();
    const pause = new DynamoSendingPause(h.clients.doc, h.names.tables.state);
    const now = new Date('2026-12-01T10:00:00Z');
    expect(await pause.active(now)).toBeUndefined();
    await pause.pauseUntil(new Date('2026-12-01T11:00:00Z'), 'quota');
    await pause.pauseUntil(new Date('2026-12-01T10:30:00Z'), 'sender-rejected');
    expect(await pause.active(now)).toEqual({ until: new Date('2026-12-01T11:00:00Z'), reason: 'quota' });
    await pause.pauseUntil(new Date('2026-12-01T12:00:00Z'), 'quota');
    expect(await pause.active(now)).toEqual({ until: new Date('2026-12-01T12:00:00Z'), reason: 'quota' });
    expect(await pause.active(new Date('2026-12-01T12:00:01Z'))).toBeUndefined();
  });

  it('a malformed message fails on its own, the rest of the batch is sent, and it ends in the dead-letter queue', async () => {
    const h = await harness({ maxReceiveCount: 2 });
    const addresses = await subscribers(h, 10);
    await h.publish();
    await h.sqs.send(new SendMessageCommand({ QueueUrl: h.sendQueueUrl, MessageBody: '{"version":1,"deliveryId":"x"}' }));
    for (let round = 0; round < 4; round += 1) {
      const records = await h.pollOnce();
      await h.expireInFlight(records);
    }
    await expectEachOnce(h, addresses);
    expect(await h.depth()).toEqual({ visible: 0, inFlight: 0 });
    expect((await h.depth(h.deadLetterQueueUrl)).visible).toBe(1);
  });

  it('mails 2,000 recipients end to end through four senders, each exactly once', { timeout: 180_000 }, async () => {
    // 2,000 proves the point (40 messages, four pollers at once, every pair once) in well under a
    // minute; the 10,000-recipient runs are the bench's (npm run bench -- sending).
    const RECIPIENTS = 2_000;
    const h = await harness({ senderConcurrency: 4 });
    const addresses = await subscribers(h, RECIPIENTS);
    const summary = await h.publish();
    expect(summary.mail).toMatchObject({ sent: RECIPIENTS, deferred: 0 });
    expect((await h.depth()).visible).toBe(RECIPIENTS / 50);
    // A real account's rate for a large list; it also keeps the in-process emulators within what one
    // shared machine serves (4 senders x 100/s, 15 sends in flight each).
    await setSesFaults(h.endpoints.ses, { maxSendRate: 400 });
    const before = await sesStats(h.endpoints.ses);

    await h.drain(4);

    expect((await sesStats(h.endpoints.ses)).sendRequests - before.sendRequests).toBe(RECIPIENTS);
    const ledger = await ledgerItems(h);
    expect(ledger).toHaveLength(RECIPIENTS);
    expect(ledger.every((item) => item.status === 'sent')).toBe(true);
    expect(new Set(ledger.map((item) => item.messageId)).size).toBe(RECIPIENTS);
    expect(new Set(ledger.map((item) => item.subscriberId))).toEqual(
      new Set(addresses.map((a) => subscriberIdFor(normaliseAddress(a), TEST_SUBSCRIBER_ID_KEY))),
    );
  });
});
