import { Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../functions/shared/env-names.js';
import { logicalIdOf, resourcesOfType, type SynthesisedGazette, synthGazette } from './synth.js';

// The optional settings: a custom SES domain, no operator address; and a custom site domain.
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

const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8091-a2b3c4d5e6f7';

describe('with gazette:siteDomain and gazette:certificateArn', () => {
  let gazette: SynthesisedGazette;
  beforeAll(() => {
    gazette = synthGazette({
      'gazette:senderEmail': 'news@example.com',
      'gazette:siteDomain': 'News.Example.com',
      'gazette:certificateArn': CERTIFICATE,
    });
  });

  it('serves the distribution under the alias with the certificate, TLS 1.2 or newer, SNI only', () => {
    gazette.template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['news.example.com'],
        ViewerCertificate: { AcmCertificateArn: CERTIFICATE, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
      }),
    });
  });

  it('gives every function https://news.example.com/ as the base URL of pages, feeds and mail links', () => {
    const functions = Object.values(resourcesOfType(gazette.template, 'AWS::Lambda::Function'));
    const withBaseUrl = functions
      .map((fn) => (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.[ENV.siteBaseUrl])
      .filter((value) => value !== undefined);
    // The publisher, the sender, the confirmation sender and the subscription API build links.
    expect(withBaseUrl).toHaveLength(4);
    expect(new Set(withBaseUrl)).toEqual(new Set(['https://news.example.com/']));
  });

  it('publishes the site and feed URLs on the domain, and the DNS record to add', () => {
    const outputs = gazette.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.SiteUrl?.Value).toBe('https://news.example.com/');
    expect(outputs.RssFeedUrl?.Value).toBe('https://news.example.com/feeds/rss.xml');
    expect(outputs.SubscribeEndpoint?.Value).toBe('https://news.example.com/api/subscribe');
    const distribution = logicalIdOf(gazette.template, 'AWS::CloudFront::Distribution', 'Site');
    expect(outputs.SiteDnsRecord?.Value).toEqual({
      'Fn::Join': ['', ['news.example.com CNAME ', { 'Fn::GetAtt': [distribution, 'DomainName'] }]],
    });
  });

  it('passes cdk-nag without the default-certificate acknowledgement (CFR4 holds on its own)', () => {
    const report = gazette.nag.validateScope(gazette.app);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    const acknowledged = gazette.app.node
      .findAll()
      .flatMap((construct) => construct.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((entry) => Object.keys(entry.data as Record<string, unknown>));
    expect(acknowledged).not.toContain('AwsSolutions-CFR4');
  });
});

describe('without a custom site domain', () => {
  it('uses the cloudfront.net name and prints no DNS record', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const distribution = logicalIdOf(template, 'AWS::CloudFront::Distribution', 'Site');
    expect(outputs.SiteUrl?.Value).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }, '/']] });
    expect(outputs).not.toHaveProperty('SiteDnsRecord');
  });
});
