import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { STACK_OUTPUTS } from '../../functions/shared/stack-outputs.js';
import { logicalIdOf, synthGazette } from './synth.js';

// The outputs the operator commands (gazette run, status, send-test --stack, unpublish --stack) read.
let outputs: Record<string, { Value: unknown }>;
let template: Template;

beforeAll(() => {
  template = synthGazette({ 'gazette:senderEmail': 'news@example.com' }).template;
  outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
});

describe('stack outputs for the operator commands', () => {
  it('names the publisher function, the state and ledger tables and both send queues', () => {
    const ref = (type: string, prefix: string) => ({ Ref: logicalIdOf(template, type, prefix) });
    expect(outputs[STACK_OUTPUTS.publisherFunctionName]?.Value).toEqual(ref('AWS::Lambda::Function', 'PublisherHandler'));
    expect(outputs[STACK_OUTPUTS.stateTableName]?.Value).toEqual(ref('AWS::DynamoDB::Table', 'DataState'));
    expect(outputs[STACK_OUTPUTS.deliveriesTableName]?.Value).toEqual(ref('AWS::DynamoDB::Table', 'DataDeliveries'));
    expect(outputs[STACK_OUTPUTS.subscribersTableName]?.Value).toEqual(ref('AWS::DynamoDB::Table', 'DataSubscribers'));
    expect(outputs[STACK_OUTPUTS.sendQueueUrl]?.Value).toEqual(ref('AWS::SQS::Queue', 'SendingQueue'));
    expect(outputs[STACK_OUTPUTS.sendDeadLetterQueueUrl]?.Value).toEqual(ref('AWS::SQS::Queue', 'SendingDeadLetters'));
  });

  it('has every declared output but the custom-domain one, under exactly the declared key', () => {
    const declared = Object.values(STACK_OUTPUTS).filter((key) => key !== STACK_OUTPUTS.siteDnsRecord);
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(declared));
  });
});
