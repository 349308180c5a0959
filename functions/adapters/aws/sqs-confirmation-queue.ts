/**
 * The confirmation queue on AWS: one SQS message per well-formed subscribe request, read by the
 * confirmation sender (functions/handlers/confirmation-sender.ts). The message holds the normalised
 * address and the cadence chosen on the form, if any; the queue is encrypted and the sender decides
 * everything else.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from '../../core/zod.js';
import { CADENCES } from '../../core/editions/edition.js';
import type { ConfirmationJob, ConfirmationQueue } from '../../core/subscriptions/subscribe.js';

const job = z.object({ email: z.string().check(z.minLength(1), z.maxLength(1000)), cadence: z.optional(z.enum(CADENCES)) });

/** The `ConfirmationQueue` port over an SQS queue. */
export class SqsConfirmationQueue implements ConfirmationQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(confirmation: ConfirmationJob): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(confirmation) }));
  }
}

/** Reads one message body back into a job; `undefined` for anything else (never retried: it cannot improve). */
export function parseConfirmationJob(body: string): ConfirmationJob | undefined {
  try {
    const parsed = job.safeParse(JSON.parse(body));
    if (!parsed.success) return undefined;
    const { email, cadence } = parsed.data;
    return cadence ? { email, cadence } : { email };
  } catch {
    return undefined;
  }
}
