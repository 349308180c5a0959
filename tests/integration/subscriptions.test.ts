/**
 * The real subscription API and SES events handlers with the real DynamoDB and SES adapters, against
 * dynalite and the SES emulator: the whole journey from the form post to the digest's one-click
 * unsubscribe, plus the conditional writes that only a real DynamoDB can prove.
 */
import { awsConfirmationDeps, awsSubscriptionDeps } from '../../functions/composition/aws.js';
import { PassThrough } from 'node:stream';
import { Logger } from '@aws-lambda-powertools/logger';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, SNSEvent, SQSEvent } from 'aws-lambda';
import { parse as parseCsv } from 'csv-parse/sync';
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildApp as buildFauxqs, interceptLocalhostDns } from 'fauxqs';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import {
  DynamoFeedbackLedger,
  DynamoRateLimiter,
  DynamoRollingCounter,
  DynamoSubscribers,
} from '../../functions/adapters/aws/dynamodb-subscribers.js';
import { parseKeyring } from '../../functions/core/tokens.js';
import { subscribersCommand } from '../../functions/cli/commands/subscribers.js';
import { subscriberIdFor } from '../../functions/core/subscriptions/address.js';
import { createSesEventsHandler } from '../../functions/handlers/ses-events.js';
import { createSubscriptionApi, type SubscriptionApiHandler } from '../../functions/adapters/http/api-gateway.js';
import { LOCAL_ENV, loadConfirmationSenderEnv, loadSubscriptionEnv } from '../../functions/shared/env.js';
import { SqsConfirmationQueue } from '../../functions/adapters/aws/sqs-confirmation-queue.js';
import { createConfirmationSender } from '../../functions/handlers/confirmation-sender.js';
import { ENV, ORIGIN_VERIFY_HEADER } from '../../functions/shared/env-names.js';
import { describeSubscriptionStore } from '../unit/subscriptions-store-contract.js';
import {
  createHarness,
  type Harness,
  publisherVariables,
  TEST_KEYRING_JSON,
  TEST_ORIGIN_VERIFY,
  TEST_SUBSCRIBER_ID_KEY,
} from './harness.js';

const open: Harness[] = [];
afterEach(() => {
  for (const harness of open.splice(0)) harness.close();
});

// The same contract the memory and file stores pass in the unit tests, here with real conditional writes.
describeSubscriptionStore('DynamoDB (dynalite)', async () => {
  const harness = await createHarness();
  open.push(harness);
  const { doc } = harness.clients;
  return {
    store: new DynamoSubscribers(doc, harness.names.tables.subscribers),
    ledger: new DynamoFeedbackLedger(doc, harness.names.tables.state),
    limiter: new DynamoRateLimiter(doc, harness.names.tables.state),
    counter: new DynamoRollingCounter(doc, harness.names.tables.state),
  };
});

/** An API Gateway v2 event as CloudFront's request arrives: with the origin-verify header unless `viaCloudFront` is false. */
function apiEvent(
  method: string,
  path: string,
  options: { query?: string; body?: string; headers?: Record<string, string>; viaCloudFront?: boolean } = {},
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: options.query ?? '',
    headers: {
      host: 'news.example.com',
      ...(options.viaCloudFront === false ? {} : { [ORIGIN_VERIFY_HEADER]: TEST_ORIGIN_VERIFY }),
      ...(options.headers ?? {}),
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'news.example.com',
      domainPrefix: 'news',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'integration' },
      requestId: 'r',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
    isBase64Encoded: false,
    ...(options.body !== undefined ? { body: options.body } : {}),
  };
}

/**
 * SQS for the confirmation queue: fauxqs (the SQS emulator chosen on the fanout branch, see
 * SQS-EMULATOR.md there), started here on loopback until the shared global setup starts it.
 */
