import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV, ORIGIN_VERIFY_HEADER } from '../../functions/shared/env-names.js';
import {
  loadConfirmationSenderEnv,
  loadPublisherEnv,
  loadSenderEnv,
  loadSesEventsEnv,
  loadSubscriptionEnv,
} from '../../functions/shared/env.js';
import { TABLE_KEYS, type TableKeySchema, type TableRole } from '../../functions/shared/tables.js';
import { SITE_MARK_KEY } from '../../functions/shared/bucket-layout.js';
import { INBOX_PREFIX, PROCESSED_PREFIX, SITE_OBJECT_KEYS } from '../../infra/constructs/site.js';
import { feedLinks } from '../../functions/core/render/outputs.js';
import { type CfnResourceJson, logicalIdOf, referencedIds, resourcesOfType, synthGazette } from './synth.js';

const SETTINGS = {
  'gazette:senderEmail': 'news@example.com',
  'gazette:schedule': 'cron(30 6 ? * MON-FRI *)',
  'gazette:timeZone': 'Europe/Berlin',
  'gazette:feedLength': 20,
  'gazette:operatorEmail': 'ops@example.com',
  'gazette:postalAddress': 'Example News, 1 Main Street, Springfield',
};

let template: Template;
let resources: Record<string, CfnResourceJson>;
const ids = {} as Record<
  'publisher' | 'api' | 'confirmationSender' | 'sesEvents' | 'sender' | 'bucket' | 'logBucket' | 'distribution',
  string
>;
const tables = {} as Record<'subscribers' | 'deliveries' | 'state' | 'sources', string>;

beforeAll(() => {
  template = synthGazette(SETTINGS).template;
  resources = template.toJSON().Resources as Record<string, CfnResourceJson>;
  ids.publisher = logicalIdOf(template, 'AWS::Lambda::Function', 'PublisherHandler');
  ids.api = logicalIdOf(template, 'AWS::Lambda::Function', 'SubscriptionApiHandler');
  ids.sesEvents = logicalIdOf(template, 'AWS::Lambda::Function', 'SesEventsHandler');
  ids.confirmationSender = logicalIdOf(template, 'AWS::Lambda::Function', 'ConfirmationSenderHandler');
  ids.sender = logicalIdOf(template, 'AWS::Lambda::Function', 'SendingHandler');
  ids.bucket = logicalIdOf(template, 'AWS::S3::Bucket', 'SiteBucket');
  ids.logBucket = logicalIdOf(template, 'AWS::S3::Bucket', 'SiteLogs');
  ids.distribution = logicalIdOf(template, 'AWS::CloudFront::Distribution', 'SiteDistribution');
  tables.subscribers = logicalIdOf(template, 'AWS::DynamoDB::Table', 'DataSubscribers');
  tables.deliveries = logicalIdOf(template, 'AWS::DynamoDB::Table', 'DataDeliveries');
  tables.state = logicalIdOf(template, 'AWS::DynamoDB::Table', 'DataState');
  tables.sources = logicalIdOf(template, 'AWS::DynamoDB::Table', 'DataSources');
});

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Principal?: unknown;
}

const actionsOf = (statement: Statement): string[] => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);
const resourcesOf = (statement: Statement): unknown[] => (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]);

/** Every statement of the IAM policies attached to the role of function `functionId`. */
function statementsOf(functionId: string): Statement[] {
  const role = referencedIds(resources[functionId]?.Properties?.Role);
  const policies = Object.values(resourcesOfType(template, 'AWS::IAM::Policy')).filter((policy) =>
    [...referencedIds(policy.Properties?.Roles)].some((id) => role.has(id)),
  );
  expect(policies.length).toBeGreaterThan(0);
  return policies.flatMap((policy) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** Every IAM policy statement in the template. */
function allStatements(): Statement[] {
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy')).flatMap(
    (policy) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

/** Replaces Ref/GetAtt with a stand-in and joins Fn::Join, to read a deploy-time value as a string. */
function standIn(value: unknown): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, unknown>;
  if ('Ref' in object) return `ref-${String(object.Ref).toLowerCase()}`;
  if ('Fn::GetAtt' in object) return `d111111abcdef8.cloudfront.net`;
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(standIn).join(separator);
  }
  throw new Error(`no stand-in for ${JSON.stringify(value)}`);
}

describe('schedule', () => {
  it('runs the publisher on the configured cron in the configured time zone, with retries and a DLQ', () => {
    const queue = logicalIdOf(template, 'AWS::SQS::Queue', 'PublisherDeadLetters');
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 6 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [ids.publisher, 'Arn'] },
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } },
      },
    });
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
  });

  it('hands the scheduled time to the publisher so a late run can tell it is late', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: { Input: JSON.stringify({ scheduledAt: '<aws.scheduler.scheduled-time>' }) },
    });
  });

  it('parks a publisher run that fails after Lambda retries in the same dead-letter queue', () => {
    const queue = logicalIdOf(template, 'AWS::SQS::Queue', 'PublisherDeadLetters');
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: ids.publisher },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
    });
  });
});

