/**
 * Fan-out sending at MaxSendRate: the send queue in fauxqs, the REAL sender handler (one per simulated
 * Lambda container, as many as the event source mapping's maximum concurrency for the rate, each with
 * its own limiter at MaxSendRate ÷ concurrency), the DynamoDB ledger on dynalite and SES through the
 * SES front with a ~60 ms round trip per send, as from a Lambda to a regional endpoint. The front
 * answers the sends itself (`acceptWithoutEmulator`): aws-ses-v2-local parses each mail (~6.5 ms of
 * CPU), which on a shared 2-core machine caps it near 40 mails/s and would measure the emulator. For each rate:
 * mails per second achieved from the first poll to the last mail, the ratio to the rate (the goal is
 * ≥ 0.95), and duplicates and losses counted from what SES accepted.
 *
 * One line per case: `sending: rate=R recipients=N achieved=X ratio=Y duplicates=D lost=L`, plus the
 * process's CPU per mail (emulators included: when achieved × cpu_ms_per_mail nears the CPU the machine
 * gives this process, the emulators, not the sender, set the pace). First a baseline line: the
 * one-at-a-time loop the publisher had before.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { DynamoDeliveryLedger } from '../functions/adapters/aws/dynamodb-delivery-ledger.js';
import { SesMailer } from '../functions/adapters/aws/ses-mailer.js';
import { SqsSendQueue } from '../functions/adapters/aws/sqs-send-queue.js';
import {
  provisionGazette,
  provisionSendQueue,
  startEmulators,
  uniqueResourceNames,
  type EmulatorEndpoints,
} from '../functions/dev/local-aws/emulators.js';
import { acceptedByRecipient, setSesFaults } from '../functions/dev/local-aws/ses-front.js';
import { editionDeliveryId } from '../functions/core/editions/edition.js';
import { editionTemplate } from '../functions/core/publish/deliver-edition.js';
import { ConcurrentSender } from '../functions/core/send/concurrent-sender.js';
import { senderConcurrencyFor, UNLIMITED } from '../functions/core/send/rate-limiter.js';
import { createSenderHandler, type SenderHandler } from '../functions/handlers/sender.js';
import { createAwsClients, createSqsClient, destroyAwsClients } from '../functions/shared/aws-clients.js';
import type { SenderEnv } from '../functions/shared/env.js';
import { mail, seedEdition, site } from '../tests/unit/render-fixtures.js';

const CASES = [
  { rate: 14, recipients: 2_000 },
  { rate: 100, recipients: 10_000 },
  { rate: 500, recipients: 10_000 },
] as const;
const SES_LATENCY_MS = 60;
/** The baseline needs no big list: one send at a time reaches its ceiling at once. */
const BASELINE_RECIPIENTS = 500;

/**
 * The baseline: one worker with one send in flight, as the publisher's loop sent before the fan-out
 * (claim, send, record, one after the other), with no rate limit at all, against the same ledger and
 * the same 60 ms SES.
 */
async function baselineCase(endpoints: EmulatorEndpoints, count: number): Promise<string> {
  const names = uniqueResourceNames('bench');
  const clients = createAwsClients({ region: 'us-east-1', endpoints });
  try {
    await provisionGazette(clients, names);
    await setSesFaults(endpoints.ses, { latencyMs: SES_LATENCY_MS, acceptWithoutEmulator: true });
    const { recipients, template, deliveryId } = benchDelivery(count);
    const sender = new ConcurrentSender(
      {
        ledger: new DynamoDeliveryLedger(clients.doc, names.tables.deliveries),
        mailer: new SesMailer(clients.ses, { configurationSet: 'bench', fromAddress: mail.fromAddress }),
        limiter: UNLIMITED,
        clock: { now: () => new Date() },
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        random: Math.random,
      },
      {
        inFlight: 1,
        partsFor: (r) => ({
          to: r.email,
          subscriberId: r.subscriberId,
          unsubscribeUrl: `${site.baseUrl}u?t=${r.subscriberId}`,
          manageUrl: `${site.baseUrl}m?t=${r.subscriberId}`,
        }),
      },
    );
    const cpu = process.cpuUsage();
    const started = performance.now();
    const [report] = await sender.dispatch([{ delivery: { deliveryId, template }, recipients }]);
    const seconds = (performance.now() - started) / 1000;
    return `sending-baseline: one send in flight, no limit recipients=${count} achieved=${(report!.sent / seconds).toFixed(1)} cpu_ms_per_mail=${cpuMsPer(cpu, count)}`;
  } finally {
    destroyAwsClients(clients);
  }
}

