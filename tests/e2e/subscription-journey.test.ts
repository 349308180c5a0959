/**
 * A reader's whole journey in a real browser (Debian chromium driven by playwright-core) against the
 * local stack of `npm run dev`: the site served from the emulated S3 bucket, the REAL subscription API
 * handler mounted under /api/*, DynamoDB and SES emulators, and the REAL publish handler.
 *
 * subscribe through the form → confirmation mail in the SES emulator → follow its link → publish →
 * digest arrives → its manage link opens the choices page (changing nothing) → click its unsubscribe
 * link and the button → publish a new digest → nothing arrives.
 *
 * Then the manage page on its own (all three cadences enabled): choosing cadence, hour, weekday and time
 * zone stores exactly that in DynamoDB, with and without JavaScript; the browser's zone is suggested only
 * with JavaScript; a tampered value gets the 400 page and stores nothing; zero axe violations in light
 * and dark, no sideways scroll at 375 px. Screenshots go to tests/e2e/screenshots/.
 */
import { awsConfirmationDeps, awsSubscriptionDeps } from '../../functions/composition/aws.js';
import { AfterResponseQueue } from '../../functions/adapters/local/after-response-queue.js';
import { sendConfirmation } from '../../functions/core/subscriptions/subscribe.js';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoSubscribers } from '../../functions/adapters/aws/dynamodb-subscribers.js';
import { bucketSite } from '../../functions/dev/bucket-site.js';
import { startSiteServer, type SiteServer } from '../../functions/cli/site-server.js';
import { subscriberIdFor } from '../../functions/core/subscriptions/address.js';
import { SUBSCRIPTION_ROUTES } from '../../functions/core/subscriptions/links.js';
import { parseKeyring, signToken, type TokenKeyring } from '../../functions/core/tokens.js';
import { createPublishHandler, type PublishHandler } from '../../functions/handlers/publish.js';
import { createSubscriptionApi } from '../../functions/adapters/http/api-gateway.js';
import { type AwsClients, createAwsClients, destroyAwsClients } from '../../functions/shared/aws-clients.js';
import { ENV, ORIGIN_VERIFY_HEADER } from '../../functions/shared/env-names.js';
import { loadConfirmationSenderEnv, loadPublisherEnv, loadSubscriptionEnv } from '../../functions/shared/env.js';
import { publisherVariables, TEST_KEYRING_JSON, TEST_ORIGIN_VERIFY, TEST_SUBSCRIBER_ID_KEY } from '../integration/harness.js';
import { type GazetteResourceNames, provisionGazette, uniqueResourceNames } from '../../functions/dev/local-aws/emulators.js';
import { capturedSends } from '../../functions/dev/local-aws/ses-front.js';
import { axeViolations, describeViolations, documentWidths, launchChromium } from './accessibility-helpers.js';

const SCREENSHOTS = resolve('tests/e2e/screenshots');

let clients: AwsClients;
let names: GazetteResourceNames;
let server: SiteServer;
let publish: PublishHandler;
let browser: Browser;
let keyring: TokenKeyring;
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

/** The subscriber's item as DynamoDB holds it. */
async function stored(address: string): Promise<Record<string, unknown> | undefined> {
  const item = await clients.doc.send(
    new GetCommand({ TableName: names.tables.subscribers, Key: { id: subscriberIdFor(address, TEST_SUBSCRIBER_ID_KEY) } }),
  );
  return item.Item;
}