describe('functions', () => {
  it('are exactly the four handlers, on Node.js 24 arm64 with tracing and their own log group', () => {
    const functions = resourcesOfType(template, 'AWS::Lambda::Function');
    expect(Object.keys(functions).sort()).toEqual([ids.publisher, ids.sesEvents, ids.api, ids.confirmationSender, ids.sender].sort());
    for (const fn of Object.values(functions)) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/Logs/) } },
      });
    }
    for (const group of Object.values(resourcesOfType(template, 'AWS::Logs::LogGroup'))) {
      expect(group.Properties?.RetentionInDays).toBe(30);
    }
  });

  it('gives the publisher 512 MB, fifteen minutes and the bundled seeds folder', () => {
    expect(resources[ids.publisher]?.Properties).toMatchObject({
      MemorySize: 512,
      Timeout: 900,
      Environment: { Variables: { [ENV.seedsDir]: '/var/task/seeds' } },
    });
  });

  /** A function's environment as the deployed function would see it (deploy-time values stood in). */
  const environmentOf = (fn: string): Record<string, string> => {
    const variables = (resources[fn]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    return { ...Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, standIn(value)])), AWS_REGION: 'eu-west-1' };
  };

  it("sets every variable the publisher's env schema requires (functions/shared/env.ts accepts it)", () => {
    const env = environmentOf(ids.publisher);
    const parsed = loadPublisherEnv(env);
    expect(parsed.site.baseUrl).toBe('https://d111111abcdef8.cloudfront.net/');
    expect(parsed.keyring.kind).toBe('secret');
    expect(env[ENV.feedLength]).toBe('20');
    expect(env[ENV.senderAddress]).toBe('news@example.com');
    // The edition footer's address and the cap reach the mail settings the renderer takes.
    expect(parsed.mail.postalAddress).toBe('Example News, 1 Main Street, Springfield');
    expect(parsed.mail.editionMaxItems).toBe(20);
  });

  it("sets every variable the subscription API's, the confirmation sender's and the SES events handler's env schemas require", () => {
    const api = loadSubscriptionEnv(environmentOf(ids.api));
    expect(api.originVerify).toEqual({
      kind: 'secret',
      secretArn: expect.stringMatching(/^ref-subscriptionapioriginverify/),
    });
    // The Lambda entry point demands the queue; infra sets it.
    expect(api.confirmationQueueUrl).toEqual(expect.stringMatching(/^ref-confirmationsenderjobs/i));
    const sender = loadConfirmationSenderEnv(environmentOf(ids.confirmationSender));
    expect(sender.maxConfirmationsPerDay).toBe(500);
    expect(sender.subscriberIdKey.kind).toBe('secret');
    expect(() => loadSesEventsEnv(environmentOf(ids.sesEvents))).not.toThrow();
    expect(loadSenderEnv(environmentOf(ids.sender)).senderConcurrency).toBe(2);
  });

  it('uses execution roles without AWS managed policies', () => {
    for (const role of Object.values(resourcesOfType(template, 'AWS::IAM::Role'))) {
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('site bucket', () => {
  it('blocks all public access, is owner-enforced, encrypted, versioned and logged elsewhere', () => {
    expect(resources[ids.bucket]?.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: ids.logBucket } },
    });
  });

  it('allows reads only to this CloudFront distribution and denies every request without TLS', () => {
    const policies = Object.values(resourcesOfType(template, 'AWS::S3::BucketPolicy')).filter(
      (policy) => (policy.Properties?.Bucket as { Ref?: string }).Ref === ids.bucket,
    );
    expect(policies).toHaveLength(1);
    const statements = (policies[0]?.Properties?.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allows.map((statement) => actionsOf(statement).join(',')).sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
    for (const allow of allows) {
      expect(allow.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
      expect(referencedIds(allow.Condition?.StringEquals?.['AWS:SourceArn'])).toEqual(new Set([ids.distribution]));
    }
  });

  it("lets CloudFront read the site's own keys only, never the articles under inbox/", () => {
    const policy = Object.values(resourcesOfType(template, 'AWS::S3::BucketPolicy')).find(
      (candidate) => (candidate.Properties?.Bucket as { Ref?: string }).Ref === ids.bucket,
    );
    const statements = (policy?.Properties?.PolicyDocument as { Statement: Statement[] }).Statement;
    const reads = statements.filter((statement) => statement.Effect === 'Allow' && actionsOf(statement).includes('s3:GetObject'));
    expect(reads).toHaveLength(1);
    // Each resource is { Fn::Join: ['', [<bucket arn>, '/<key>']] }: the key is the last literal part.
    const keys = resourcesOf(reads[0] as Statement).map((resource) => {
      const parts = (resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      return String(parts[parts.length - 1]).replace(/^\//, '');
    });
    expect([...keys].sort()).toEqual([...SITE_OBJECT_KEYS].sort());
    expect(keys).not.toContain('*');
    expect(keys.some((key) => key.startsWith(INBOX_PREFIX))).toBe(false);
  });

  it('is a CloudFront origin through Origin Access Control (no legacy OAI)', () => {
    const oac = logicalIdOf(template, 'AWS::CloudFront::OriginAccessControl', 'Site');
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: {
        Origins: Match.arrayWith([
          {
            DomainName: { 'Fn::GetAtt': [ids.bucket, 'RegionalDomainName'] },
            Id: Match.anyValue(),
            OriginAccessControlId: { 'Fn::GetAtt': [oac, 'Id'] },
            S3OriginConfig: { OriginAccessIdentity: '' },
          },
        ]),
      },
    });
  });
});

describe('CloudFront', () => {
  it('redirects to HTTPS, compresses, serves index.html and maps permalinks with a viewer-request function', () => {
    const fn = logicalIdOf(template, 'AWS::CloudFront::Function', 'Site');
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: {
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: {
          ViewerProtocolPolicy: 'redirect-to-https',
          Compress: true,
          FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fn, 'FunctionARN'] } }],
        },
        CustomErrorResponses: [{ ErrorCode: 404, ResponseCode: 404, ResponsePagePath: '/404.html' }].map((response) =>
          Match.objectLike(response),
        ),
        Logging: { Bucket: { 'Fn::GetAtt': [ids.logBucket, 'RegionalDomainName'] } },
      },
    });
  });

  it('adds security headers (HSTS, nosniff, DENY framing, referrer policy, CSP) to every response', () => {
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: {
          StrictTransportSecurity: { AccessControlMaxAgeSec: 63_072_000, IncludeSubdomains: true, Override: true },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
          ContentSecurityPolicy: {
            ContentSecurityPolicy: Match.stringLikeRegexp("script-src 'sha256-[A-Za-z0-9+/=]+'.*frame-ancestors 'none'"),
            Override: true,
          },
        },
      },
    });
    const policy = logicalIdOf(template, 'AWS::CloudFront::ResponseHeadersPolicy', 'Site');
    const config = resources[ids.distribution]?.Properties?.DistributionConfig as {
      DefaultCacheBehavior: { ResponseHeadersPolicyId: unknown };
      CacheBehaviors: { ResponseHeadersPolicyId: unknown }[];
    };
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(behavior.ResponseHeadersPolicyId).toEqual({ Ref: policy });
    }
  });

  it('serves /api/* from the HTTP API uncached, forwarding query strings but not the Host header', () => {
    const api = logicalIdOf(template, 'AWS::ApiGatewayV2::Api', 'SubscriptionApi');
    const config = resources[ids.distribution]?.Properties?.DistributionConfig as {
      CacheBehaviors: Record<string, unknown>[];
      Origins: { Id: string; DomainName: unknown; CustomOriginConfig?: unknown }[];
    };
    expect(config.CacheBehaviors).toHaveLength(1);
    const behavior = config.CacheBehaviors[0] as Record<string, unknown>;
    expect(behavior).toMatchObject({
      PathPattern: '/api/*',
      ViewerProtocolPolicy: 'https-only',
      // Managed policies: CachingDisabled and AllViewerExceptHostHeader.
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
    });
    expect(behavior.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'HEAD', 'POST']));
    const origin = config.Origins.find((candidate) => candidate.Id === behavior.TargetOriginId);
    expect(origin?.DomainName).toEqual({ 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [api, 'ApiEndpoint'] }] }] });
    expect(origin?.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
  });
});

