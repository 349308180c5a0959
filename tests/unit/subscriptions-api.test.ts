import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { loadOriginVerifyValue } from '../../functions/composition/aws.js';
import { parse as parseHtml, type HTMLElement } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter, MemoryRollingCounter, MemorySubscribers } from '../../functions/adapters/local/local-subscriptions.js';
import { AfterResponseQueue } from '../../functions/adapters/local/after-response-queue.js';
import { sendConfirmation, type SubscribeDeps } from '../../functions/core/subscriptions/subscribe.js';
import { confirmationCap } from '../../functions/core/settings.js';
import { ConfigError } from '../../functions/core/errors.js';
import type { SubscriberStatus } from '../../functions/core/model.js';
import { subscriberIdFor } from '../../functions/core/subscriptions/address.js';
import type { SubscriptionApiDeps } from '../../functions/adapters/http/subscription-http.js';
import type { SubscriberRecord, SubscriptionStore } from '../../functions/core/subscriptions/ports.js';
import { signToken } from '../../functions/core/tokens.js';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createSubscriptionApi } from '../../functions/adapters/http/api-gateway.js';
import { LOCAL_ENV, loadSubscriptionEnv } from '../../functions/shared/env.js';
import { ENV, ORIGIN_VERIFY_HEADER } from '../../functions/shared/env-names.js';
import { ID_KEY, KEYRING, MAIL, plainConfirmation, RecordingMailer, SITE } from './subscriptions-helpers.js';

const T0 = new Date('2025-03-01T09:00:00.000Z');
const ANN = 'ann@example.org';
const ANN_ID = subscriberIdFor(ANN, ID_KEY);
/** What CloudFront sends in the origin-verify header in these tests (the deployed value is generated). */
const ORIGIN_VALUE = 'cloudfront-origin-verify-unit-test-0123456789';
const VIA_CLOUDFRONT = { [ORIGIN_VERIFY_HEADER]: ORIGIN_VALUE };

/**
 * A minimal API Gateway HTTP API v2 event, as the Lambda receives it from CloudFront: with the
 * origin-verify header, unless `viaCloudFront` is false (a caller of the execute-api URL itself).
 */
function event(
  method: string,
  path: string,
  options: { query?: string; body?: string; headers?: Record<string, string>; base64?: boolean; viaCloudFront?: boolean } = {},
): APIGatewayProxyEventV2 {
  const body = options.body === undefined ? undefined : options.base64 ? Buffer.from(options.body).toString('base64') : options.body;
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: options.query ?? '',
    headers: { host: 'news.example.org', ...(options.viaCloudFront === false ? {} : VIA_CLOUDFRONT), ...(options.headers ?? {}) },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'news.example.org',
      domainPrefix: 'news',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.10', userAgent: 'test' },
      requestId: 'r',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '01/Mar/2025:09:00:00 +0000',
      timeEpoch: T0.getTime(),
    },
    isBase64Encoded: options.base64 ?? false,
    ...(body !== undefined ? { body } : {}),
  };
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const FORM_JSON = { ...FORM, accept: 'application/json' };

/**
 * The API over memory adapters, with the confirmation sender behind an in-process queue as `npm run
 * serve` has it. `subscribe` resolves once the answer is given AND the queued job has run, so tests see
 * the mail; the answer itself never waited for it (see 'the answer does not wait for the mail').
 */
function setup(initial: SubscriberRecord[] = [], overrides: Partial<SubscriptionApiDeps & SubscribeDeps> = {}) {
  const store = overrides.store ?? new MemorySubscribers(initial);
  const mailer = new RecordingMailer();
  let now = T0;
  const sender: SubscribeDeps = {
    store,
    mailer,
    renderConfirmation: plainConfirmation,
    keyring: KEYRING,
    idKey: ID_KEY,
    site: SITE,
    mail: MAIL,
    ...(overrides.cap ? { cap: overrides.cap } : {}),
    ...(overrides.count ? { count: overrides.count } : {}),
    ...(overrides.log ? { log: overrides.log } : {}),
  };
  const jobErrors: unknown[] = [];
  const queue = new AfterResponseQueue(
    (job) => sendConfirmation(sender, job, now),
    (error) => jobErrors.push(error),
  );
  const deps: SubscriptionApiDeps = {
    store,
    confirmations: queue,
    keyring: KEYRING,
    site: SITE,
    originVerify: { header: ORIGIN_VERIFY_HEADER, value: ORIGIN_VALUE },
    ...(overrides.throttle ? { throttle: overrides.throttle } : {}),
    ...(overrides.log ? { log: overrides.log } : {}),
    ...(overrides.confirmations ? { confirmations: overrides.confirmations } : {}),
    ...(overrides.originVerify ? { originVerify: overrides.originVerify } : {}),
    ...(overrides.editions ? { editions: overrides.editions } : {}),
  };
  const api = createSubscriptionApi(deps, { now: () => now });
  return {
    store,
    mailer,
    api,
    queue,
    jobErrors,
    setNow: (date: Date) => (now = date),
    subscribe: async (email: string, headers: Record<string, string> = FORM_JSON, extra = '') => {
      const response = await api(event('POST', '/api/subscribe', { body: `email=${encodeURIComponent(email)}&website=${extra}`, headers }));
      await queue.idle();
      return response;
    },
  };
}

