import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SEND_QUEUE_MAX_RECEIVES } from '../../functions/shared/send-queue.js';
import { senderConcurrencyFor } from '../../functions/core/send/rate-limiter.js';
import { ENV } from '../../functions/shared/env-names.js';
import { type ConfigurableFunction, createDeadLetterQueue, GazetteFunction } from './gazette-function.js';

/** Properties of {@link Sending}. */
export interface SendingProps {
  /** The account's SES MaxSendRate (the `maxSendRate` setting): sizes the senders' maximum concurrency. */
  readonly maxSendRate: number;
  /** Project root to bundle from (defaults to the repository). */
  readonly projectRoot?: string;
}

/** How long one sender invocation may run; a batch of 10 messages (500 mails) takes 10 s at 50/s. */
const SENDER_TIMEOUT = Duration.minutes(5);

/**
 * Fan-out sending: the publisher enqueues each delivery's recipients on the send queue; the sender
 * function consumes it through an event source mapping whose maximum concurrency comes from
 * MaxSendRate (no reserved concurrency: new accounts have a concurrency quota of 10 and cannot reserve
 * any), reporting partial batch failures. A message that fails {@link SEND_QUEUE_MAX_RECEIVES} times
 * (a malformed one, or a quota that does not come back for about a day) lands in the dead-letter
 * queue, which the operations alarms watch. The ledger claim in the sender keeps SQS's at-least-once
 * delivery from ever becoming a second email.
 *
 * SQS + Lambda rather than Step Functions' Distributed Map: the queue absorbs a stop for the quota
 * (messages wait and come back), partial failures are per message, and it costs a fraction (a
 * Distributed Map bills each child workflow's state transitions, ~$25 per million, before any mail).
 */
export class Sending extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly function: GazetteFunction;
  /** The event source mapping's maximum concurrency (also the senders' divisor of MaxSendRate). */
  readonly concurrency: number;

  constructor(scope: Construct, id: string, props: SendingProps) {
    super(scope, id);
    this.concurrency = senderConcurrencyFor(props.maxSendRate);
    this.deadLetterQueue = createDeadLetterQueue(this, 'the send queue');
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Six times the function timeout, as Lambda recommends for an SQS source, so a batch is never
      // handed to a second sender while the first still works on it.
      visibilityTimeout: Duration.minutes(SENDER_TIMEOUT.toMinutes() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: SEND_QUEUE_MAX_RECEIVES },
    });
    this.function = new GazetteFunction(this, 'Handler', {
      entry: 'functions/handlers/sender.ts',
      description: 'Gazette sender: mails the recipients of send-queue messages',
      memorySize: 512,
      timeout: SENDER_TIMEOUT,
      ...(props.projectRoot ? { projectRoot: props.projectRoot } : {}),
    });
    this.function.addEnvironment(ENV.sendQueueUrl, this.queue.queueUrl);
    this.function.addEnvironment(ENV.senderConcurrency, String(this.concurrency));
    // Also grants receive, delete and ChangeMessageVisibility (the hold-back) on this queue only.
    this.function.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, maxConcurrency: this.concurrency, reportBatchItemFailures: true }),
    );
  }

  /** Lets `fn` enqueue recipients (sqs:SendMessage on this queue only); sets GAZETTE_SEND_QUEUE_URL. */
  grantEnqueue(fn: ConfigurableFunction): void {
    fn.addEnvironment(ENV.sendQueueUrl, this.queue.queueUrl);
    this.queue.grantSendMessages(fn);
  }
}