describe('subscription API', () => {
  it('has exactly the seven routes, all on the subscription function', () => {
    const routes = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route'));
    expect(routes.map((route) => route.Properties?.RouteKey).sort()).toEqual([
      'GET /api/confirm',
      'GET /api/manage',
      'GET /api/unsubscribe',
      'POST /api/confirm',
      'POST /api/manage',
      'POST /api/subscribe',
      'POST /api/unsubscribe',
    ]);
    for (const integration of Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Integration'))) {
      expect(referencedIds(integration.Properties?.IntegrationUri)).toEqual(new Set([ids.api]));
    }
  });

  it('throttles the stage and writes access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('gives every route its own throttle, so a subscribe flood never blocks one-click unsubscribe', () => {
    const [stage] = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Stage'));
    const settings = stage?.Properties?.RouteSettings as Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;
    const routeKeys = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).map((route) => route.Properties?.RouteKey);
    expect(Object.keys(settings).sort()).toEqual([...routeKeys].sort());
    const oneClick = settings['POST /api/unsubscribe'];
    const subscribe = settings['POST /api/subscribe'];
    expect(oneClick && subscribe).toBeTruthy();
    // A separate, larger bucket: all of subscribe's burst used up leaves every unsubscribe token.
    expect(oneClick!.ThrottlingRateLimit).toBeGreaterThan(subscribe!.ThrottlingRateLimit);
    expect(oneClick!.ThrottlingBurstLimit).toBeGreaterThan(subscribe!.ThrottlingBurstLimit);
    // The stage refers to the route keys, so it is created after the routes.
    const stageId = Object.keys(resourcesOfType(template, 'AWS::ApiGatewayV2::Stage'))[0]!;
    const dependsOn = (resources[stageId] as { DependsOn?: string[] }).DependsOn ?? [];
    for (const routeId of Object.keys(resourcesOfType(template, 'AWS::ApiGatewayV2::Route'))) expect(dependsOn).toContain(routeId);
  });
});