let sqsServer: { close(): Promise<unknown> } | undefined;
let sqs: SQSClient;
beforeAll(async () => {
  const app = buildFauxqs({ logger: false });
  const sqsAddress = await app.listen({ port: 0, host: '127.0.0.1' });
  sqsServer = app;
  sqs = new SQSClient({ region: 'eu-west-1', endpoint: sqsAddress, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});
afterAll(async () => {
  sqs?.destroy();
  await sqsServer?.close();
});

interface Setup {
  harness: Harness;
  api: SubscriptionApiHandler;
  subscribers: DynamoSubscribers;
  /** Runs the confirmation sender on every job waiting in the queue, as Lambda's SQS trigger does. */
  drain(): Promise<void>;
}

async function setup(): Promise<Setup> {
  const harness = await createHarness();
  open.push(harness);
  const variables = publisherVariables(harness.endpoints, harness.names);
  // The API reads its own, smaller environment; infra sets a subset of the publisher's variables.
  const env = loadSubscriptionEnv(variables);
  const keyring = parseKeyring(TEST_KEYRING_JSON, 'test');
  const secrets = { keyring, originVerify: TEST_ORIGIN_VERIFY };
  const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `confirmations-${randomUUID()}` }));
  const queue = new SqsConfirmationQueue(sqs, queueUrl!);
  const logger = new Logger({ logLevel: 'SILENT' });
  const deps = awsSubscriptionDeps(env, harness.clients, secrets, logger, queue);
  const sender = createConfirmationSender(
    awsConfirmationDeps(loadConfirmationSenderEnv(variables), harness.clients, { keyring, idKey: TEST_SUBSCRIBER_ID_KEY }, logger, {
      addMetric: () => undefined,
      publishStoredMetrics: () => undefined,
    }),
  );
  const drain = async (): Promise<void> => {
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) return;
      const records = Messages.map((message) => ({
        messageId: message.MessageId!,
        body: message.Body!,
        receiptHandle: message.ReceiptHandle!,
      }));
      const { batchItemFailures } = await sender({ Records: records } as unknown as SQSEvent);
      expect(batchItemFailures).toEqual([]);
      for (const record of records) await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle }));
    }
  };
  return {
    harness,
    api: createSubscriptionApi(deps),
    subscribers: new DynamoSubscribers(harness.clients.doc, harness.names.tables.subscribers),
    drain,
  };
}

const JSON_FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };

function linkIn(text: string, path: string): URL {
  const match = new RegExp(`https://news\\.example\\.com/${path}\\?token=[A-Za-z0-9_.%-]+`).exec(text);
  if (!match) throw new Error(`no ${path} link in:\n${text}`);
  return new URL(match[0]);
}

