/**
 * The fan-out path against the emulators: the REAL publish handler with a send queue in fauxqs, the
 * REAL sender handler, and a small poller that does what Lambda's SQS event source mapping does —
 * ReceiveMessage, build the `SQSEvent` (the @types/aws-lambda shape), invoke, delete what the
 * handler did not report in `batchItemFailures`, leave the rest to reappear after its visibility timeout.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { provisionSendQueue } from '../../functions/dev/local-aws/emulators.js';
import { createSenderHandler, type SenderHandler, type SenderHandlerOptions } from '../../functions/handlers/sender.js';
import { createPublishHandler, type PublishSummary } from '../../functions/handlers/publish.js';
import { createSqsClient } from '../../functions/shared/aws-clients.js';
import { loadPublisherEnv, loadSenderEnv } from '../../functions/shared/env.js';
import { ENV } from '../../functions/shared/env-names.js';
import { createHarness, type Harness, publisherVariables } from './harness.js';

/** The publish harness plus the queue, the sender and the poller. */
export interface FanoutHarness extends Harness {
  sqs: SQSClient;
  sendQueueUrl: string;
  deadLetterQueueUrl: string;
  /** Publishes with the send queue configured (the publisher enqueues instead of mailing). */
  publish(): Promise<PublishSummary>;
  sender: SenderHandler;
  /** The sender's metrics, summed over every batch so far. */
  senderMetrics: Record<string, number>;
  /** One poll: receive up to 10 messages, invoke the sender, delete the ones it finished. Returns what it received. */
  pollOnce(options?: { invoke?: (event: SQSEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }> }): Promise<SQSRecord[]>;
  /** Polls with `workers` pollers until a poll finds the queue empty. */
  drain(workers?: number): Promise<void>;
  /** Makes those of `records` still in flight visible again (their visibility timeout "has passed"). */
  expireInFlight(records: SQSRecord[]): Promise<void>;
  depth(queueUrl?: string): Promise<{ visible: number; inFlight: number }>;
}

/** Builds the fan-out harness; `senderConcurrency` is what infra sets from MaxSendRate. */
export async function createFanoutHarness(
  options: { senderConcurrency?: number; maxReceiveCount?: number; senderClock?: SenderHandlerOptions['clock'] } = {},
): Promise<FanoutHarness> {
  const base = await createHarness();
  const sqs = createSqsClient({ region: base.env.region, endpoints: base.env.endpoints });
  const { sendQueueUrl, deadLetterQueueUrl } = await provisionSendQueue(sqs, base.names, 30, options.maxReceiveCount);
  const variables = {
    ...publisherVariables(base.endpoints, base.names),
    [ENV.sendQueueUrl]: sendQueueUrl,
    [ENV.senderConcurrency]: String(options.senderConcurrency ?? 2),
  };
  const silent = () => new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const publisher = createPublishHandler({
    env: loadPublisherEnv(variables),
    clients: base.clients,
    logger: silent(),
    metrics: { addMetric: () => undefined, publishStoredMetrics: () => undefined },
  });
  const senderMetrics: Record<string, number> = {};
  const sender = createSenderHandler({
    env: loadSenderEnv(variables),
    clients: { ...base.clients, sqs },
    logger: silent(),
    metrics: {
      addMetric: (name, _unit, value) => (senderMetrics[name] = (senderMetrics[name] ?? 0) + value),
      publishStoredMetrics: () => undefined,
    },
    ...(options.senderClock ? { clock: options.senderClock } : {}),
  });
  const queueArn = `arn:aws:sqs:${base.env.region}:000000000000:${base.names.queues.send}`;

  const pollOnce: FanoutHarness['pollOnce'] = async ({
    invoke = (event: SQSEvent) => sender(event, { getRemainingTimeInMillis: () => 300_000 }),
  } = {}) => {
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: sendQueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }),
    );
    const records = (received.Messages ?? []).map((message) => recordOf(message, queueArn, base.env.region));
    if (records.length === 0) return records;
    const response = await invoke({ Records: records });
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    const done = records.filter((record) => !failed.has(record.messageId));
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: sendQueueUrl,
          Entries: done.map((record, index) => ({ Id: `d${index}`, ReceiptHandle: record.receiptHandle })),
        }),
      );
    }
    return records;
  };

  return {
    ...base,
    sqs,
    sendQueueUrl,
    deadLetterQueueUrl,
    sender,
    senderMetrics,
    publish: () => publisher({}, { awsRequestId: randomUUID() }),
    pollOnce,
    async drain(workers = 1) {
      const poller = async () => {
        while ((await pollOnce()).length > 0);
      };
      // Every poller finishes before a failure is reported, so nothing runs on after the test.
      const settled = await Promise.allSettled(Array.from({ length: workers }, poller));
      const failure = settled.find((result) => result.status === 'rejected');
      if (failure) throw failure.reason;
    },
    async expireInFlight(records) {
      for (const record of records) {
        try {
          await sqs.send(
            new ChangeMessageVisibilityCommand({ QueueUrl: sendQueueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: 0 }),
          );
        } catch (error) {
          // A message the poller deleted (finished) is no longer in flight: nothing to expire.
          if ((error as Error).name !== 'MessageNotInflight') throw error;
        }
      }
    },
    async depth(queueUrl = sendQueueUrl) {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return {
        visible: Number(Attributes.ApproximateNumberOfMessages),
        inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
      };
    },
    close() {
      sqs.destroy();
      base.close();
    },
  };
}

/** An SQS message as the event source mapping hands it to the function. */
function recordOf(message: Message, eventSourceARN: string, awsRegion: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'AIDATEST',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN,
    awsRegion,
  };
}
