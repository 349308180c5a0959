/**
 * A reader's whole journey in a real browser (Debian chromium driven by playwright-core) against the
 * local stack of `npm run dev`: the site served from the emulated S3 bucket, the REAL subscription API
 * handler mounted under /api/*, DynamoDB and SES emulators, and the REAL publish handler.
 *
 * subscribe through the form → confirmation mail in the SES emulator → follow its link → publish →
 * digest arrives → click its unsubscribe link and the button → publish a new digest → nothing arrives.
 * Screenshots go to tests/e2e/screenshots/.
 */
import { AfterResponseQueue } from '../../functions/adapters/local/after-response-queue.js';
import { sendConfirmation } from '../../functions/core/subscriptions/subscribe.js';
import { awsConfirmationDeps } from '../../functions/handlers/confirmation-sender.js';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseKeyring } from '../../functions/core/tokens.js';
import { bucketSite } from '../../functions/cli/dev-server.js';
import { startSiteServer, type SiteServer } from '../../functions/cli/site-server.js';
import { subscriberIdFor } from '../../functions/core/subscriptions/address.js';
import { createPublishHandler, type PublishHandler } from '../../functions/handlers/publish.js';
import { createSubscriptionApi } from '../../functions/adapters/http/api-gateway.js';
import { awsSubscriptionDeps } from '../../functions/handlers/subscription-api.js';
import { type AwsClients, createAwsClients, destroyAwsClients } from '../../functions/shared/aws-clients.js';
import { ENV, ORIGIN_VERIFY_HEADER } from '../../functions/shared/env-names.js';
import { loadConfirmationSenderEnv, loadPublisherEnv, loadSubscriptionEnv } from '../../functions/shared/env.js';
import { publisherVariables, TEST_KEYRING_JSON, TEST_ORIGIN_VERIFY, TEST_SUBSCRIBER_ID_KEY } from '../integration/harness.js';
import { type GazetteResourceNames, provisionGazette, uniqueResourceNames } from '../../functions/cli/local-aws/emulators.js';
import { capturedSends } from '../../functions/cli/local-aws/ses-front.js';
import { launchChromium } from './accessibility-helpers.js';

const SCREENSHOTS = resolve('tests/e2e/screenshots');

let clients: AwsClients;
let names: GazetteResourceNames;
let server: SiteServer;
let publish: PublishHandler;
let browser: Browser;
const steps: string[] = [];

/** Records a step as it runs, so the log shows the journey in order. */
async function step<T>(description: string, action: () => Promise<T>): Promise<T> {
  const result = await action();
  steps.push(`${steps.length + 1}. ${description}`);
  return result;
}

async function mailsTo(address: string): Promise<ParsedMail[]> {
  const sends = (await capturedSends(inject('emulators').ses)).filter((send) => send.destinations.includes(address));
  return Promise.all(sends.map((send) => simpleParser(Buffer.from(send.raw, 'base64'))));
}

async function dropArticle(name: string, title: string, topic: string): Promise<void> {
  await clients.s3.send(
    new PutObjectCommand({
      Bucket: names.bucket,
      Key: `inbox/${name}`,
      ContentType: 'text/markdown; charset=utf-8',
      Body: `# ${title}\n\n${topic} was the talk of the town this week. The council met on Tuesday and voted after a long debate. Work starts in spring and should take two years. The cost is shared between the city and the region. Residents asked for more say in the details, and the council agreed to hold two public meetings. The plans can be read at the town hall until the end of the month.\n`,
    }),
  );
}

async function status(address: string): Promise<unknown> {
  const item = await clients.doc.send(
    new GetCommand({ TableName: names.tables.subscribers, Key: { id: subscriberIdFor(address, TEST_SUBSCRIBER_ID_KEY) } }),
  );
  return item.Item?.status;
}

async function statusLine(page: Page): Promise<string> {
  // Expressions run in the page; as strings they need no DOM typings in this Node-typed project.
  await page.waitForFunction(
    `(() => { const text = document.querySelector('form[data-subscribe] .status')?.textContent ?? ''; return text !== '' && text !== 'Sending…'; })()`,
  );
  return (await page.textContent('form[data-subscribe] .status')) ?? '';
}

