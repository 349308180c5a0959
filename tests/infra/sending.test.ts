/**
 * The fan-out part of the stack: the send queue with its dead-letter queue and alarm, the sender
 * function's event source mapping (maximum concurrency from the maxSendRate setting, partial batch
 * failures, no reserved concurrency) and least-privilege queue grants.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { senderConcurrencyFor } from '../../functions/core/send/rate-limiter.js';
import { ENV } from '../../functions/shared/env-names.js';
import { SEND_QUEUE_MAX_RECEIVES } from '../../functions/shared/send-queue.js';
import { type CfnResourceJson, logicalIdOf, referencedIds, resourcesOfType, synthGazette } from './synth.js';

let template: Template;
let resources: Record<string, CfnResourceJson>;
let sender: string;
let publisher: string;
let queue: string;
let deadLetters: string;

beforeAll(() => {
  template = synthGazette({ 'gazette:senderEmail': 'news@example.com', 'gazette:maxSendRate': 500 }).template;
  resources = template.toJSON().Resources as Record<string, CfnResourceJson>;
  sender = logicalIdOf(template, 'AWS::Lambda::Function', 'SendingHandler');
  publisher = logicalIdOf(template, 'AWS::Lambda::Function', 'PublisherHandler');
  queue = logicalIdOf(template, 'AWS::SQS::Queue', 'SendingQueue');
  deadLetters = logicalIdOf(template, 'AWS::SQS::Queue', 'SendingDeadLetters');
});

interface Statement {
  Action: string | string[];
  Resource: unknown;
}
function statementsOf(functionId: string): Statement[] {
  const role = referencedIds(resources[functionId]?.Properties?.Role);
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((policy) => [...referencedIds(policy.Properties?.Roles)].some((id) => role.has(id)))
    .flatMap((policy) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}
const sqsStatements = (functionId: string) =>
  statementsOf(functionId).filter((statement) => [statement.Action].flat().some((action) => action.startsWith('sqs:')));

describe('sending', () => {
  it('redrives a message that failed repeatedly to an encrypted dead-letter queue, and alarms on it', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLetters, 'Arn'] }, maxReceiveCount: SEND_QUEUE_MAX_RECEIVES },
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 1800,
    });
    const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).filter((alarm) =>
      JSON.stringify(alarm.Properties?.Dimensions ?? []).includes(deadLetters),
    );
    expect(alarms).toHaveLength(1);
    expect(alarms[0]!.Properties).toMatchObject({ Threshold: 1, MetricName: 'ApproximateNumberOfMessagesVisible' });
  });

  it('consumes the queue with partial batch failures and a maximum concurrency sized from MaxSendRate, reserving none', () => {
    expect(senderConcurrencyFor(500)).toBe(10);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
      FunctionName: { Ref: sender },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
    });
    for (const fn of Object.values(resourcesOfType(template, 'AWS::Lambda::Function'))) {
      expect(fn.Properties?.ReservedConcurrentExecutions).toBeUndefined();
    }
    const variables = (resources[sender]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables[ENV.senderConcurrency]).toBe('10');
    expect(variables[ENV.sendQueueUrl]).toEqual({ Ref: queue });
  });

  it('lets the publisher only send to the queue and the sender only consume it', () => {
    const publisherSqs = sqsStatements(publisher).filter((s) => JSON.stringify(s.Resource).includes(queue));
    expect(publisherSqs.flatMap((s) => [s.Action].flat()).sort()).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
    for (const statement of [...sqsStatements(publisher), ...sqsStatements(sender)]) {
      expect(statement.Resource).not.toBe('*');
    }
    const senderActions = sqsStatements(sender)
      .filter((s) => JSON.stringify(s.Resource).includes(queue))
      .flatMap((s) => [s.Action].flat());
    expect(senderActions).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']));
    expect(senderActions).not.toContain('sqs:SendMessage');
  });

  it("alarms on the sender's own refused-sender and failed-recipient counts", () => {
    for (const name of ['SenderRejected', 'MailsFailed']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'Gazette',
        MetricName: name,
        Dimensions: [{ Name: 'service', Value: 'sender' }],
      });
    }
  });

  it('sizes two senders for the SES default and the sandbox, and one per 50 mails/s above', () => {
    expect([1, 14, 100, 500, 3000, 100_000].map(senderConcurrencyFor)).toEqual([2, 2, 2, 10, 60, 100]);
  });
});