describe('origin verification (CloudFront proves itself to the subscription API)', () => {
  const originVerifySecret = () => logicalIdOf(template, 'AWS::SecretsManager::Secret', 'SubscriptionApiOriginVerify');
  const origins = () => (resources[ids.distribution]?.Properties?.DistributionConfig as { Origins: Record<string, unknown>[] }).Origins;

  it('generates the value at deploy time: 32+ letters and digits, never written into the template', () => {
    const secret = resources[originVerifySecret()]?.Properties as Record<string, unknown>;
    expect(secret.SecretString).toBeUndefined();
    expect(secret.GenerateSecretString).toMatchObject({ ExcludePunctuation: true });
    expect((secret.GenerateSecretString as { PasswordLength: number }).PasswordLength).toBeGreaterThanOrEqual(32);
    expect((secret.GenerateSecretString as { SecretStringTemplate?: string }).SecretStringTemplate).toBeUndefined();
  });

  it('sends it as a custom header on the API origin only, as a Secrets Manager dynamic reference', () => {
    const api = origins().filter((origin) => origin.CustomOriginConfig !== undefined);
    expect(api).toHaveLength(1);
    expect(api[0]?.OriginCustomHeaders).toEqual([
      {
        HeaderName: ORIGIN_VERIFY_HEADER,
        HeaderValue: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: originVerifySecret() }, ':SecretString:::}}']] },
      },
    ]);
    // The S3 origin gets no header: the secret goes only where it is checked.
    const s3 = origins().filter((origin) => origin.S3OriginConfig !== undefined);
    expect(s3).toHaveLength(1);
    expect(s3[0]?.OriginCustomHeaders).toBeUndefined();
    // The header value appears nowhere else in the template, resolved or not.
    const mentions = JSON.stringify(template.toJSON()).split('{{resolve:secretsmanager:').length - 1;
    expect(mentions).toBe(1);
  });

  it('names the secret to the subscription function alone', () => {
    expect((resources[ids.api]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
      [ENV.originVerifySecretArn]: { Ref: originVerifySecret() },
    });
    for (const fn of [ids.publisher, ids.sesEvents]) {
      const variables = (resources[fn]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables[ENV.originVerifySecretArn]).toBeUndefined();
    }
  });

  it('lets only the subscription function read it, with read actions on that one secret', () => {
    const secret = originVerifySecret();
    const secrets = new Set(Object.keys(resourcesOfType(template, 'AWS::SecretsManager::Secret')));
    const mentioning = allStatements().filter((statement) => referencedIds(statement.Resource).has(secret));
    // CDK may merge it with the token-key read into one statement; either way: read actions, named secrets.
    expect(mentioning).toHaveLength(1);
    const statement = mentioning[0] as Statement;
    expect(actionsOf(statement).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    expect(resourcesOf(statement)).toContainEqual({ Ref: secret });
    for (const resource of resourcesOf(statement)) {
      expect(resource).toEqual({ Ref: expect.any(String) });
      expect(secrets.has((resource as { Ref: string }).Ref)).toBe(true);
    }
    expect(statementsOf(ids.api)).toContainEqual(statement);
    for (const fn of [ids.publisher, ids.sesEvents]) {
      expect(statementsOf(fn).some((candidate) => referencedIds(candidate.Resource).has(secret))).toBe(false);
    }
  });
});

