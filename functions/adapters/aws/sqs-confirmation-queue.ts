/**
 * The confirmation queue on AWS: one SQS message per well-formed subscribe request, read by the
 * confirmation sender (functions/handlers/confirmation-sender.ts). The message holds the normalised
 * address only; the queue is encrypted and the sender decides everything else.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import type { ConfirmationJob, ConfirmationQueue } from '../../core/subscriptions/subscribe.js';

const job = z.object({ email: z.string().min(1).max(1000) });

/** The `ConfirmationQueue` port over an SQS queue. */
export class SqsConfirmationQueue implements ConfirmationQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(confirmation: ConfirmationJob): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify({ email: confirmation.email }) }));
  }
}

/** Reads one message body back into a job; `undefined` for anything else (never retried: it cannot improve). */
export function parseConfirmationJob(body: string): ConfirmationJob | undefined {
  try {
    const parsed = job.safeParse(JSON.parse(body));
    return parsed.success ? { email: parsed.data.email } : undefined;
  } catch {
    return undefined;
  }
}