async function status(address: string): Promise<unknown> {
  return (await stored(address))?.status;
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
  // Every cadence enabled, so the manage page offers cadence, hour, weekday and time zone.
  const variables = { ...publisherVariables(endpoints, names), [ENV.siteBaseUrl]: server.url, [ENV.cadences]: 'instant,daily,weekly' };
  const silent = new Logger({ logLevel: 'SILENT' });
  publish = createPublishHandler({
    env: loadPublisherEnv(variables),
    clients,
    logger: silent,
    metrics: { addMetric: () => undefined, publishStoredMetrics: () => undefined },
  });
  // The server plays CloudFront, origin-verify header included, so the API's check runs on every step.
  // Confirmation mails go out after each answer, in this process, as under `npm run dev`.
  keyring = parseKeyring(TEST_KEYRING_JSON, 'e2e');
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

    await step("follow the digest email's manage link: the choices page opens and changes nothing", async () => {
      // about:blank first: setContent writes into the current document, which would keep the last API
      // page's Content-Security-Policy and block the mail's inline styles.
      await page.goto('about:blank');
      await page.setContent(digest.html as string);
      const before = await stored(address);
      const link = page.locator('a[href*="/api/manage?token="]').first();
      await Promise.all([page.waitForURL(/\/api\/manage\?token=/), link.click()]);
      expect(await page.textContent('h1')).toBe('How often do you want the digest?');
      expect(await page.isChecked('input[name=cadence][value=instant]')).toBe(true);
      expect(await stored(address)).toEqual(before);
    });

    await step('read the digest email in the browser and click its unsubscribe link', async () => {
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

describe('a subscriber changes how often and when, in a real browser', () => {
  const PHONE = { width: 375, height: 812 };

  /** A confirmed reader (added as an operator would) and their signed manage link. */
  async function confirmedReader(label: string): Promise<{ address: string; manage: string }> {
    const address = `${label}+${Date.now()}@example.com`;
    const id = subscriberIdFor(address, TEST_SUBSCRIBER_ID_KEY);
    const now = new Date();
    const result = await new DynamoSubscribers(clients.doc, names.tables.subscribers).transition(id, [], 'confirmed', now, {
      createWith: { email: address, source: 'operator' },
      stampConfirmedAt: true,
    });
    expect(result).toMatchObject({ record: { status: 'confirmed' } });
    const token = signToken('manage', id, keyring, now);
    return { address, manage: `${server.url}${SUBSCRIPTION_ROUTES.manage.path}?token=${encodeURIComponent(token)}` };
  }

  /** What the manage form will submit: the checked cadence and each select's value. */
  async function formValues(page: Page): Promise<Record<string, string>> {
    return (await page.evaluate(`Object.fromEntries(new FormData(document.querySelector('form.prefs')))`)) as Record<string, string>;
  }

  it('picks daily at 18:00 in Tokyo, then weekly on Friday: Save stores exactly that; axe finds nothing in light and dark; 375 px fits', async () => {
    const { address, manage } = await confirmedReader('manage');
    const failures: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      // bypassCSP only so axe can be injected: the API's CSP (rightly) refuses any script but the site's own,
      // which the next test runs under that CSP.
      const context = await browser.newContext({ viewport: PHONE, colorScheme: scheme, isMobile: true, hasTouch: true, bypassCSP: true });
      const page = await context.newPage();
      await page.goto(manage);
      expect(await page.textContent('h1')).toBe('How often do you want the digest?');
      const widths = await documentWidths(page);
      expect(widths.scrollWidth, `${scheme}: the manage page scrolls sideways at 375 px`).toBeLessThanOrEqual(widths.clientWidth);
      // Instant needs no time: the hour, weekday and zone appear with the cadence that uses them.
      expect(await page.isVisible('#prefs-hour')).toBe(false);
      await page.check('input[name=cadence][value=weekly]');
      for (const field of ['#prefs-hour', '#prefs-weekday', '#prefs-zone']) expect(await page.isVisible(field), field).toBe(true);
      const violations = await axeViolations(page);
      if (violations.length > 0) failures.push(`${scheme} manage page:\n${describeViolations(violations)}`);
      const box = await page.locator('form.prefs').boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
      await page.screenshot({ path: join(SCREENSHOTS, `manage-375-${scheme}.png`), fullPage: true });
      await context.close();
    }
    expect(failures.join('\n\n')).toBe('');
    expect(await stored(address)).not.toHaveProperty('cadence');

    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    await step('open the manage page, choose daily at 18:00 in Tokyo and press Save', async () => {
      await page.goto(manage);
      await page.check('input[name=cadence][value=daily]');
      expect(await page.isVisible('#prefs-weekday')).toBe(false);
      await page.selectOption('#prefs-hour', '18');
      await page.selectOption('#prefs-zone', 'Asia/Tokyo');
      await Promise.all([page.waitForURL(/\/api\/manage\?token=/), page.click('form.prefs button[type=submit]')]);
      await page.waitForSelector('h1:text("Your choice is saved")');
      expect(await page.textContent('main')).toContain('once a day at 18:00 (Asia/Tokyo)');
      await page.screenshot({ path: join(SCREENSHOTS, 'manage-saved.png'), fullPage: true });
    });
    expect(await stored(address)).toMatchObject({ status: 'confirmed', cadence: 'daily', hour: 18, timeZone: 'Asia/Tokyo', weekday: 1 });
    // The saved page shows the stored choice, ready for the next change.
    expect(await formValues(page)).toEqual({ cadence: 'daily', hour: '18', weekday: '1', timeZone: 'Asia/Tokyo' });

    await page.check('input[name=cadence][value=weekly]');
    await page.selectOption('#prefs-weekday', '5');
    await Promise.all([page.waitForURL(/\/api\/manage\?token=/), page.click('form.prefs button[type=submit]')]);
    await page.waitForSelector('h1:text("Your choice is saved")');
    expect(await stored(address)).toMatchObject({ cadence: 'weekly', hour: 18, weekday: 5, timeZone: 'Asia/Tokyo' });
    await context.close();
  });

  it("suggests the browser's time zone with JavaScript, keeps the operator's without it, and Save works either way", async () => {
    const withScript = await confirmedReader('zone-js');
    const js = await browser.newContext({ timezoneId: 'America/New_York' });
    const page = await js.newPage();
    await page.goto(withScript.manage);
    await page.check('input[name=cadence][value=daily]');
    expect(await page.inputValue('#prefs-zone')).toBe('America/New_York');
    await Promise.all([page.waitForURL(/\/api\/manage\?token=/), page.click('form.prefs button[type=submit]')]);
    await page.waitForSelector('h1:text("Your choice is saved")');
    expect(await stored(withScript.address)).toMatchObject({ cadence: 'daily', hour: 7, timeZone: 'America/New_York' });
    // Once chosen, the stored zone stands: the browser's is no longer suggested over it.
    const tokyo = await browser.newContext({ timezoneId: 'Asia/Tokyo' });
    const again = await tokyo.newPage();
    await again.goto(withScript.manage);
    expect(await again.inputValue('#prefs-zone')).toBe('America/New_York');
    await tokyo.close();
    await js.close();

    const withoutScript = await confirmedReader('zone-nojs');
    const plain = await browser.newContext({ timezoneId: 'America/New_York', javaScriptEnabled: false });
    const noJs = await plain.newPage();
    await noJs.goto(withoutScript.manage);
    expect(await noJs.inputValue('#prefs-zone')).toBe('UTC');
    await noJs.check('input[name=cadence][value=weekly]');
    await noJs.selectOption('#prefs-hour', '6');
    await noJs.selectOption('#prefs-weekday', '0');
    await noJs.selectOption('#prefs-zone', 'Europe/London');
    await Promise.all([noJs.waitForURL(/\/api\/manage\?token=/), noJs.click('form.prefs button[type=submit]')]);
    expect(await noJs.textContent('h1')).toBe('Your choice is saved');
    await noJs.screenshot({ path: join(SCREENSHOTS, 'manage-saved-no-js.png'), fullPage: true });
    expect(await stored(withoutScript.address)).toMatchObject({ cadence: 'weekly', hour: 6, weekday: 0, timeZone: 'Europe/London' });
    await plain.close();
  });

  it('a tampered time zone gets the 400 page, which leads back to the form; nothing is stored', async () => {
    const { address, manage } = await confirmedReader('tamper');
    const before = await stored(address);
    const context = await browser.newContext({ viewport: PHONE, colorScheme: 'dark', bypassCSP: true });
    const page = await context.newPage();
    await page.goto(manage);
    await page.check('input[name=cadence][value=daily]');
    // What a hand-made request could send: a zone the list does not offer.
    await page.evaluate(
      `(() => { const zone = document.querySelector('#prefs-zone'); zone.add(new Option('Mars', 'Mars/Olympus')); zone.value = 'Mars/Olympus'; })()`,
    );
    const [response] = await Promise.all([page.waitForResponse(/\/api\/manage\?token=/), page.click('form.prefs button[type=submit]')]);
    expect(response.status()).toBe(400);
    await page.waitForSelector('h1:text("Check your choice")');
    expect(await page.textContent('main')).toContain('Nothing was changed: the time zone must be one from the list');
    const violations = await axeViolations(page);
    expect(describeViolations(violations)).toBe('');
    const widths = await documentWidths(page);
    expect(widths.scrollWidth).toBeLessThanOrEqual(widths.clientWidth);
    await page.screenshot({ path: join(SCREENSHOTS, 'manage-refused.png'), fullPage: true });
    expect(await stored(address)).toEqual(before);
    await Promise.all([page.waitForURL(/\/api\/manage\?token=/), page.click('a:text("Back to your choices")')]);
    expect(await page.textContent('h1')).toBe('How often do you want the digest?');
    await context.close();
  });
});