describe('IAM', () => {
  it('lets functions send mail only as the sender, only through the identity and configuration set', () => {
    const identity = logicalIdOf(template, 'AWS::SES::EmailIdentity', 'Mail');
    const configurationSet = logicalIdOf(template, 'AWS::SES::ConfigurationSet', 'Mail');
    const sends = allStatements().filter((statement) => actionsOf(statement).some((action) => action.startsWith('ses:Send')));
    expect(sends.length).toBeGreaterThan(0);
    for (const statement of sends) {
      expect(actionsOf(statement).sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
      expect(statement.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'news@example.com' } });
      expect(resourcesOf(statement)).toHaveLength(2);
      expect(referencedIds(statement.Resource)).toEqual(new Set([identity, configurationSet]));
    }
    // Only the sender functions (editions) and the confirmation sender send; the API only queues sign-ups
    // and the publisher only enqueues recipients.
    for (const fn of [ids.sesEvents, ids.api, ids.publisher]) {
      expect(statementsOf(fn).some((statement) => actionsOf(statement).some((a) => a.startsWith('ses:')))).toBe(false);
    }
    expect(statementsOf(ids.sender).some((statement) => actionsOf(statement).includes('ses:SendRawEmail'))).toBe(true);
    expect(statementsOf(ids.confirmationSender).some((statement) => actionsOf(statement).includes('ses:SendRawEmail'))).toBe(true);
  });

  it('grants no Bedrock action while the summariser is the default extractive one', () => {
    expect(allStatements().filter((statement) => actionsOf(statement).some((action) => action.startsWith('bedrock:')))).toEqual([]);
  });

  it('grants "*" only for actions IAM cannot scope (X-Ray, ses:GetSendQuota)', () => {
    for (const statement of allStatements().filter((s) => resourcesOf(s).includes('*'))) {
      for (const action of actionsOf(statement)) {
        expect(['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'ses:GetSendQuota']).toContain(action);
      }
    }
  });

  it('limits S3 writes to the site keys, processed/ and removing from inbox/; only the publisher touches the bucket', () => {
    const writes = allStatements().filter((statement) => actionsOf(statement).some((action) => /^s3:(Put|Delete|\*)/.test(action)));
    const keysByAction = new Map<string, string[]>();
    for (const write of writes) {
      const keys = resourcesOf(write).map((resource) => {
        const [, parts] = (resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
        expect(parts[0]).toEqual({ 'Fn::GetAtt': [ids.bucket, 'Arn'] });
        return String(parts[1]).replace(/^\//, '');
      });
      for (const action of actionsOf(write).filter((name) => /^s3:(Put|Delete)/.test(name)))
        keysByAction.set(action, [...(keysByAction.get(action) ?? []), ...keys]);
    }
    expect([...keysByAction.keys()].sort()).toEqual(['s3:DeleteObject', 's3:PutObject']);
    expect(keysByAction.get('s3:PutObject')!.sort()).toEqual([...SITE_OBJECT_KEYS, `${PROCESSED_PREFIX}*`, SITE_MARK_KEY].sort());
    expect(keysByAction.get('s3:DeleteObject')!.sort()).toEqual([`${INBOX_PREFIX}*`, SITE_MARK_KEY].sort());
    for (const fn of [ids.api, ids.sesEvents]) {
      expect(statementsOf(fn).some((statement) => referencedIds(statement.Resource).has(ids.bucket))).toBe(false);
    }
  });

  it('gives each function only its own tables, and the publisher read-only subscribers', () => {
    const tablesOf = (fn: string) => {
      const found = new Set<string>();
      for (const statement of statementsOf(fn)) {
        if (!actionsOf(statement).some((action) => action.startsWith('dynamodb:'))) continue;
        for (const id of referencedIds(statement.Resource)) found.add(id);
      }
      return [...found].sort();
    };
    expect(tablesOf(ids.publisher)).toEqual([tables.subscribers, tables.deliveries, tables.state, tables.sources].sort());
    expect(tablesOf(ids.api)).toEqual([tables.subscribers, tables.state].sort());
    expect(tablesOf(ids.sesEvents)).toEqual([tables.subscribers, tables.state].sort());

    const publisherOnSubscribers = statementsOf(ids.publisher)
      .filter((statement) => referencedIds(statement.Resource).has(tables.subscribers))
      .flatMap(actionsOf);
    expect(publisherOnSubscribers.length).toBeGreaterThan(0);
    for (const action of publisherOnSubscribers) {
      expect(action).not.toMatch(/Put|Update|Delete|BatchWrite/);
    }
  });

  it('lets the API and the SES events only get and change single items: no Scan, DeleteItem or batch writes', () => {
    const actionsOn = (fn: string, table: string) =>
      statementsOf(fn)
        .filter((statement) => referencedIds(statement.Resource).has(table))
        .flatMap(actionsOf)
        .sort();
    expect(actionsOn(ids.api, tables.subscribers)).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(actionsOn(ids.api, tables.state)).toEqual(['dynamodb:UpdateItem']);
    expect(actionsOn(ids.confirmationSender, tables.subscribers)).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(actionsOn(ids.confirmationSender, tables.state)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(actionsOn(ids.sesEvents, tables.subscribers)).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(actionsOn(ids.sesEvents, tables.state)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
  });

  it('lets a service principal use a KMS key only for this account and its own source', () => {
    const keyPolicies = Object.values(resourcesOfType(template, 'AWS::KMS::Key')).map(
      (key) => (key.Properties?.KeyPolicy as { Statement: Statement[] }).Statement,
    );
    expect(keyPolicies).toHaveLength(2);
    const serviceStatements = keyPolicies.flat().filter((statement) => {
      const principal = statement.Principal as { Service?: unknown } | undefined;
      return principal?.Service !== undefined;
    });
    expect(serviceStatements.map((statement) => (statement.Principal as { Service: string }).Service).sort()).toEqual([
      'cloudwatch.amazonaws.com',
      'ses.amazonaws.com',
    ]);
    for (const statement of serviceStatements) {
      expect(statement.Condition?.StringEquals?.['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
      const sourceArn = standIn(statement.Condition?.ArnLike?.['aws:SourceArn']);
      expect(sourceArn).toMatch(
        /^arn:ref-aws::partition:(ses|cloudwatch):ref-aws::region:ref-aws::accountid:(configuration-set\/|alarm:\*)/,
      );
    }
  });

  it('lets only the functions that sign or verify tokens read the token secret', () => {
    const secret = logicalIdOf(template, 'AWS::SecretsManager::Secret', 'SecretsTokenKeys');
    const readers = [ids.publisher, ids.api, ids.confirmationSender, ids.sesEvents].filter((fn) =>
      statementsOf(fn).some((statement) => referencedIds(statement.Resource).has(secret)),
    );
    expect(readers.sort()).toEqual([ids.publisher, ids.api, ids.confirmationSender].sort());
  });

  it('queues sign-ups: the API may only send to the encrypted, TLS-only confirmation queue, the sender reads it with partial batch failures', () => {
    const queue = logicalIdOf(template, 'AWS::SQS::Queue', 'ConfirmationSenderJobs');
    const deadLetters = logicalIdOf(template, 'AWS::SQS::Queue', 'ConfirmationSenderDeadLetters');
    expect(resources[queue]?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 180,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLetters, 'Arn'] }, maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queue }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    const onQueue = (fn: string) =>
      statementsOf(fn)
        .filter((statement) => referencedIds(statement.Resource).has(queue))
        .flatMap(actionsOf)
        .sort();
    expect(onQueue(ids.api)).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
    expect(onQueue(ids.confirmationSender)).toContain('sqs:ReceiveMessage');
    expect(onQueue(ids.publisher)).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: ids.confirmationSender },
      EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetters, 'QueueName'] } }],
    });
  });

  it('lets the functions that turn addresses into subscriber ids (confirmation sender, SES events) read the id key, and names it for them', () => {
    const secret = logicalIdOf(template, 'AWS::SecretsManager::Secret', 'SecretsSubscriberIdKey');
    const readers = [ids.publisher, ids.api, ids.confirmationSender, ids.sesEvents].filter((fn) =>
      statementsOf(fn).some((statement) => referencedIds(statement.Resource).has(secret)),
    );
    expect(readers.sort()).toEqual([ids.confirmationSender, ids.sesEvents].sort());
    const resources = template.toJSON().Resources as Record<
      string,
      { Properties?: { Environment?: { Variables: Record<string, unknown> } } }
    >;
    for (const fn of [ids.confirmationSender, ids.sesEvents]) {
      expect(resources[fn]?.Properties?.Environment?.Variables[ENV.subscriberIdSecretArn]).toEqual({ Ref: secret });
    }
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, SecretStringTemplate: Match.absent() },
    });
  });
});

