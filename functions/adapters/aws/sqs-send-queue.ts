/**
 * The send queue: the publisher hands each delivery's recipients to Amazon SQS in messages of up to
 * {@link RECIPIENTS_PER_MESSAGE}, ten messages per `SendMessageBatch`, and the sender function
 * (functions/handlers/sender.ts) consumes them. Each message carries the delivery id, the mail
 * template (gzip, base64: a digest's template of ~30 KB of HTML shrinks to a few KB, so it rides in
 * every message and the sender needs no S3 read) and its recipients.
 *
 * SQS delivers at least once; the ledger claim in the sender keeps a duplicate from becoming a second
 * email, so nothing here needs to be exactly once.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from '../../core/zod.js';
import { GazetteError } from '../../core/errors.js';
import type { DeliveryId } from '../../core/publish/delivery.js';
import type { DeliveryDispatcher, DeliveryJob, JobReport, SettledCallback } from '../../core/send/ports.js';
import { checkedTemplate } from '../../core/send/template.js';

/** Recipients per queue message: one sender invocation of a 10-message batch then mails 500. */
export const RECIPIENTS_PER_MESSAGE = 50;
/** SQS's limits: 10 entries per batch, 256 KiB per batch request (and per message). */
const ENTRIES_PER_BATCH = 10;
const MAX_BATCH_BYTES = 250 * 1024;
const MAX_ENTRY_ATTEMPTS = 3;

/** A queue message that is not one of ours (or is corrupt): it can never succeed. */
export class MalformedSendMessageError extends GazetteError {}

const nonEmpty = z.string().check(z.minLength(1));

const messageSchema = z.object({
  version: z.literal(1),
  deliveryId: nonEmpty,
  /** The template JSON, gzip-compressed, base64. */
  template: nonEmpty,
  recipients: z.array(z.object({ subscriberId: nonEmpty, email: nonEmpty })).check(z.minLength(1)),
});

/** The body of one queue message for `job` (whose recipients must fit one message). */
export function encodeSendMessage(job: DeliveryJob): string {
  const template = gzipSync(JSON.stringify(job.delivery.template)).toString('base64');
  return JSON.stringify({ version: 1, deliveryId: job.delivery.deliveryId, template, recipients: job.recipients });
}

/** The job a queue message carries; throws `MalformedSendMessageError` for anything else. */
export function decodeSendMessage(body: string): DeliveryJob {
  try {
    const message = z.parse(messageSchema, JSON.parse(body));
    const template = checkedTemplate(JSON.parse(gunzipSync(Buffer.from(message.template, 'base64')).toString('utf8')));
    return { delivery: { deliveryId: message.deliveryId as DeliveryId, template }, recipients: message.recipients };
  } catch (error) {
    throw new MalformedSendMessageError(`not a send-queue message: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** `DeliveryDispatcher` that enqueues: each job's recipients are reported `enqueued`, to be sent by the sender function. */
export class SqsSendQueue implements DeliveryDispatcher {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async dispatch(jobs: DeliveryJob[], onSettled?: SettledCallback): Promise<JobReport[]> {
    const reports: JobReport[] = [];
    for (const job of jobs) {
      const bodies: string[] = [];
      for (let start = 0; start < job.recipients.length; start += RECIPIENTS_PER_MESSAGE) {
        bodies.push(encodeSendMessage({ delivery: job.delivery, recipients: job.recipients.slice(start, start + RECIPIENTS_PER_MESSAGE) }));
      }
      for (const batch of batchesOf(bodies)) await this.sendBatch(batch);
      // Enqueued is settled for the publisher: from here the sender's ledger claim keeps each copy once.
      if (onSettled) for (const recipient of job.recipients) await onSettled(job, recipient);
      reports.push({ sent: 0, alreadySent: 0, failed: 0, enqueued: job.recipients.length, deferred: [], inDoubt: [] });
    }
    return reports;
  }

  /** Sends one batch, retrying the entries SQS reports failed; throws if some still fail (the next run re-enqueues). */
  private async sendBatch(bodies: string[]): Promise<void> {
    let entries: SendMessageBatchRequestEntry[] = bodies.map((body, index) => ({ Id: `m${index}`, MessageBody: body }));
    for (let attempt = 1; entries.length > 0; attempt += 1) {
      const result = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }));
      const failed = new Set((result.Failed ?? []).map((entry) => entry.Id));
      entries = entries.filter((entry) => failed.has(entry.Id));
      if (entries.length > 0 && attempt >= MAX_ENTRY_ATTEMPTS) {
        throw new Error(`SQS refused ${entries.length} send-queue messages: ${result.Failed?.[0]?.Message ?? 'no reason given'}`);
      }
    }
  }
}

/** Groups message bodies into batches SQS accepts: at most ten, and under the request size limit. */
function batchesOf(bodies: string[]): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const body of bodies) {
    const size = Buffer.byteLength(body, 'utf8');
    if (size > MAX_BATCH_BYTES) throw new GazetteError(`a send-queue message of ${size} bytes exceeds SQS's limit`);
    if (current.length === ENTRIES_PER_BATCH || bytes + size > MAX_BATCH_BYTES) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(body);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