describe('subscription API against DynamoDB and SES emulators', () => {
  it('subscribe → one confirmation mail → confirm → digest → one-click unsubscribe → no more digests', async () => {
    const { harness, api, subscribers, drain } = await setup();
    const address = harness.address('journey');
    const id = subscriberIdFor(address, TEST_SUBSCRIBER_ID_KEY);

    // 20 concurrent subscribes: DynamoDB's conditional write lets exactly one send.
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api(
          apiEvent('POST', '/api/subscribe', {
            body: `email=${encodeURIComponent(address)}&website=`,
            headers: { ...JSON_FORM, 'x-forwarded-for': `198.51.100.${i}` },
          }),
        ),
      ),
    );
    expect(new Set(answers.map((answer) => `${answer.statusCode} ${answer.body}`)).size).toBe(1);
    expect(answers[0]?.statusCode).toBe(202);
    // Answered before anything was decided: 20 jobs queued, no mail yet. The sender then mails once.
    expect(await harness.mails()).toHaveLength(0);
    await drain();
    const confirmations = await harness.mails();
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]?.parsed.subject).toContain('Confirm');
    expect((await subscribers.get(id))?.status).toBe('pending');
    // Pending addresses get no digest.
    await harness.invoke();
    expect(await harness.mails()).toHaveLength(1);

    const confirmLink = linkIn(confirmations[0]?.parsed.text ?? '', 'api/confirm');
    // Opening the link (as a mail gateway's scanner would) changes nothing; the page's button confirms.
    const opened = await api(apiEvent('GET', confirmLink.pathname, { query: confirmLink.search.slice(1) }));
    expect(opened.statusCode).toBe(200);
    expect(opened.body).toContain('Confirm subscription');
    expect((await subscribers.get(id))?.status).toBe('pending');
    const confirmed = await api(apiEvent('POST', confirmLink.pathname, { query: confirmLink.search.slice(1) }));
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('Subscription confirmed');
    expect((await subscribers.get(id))?.status).toBe('confirmed');

    // A new article arrives; the confirmed subscriber gets its digest.
    // Distinct text per article: an article's identity falls back to a hash of its text.
    const newArticle = async (name: string, title: string) =>
      harness.clients.s3.send(
        new PutObjectCommand({
          Bucket: harness.names.bucket,
          Key: `inbox/${name}`,
          Body: `# ${title}\n\n${title} was the main topic in the town this week. The council approved the new bridge on Tuesday after a long debate. Construction starts in spring and should take two years. The cost is shared between the city and the region. Residents asked for a cycle lane, which was added to the plan. The old bridge stays open until the new one is finished.\n`,
          ContentType: 'text/markdown; charset=utf-8',
        }),
      );
    await newArticle('bridge.md', 'A new bridge');
    await harness.invoke();
    const digests = (await harness.mails()).filter((mail) => !mail.parsed.subject?.includes('Confirm'));
    expect(digests.length).toBeGreaterThanOrEqual(1);
    const digest = digests[0]!;
    // The header as written (mailparser turns List-* headers into objects; we want the field itself).
    const header = digest.parsed.headerLines
      .filter((line) => line.key === 'list-unsubscribe')
      .map((line) => line.line.replace(/\r?\n[ \t]+/g, ' '));
    expect(header).toHaveLength(1);
    const oneClick = new URL(/<(https:[^>]+)>/.exec(header[0] ?? '')?.[1] ?? 'missing:');
    expect(oneClick.pathname).toBe('/api/unsubscribe');

    // A link scanner GETs and HEADs the URL: nothing changes.
    for (const method of ['GET', 'HEAD']) {
      expect((await api(apiEvent(method, oneClick.pathname, { query: oneClick.search.slice(1) }))).statusCode).toBe(200);
    }
    expect((await subscribers.get(id))?.status).toBe('confirmed');
    // The mail client's RFC 8058 one-click POST, no cookie.
    const unsubscribed = await api(
      apiEvent('POST', oneClick.pathname, {
        query: oneClick.search.slice(1),
        body: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect(unsubscribed.statusCode).toBe(200);
    expect((await subscribers.get(id))?.status).toBe('unsubscribed');

    const before = (await harness.mails()).length;
    await newArticle('library.md', 'The library reopens');
    const summary = await harness.invoke();
    expect(summary.created).toBe(1);
    expect(await harness.mails()).toHaveLength(before);
  });

  it('throttles one client IP through the state table and answers 429', async () => {
    const { harness, api } = await setup();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) {
      const response = await api(
        apiEvent('POST', '/api/subscribe', {
          body: `email=${encodeURIComponent(harness.address(`ip${i}`))}`,
          headers: { ...JSON_FORM, 'x-forwarded-for': '203.0.113.99' },
        }),
      );
      statuses.push(response.statusCode ?? 0);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(202));
    expect(statuses[10]).toBe(429);
    const counters = (await harness.stateItems()).filter((item) => String(item.id).startsWith('rate#'));
    expect(counters).toHaveLength(1);
    expect(String(counters[0]?.id)).not.toContain('203.0.113.99');
    expect(typeof counters[0]?.expiresAt).toBe('number');
  });
});

function snsEvent(message: unknown): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:eu-west-1:123456789012:events:1',
        Sns: {
          Type: 'Notification',
          MessageId: 'sns-1',
          TopicArn: 'arn:aws:sns:eu-west-1:123456789012:events',
          Subject: '',
          Message: JSON.stringify(message),
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: '',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: {},
        },
      },
    ],
  };
}