function record(email: string, status: SubscriberStatus, extra: Partial<SubscriberRecord> = {}): SubscriberRecord {
  return { id: subscriberIdFor(email, ID_KEY), email, status, createdAt: T0.toISOString(), updatedAt: T0.toISOString(), ...extra };
}

/** Status, body and headers: what a client (or an attacker) can observe. */
function observable(response: APIGatewayProxyStructuredResultV2) {
  return { status: response.statusCode, body: response.body, headers: response.headers };
}

function page(response: APIGatewayProxyStructuredResultV2) {
  expect(response.headers?.['content-type']).toBe('text/html; charset=utf-8');
  return parseHtml(response.body ?? '');
}

describe('POST /api/subscribe', () => {
  it('answers byte-identically for new, pending, confirmed, unsubscribed, bounced, complained and honeypot', async () => {
    for (const headers of [FORM_JSON, FORM]) {
      const answers = [];
      answers.push(observable(await setup().subscribe(ANN, headers)));
      for (const status of ['pending', 'confirmed', 'unsubscribed', 'bounced', 'complained'] as const) {
        const lastConfirmationAt = new Date(T0.getTime() - 60_000).toISOString();
        answers.push(observable(await setup([record(ANN, status, { lastConfirmationAt })]).subscribe(ANN, headers)));
      }
      answers.push(observable(await setup().subscribe(ANN, headers, 'https%3A%2F%2Fspam.example')));
      for (const answer of answers) expect(answer).toEqual(answers[0]);
      expect(answers[0]?.status).toBe(202);
    }
  });

  it('answers JSON to fetch and a page in the site look to a plain form post', async () => {
    const json = await setup().subscribe(ANN, FORM_JSON);
    expect(json.headers?.['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(json.body ?? '')).toMatchObject({ status: 'ok', message: expect.stringContaining('check your inbox') });
    const html = page(await setup().subscribe(ANN, FORM));
    expect(html.querySelector('h1')?.text).toBe('Check your inbox');
    expect(html.querySelector('title')?.text).toContain(SITE.title);
  });

  it('50 subscribes of one address in a minute: one mail and 50 identical answers', async () => {
    const context = setup();
    const answers = [];
    for (let i = 0; i < 50; i += 1) {
      context.setNow(new Date(T0.getTime() + i * 1000));
      answers.push(observable(await context.subscribe(i % 3 ? ANN : ' ANN@Example.ORG ')));
    }
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(context.mailer.sent).toHaveLength(1);
  });

  it('accepts JSON and base64-encoded bodies', async () => {
    const context = setup();
    const response = await context.api(
      event('POST', '/api/subscribe', {
        body: JSON.stringify({ email: ANN, website: '' }),
        headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
      }),
    );
    expect(response.statusCode).toBe(202);
    const other = await context.api(event('POST', '/api/subscribe', { body: 'email=bob%40example.org', headers: FORM_JSON, base64: true }));
    expect(other.statusCode).toBe(202);
    await context.queue.idle();
    expect(context.mailer.sent.map((mail) => mail.to)).toEqual([ANN, 'bob@example.org']);
  });

  it('gives a malformed or missing address a 400 with a generic message that does not echo it', async () => {
    const context = setup();
    const bad = ['ann@example.org%0D%0ABcc%3A%20x%40example.org', 'a%40b%40example.org', `${'a'.repeat(65)}%40example.org`];
    const answers = [];
    for (const email of bad) {
      const response = await context.api(event('POST', '/api/subscribe', { body: `email=${email}`, headers: FORM_JSON }));
      answers.push(observable(response));
      expect(response.body).not.toContain('example.org');
    }
    answers.push(observable(await context.api(event('POST', '/api/subscribe', { body: 'name=x', headers: FORM_JSON }))));
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]?.status).toBe(400);
    expect(JSON.parse(answers[0]?.body ?? '')).toEqual({
      status: 'error',
      error: 'invalid_address',
      message: 'Please enter a valid email address.',
    });
    expect(await context.store.listAll()).toEqual([]);
  });

  it('refuses other content types (415) and oversized bodies (413)', async () => {
    const context = setup();
    expect((await context.api(event('POST', '/api/subscribe', { body: 'x', headers: { 'content-type': 'text/plain' } }))).statusCode).toBe(
      415,
    );
    expect((await context.api(event('POST', '/api/subscribe', { body: `email=${'a'.repeat(9000)}`, headers: FORM }))).statusCode).toBe(413);
  });

  it('throttles per client IP, taking the right-most X-Forwarded-For entry (the one CloudFront added)', async () => {
    const context = setup([], { throttle: { limiter: new MemoryRateLimiter(), limit: 2, windowMs: 60_000 } });
    const from = (forwarded: string, email: string) =>
      context.api(event('POST', '/api/subscribe', { body: `email=${email}`, headers: { ...FORM_JSON, 'x-forwarded-for': forwarded } }));
    expect((await from('198.51.100.1, 203.0.113.5', 'a%40example.org')).statusCode).toBe(202);
    expect((await from('10.0.0.1, 203.0.113.5', 'b%40example.org')).statusCode).toBe(202);
    // Forging the left-hand entry does not give a fresh budget.
    const limited = await from('10.9.9.9, 203.0.113.5', 'c%40example.org');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers?.['retry-after']).toBe('600');
    expect((await from('203.0.113.6', 'c%40example.org')).statusCode).toBe(202);
  });

  it('hides unexpected failures behind a generic 500 (a queue that refuses the job)', async () => {
    const logged: string[] = [];
    const context = setup([], {
      confirmations: { enqueue: () => Promise.reject(new Error('queue xyz is gone')) },
      log: (_level, message, data) => logged.push(`${message} ${JSON.stringify(data)}`),
    });
    const response = await context.subscribe(ANN);
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('xyz');
    expect(logged.join('\n')).toContain('queue xyz is gone');
  });

  it('answers as ever when the job fails after the answer (the store is down), and reports the failure', async () => {
    // The memory store's methods (live on its prototype) with the write broken.
    const broken: SubscriptionStore = Object.assign(Object.create(new MemorySubscribers()) as SubscriptionStore, {
      reserveConfirmation: () => Promise.reject(new Error('table xyz is gone')),
    });
    const context = setup([], { store: broken });
    const answer = await context.subscribe(ANN);
    expect(answer.statusCode).toBe(202);
    expect(context.jobErrors.map(String)).toEqual(['Error: table xyz is gone']);
    expect(context.mailer.sent).toEqual([]);
  });
});

