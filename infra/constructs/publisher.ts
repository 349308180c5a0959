import { Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../functions/shared/env-names.js';
import { createDeadLetterQueue, GazetteFunction } from './gazette-function.js';
import { nagArnOf } from './nag.js';

/** Where the seed articles sit inside the deployed bundle (copied by the bundling hook). */
export const SEEDS_DIR_IN_BUNDLE = '/var/task/seeds';

/** Properties of {@link Publisher}. */
export interface PublisherProps {
  /** EventBridge Scheduler expression, e.g. `cron(0 7 * * ? *)`. */
  readonly schedule: string;
  /** IANA time zone the expression is evaluated in. */
  readonly timeZone: string;
  /** Bundle the seed articles and publish them with every run (setting `publishSeeds`). */
  readonly publishSeeds: boolean;
  /** Project root to bundle from (defaults to the repository). */
  readonly projectRoot?: string;
}

/**
 * The scheduled publisher: one function (functions/handlers/publish.ts, seeds bundled with it unless
 * `publishSeeds` is off) run by
 * EventBridge Scheduler with an explicit retry policy; an invocation that still fails lands in a
 * dead-letter queue, which the operations alarms watch. Overlapping runs are prevented by the lease in
 * the state table, not by reserved concurrency (new accounts cannot reserve any).
 */
export class Publisher extends Construct {
  /** The publishing function. */
  readonly function: GazetteFunction;
  /** Receives schedule events that could not be delivered to the function. */
  readonly deadLetterQueue: sqs.Queue;
  /** The schedule. */
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: PublisherProps) {
    super(scope, id);

    this.function = new GazetteFunction(this, 'Handler', {
      entry: 'functions/handlers/publish.ts',
      description: 'Gazette publisher: articles to digests, site, feeds and mail',
      memorySize: 512,
      // The longest Lambda allows: at SES's usual 14 mails/s one run sends ~12,000 mails; the core stops
      // sending a minute before the deadline and the next run carries on.
      timeout: Duration.minutes(15),
      // Without seeds nothing is copied, so the articles are not even in the deployed code.
      bundledFolders: props.publishSeeds ? ['seeds'] : [],
      ...(props.projectRoot ? { projectRoot: props.projectRoot } : {}),
    });
    if (props.publishSeeds) this.function.addEnvironment(ENV.seedsDir, SEEDS_DIR_IN_BUNDLE);

    this.deadLetterQueue = createDeadLetterQueue(this, 'the publisher schedule');

    // Our own role (instead of the stack-wide one the target would create) keeps the grant, and its
    // acknowledgement, inside this construct; only schedules of this account may assume it.
    const scheduleRole = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Lets the Gazette schedule invoke the publisher',
    });
    Validations.of(scheduleRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArnOf(this.function.function)}:*]`,
      reason: 'The scheduler target grants lambda:InvokeFunction on the publisher and its versions (ARN:*); it is one function.',
    });

    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'Runs the Gazette publisher',
      schedule: scheduler.ScheduleExpression.expression(props.schedule, TimeZone.of(props.timeZone)),
      target: new targets.LambdaInvoke(this.function.function, {
        // A run that cannot start within an hour is retried by the next scheduled run instead;
        // the staleness cutoff would stop its mail anyway.
        maxEventAge: Duration.hours(1),
        retryAttempts: 3,
        deadLetterQueue: this.deadLetterQueue,
        role: scheduleRole,
        // The handler compares this with the clock: a run far behind its schedule publishes but mails nothing.
        input: scheduler.ScheduleTargetInput.fromObject({ scheduledAt: scheduler.ContextAttribute.scheduledTime }),
      }),
    });

    // Scheduler hands the event over asynchronously; a run that then fails is retried twice by
    // Lambda (runs are idempotent) and finally parked in the same queue, so one alarm covers both.
    this.function.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });
  }
}