describe('SES events handler against DynamoDB', () => {
  it('hard bounce → bounced once (duplicate skipped), soft bounce → unchanged, complaint → complained', async () => {
    const harness = await createHarness();
    open.push(harness);
    const handler = createSesEventsHandler({
      store: new DynamoSubscribers(harness.clients.doc, harness.names.tables.subscribers),
      ledger: new DynamoFeedbackLedger(harness.clients.doc, harness.names.tables.state),
      idKey: TEST_SUBSCRIBER_ID_KEY,
    });
    const hard = harness.address('hard');
    const soft = harness.address('soft');
    const angry = harness.address('angry');
    for (const address of [hard, soft, angry]) await harness.seedSubscriber(address, 'confirmed');
    const bounce = (address: string, bounceType: string, feedbackId: string) => ({
      eventType: 'Bounce',
      bounce: {
        bounceType,
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: address }],
        feedbackId,
        timestamp: new Date().toISOString(),
      },
      mail: { messageId: `m-${feedbackId}`, destination: [address] },
    });

    expect(await handler(snsEvent(bounce(hard, 'Permanent', 'fb-hard')))).toEqual([{ outcome: 'applied', changed: 1 }]);
    expect(await handler(snsEvent(bounce(hard, 'Permanent', 'fb-hard')))).toEqual([{ outcome: 'duplicate', changed: 0 }]);
    expect(await handler(snsEvent(bounce(soft, 'Transient', 'fb-soft')))).toEqual([{ outcome: 'ignored', changed: 0 }]);
    await handler(
      snsEvent({
        eventType: 'Complaint',
        complaint: { complainedRecipients: [{ emailAddress: angry }], feedbackId: 'fb-angry' },
        mail: { messageId: 'm-angry' },
      }),
    );

    const status = async (address: string) =>
      (
        await harness.clients.doc.send(
          new GetCommand({ TableName: harness.names.tables.subscribers, Key: { id: subscriberIdFor(address, TEST_SUBSCRIBER_ID_KEY) } }),
        )
      ).Item?.status;
    expect(await status(hard)).toBe('bounced');
    expect(await status(soft)).toBe('confirmed');
    expect(await status(angry)).toBe('complained');
    const events = (await harness.stateItems())
      .filter((item) => String(item.id).startsWith('ses-event#'))
      .map((item) => item.id)
      .sort();
    expect(events).toEqual(['ses-event#fb-angry', 'ses-event#fb-hard']);
  });

  it('applies a bounce whose earlier invocation claimed it and died before applying', async () => {
    const harness = await createHarness();
    open.push(harness);
    const handler = createSesEventsHandler({
      store: new DynamoSubscribers(harness.clients.doc, harness.names.tables.subscribers),
      ledger: new DynamoFeedbackLedger(harness.clients.doc, harness.names.tables.state),
      idKey: TEST_SUBSCRIBER_ID_KEY,
    });
    const address = harness.address('killed');
    await harness.seedSubscriber(address, 'confirmed');
    // What the killed invocation left: the claim item, written before applying, with no completion.
    await harness.clients.doc.send(
      new PutCommand({
        TableName: harness.names.tables.state,
        Item: { id: 'ses-event#fb-killed', processedAt: new Date().toISOString(), expiresAt: Math.floor(Date.now() / 1000) + 86_400 },
      }),
    );
    const bounce = {
      eventType: 'Bounce',
      bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: address }], feedbackId: 'fb-killed' },
      mail: { messageId: 'm-killed' },
    };
    expect(await handler(snsEvent(bounce))).toEqual([{ outcome: 'applied', changed: 1 }]);
    expect(await handler(snsEvent(bounce))).toEqual([{ outcome: 'duplicate', changed: 0 }]);
    const item = await harness.clients.doc.send(
      new GetCommand({ TableName: harness.names.tables.subscribers, Key: { id: subscriberIdFor(address, TEST_SUBSCRIBER_ID_KEY) } }),
    );
    expect(item.Item?.status).toBe('bounced');
  });
});

describe('gazette subscribers --table', () => {
  it('adds (under the keyed id), lists, exports and removes on the DynamoDB table', async () => {
    const harness = await createHarness();
    open.push(harness);
    // The emulated stack has no Secrets Manager: the key comes inline, as npm run dev passes it.
    vi.stubEnv(LOCAL_ENV.subscriberIdKey, TEST_SUBSCRIBER_ID_KEY);
    onTestFinished(() => {
      vi.unstubAllEnvs();
    });
    const run = async (...args: string[]) => {
      const stdout = new PassThrough();
      const chunks: Buffer[] = [];
      stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      const code = await subscribersCommand(
        [...args, '--table', harness.names.tables.subscribers, '--endpoint', harness.endpoints.dynamodb, '--region', 'eu-west-1'],
        {
          stdin: new PassThrough(),
          stdout,
          stderr: new PassThrough(),
        },
      );
      return { code, stdout: Buffer.concat(chunks).toString('utf8') };
    };
    const address = harness.address('operator');
    expect(await run('add', address, '--note', 'consent: signed up at the fair')).toEqual({
      code: 0,
      stdout: `${address}: added as confirmed\n`,
    });
    expect((await run('list')).stdout).toMatch(new RegExp(`^confirmed\\s+${address.replace(/[+.]/g, '\\$&')}`, 'm'));
    const rows = parseCsv((await run('export')).stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      expect.objectContaining({
        id: subscriberIdFor(address, TEST_SUBSCRIBER_ID_KEY),
        email: address,
        status: 'confirmed',
        consentNote: 'consent: signed up at the fair',
        source: 'operator',
      }),
    ]);
    expect((await run('remove', address)).code).toBe(0);
    const left = await harness.clients.doc.send(new ScanCommand({ TableName: harness.names.tables.subscribers }));
    expect(left.Items ?? []).toEqual([]);
  });
});

