import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../functions/shared/metric-names.js';
import { serviceActingFor } from './service-principal.js';

/** Properties of {@link Operations}. */
export interface OperationsProps {
  /** Who is mailed when an alarm fires; without it the topic has no subscriber. */
  readonly operatorEmail?: string;
}

/**
 * What tells the operator something is wrong: alarms on function errors and on any message in a
 * dead-letter queue, all notifying one encrypted, SSL-only SNS topic that mails the operator.
 */
export class Operations extends Construct {
  /** Alarm notifications. */
  readonly alarmTopic: sns.Topic;
  private readonly action: actions.SnsAction;

  constructor(scope: Construct, id: string, props: OperationsProps = {}) {
    super(scope, id);
    // CloudWatch can only publish to an encrypted topic whose key policy lets it: a customer key.
    const key = new kms.Key(this, 'AlarmsKey', {
      description: 'Encrypts the Gazette alarm topic',
      enableKeyRotation: true,
    });
    key.grant(
      serviceActingFor('cloudwatch.amazonaws.com', `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`),
      'kms:GenerateDataKey*',
      'kms:Decrypt',
    );
    this.alarmTopic = new sns.Topic(this, 'Alarms', {
      displayName: 'Gazette alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (props.operatorEmail) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.operatorEmail));
    }
    this.action = new actions.SnsAction(this.alarmTopic);
  }

  /** Alarms when `fn` reports at least one error in five minutes. */
  alarmOnErrors(id: string, fn: lambda.IFunction, what: string): cloudwatch.Alarm {
    return this.notify(
      new cloudwatch.Alarm(this, id, {
        alarmDescription: `${what} failed: see its log group`,
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /** Alarms as soon as any message waits in the dead-letter queue `queue`. */
  alarmOnDeadLetters(id: string, queue: sqs.IQueue, what: string): cloudwatch.Alarm {
    return this.notify(
      new cloudwatch.Alarm(this, id, {
        alarmDescription: `${what}: a message reached the dead-letter queue`,
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /**
   * Alarms when a function's own metric (Powertools, namespace `Gazette`, dimension `service`) sums to
   * at least `threshold` within `period`.
   */
  alarmOnAppMetric(
    id: string,
    metric: { service: string; name: string },
    options: { threshold: number; period: Duration; description: string },
  ): cloudwatch.Alarm {
    return this.notify(
      new cloudwatch.Alarm(this, id, {
        alarmDescription: options.description,
        metric: new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: metric.name,
          dimensionsMap: { service: metric.service },
          period: options.period,
          statistic: cloudwatch.Stats.SUM,
        }),
        threshold: options.threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  private notify(alarm: cloudwatch.Alarm): cloudwatch.Alarm {
    alarm.addAlarmAction(this.action);
    return alarm;
  }
}
