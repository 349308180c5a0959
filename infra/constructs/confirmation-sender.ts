import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../functions/shared/env-names.js';
import { createDeadLetterQueue, GazetteFunction, type ConfigurableFunction } from './gazette-function.js';

/** Properties of {@link ConfirmationSender}. */
export interface ConfirmationSenderProps {
  /** Project root to bundle from (defaults to the repository). */
  readonly projectRoot?: string;
}

/** How long one batch of confirmation jobs may take (ten mails, each within SES's own timeouts). */
const SENDER_TIMEOUT = Duration.seconds(30);

/**
 * Confirmation mails after the answer: the subscription API queues one job per well-formed subscribe
 * request (new address or not, so the answer never depends on the list), and
 * functions/handlers/confirmation-sender.ts decides and mails. A job that keeps failing ends in a
 * dead-letter queue (alarmed). The queue holds addresses, so it is encrypted and TLS-only.
 */
export class ConfirmationSender extends Construct {
  /** The queue of confirmation jobs. */
  readonly queue: sqs.Queue;
  /** Jobs that failed five times. */
  readonly deadLetterQueue: sqs.Queue;
  /** The worker. */
  readonly function: GazetteFunction;

  constructor(scope: Construct, id: string, props: ConfirmationSenderProps) {
    super(scope, id);
    this.deadLetterQueue = createDeadLetterQueue(this, 'the confirmation queue');
    this.queue = new sqs.Queue(this, 'Jobs', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the function timeout, as Lambda's SQS trigger recommends, so a slow batch is not delivered twice.
      visibilityTimeout: Duration.seconds(SENDER_TIMEOUT.toSeconds() * 6),
      // A confirmation link is worth little after a day; older jobs are dropped.
      retentionPeriod: Duration.days(1),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });
    this.function = new GazetteFunction(this, 'Handler', {
      entry: 'functions/handlers/confirmation-sender.ts',
      description: 'Gazette confirmation sender: decides and mails the confirmation of each queued sign-up',
      timeout: SENDER_TIMEOUT,
      ...(props.projectRoot ? { projectRoot: props.projectRoot } : {}),
    });
    // Two at a time at most: a sign-up flood waits in the queue instead of fanning out over SES.
    this.function.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 2 }),
    );
  }

  /** Lets `fn` queue confirmation jobs (and nothing else on the queue); sets GAZETTE_CONFIRMATION_QUEUE_URL. */
  grantEnqueue(fn: ConfigurableFunction): void {
    fn.addEnvironment(ENV.confirmationQueueUrl, this.queue.queueUrl);
    this.queue.grantSendMessages(fn);
  }
}