beforeAll(async () => {
  const endpoints = inject('emulators');
  names = uniqueResourceNames('e2e');
  clients = createAwsClients({ region: 'eu-west-1', endpoints });
  await provisionGazette(clients, names);
  server = await startSiteServer({ source: bucketSite(clients.s3, names.bucket), port: 0 });
  // Everything links back to the local server, as under `npm run dev`.
  const variables = { ...publisherVariables(endpoints, names), [ENV.siteBaseUrl]: server.url };
  const silent = new Logger({ logLevel: 'SILENT' });
  publish = createPublishHandler({
    env: loadPublisherEnv(variables),
    clients,
    logger: silent,
    metrics: { addMetric: () => undefined, publishStoredMetrics: () => undefined },
  });
  // The server plays CloudFront, origin-verify header included, so the API's check runs on every step.
  // Confirmation mails go out after each answer, in this process, as under `npm run dev`.
  const keyring = parseKeyring(TEST_KEYRING_JSON, 'e2e');
  const sender = awsConfirmationDeps(loadConfirmationSenderEnv(variables), clients, { keyring, idKey: TEST_SUBSCRIBER_ID_KEY }, silent, {
    addMetric: () => undefined,
    publishStoredMetrics: () => undefined,
  });
  const confirmations = new AfterResponseQueue(
    (job) => sendConfirmation(sender, job, new Date()),
    (error) => console.error('confirmation job failed', error),
  );
  server.mountApi({
    handler: createSubscriptionApi(
      awsSubscriptionDeps(loadSubscriptionEnv(variables), clients, { keyring, originVerify: TEST_ORIGIN_VERIFY }, silent, confirmations),
    ),
    originHeaders: { [ORIGIN_VERIFY_HEADER]: TEST_ORIGIN_VERIFY },
  });
  await publish({ scheduledAt: new Date().toISOString() }, { awsRequestId: 'e2e-initial' });
  await mkdir(SCREENSHOTS, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (clients) destroyAwsClients(clients);
  if (steps.length > 0) console.log(`e2e journey steps:\n${steps.join('\n')}`);
});

describe('a reader in a real browser', () => {
  it('subscribes, confirms, gets a digest, unsubscribes with one click and gets nothing more', async () => {
    const address = `reader+${Date.now()}@example.com`;
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });

    await step('open the local site and find the subscribe form', async () => {
      await page.goto(server.url);
      await page.locator('form[data-subscribe]').first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SCREENSHOTS, 'subscribe-form.png'), fullPage: true });
    });

    const message = await step('type the address and press Subscribe (JavaScript: inline answer)', async () => {
      await page.fill('#subscribe-email', address);
      await page.click('form[data-subscribe] button[type=submit]');
      return statusLine(page);
    });
    expect(message).toContain('check your inbox');
    // The record is written by the confirmation job, which runs after the answer: wait for it.
    await expect.poll(() => status(address), { timeout: 10_000 }).toBe('pending');
    await page.screenshot({ path: join(SCREENSHOTS, 'subscribe-answer.png'), fullPage: true });

    const confirmation = await step('open the SES emulator inbox: exactly one confirmation mail', async () => {
      const inbox = await browser.newPage();
      await inbox.goto(`${inject('emulators').ses}/`);
      await inbox.waitForFunction(`document.body.innerText.includes('Confirm your subscription')`, undefined, { timeout: 10_000 });
      await inbox.screenshot({ path: join(SCREENSHOTS, 'ses-inbox.png'), fullPage: true });
      await inbox.close();
      const mails = await mailsTo(address);
      expect(mails).toHaveLength(1);
      return mails[0]!;
    });
    const confirmLink = /http:\/\/localhost:\d+\/api\/confirm\?token=\S+/.exec(confirmation.text ?? '')?.[0];
    expect(confirmLink).toBeDefined();

    await step('follow the confirmation link and press Confirm', async () => {
      await page.goto(confirmLink!);
      expect(await page.textContent('h1')).toBe('Confirm your subscription');
      expect(await status(address)).toBe('pending');
      await page.click('button[type=submit]');
      await page.waitForSelector('h1:text("Subscription confirmed")');
      expect(await page.textContent('h1')).toBe('Subscription confirmed');
      await page.screenshot({ path: join(SCREENSHOTS, 'confirmed.png'), fullPage: true });
    });
    expect(await status(address)).toBe('confirmed');

    const digest = await step('a new article arrives and the publisher runs: the digest is mailed', async () => {
      await dropArticle('harbour.md', 'The harbour gets a new quay', 'The harbour');
      await publish({ scheduledAt: new Date().toISOString() }, { awsRequestId: 'e2e-harbour' });
      const mails = await mailsTo(address);
      expect(mails).toHaveLength(2);
      return mails[1]!;
    });
    expect(digest.subject).toContain('harbour');
    expect(typeof digest.html).toBe('string');

    await step('read the digest email in the browser and click its unsubscribe link', async () => {
      // about:blank first: setContent writes into the current document, which would keep the last API
      // page's Content-Security-Policy and block the mail's inline styles.
      await page.goto('about:blank');
      await page.setContent(digest.html as string);
      await page.screenshot({ path: join(SCREENSHOTS, 'digest-email.png'), fullPage: true });
      const link = page.locator('a[href*="/api/unsubscribe?token="]').first();
      await Promise.all([page.waitForURL(/\/api\/unsubscribe\?token=/), link.click()]);
      expect(await page.textContent('h1')).toBe('Unsubscribe?');
      await page.screenshot({ path: join(SCREENSHOTS, 'unsubscribe-page.png'), fullPage: true });
    });
    // Opening the page (a GET, as a link scanner would) changed nothing.
    expect(await status(address)).toBe('confirmed');

    await step('press the Unsubscribe button', async () => {
      await Promise.all([page.waitForURL(/\/api\/unsubscribe/), page.click('form button[type=submit]')]);
      await page.waitForFunction(`document.querySelector('h1')?.textContent === 'You are unsubscribed'`);
      await page.screenshot({ path: join(SCREENSHOTS, 'unsubscribed.png'), fullPage: true });
    });
    expect(await status(address)).toBe('unsubscribed');

    await step('another article arrives and the publisher runs: nothing more is mailed', async () => {
      await dropArticle('library.md', 'The library reopens its doors', 'The library');
      const summary = await publish({ scheduledAt: new Date().toISOString() }, { awsRequestId: 'e2e-library' });
      expect(summary.created).toBe(1);
      expect(await mailsTo(address)).toHaveLength(2);
    });
    await page.close();
  });

  it('works without JavaScript: the form post answers with a page, and one confirmation mail goes out', async () => {
    const address = `nojs+${Date.now()}@example.com`;
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.fill('#subscribe-email', address);
    await Promise.all([page.waitForURL(/\/api\/subscribe$/), page.click('form[data-subscribe] button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Check your inbox');
    await page.screenshot({ path: join(SCREENSHOTS, 'subscribe-no-js.png'), fullPage: true });
    // The confirmation goes out after the answer: wait for it.
    await expect.poll(async () => (await mailsTo(address)).length, { timeout: 10_000 }).toBe(1);
    await context.close();
  });
});