describe('subscription Lambda entry points (process.env at cold start)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  it('a missing variable fails the cold start naming it; a complete environment answers', async () => {
    const harness = await createHarness();
    open.push(harness);
    const { handler } = await import('../../functions/handlers/subscription-api.js');
    const variables = publisherVariables(harness.endpoints, harness.names);
    Object.assign(process.env, { ...variables, GAZETTE_SES_CONFIGURATION_SET: '', POWERTOOLS_LOG_LEVEL: 'SILENT' });
    await expect(handler(apiEvent('POST', '/api/subscribe', { body: 'email=x%40example.com', headers: JSON_FORM }))).rejects.toThrow(
      /GAZETTE_SES_CONFIGURATION_SET: required/,
    );
    // Neither the deployed ARN nor the local value: the cold start names the variable infra sets.
    Object.assign(process.env, { ...variables, [ENV.originVerifySecretArn]: '', [LOCAL_ENV.originVerifySecret]: '' });
    await expect(handler(apiEvent('POST', '/api/subscribe', { body: 'email=x%40example.com', headers: JSON_FORM }))).rejects.toThrow(
      /GAZETTE_ORIGIN_VERIFY_SECRET_ARN: required/,
    );

    // On AWS the queue is required: without it the cold start names the variable.
    Object.assign(process.env, variables);
    await expect(handler(apiEvent('POST', '/api/subscribe', { body: 'email=x%40example.com', headers: JSON_FORM }))).rejects.toThrow(
      /GAZETTE_CONFIRMATION_QUEUE_URL: required/,
    );
    const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `entry-${randomUUID()}` }));
    // The function has no SQS endpoint override (AWS only): the SDK sends to the queue URL's host,
    // sqs.<region>.localhost:<port>, which fauxqs's DNS hook points at loopback for this test.
    const restoreDns = interceptLocalhostDns();
    onTestFinished(restoreDns);
    Object.assign(process.env, { [ENV.confirmationQueueUrl]: queueUrl, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
    const entry = harness.address('entry');
    const response = await handler(apiEvent('POST', '/api/subscribe', { body: `email=${encodeURIComponent(entry)}`, headers: JSON_FORM }));
    expect(response.statusCode).toBe(202);
    // The API only queued the job; the confirmation sender's entry point mails it.
    expect(await harness.mails()).toHaveLength(0);
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    expect(Messages.map((message) => JSON.parse(message.Body ?? '{}'))).toEqual([{ email: entry }]);
    const sender = await import('../../functions/handlers/confirmation-sender.js');
    const sqsEvent = { Records: Messages.map((message) => ({ messageId: message.MessageId, body: message.Body })) } as unknown as SQSEvent;
    expect(await sender.handler(sqsEvent)).toEqual({ batchItemFailures: [] });
    expect(await harness.mails()).toHaveLength(1);

    // Straight to the execute-api URL, with a forged X-Forwarded-For: refused, nothing stored, nothing sent.
    const bypass = harness.address('bypass');
    const refused = await handler(
      apiEvent('POST', '/api/subscribe', {
        body: `email=${encodeURIComponent(bypass)}`,
        headers: { ...JSON_FORM, 'x-forwarded-for': '203.0.113.7' },
        viaCloudFront: false,
      }),
    );
    expect(refused.statusCode).toBe(403);
    expect(JSON.parse(refused.body ?? '')).toEqual({ status: 'error', error: 'forbidden', message: 'This request is not allowed.' });
    expect(await harness.mails()).toHaveLength(1);
    const row = await harness.clients.doc.send(
      new GetCommand({ TableName: harness.names.tables.subscribers, Key: { id: subscriberIdFor(bypass, TEST_SUBSCRIBER_ID_KEY) } }),
    );
    expect(row.Item).toBeUndefined();

    const sesEvents = await import('../../functions/handlers/ses-events.js');
    // Bounces name addresses: without the subscriber id key the SES events function cannot start.
    Object.assign(process.env, { [LOCAL_ENV.subscriberIdKey]: '' });
    await expect(sesEvents.handler(snsEvent({ eventType: 'Delivery', mail: { messageId: 'm' } }))).rejects.toThrow(
      /GAZETTE_SUBSCRIBER_ID_SECRET_ARN: required/,
    );
    Object.assign(process.env, variables);
    expect(await sesEvents.handler(snsEvent({ eventType: 'Delivery', mail: { messageId: 'm' } }))).toEqual([
      { outcome: 'ignored', changed: 0 },
    ]);
  });
});