describe('data', () => {
  it('keeps every table on demand, encrypted, with point-in-time recovery, retained on delete', () => {
    const all = resourcesOfType(template, 'AWS::DynamoDB::Table');
    expect(Object.keys(all)).toHaveLength(4);
    for (const table of Object.values(all)) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    }
  });

  it.each(Object.keys(TABLE_KEYS) as TableRole[])(
    'creates the %s table from the key schema the adapters use (functions/shared/tables.ts)',
    (role) => {
      const keys: TableKeySchema = TABLE_KEYS[role];
      const partsOf = (schema: Pick<TableKeySchema, 'partitionKey' | 'sortKey'>) => [
        { key: schema.partitionKey, KeyType: 'HASH' },
        ...(schema.sortKey ? [{ key: schema.sortKey, KeyType: 'RANGE' }] : []),
      ];
      const keySchema = (schema: Pick<TableKeySchema, 'partitionKey' | 'sortKey'>) =>
        partsOf(schema).map(({ key, KeyType }) => ({ AttributeName: key.name, KeyType }));
      const properties = resources[tables[role]]?.Properties;
      expect(properties?.KeySchema).toEqual(keySchema(keys));
      const indexes = keys.indexes ?? [];
      const attributes = new Map([keys, ...indexes].flatMap(partsOf).map(({ key }) => [key.name, key.type]));
      expect(properties?.AttributeDefinitions).toEqual(
        expect.arrayContaining([...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }))),
      );
      expect(properties?.AttributeDefinitions).toHaveLength(attributes.size);
      if (indexes.length > 0)
        expect(properties?.GlobalSecondaryIndexes).toEqual(
          indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: keySchema(index),
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.include] },
          })),
        );
      else expect(properties).not.toHaveProperty('GlobalSecondaryIndexes');
      if ('timeToLive' in keys) expect(properties?.TimeToLiveSpecification).toEqual({ AttributeName: keys.timeToLive, Enabled: true });
      else expect(properties).not.toHaveProperty('TimeToLiveSpecification');
    },
  );

  // Pinned as literals on purpose: deployed tables hold data under these names, so renaming one is a migration.
  it('keeps the deployed key names, with expiresAt as the state TTL', () => {
    expect(resources[tables.subscribers]?.Properties?.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    expect(resources[tables.deliveries]?.Properties?.KeySchema).toEqual([
      { AttributeName: 'digestId', KeyType: 'HASH' },
      { AttributeName: 'subscriberId', KeyType: 'RANGE' },
    ]);
    expect(resources[tables.state]?.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      GlobalSecondaryIndexes: [
        {
          IndexName: 'archive-by-first-seen',
          KeySchema: [
            { AttributeName: 'listing', KeyType: 'HASH' },
            { AttributeName: 'firstSeen', KeyType: 'RANGE' },
          ],
        },
      ],
    });
    expect(resources[tables.sources]?.Properties?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
  });
});