describe('the answer does not wait for the mail', () => {
  it('answers a new and an already-confirmed address with the same bytes before any mail or store write', async () => {
    const context = setup([record('confirmed@example.org', 'confirmed')]);
    const post = (email: string) =>
      context.api(event('POST', '/api/subscribe', { body: `email=${encodeURIComponent(email)}&website=`, headers: FORM_JSON }));
    const fresh = await post(ANN);
    const known = await post('confirmed@example.org');
    expect(observable(fresh)).toEqual(observable(known));
    expect(context.mailer.sent).toEqual([]);
    expect(await context.store.get(ANN_ID)).toBeUndefined();
    await context.queue.idle();
    expect(context.mailer.sent.map((mail) => mail.to)).toEqual([ANN]);
  });
});

describe('the global cap on confirmation mails', () => {
  it('mails at most the cap in 24 hours across all addresses, answers every sign-up the same, and counts the refusals', async () => {
    const counted: string[] = [];
    const cap = { counter: new MemoryRollingCounter(), limit: async () => 3 };
    const context = setup([], { cap, count: (event) => counted.push(event) });
    const answers = [];
    for (let i = 0; i < 6; i += 1) answers.push(observable(await context.subscribe(`bot${i}@example.org`)));
    expect(context.mailer.sent).toHaveLength(3);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]?.status).toBe(202);
    expect(counted).toEqual(['ConfirmationCapReached', 'ConfirmationCapReached', 'ConfirmationCapReached']);
    // An address turned away by the cap is not stuck in its 24-hour cooldown: once the window has room
    // again, asking again works.
    context.setNow(new Date(T0.getTime() + 25 * 3_600_000));
    await context.subscribe('bot5@example.org');
    expect(context.mailer.sent.map((mail) => mail.to)).toContain('bot5@example.org');
  });

  it('is the setting, but never more than a tenth of the daily sending quota', () => {
    expect(confirmationCap(500, 200)).toBe(20);
    expect(confirmationCap(500, 50_000)).toBe(500);
    expect(confirmationCap(500, Number.POSITIVE_INFINITY)).toBe(500);
    expect(confirmationCap(500, 9)).toBe(0);
  });
});

describe('GET /api/confirm', () => {
  async function pending() {
    const context = setup();
    await context.subscribe(ANN);
    const url = context.mailer.confirmUrl();
    return { ...context, url };
  }

  it('GET (a mail gateway scanning links) shows a page with one Confirm button and confirms nothing', async () => {
    const context = await pending();
    const before = await context.store.get(ANN_ID);
    const response = await context.api(event('GET', context.url.pathname, { query: context.url.search.slice(1) }));
    expect(response.statusCode).toBe(200);
    const html = page(response);
    expect(html.querySelector('h1')?.text).toBe('Confirm your subscription');
    const form = html.querySelector('form');
    expect(form?.getAttribute('method')).toBe('post');
    expect(form?.getAttribute('action')).toBe(`${SITE.baseUrl}api/confirm${context.url.search}`);
    expect(form?.querySelector('button')?.text).toBe('Confirm subscription');
    expect(await context.store.get(ANN_ID)).toEqual(before);
  });

  it('the button confirms: POSTing the form as a browser would, and a second press changes nothing', async () => {
    const context = await pending();
    const form = page(await context.api(event('GET', context.url.pathname, { query: context.url.search.slice(1) }))).querySelector('form');
    const action = new URL(form!.getAttribute('action')!);
    const post = () => context.api(event('POST', action.pathname, { query: action.search.slice(1), body: '', headers: FORM }));
    const response = await post();
    expect(response.statusCode).toBe(200);
    expect(page(response).querySelector('h1')?.text).toBe('Subscription confirmed');
    expect((await context.store.get(ANN_ID))?.status).toBe('confirmed');
    expect((await post()).statusCode).toBe(200);
    expect((await context.store.get(ANN_ID))?.status).toBe('confirmed');
  });

  it('shows a friendly 400 page for expired, forged or cross-purpose links and changes nothing', async () => {
    const context = await pending();
    const token = context.url.searchParams.get('token') ?? '';
    context.setNow(new Date(T0.getTime() + 72 * 3600_000 + 1000));
    const queries = [`token=${token}`, `token=${token.slice(0, -3)}`, `token=${signToken('unsubscribe', ANN_ID, KEYRING, T0)}`, ''];
    for (const query of queries) {
      const response = await context.api(event('GET', '/api/confirm', { query }));
      expect(response.statusCode).toBe(400);
      expect(page(response).querySelector('h1')?.text).toBe('This link does not work');
    }
    expect((await context.store.get(ANN_ID))?.status).toBe('pending');
  });

  it('does not confirm on HEAD', async () => {
    const context = await pending();
    const response = await context.api(event('HEAD', '/api/confirm', { query: context.url.search.slice(1) }));
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect((await context.store.get(ANN_ID))?.status).toBe('pending');
  });
});

