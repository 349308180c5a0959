/**
 * The stack with model-backed summaries turned on (`gazette:summarizer=bedrock`): the publisher may
 * invoke exactly the one foundation model of the setting, in the stack's region, and nothing else of
 * Bedrock; it gets the settings as variables; cdk-nag still finds nothing. (The default stack grants
 * no Bedrock action at all: tests/infra/stack.test.ts.)
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../functions/shared/env-names.js';
import { type CfnResourceJson, logicalIdOf, referencedIds, resourcesOfType, type SynthesisedGazette, synthGazette } from './synth.js';

const MODEL_ID = 'anthropic.claude-3-haiku-20240307-v1:0';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

let gazette: SynthesisedGazette;
let template: Template;

beforeAll(() => {
  gazette = synthGazette({
    'gazette:senderEmail': 'news@example.com',
    'gazette:summarizer': 'bedrock',
    'gazette:bedrockModelId': MODEL_ID,
    'gazette:bedrockDailyTokenBudget': '40000',
  });
  template = gazette.template;
});

const actionsOf = (statement: Statement): string[] => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);

/** The statements attached to the role of the function whose logical id starts with `prefix`. */
function statementsOf(prefix: string): Statement[] {
  const resources = template.toJSON().Resources as Record<string, CfnResourceJson>;
  const role = referencedIds(resources[logicalIdOf(template, 'AWS::Lambda::Function', prefix)]?.Properties?.Role);
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((policy) => [...referencedIds(policy.Properties?.Roles)].some((id) => role.has(id)))
    .flatMap((policy) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

const bedrockStatements = (statements: Statement[]): Statement[] =>
  statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('bedrock:')));

describe('model-backed summaries on Bedrock', () => {
  it('lets the publisher invoke only the configured foundation model, in the stack region', () => {
    expect(bedrockStatements(statementsOf('PublisherHandler'))).toEqual([
      {
        Effect: 'Allow',
        Action: 'bedrock:InvokeModel',
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':bedrock:', { Ref: 'AWS::Region' }, `::foundation-model/${MODEL_ID}`]],
        },
      },
    ]);
  });

  it('gives no other function any Bedrock action', () => {
    for (const prefix of ['SubscriptionApiHandler', 'SesEventsHandler']) {
      expect(bedrockStatements(statementsOf(prefix)), prefix).toEqual([]);
    }
  });

  it('tells the publisher which summariser, model and daily budget to use', () => {
    const publisher = logicalIdOf(template, 'AWS::Lambda::Function', 'PublisherHandler');
    const resources = template.toJSON().Resources as Record<string, CfnResourceJson>;
    const variables = (resources[publisher]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables).toMatchObject({
      [ENV.summarizer]: 'bedrock',
      [ENV.bedrockModelId]: MODEL_ID,
      [ENV.bedrockDailyTokenBudget]: '40000',
    });
    // The cache and the budget live in the state table, which the publisher can already read and write.
    expect(variables[ENV.stateTable]).toBeDefined();
  });

  it('adds no cdk-nag AwsSolutions finding', () => {
    const report = gazette.nag.validateScope(gazette.app);
    expect(
      report.violations.map((violation) => `${violation.ruleName} ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });
});