describe('mail', () => {
  it('sends through a configuration set that suppresses bounces and complaints and requires TLS', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      ReputationOptions: { ReputationMetricsEnabled: true },
      DeliveryOptions: Match.objectLike({ TlsPolicy: 'REQUIRE' }),
      SendingOptions: { SendingEnabled: true },
    });
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'news@example.com',
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: logicalIdOf(template, 'AWS::SES::ConfigurationSet', 'Mail') } },
    });
  });

  it('publishes bounce, complaint, reject, rendering-failure and delivery-delay events to the SES events function', () => {
    const topic = logicalIdOf(template, 'AWS::SNS::Topic', 'MailEvents');
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint', 'reject', 'renderingFailure', 'deliveryDelay'],
        SnsDestination: { TopicARN: { Ref: topic } },
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: topic },
      Endpoint: { 'Fn::GetAtt': [ids.sesEvents, 'Arn'] },
    });
  });

  it('generates the token key set at deploy time in the keyring format', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: {
        SecretStringTemplate: '{"currentKeyId":"k1"}',
        GenerateStringKey: 'k1',
        PasswordLength: 64,
        ExcludePunctuation: true,
      },
    });
  });
});

describe('operations', () => {
  it('alarms on any publisher error and on any message in its dead-letter queue', () => {
    const topic = logicalIdOf(template, 'AWS::SNS::Topic', 'OperationsAlarms');
    const queue = logicalIdOf(template, 'AWS::SQS::Queue', 'PublisherDeadLetters');
    const common = {
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topic }],
    };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...common,
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: ids.publisher } }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...common,
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
    });
  });

  it('alarms when SES refuses the sender or the account, on a burst of refused recipients, and when the confirmation cap is reached', () => {
    const topic = logicalIdOf(template, 'AWS::SNS::Topic', 'OperationsAlarms');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Gazette',
      MetricName: 'SenderRejected',
      Dimensions: [{ Name: 'service', Value: 'publisher' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: topic }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Gazette',
      MetricName: 'ConfirmationCapReached',
      Dimensions: [{ Name: 'service', Value: 'confirmation-sender' }],
      Threshold: 1,
      AlarmActions: [{ Ref: topic }],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.maxConfirmationsPerDay]: '500' }) },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Gazette',
      MetricName: 'MailsFailed',
      Dimensions: [{ Name: 'service', Value: 'publisher' }],
      Period: 3600,
      AlarmActions: [{ Ref: topic }],
    });
  });

  it('alarms on the first send whose outcome is unknown (a pair left in doubt)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Gazette',
      MetricName: 'MailsInDoubt',
      Dimensions: [{ Name: 'service', Value: 'publisher' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: logicalIdOf(template, 'AWS::SNS::Topic', 'OperationsAlarms') }],
    });
  });

  it('sends alarms to an encrypted, SSL-only topic that mails the operator', () => {
    const topic = logicalIdOf(template, 'AWS::SNS::Topic', 'OperationsAlarms');
    expect(resources[topic]?.Properties?.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OperationsAlarmsKey/), 'Arn'] });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topic }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: topic },
    });
  });

  it('lets CloudWatch and SES use the keys of the topics they publish to', () => {
    const principals = Object.values(resourcesOfType(template, 'AWS::KMS::Key')).flatMap((key) =>
      (key.Properties?.KeyPolicy as { Statement: Statement[] }).Statement.map((statement) => statement.Principal),
    );
    expect(principals).toContainEqual({ Service: 'cloudwatch.amazonaws.com' });
    expect(principals).toContainEqual({ Service: 'ses.amazonaws.com' });
    for (const key of Object.values(resourcesOfType(template, 'AWS::KMS::Key'))) {
      expect(key.Properties?.EnableKeyRotation).toBe(true);
    }
  });
});