/** CPU of this whole process (emulators included) per mail since `since`. */
function cpuMsPer(since: NodeJS.CpuUsage, mails: number): string {
  const used = process.cpuUsage(since);
  return ((used.user + used.system) / 1000 / mails).toFixed(2);
}

/** A delivery of the fixture edition (its daily edition of several digests) to `count` fresh addresses. */
function benchDelivery(count: number) {
  const tag = randomUUID().slice(0, 8);
  const recipients = Array.from({ length: count }, (_, i) => ({ subscriberId: `s${tag}${i}`, email: `r${i}+${tag}@example.com` }));
  // A fresh edition id per case, so no case meets an earlier one's ledger claims.
  const edition = { ...seedEdition, id: editionDeliveryId('daily', `bench-${tag}`) };
  const planned = { edition, closeAt: new Date(edition.date), copies: [] };
  const template = editionTemplate({ site, mail }, planned, edition.digests, new Date());
  return { recipients, template, deliveryId: edition.id };
}

/** Runs every case against one set of emulators, after the baseline. */
export async function run(): Promise<void> {
  const emulators = await startEmulators();
  try {
    console.log(await baselineCase(emulators.endpoints, BASELINE_RECIPIENTS));
    for (const { rate, recipients } of CASES) console.log(await sendingCase(emulators.endpoints, rate, recipients));
  } finally {
    await setSesFaults(emulators.endpoints.ses, {});
    await emulators.stop();
  }
}

async function sendingCase(endpoints: EmulatorEndpoints, rate: number, count: number): Promise<string> {
  const names = uniqueResourceNames('bench');
  const options = { region: 'us-east-1', endpoints };
  const clients = createAwsClients(options);
  const sqs = createSqsClient(options);
  try {
    await provisionGazette(clients, names);
    const { sendQueueUrl } = await provisionSendQueue(sqs, names, 300);
    const { recipients, template, deliveryId } = benchDelivery(count);
    await new SqsSendQueue(sqs, sendQueueUrl).dispatch([{ delivery: { deliveryId, template }, recipients }]);

    await setSesFaults(endpoints.ses, { maxSendRate: rate, latencyMs: SES_LATENCY_MS, acceptWithoutEmulator: true });
    const concurrency = senderConcurrencyFor(rate);
    const env: SenderEnv = {
      region: options.region,
      site,
      mail,
      sesConfigurationSet: 'bench',
      tables: { deliveries: names.tables.deliveries, state: names.tables.state },
      keyring: { kind: 'inline', json: JSON.stringify({ currentKeyId: 'k1', k1: 'bench-secret-of-enough-length-0123456789' }) },
      sendQueueUrl,
      senderConcurrency: concurrency,
      endpoints,
    };
    // One handler per simulated container: each has its own limiter, as separate Lambda instances do.
    const containers = Array.from({ length: concurrency }, () =>
      createSenderHandler({
        env,
        clients: { ...clients, sqs },
        logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }),
        metrics: { addMetric: () => undefined, publishStoredMetrics: () => undefined },
      }),
    );
    const cpu = process.cpuUsage();
    const started = performance.now();
    await Promise.all(containers.map((sender) => poll(sqs, sendQueueUrl, sender)));
    const seconds = (performance.now() - started) / 1000;

    const accepted = await acceptedByRecipient(endpoints.ses);
    let duplicates = 0;
    let lost = 0;
    for (const { email } of recipients) {
      const times = accepted[email] ?? 0;
      if (times === 0) lost += 1;
      else duplicates += times - 1;
    }
    const achieved = (count - lost) / seconds;
    return `sending: rate=${rate} recipients=${count} achieved=${achieved.toFixed(1)} ratio=${(achieved / rate).toFixed(3)} duplicates=${duplicates} lost=${lost} cpu_ms_per_mail=${cpuMsPer(cpu, count)}`;
  } finally {
    sqs.destroy();
    destroyAwsClients(clients);
  }
}

/** What the event source mapping does for one container: receive a batch, invoke, delete what succeeded; until the queue is empty. */
async function poll(sqs: SQSClient, queueUrl: string, sender: SenderHandler): Promise<void> {
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    if (Messages.length === 0) return;
    const records = Messages.map(
      (message) => ({ messageId: message.MessageId!, receiptHandle: message.ReceiptHandle!, body: message.Body! }) as SQSRecord,
    );
    const { batchItemFailures } = await sender({ Records: records }, { getRemainingTimeInMillis: () => 300_000 });
    const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
    const done = records.filter((record) => !failed.has(record.messageId));
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((r, i) => ({ Id: `d${i}`, ReceiptHandle: r.receiptHandle })),
        }),
      );
    }
  }
}