describe('/api/unsubscribe', () => {
  const token = signToken('unsubscribe', ANN_ID, KEYRING, T0);
  const query = `token=${encodeURIComponent(token)}`;

  it('GET and HEAD (link scanners) show a page with one POST button and change nothing', async () => {
    const context = setup([record(ANN, 'confirmed')]);
    const before = await context.store.get(ANN_ID);
    const get = await context.api(event('GET', '/api/unsubscribe', { query }));
    expect(get.statusCode).toBe(200);
    const form = page(get).querySelector('form');
    expect(form?.getAttribute('method')).toBe('post');
    expect(form?.getAttribute('action')).toBe(`${SITE.baseUrl}api/unsubscribe?${query}`);
    expect(form?.querySelectorAll('button')).toHaveLength(1);
    const head = await context.api(event('HEAD', '/api/unsubscribe', { query }));
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    expect(await context.store.get(ANN_ID)).toEqual(before);
  });

  it('RFC 8058 one-click POST unsubscribes at once without a cookie, and repeating it changes nothing', async () => {
    const context = setup([record(ANN, 'confirmed')]);
    const post = () => context.api(event('POST', '/api/unsubscribe', { query, body: 'List-Unsubscribe=One-Click', headers: FORM }));
    const first = await post();
    expect(first.statusCode).toBe(200);
    expect(page(first).querySelector('h1')?.text).toBe('You are unsubscribed');
    expect((await context.store.get(ANN_ID))?.status).toBe('unsubscribed');
    const after = await context.store.get(ANN_ID);
    const second = await post();
    expect(observable(second)).toEqual(observable(first));
    expect(await context.store.get(ANN_ID)).toEqual(after);
  });

  it('the page button works: submitting the form as a browser would unsubscribes', async () => {
    const context = setup([record(ANN, 'confirmed')]);
    const form = page(await context.api(event('GET', '/api/unsubscribe', { query }))).querySelector('form');
    const action = new URL(form?.getAttribute('action') ?? '');
    const body = new URLSearchParams(
      form
        ?.querySelectorAll('input[type=hidden]')
        .map((input): [string, string] => [input.getAttribute('name') ?? '', input.getAttribute('value') ?? '']),
    );
    const response = await context.api(
      event('POST', action.pathname, { query: action.search.slice(1), body: body.toString(), headers: FORM }),
    );
    expect(response.statusCode).toBe(200);
    expect((await context.store.get(ANN_ID))?.status).toBe('unsubscribed');
  });

  it('refuses forged and confirm tokens with a 400 page, changing nothing', async () => {
    const context = setup([record(ANN, 'confirmed')]);
    for (const bad of [`${token}A`, signToken('confirm', ANN_ID, KEYRING, T0), 'x.y.z']) {
      const response = await context.api(
        event('POST', '/api/unsubscribe', { query: `token=${encodeURIComponent(bad)}`, body: 'List-Unsubscribe=One-Click', headers: FORM }),
      );
      expect(response.statusCode).toBe(400);
      expect((await context.api(event('GET', '/api/unsubscribe', { query: `token=${encodeURIComponent(bad)}` }))).statusCode).toBe(400);
    }
    expect((await context.store.get(ANN_ID))?.status).toBe('confirmed');
  });
});