describe('template', () => {
  it('outputs the site, feed and subscribe URLs', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const value = (name: string) => standIn(outputs[name]?.Value);
    expect(value('SiteUrl')).toBe('https://d111111abcdef8.cloudfront.net/');
    expect(value('RssFeedUrl')).toBe('https://d111111abcdef8.cloudfront.net/feeds/rss.xml');
    expect(value('AtomFeedUrl')).toBe('https://d111111abcdef8.cloudfront.net/feeds/atom.xml');
    expect(value('JsonFeedUrl')).toBe('https://d111111abcdef8.cloudfront.net/feeds/feed.json');
    expect(value('SubscribeEndpoint')).toBe('https://d111111abcdef8.cloudfront.net/api/subscribe');
    expect(Object.keys(outputs).some((name) => name.includes('Dkim'))).toBe(false);
  });

  it('outputs one URL per feed of the output registry, and no other feed URL', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const feedOutputs = Object.entries(outputs).filter(([name]) => name.endsWith('FeedUrl'));
    const urls = feedOutputs.map(([, output]) => standIn(output.Value)).sort();
    expect(urls).toEqual(
      feedLinks({ baseUrl: 'https://d111111abcdef8.cloudfront.net/' })
        .map((feed) => feed.url)
        .sort(),
    );
  });

  it('outputs the subscribers table for the operator command', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs['SubscribersTableName']?.Value).toEqual({ Ref: tables.subscribers });
  });

  it('outputs the sources table for the operator command', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs['SourcesTableName']?.Value).toEqual({ Ref: tables.sources });
  });

  it('lets the publisher only query, get and conditionally put on the sources table: no Scan, delete or batch', () => {
    const actions = statementsOf(ids.publisher)
      .filter((statement) => referencedIds(statement.Resource).has(tables.sources))
      .flatMap(actionsOf)
      .sort();
    expect(actions).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
  });

  it('has no circular dependency between resources (CloudFormation would refuse it)', () => {
    const edges = new Map<string, Set<string>>();
    for (const [id, resource] of Object.entries(resources)) {
      const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
      edges.set(id, new Set([...referencedIds(resource.Properties), ...dependsOn].filter((target) => target in resources)));
    }
    const state = new Map<string, 'visiting' | 'done'>();
    const cycle: string[] = [];
    const visit = (id: string): boolean => {
      if (state.get(id) === 'done') return false;
      if (state.get(id) === 'visiting') return cycle.push(id) > 0;
      state.set(id, 'visiting');
      for (const next of edges.get(id) ?? []) if (visit(next)) return cycle.push(id) > 0;
      state.set(id, 'done');
      return false;
    };
    for (const id of edges.keys()) visit(id);
    expect(cycle).toEqual([]);
  });
});
