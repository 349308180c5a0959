import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createDeadLetterQueue, GazetteFunction } from './gazette-function.js';

/** Properties of {@link SesEvents}. */
export interface SesEventsProps {
  /** The topic the SES configuration set publishes its events to. */
  readonly topic: sns.ITopic;
  /** Project root to bundle from (defaults to the repository). */
  readonly projectRoot?: string;
}

/**
 * Bounce and complaint handling: functions/handlers/ses-events.ts subscribed to the configuration
 * set's topic. SNS invokes it asynchronously; a notification that still fails after Lambda's retries
 * is kept in a dead-letter queue (alarmed) instead of being lost, because a lost hard bounce means
 * mailing a dead address again.
 */
export class SesEvents extends Construct {
  /** The event-handling function. */
  readonly function: GazetteFunction;
  /** Notifications the function could not process. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: SesEventsProps) {
    super(scope, id);
    this.deadLetterQueue = createDeadLetterQueue(this, 'the SES events function');

    this.function = new GazetteFunction(this, 'Handler', {
      entry: 'functions/handlers/ses-events.ts',
      description: 'Gazette SES events: hard bounces and complaints stop mail to an address',
      deadLetterQueue: this.deadLetterQueue,
      ...(props.projectRoot ? { projectRoot: props.projectRoot } : {}),
    });
    props.topic.addSubscription(new subscriptions.LambdaSubscription(this.function.function));
  }
}