describe('/api/manage (the signed link in every edition)', () => {
  const token = signToken('manage', ANN_ID, KEYRING, T0);
  const query = `token=${encodeURIComponent(token)}`;
  const editions = {
    cadences: ['instant', 'daily', 'weekly'] as const,
    defaultCadence: 'instant' as const,
    timeZone: 'UTC',
    hour: 7,
    weekday: 1 as const,
  };

  /** The page's form fields as a browser submits them: checked radios, selected options, hidden inputs. */
  function formFields(form: HTMLElement): Map<string, { value: string; offered: string[] }> {
    const fields = new Map<string, { value: string; offered: string[] }>();
    for (const input of form.querySelectorAll('input[type=hidden]'))
      fields.set(input.getAttribute('name')!, { value: input.getAttribute('value')!, offered: [input.getAttribute('value')!] });
    const radios = form.querySelectorAll('input[type=radio]');
    for (const name of new Set(radios.map((radio) => radio.getAttribute('name')!))) {
      const group = radios.filter((radio) => radio.getAttribute('name') === name);
      const checked = group.filter((radio) => radio.hasAttribute('checked'));
      expect(checked, `one ${name} checked`).toHaveLength(1);
      fields.set(name, { value: checked[0]!.getAttribute('value')!, offered: group.map((radio) => radio.getAttribute('value')!) });
    }
    for (const select of form.querySelectorAll('select')) {
      const options = select.querySelectorAll('option');
      const selected = options.filter((option) => option.hasAttribute('selected'));
      expect(selected, `one ${select.getAttribute('name')} selected`).toHaveLength(1);
      fields.set(select.getAttribute('name')!, {
        value: selected[0]!.getAttribute('value')!,
        offered: options.map((option) => option.getAttribute('value')!),
      });
    }
    return fields;
  }

  /** Opens the manage page, changes `choices` (each must be offered, as in a browser) and presses Save. */
  async function choose(context: ReturnType<typeof setup>, choices: Record<string, string>) {
    const form = page(await context.api(event('GET', '/api/manage', { query }))).querySelector('form.prefs');
    expect(form, 'the manage form').not.toBeNull();
    const fields = formFields(form!);
    for (const [name, value] of Object.entries(choices)) {
      expect(fields.get(name)?.offered, `${name} offers ${value}`).toContain(value);
      fields.get(name)!.value = value;
    }
    const action = new URL(form!.getAttribute('action') ?? '');
    const body = new URLSearchParams([...fields].map(([name, field]): [string, string] => [name, field.value]));
    return context.api(event('POST', action.pathname, { query: action.search.slice(1), body: body.toString(), headers: FORM }));
  }

  it('the subscribe form may carry an enabled cadence; a disabled one is ignored with the same answer', async () => {
    const context = setup([], { editions: { ...editions, cadences: ['instant', 'daily'] } });
    const daily = await context.subscribe(ANN, FORM_JSON, '&cadence=daily');
    expect((await context.store.get(ANN_ID))?.cadence).toBe('daily');
    const bob = 'bob@example.org';
    const weekly = await context.subscribe(bob, FORM_JSON, '&cadence=weekly');
    expect(weekly.statusCode).toBe(daily.statusCode);
    expect(weekly.body).toBe(daily.body);
    expect((await context.store.get(subscriberIdFor(bob, ID_KEY)))?.cadence).toBeUndefined();
  });

  it('GET shows the choice in force in a form (cadence, hour, weekday, time zone) and changes nothing', async () => {
    const context = setup([record(ANN, 'confirmed', { cursor: '2025-02-28T07:00:00.000Z' })], { editions });
    const before = await context.store.get(ANN_ID);
    const response = await context.api(event('GET', '/api/manage', { query }));
    expect(response.statusCode).toBe(200);
    const html = page(response);
    expect(html.querySelector('main')?.text).toContain('as soon as something new is published');
    const form = html.querySelector('form.prefs')!;
    expect(new URL(form.getAttribute('action')!).searchParams.get('token')).toBe(token);
    const fields = formFields(form);
    expect([...fields.keys()]).toEqual(['cadence', 'hour', 'weekday', 'timeZone']);
    expect(fields.get('cadence')).toEqual({ value: 'instant', offered: ['instant', 'daily', 'weekly'] });
    expect(fields.get('hour')).toEqual({ value: '7', offered: Array.from({ length: 24 }, (_, hour) => String(hour)) });
    expect(fields.get('weekday')).toEqual({ value: '1', offered: ['1', '2', '3', '4', '5', '6', '0'] });
    // The operator's zone is in force; the list is the platform's, UTC first.
    const zones = fields.get('timeZone')!;
    expect(zones.value).toBe('UTC');
    expect(zones.offered[0]).toBe('UTC');
    expect(zones.offered).toEqual(expect.arrayContaining(['Europe/London', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney']));
    expect(zones.offered.length).toBeGreaterThan(300);
    // Every field has a visible label, and the Save button is the only one.
    for (const id of ['prefs-hour', 'prefs-weekday', 'prefs-zone']) expect(form.querySelector(`label[for=${id}]`)?.text).not.toBe('');
    expect(form.querySelectorAll('button').map((button) => button.text)).toEqual(['Save']);
    // Never chosen: the page may suggest the browser's zone.
    expect(form.querySelector('#prefs-zone')?.hasAttribute('data-browser-zone')).toBe(true);
    expect(await context.store.get(ANN_ID)).toEqual(before);
  });

  it('Save stores cadence, hour, weekday and time zone and keeps the cursor (nothing lost, nothing repeated)', async () => {
    const context = setup([record(ANN, 'confirmed', { cursor: '2025-02-28T07:00:00.000Z' })], { editions });
    const response = await choose(context, { cadence: 'weekly', hour: '18', weekday: '5', timeZone: 'Asia/Tokyo' });
    expect(response.statusCode).toBe(200);
    const saved = page(response);
    expect(saved.querySelector('h1')?.text).toBe('Your choice is saved');
    expect(saved.querySelector('main')?.text).toContain('once a week, on Friday at 18:00 (Asia/Tokyo)');
    expect(await context.store.get(ANN_ID)).toMatchObject({
      cadence: 'weekly',
      hour: 18,
      weekday: 5,
      timeZone: 'Asia/Tokyo',
      cursor: '2025-02-28T07:00:00.000Z',
    });
    // The page after saving shows the stored choice, and no longer suggests the browser's zone.
    const again = formFields(saved.querySelector('form.prefs')!);
    expect([...again].map(([name, field]) => [name, field.value])).toEqual([
      ['cadence', 'weekly'],
      ['hour', '18'],
      ['weekday', '5'],
      ['timeZone', 'Asia/Tokyo'],
    ]);
    expect(saved.querySelector('#prefs-zone')?.hasAttribute('data-browser-zone')).toBe(false);
  });

  it('a zone written another way is stored as the option the page offers for it', async () => {
    const context = setup([record(ANN, 'confirmed')], { editions });
    const post = (body: string) => context.api(event('POST', '/api/manage', { query, body, headers: FORM_JSON }));
    expect((await post('cadence=daily&timeZone=europe%2Flondon')).statusCode).toBe(200);
    expect((await context.store.get(ANN_ID))?.timeZone).toBe('Europe/London');
    expect(JSON.parse((await post('cadence=daily&timeZone=GMT')).body ?? '{}')).toMatchObject({ timeZone: 'UTC', hour: '7' });
  });

  it('only the fields the enabled cadences use are offered; instant alone offers no form', async () => {
    const daily = setup([record(ANN, 'confirmed')], { editions: { ...editions, cadences: ['instant', 'daily'] } });
    const dailyForm = page(await daily.api(event('GET', '/api/manage', { query }))).querySelector('form.prefs')!;
    expect([...formFields(dailyForm).keys()]).toEqual(['cadence', 'hour', 'timeZone']);
    const weeklyOnly = setup([record(ANN, 'confirmed')], { editions: { ...editions, cadences: ['weekly'], defaultCadence: 'weekly' } });
    const weeklyForm = page(await weeklyOnly.api(event('GET', '/api/manage', { query }))).querySelector('form.prefs')!;
    expect(weeklyForm.querySelector('input[type=hidden][name=cadence]')?.getAttribute('value')).toBe('weekly');
    expect([...formFields(weeklyForm).keys()]).toEqual(['cadence', 'hour', 'weekday', 'timeZone']);
    const instant = setup([record(ANN, 'confirmed')], { editions: { ...editions, cadences: ['instant'] } });
    const instantPage = page(await instant.api(event('GET', '/api/manage', { query })));
    expect(instantPage.querySelector('main')?.text).toContain('as soon as something new is published');
    expect(instantPage.querySelectorAll('form.prefs, form[action*="api/manage"]')).toHaveLength(0);
  });

  it('refuses a disabled cadence, an hour or weekday out of range and an unknown zone with a 400, changing nothing', async () => {
    const context = setup([record(ANN, 'confirmed')], { editions: { ...editions, cadences: ['instant', 'daily'] } });
    const post = (body: string, headers: Record<string, string> = FORM_JSON) =>
      context.api(event('POST', '/api/manage', { query, body, headers }));
    expect((await post('cadence=daily&hour=6&timeZone=Europe%2FLondon')).statusCode).toBe(200);
    expect(await context.store.get(ANN_ID)).toMatchObject({ cadence: 'daily', hour: 6, timeZone: 'Europe/London' });
    const after = await context.store.get(ANN_ID);
    const refusals = {
      'cadence=weekly': 'choose one of instant, daily',
      'cadence=monthly': 'choose one of instant, daily',
      'cadence=daily&hour=24': 'the hour must be a whole hour from 0 to 23',
      'cadence=daily&hour=-1': 'the hour must be a whole hour from 0 to 23',
      'cadence=daily&hour=7.5': 'the hour must be a whole hour from 0 to 23',
      'cadence=daily&weekday=7': 'the day must be one from Sunday (0) to Saturday (6)',
      'cadence=daily&timeZone=Mars%2FOlympus': 'the time zone must be one from the list, like Europe/London',
      [`cadence=daily&timeZone=${'A'.repeat(65)}`]: 'the time zone must be one from the list, like Europe/London',
    };
    for (const [body, reason] of Object.entries(refusals)) {
      const refused = await post(body);
      expect(refused.statusCode, body).toBe(400);
      expect(JSON.parse(refused.body ?? '{}'), body).toEqual({
        status: 'error',
        error: 'invalid_preference',
        message: `Nothing was changed: ${reason}.`,
      });
    }
    // The page a browser gets says so, and leads back to the same signed form.
    const refusedPage = await post('cadence=daily&timeZone=Mars%2FOlympus', FORM);
    expect(refusedPage.statusCode).toBe(400);
    const html = page(refusedPage);
    expect(html.querySelector('h1')?.text).toBe('Check your choice');
    expect(html.querySelector('main')?.text).toContain('Nothing was changed: the time zone must be one from the list');
    const back = html.querySelectorAll('main a').find((link) => link.text === 'Back to your choices');
    expect(new URL(back!.getAttribute('href')!).searchParams.get('token')).toBe(token);
    expect(await context.store.get(ANN_ID)).toEqual(after);
  });

  it('refuses an unsubscribe token, a forged one, and the link of someone who left, changing nothing', async () => {
    const context = setup([record(ANN, 'unsubscribed')], { editions });
    const before = await context.store.get(ANN_ID);
    const unsubscribeToken = encodeURIComponent(signToken('unsubscribe', ANN_ID, KEYRING, T0));
    for (const q of [query, `token=${unsubscribeToken}`, `token=${encodeURIComponent(token.slice(0, -2))}`]) {
      expect((await context.api(event('POST', '/api/manage', { query: q, body: 'cadence=daily', headers: FORM }))).statusCode).toBe(400);
    }
    expect(await context.store.get(ANN_ID)).toEqual(before);
  });
});

describe('HTTP hygiene', () => {
  it('sends no-store and the security headers on every answer', async () => {
    const context = setup([record(ANN, 'confirmed')]);
    const responses = [
      await context.subscribe(ANN),
      await context.subscribe('bad'),
      await context.api(event('GET', '/api/unsubscribe', { query: 'token=x' })),
      await context.api(event('GET', '/api/nothing')),
    ];
    for (const response of responses) {
      expect(response.headers).toMatchObject({
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
        'strict-transport-security': 'max-age=31536000',
      });
      expect(String(response.headers?.['content-security-policy'])).toContain("default-src 'none'");
    }
  });

  it('answers 404 for unknown paths and 405 with Allow for wrong methods', async () => {
    const { api } = setup();
    expect((await api(event('GET', '/api/nothing'))).statusCode).toBe(404);
    const wrong = await api(event('GET', '/api/subscribe'));
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers?.allow).toBe('POST');
    expect((await api(event('DELETE', '/api/unsubscribe'))).headers?.allow).toBe('GET, HEAD, POST');
  });
});

describe('origin verification (requests that bypass CloudFront)', () => {
  /** Every route, each with a request that would change something or send mail if it got through. */
  async function attempts(context: ReturnType<typeof setup>) {
    const confirmToken = signToken('confirm', ANN_ID, KEYRING, T0);
    const unsubscribeToken = signToken('unsubscribe', ANN_ID, KEYRING, T0);
    return [
      { method: 'POST', path: '/api/subscribe', body: `email=${encodeURIComponent('new@example.org')}&website=`, headers: FORM_JSON },
      { method: 'POST', path: '/api/confirm', query: `token=${confirmToken}`, body: '', headers: FORM },
      { method: 'POST', path: '/api/unsubscribe', query: `token=${unsubscribeToken}`, body: 'List-Unsubscribe=One-Click', headers: FORM },
      { method: 'GET', path: '/api/unsubscribe', query: `token=${unsubscribeToken}` },
      // Refused before routing and before the size check: no 404, no 413 tells a prober anything.
      { method: 'GET', path: '/api/nothing' },
      { method: 'POST', path: '/api/subscribe', body: `email=${'a'.repeat(9000)}`, headers: FORM },
    ].map(
      ({ headers, ...request }) =>
        (originHeader: Record<string, string>) =>
          context.api(
            event(request.method, request.path, {
              ...request,
              headers: { ...headers, accept: 'application/json', ...originHeader },
              viaCloudFront: false,
            }),
          ),
    );
  }

  const wrongHeaders: [string, Record<string, string>][] = [
    ['missing', {}],
    ['empty', { [ORIGIN_VERIFY_HEADER]: '' }],
    ['wrong value of the right length', { [ORIGIN_VERIFY_HEADER]: `${ORIGIN_VALUE.slice(0, -1)}X` }],
    ['one character short', { [ORIGIN_VERIFY_HEADER]: ORIGIN_VALUE.slice(0, -1) }],
    ['the value with more appended', { [ORIGIN_VERIFY_HEADER]: `${ORIGIN_VALUE}0` }],
    ['the value in another case', { [ORIGIN_VERIFY_HEADER]: ORIGIN_VALUE.toUpperCase() }],
  ];

  for (const [label, originHeader] of wrongHeaders) {
    it(`answers 403 to every route when the header is ${label}, changing nothing and sending nothing`, async () => {
      const limiter = new MemoryRateLimiter();
      const hits: string[] = [];
      const context = setup([record(ANN, 'pending', { lastConfirmationAt: T0.toISOString() })], {
        throttle: { limiter: { hit: (key, ...rest) => (hits.push(key), limiter.hit(key, ...rest)) }, limit: 5, windowMs: 60_000 },
      });
      const before = await context.store.listAll();
      for (const attempt of await attempts(context)) {
        const response = await attempt(originHeader);
        expect(response.statusCode).toBe(403);
        expect(JSON.parse(response.body ?? '{}')).toEqual({ status: 'error', error: 'forbidden', message: 'This request is not allowed.' });
      }
      const html = await context.api(event('GET', '/api/confirm', { query: 'token=x', viaCloudFront: false, headers: originHeader }));
      expect(html.statusCode).toBe(403);
      expect(page(html).querySelector('h1')?.text).toBe('Forbidden');
      expect(html.body).not.toContain(ORIGIN_VALUE);
      await context.queue.idle();
      expect(await context.store.listAll()).toEqual(before);
      expect(context.mailer.sent).toEqual([]);
      // Not even the per-IP throttle is consulted: a direct caller cannot spend another client's budget.
      expect(hits).toEqual([]);
    });
  }

  it('with the right header every route behaves normally (the same requests subscribe, confirm and unsubscribe)', async () => {
    const context = setup([record(ANN, 'pending', { lastConfirmationAt: T0.toISOString() })]);
    const statuses = [];
    for (const attempt of await attempts(context)) statuses.push((await attempt(VIA_CLOUDFRONT)).statusCode);
    expect(statuses).toEqual([202, 200, 200, 200, 404, 413]);
    await context.queue.idle();
    expect(context.mailer.sent).toHaveLength(1);
    expect((await context.store.get(ANN_ID))?.status).toBe('unsubscribed');
    expect((await context.store.get(subscriberIdFor('new@example.org', ID_KEY)))?.status).toBe('pending');
  });

  it('logs why a request was refused, never the value it carried', async () => {
    const logged: string[] = [];
    const context = setup([], { log: (level, message, data) => logged.push(`${level} ${message} ${JSON.stringify(data)}`) });
    await context.api(event('GET', '/api/confirm', { viaCloudFront: false }));
    await context.api(event('GET', '/api/confirm', { viaCloudFront: false, headers: { [ORIGIN_VERIFY_HEADER]: 'guess-0123456789' } }));
    expect(logged).toEqual([
      'warn subscription api: request without a valid origin-verify header {"reason":"missing"}',
      'warn subscription api: request without a valid origin-verify header {"reason":"mismatch"}',
    ]);
  });
});

describe('origin-verify value at cold start', () => {
  const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:OriginVerify-AbCdEf';
  const VARIABLES = {
    [ENV.siteBaseUrl]: 'https://news.example.org/',
    [ENV.siteTitle]: 'News',
    [ENV.senderAddress]: 'news@example.org',
    [ENV.senderName]: 'News',
    [ENV.sesConfigurationSet]: 'events',
    [ENV.subscribersTable]: 'subscribers',
    [ENV.stateTable]: 'state',
    [ENV.tokenSecretArn]: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:TokenKeys-AbCdEf',
    [ENV.subscriberIdSecretArn]: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:SubscriberIdKey-AbCdEf',
  };

  it('needs the secret ARN on AWS (a missing one names the variable), takes the value itself locally, and lets the ARN win', () => {
    expect(() => loadSubscriptionEnv(VARIABLES)).toThrow(/^invalid environment: GAZETTE_ORIGIN_VERIFY_SECRET_ARN: required$/);
    expect(loadSubscriptionEnv({ ...VARIABLES, [ENV.originVerifySecretArn]: ARN }).originVerify).toEqual({
      kind: 'secret',
      secretArn: ARN,
    });
    expect(loadSubscriptionEnv({ ...VARIABLES, [LOCAL_ENV.originVerifySecret]: ORIGIN_VALUE }).originVerify).toEqual({
      kind: 'inline',
      value: ORIGIN_VALUE,
    });
    const both = { ...VARIABLES, [ENV.originVerifySecretArn]: ARN, [LOCAL_ENV.originVerifySecret]: ORIGIN_VALUE };
    expect(loadSubscriptionEnv(both).originVerify).toEqual({ kind: 'secret', secretArn: ARN });
  });

  it('refuses a short or non-header-safe local value without echoing it', () => {
    for (const value of ['short-value-0123456789', `${ORIGIN_VALUE} with spaces`]) {
      const load = () => loadSubscriptionEnv({ ...VARIABLES, [LOCAL_ENV.originVerifySecret]: value });
      expect(load).toThrow(/GAZETTE_ORIGIN_VERIFY_SECRET: must be at least 32 visible ASCII characters/);
      expect(load).not.toThrow(value);
    }
  });

  /** A Secrets Manager client that answers GetSecretValue with `secretString` and records the ids asked for. */
  function secretsAnswering(secretString: string | undefined) {
    const asked: unknown[] = [];
    const client = {
      send: async (command: { input: { SecretId?: string } }) => {
        asked.push(command.input.SecretId);
        return { SecretString: secretString };
      },
    } as unknown as SecretsManagerClient;
    return { client, asked };
  }

  it('reads the deployed value from Secrets Manager once, and refuses a malformed one naming the secret only', async () => {
    const good = secretsAnswering(ORIGIN_VALUE);
    expect(await loadOriginVerifyValue({ kind: 'secret', secretArn: ARN }, good.client)).toBe(ORIGIN_VALUE);
    expect(good.asked).toEqual([ARN]);
    await expect(loadOriginVerifyValue({ kind: 'secret', secretArn: ARN }, secretsAnswering('too-short').client)).rejects.toThrow(
      new ConfigError(`secret ${ARN}: origin-verify value must be at least 32 visible ASCII characters`),
    );
    await expect(loadOriginVerifyValue({ kind: 'secret', secretArn: ARN }, secretsAnswering(undefined).client)).rejects.toThrow(
      new ConfigError(`secret ${ARN} has no string value`),
    );
    const local = secretsAnswering(undefined);
    expect(await loadOriginVerifyValue({ kind: 'inline', value: ORIGIN_VALUE }, local.client)).toBe(ORIGIN_VALUE);
    expect(local.asked).toEqual([]);
  });
});
