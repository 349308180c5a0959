import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { MemorySubscribers } from '../../functions/adapters/local/local-subscriptions.js';
import { parseConfirmationJob } from '../../functions/adapters/aws/sqs-confirmation-queue.js';
import type { SubscribeDeps } from '../../functions/core/subscriptions/subscribe.js';
import type { SubscriptionStore } from '../../functions/core/subscriptions/ports.js';
import { createConfirmationSender } from '../../functions/handlers/confirmation-sender.js';
import { ID_KEY, KEYRING, MAIL, plainConfirmation, RecordingMailer, SITE } from './subscriptions-helpers.js';

const T0 = new Date('2025-03-01T09:00:00.000Z');

function sqsEvent(bodies: string[]): SQSEvent {
  return { Records: bodies.map((body, i) => ({ messageId: `m${i}`, body })) } as unknown as SQSEvent;
}

function deps(store: SubscribeDeps['store'] = new MemorySubscribers()): SubscribeDeps & { mailer: RecordingMailer } {
  return {
    store,
    mailer: new RecordingMailer(),
    renderConfirmation: plainConfirmation,
    keyring: KEYRING,
    idKey: ID_KEY,
    site: SITE,
    mail: MAIL,
  };
}

describe('the confirmation sender (SQS worker)', () => {
  it('mails a queued new address once, even when SQS delivers the job twice', async () => {
    const d = deps();
    const sender = createConfirmationSender(d, { now: () => T0 });
    const body = JSON.stringify({ email: 'ann@example.org' });
    expect(await sender(sqsEvent([body, body]))).toEqual({ batchItemFailures: [] });
    expect(d.mailer.sent.map((mail) => mail.to)).toEqual(['ann@example.org']);
  });

  it('drops unreadable jobs and bad addresses, and hands a failed store back to SQS for another try', async () => {
    const broken = Object.assign(Object.create(new MemorySubscribers()) as SubscriptionStore, {
      reserveConfirmation: () => Promise.reject(new Error('throughput exceeded')),
    });
    const d = deps(broken);
    const sender = createConfirmationSender(d, { now: () => T0 });
    const result = await sender(
      sqsEvent(['not json', JSON.stringify({ email: 'a@b@example.org' }), JSON.stringify({ email: 'ann@example.org' })]),
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    expect(d.mailer.sent).toEqual([]);
  });

  it('reads back exactly what the queue adapter writes', () => {
    expect(parseConfirmationJob('{"email":"ann@example.org"}')).toEqual({ email: 'ann@example.org' });
    expect(parseConfirmationJob('{"email":5}')).toBeUndefined();
    expect(parseConfirmationJob('[')).toBeUndefined();
  });
});
