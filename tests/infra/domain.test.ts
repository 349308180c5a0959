import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { logicalIdOf, synthGazette } from './synth.js';

// The optional settings: a custom SES domain, and no operator address.
let template: Template;

beforeAll(() => {
  template = synthGazette({ 'gazette:senderEmail': 'news@example.com', 'gazette:domain': 'Example.com' }).template;
});

describe('with gazette:domain', () => {
  it('verifies the whole domain with Easy DKIM instead of the single address', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'example.com',
      DkimAttributes: { SigningEnabled: true },
    });
    template.resourceCountIs('AWS::SES::EmailIdentity', 1);
  });

  it('prints the three DKIM CNAME records to add to DNS', () => {
    const identity = logicalIdOf(template, 'AWS::SES::EmailIdentity', 'Mail');
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const dkim = Object.keys(outputs)
      .filter((name) => name.includes('DkimRecord'))
      .sort();
    expect(dkim).toHaveLength(3);
    dkim.forEach((name, index) => {
      expect(outputs[name]?.Value).toEqual({
        'Fn::Join': [
          '',
          [
            { 'Fn::GetAtt': [identity, `DkimDNSTokenName${index + 1}`] },
            ' CNAME ',
            { 'Fn::GetAtt': [identity, `DkimDNSTokenValue${index + 1}`] },
          ],
        ],
      });
    });
  });

  it('still pins ses:FromAddress to the sender address on the domain identity', () => {
    const identity = logicalIdOf(template, 'AWS::SES::EmailIdentity', 'Mail');
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) =>
        (policy.Properties.PolicyDocument as { Statement: { Action: unknown; Condition?: unknown; Resource: unknown }[] }).Statement,
    );
    const sends = statements.filter((statement) => JSON.stringify(statement.Action).includes('ses:SendRawEmail'));
    expect(sends.length).toBeGreaterThan(0);
    for (const statement of sends) {
      expect(statement.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'news@example.com' } });
      expect(JSON.stringify(statement.Resource)).toContain(`"Ref":"${identity}"`);
    }
  });

  it('has no email subscription on the alarm topic when no operator address is set', () => {
    expect(Object.keys(template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'email' } }))).toEqual([]);
  });
});
