/**
 * The subscription journey on the embedded default: `gazette publish` + `gazette serve`, no AWS and no
 * emulators. Subscribe through the served API, confirm with the link from the outbox, receive the next
 * digest, and unsubscribe with the link in it (GET shows a button, POST one-click unsubscribes).
 */
import { memoryIo } from '../fakes/memory-io.js';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { SqliteSubscribers } from '../../functions/adapters/local/local-subscriptions.js';
import { localLayout } from '../../functions/adapters/local/layout.js';
import { openLocalState } from '../../functions/adapters/local/local-state.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishCommand } from '../../functions/cli/commands/publish.js';
import { serveCommand } from '../../functions/cli/commands/serve.js';
import { DEFAULT_IP_THROTTLE } from '../../functions/core/subscriptions/subscribe.js';
import { EXIT_CODES } from '../../functions/cli/cli-errors.js';

const repoRoot = join(import.meta.dirname, '../..');
const NEW_READER = 'new.reader@example.com';

let work: string;
let seeds: string;
let out: string;
let outbox: string;
let subscribers: string;
let serverUrl: string;
let serveIo: ReturnType<typeof memoryIo>;
let stopServe: AbortController;
let serving: Promise<number>;

async function emlFiles(): Promise<string[]> {
  try {
    return (await readdir(outbox)).filter((name) => name.endsWith('.eml')).sort();
  } catch {
    return [];
  }
}

/** The outbox files not in `before`, once there are any (polled for up to 5 s). */
async function newMailsAfter(before: string[]): Promise<string[]> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const added = (await emlFiles()).filter((name) => !before.includes(name));
    if (added.length > 0) return added;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return [];
}

async function parseMail(name: string): Promise<ParsedMail> {
  return simpleParser(await readFile(join(outbox, name)));
}

function recipientOf(mail: ParsedMail): string | undefined {
  return mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined;
}

/** The address's status in the state database, where serve writes (never into the subscribers file). */
async function statusOf(email: string): Promise<string | undefined> {
  const state = openLocalState(localLayout(out), { readOnly: true });
  try {
    const rows = await new SqliteSubscribers(state).listAll();
    return rows.find((row) => row.email.toLowerCase() === email)?.status;
  } finally {
    state.close();
  }
}

async function publish(): Promise<void> {
  const io = memoryIo();
  const code = await publishCommand(['--seeds', seeds, '--out', out, '--subscribers', subscribers], io);
  expect(io.err()).toBe('');
  expect(code).toBe(EXIT_CODES.ok);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'gazette-serve-api-'));
  seeds = join(work, 'seeds');
  out = join(work, 'out');
  outbox = join(out, 'outbox');
  subscribers = join(work, 'subscribers.json');
  await cp(join(repoRoot, 'seeds'), seeds, { recursive: true });
  await cp(join(repoRoot, 'subscribers.example.json'), subscribers);
  await publish();

  serveIo = memoryIo();
  stopServe = new AbortController();
  serving = serveCommand(['--out', out, '--subscribers', subscribers, '--port', '0'], serveIo, stopServe.signal);
  // The command prints its banner once the server listens and the API is mounted.
  for (let attempt = 0; attempt < 200 && !serveIo.out().includes('Press Ctrl+C'); attempt++) {
    const code = await Promise.race([serving, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 25))]);
    if (code !== undefined) throw new Error(`serve exited with ${code}: ${serveIo.err()}`);
  }
  const match = /^Serving .* at (http:\/\/localhost:\d+\/)$/m.exec(serveIo.out());
  if (!match?.[1]) throw new Error(`serve did not start: ${serveIo.out()} ${serveIo.err()}`);
  serverUrl = match[1];
});
afterAll(async () => {
  stopServe?.abort();
  await serving;
  await rm(work, { recursive: true, force: true });
});

describe('gazette serve: the subscription API on the local adapters', () => {
  it('prints a URL on the host and scheme the pages were built with, so the form posts same-origin', async () => {
    const page = await readFile(join(out, 'site', 'index.html'), 'utf8');
    const canonical = new URL(/<link rel="canonical" href="([^"]+)">/.exec(page)?.[1] ?? '');
    const printed = new URL(serverUrl);
    // The port differs only because the test serves on a free port instead of the default.
    expect([printed.protocol, printed.hostname]).toEqual([canonical.protocol, canonical.hostname]);
  });

  it('says at start that the API is mounted and where confirmation mails go', () => {
    expect(serveIo.out()).toContain(`API:   ${serverUrl}api/`);
    expect(serveIo.out()).toContain(`confirmation emails are written to ${outbox}`);
  });

  it('keeps serving the published site', async () => {
    const home = await fetch(serverUrl);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it('subscribes, confirms, delivers the next digest and unsubscribes', async () => {
    const before = await emlFiles();

    // 1. The site's form: form-encoded, asking for JSON.
    const subscribed = await fetch(new URL('api/subscribe', serverUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ email: NEW_READER, website: '' }).toString(),
    });
    expect(subscribed.status).toBe(202);
    expect(((await subscribed.json()) as { status: string }).status).toBe('ok');
    // The mail is written after the answer (same process, just after the response): wait for it.
    const added = await newMailsAfter(before);
    expect(added).toHaveLength(1);
    const confirmation = await parseMail(added[0]!);
    expect(recipientOf(confirmation)).toBe(NEW_READER);
    expect(confirmation.from?.value[0]?.address).toBe('digest@localhost');
    const confirmLink = /http:\/\/localhost:\d+\/api\/confirm\?token=[A-Za-z0-9._~%-]+/.exec(confirmation.text ?? '')?.[0];
    expect(confirmLink?.startsWith(`${serverUrl}api/confirm?token=`)).toBe(true);
    expect(await statusOf(NEW_READER)).not.toBe('confirmed');

    // 2. The confirmation link.
    const opened = await fetch(confirmLink!);
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain('Confirm subscription');
    expect(await statusOf(NEW_READER)).not.toBe('confirmed');
    const confirmed = await fetch(confirmLink!, { method: 'POST' });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('Subscription confirmed');
    expect(await statusOf(NEW_READER)).toBe('confirmed');

    // 3. The next publish mails the new digest to the new reader too.
    await writeFile(
      join(seeds, 'zz_new_article.txt'),
      'Harbour Authority Opens Tidal Energy Pilot\n\n' +
        'The city harbour authority switched on a pilot tidal energy array on Monday, the first of its kind on the coast. ' +
        'Engineers installed six underwater turbines near the old breakwater, where the tide runs fastest twice a day. ' +
        'The array is expected to power around four hundred homes once it reaches full output later this year. ' +
        'Officials said the pilot will run for three years while scientists measure its effect on fish and seabirds. ' +
        'Local fishing crews welcomed the jobs but asked for regular reports on the state of the fishing grounds. ' +
        'If the results are good, the authority plans a larger array along the northern channel by the end of the decade.\n',
    );
    const beforeDigest = await emlFiles();
    await publish();
    const digestMails = await Promise.all((await emlFiles()).filter((name) => !beforeDigest.includes(name)).map(parseMail));
    const digest = digestMails.find((mail) => recipientOf(mail) === NEW_READER);
    expect(digest?.subject).toMatch(/tidal/i);
    const listUnsubscribe = digest!.headerLines.find((header) => header.key === 'list-unsubscribe')?.line ?? '';
    const unsubscribeLink = /<(https?:\/\/[^>]+\/api\/unsubscribe\?token=[^>]+)>/.exec(listUnsubscribe)?.[1];
    expect(unsubscribeLink).toBeDefined();
    // publish's links carry its default base URL (port 8080); this test's server listens elsewhere.
    const { pathname, search } = new URL(unsubscribeLink!);
    const unsubscribeUrl = new URL(`${pathname.slice(1)}${search}`, serverUrl);

    // 4. Opening the link shows a button and changes nothing.
    const page = await fetch(unsubscribeUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/<form[^>]*method="post"/i);
    expect(html).toMatch(/<button[^>]*>\s*Unsubscribe\s*<\/button>/i);
    expect(await statusOf(NEW_READER)).toBe('confirmed');

    // 5. RFC 8058 one-click.
    const unsubscribed = await fetch(unsubscribeUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(unsubscribed.status).toBe(200);
    expect(await unsubscribed.text()).toContain('You are unsubscribed');
    expect(await statusOf(NEW_READER)).toBe('unsubscribed');
    expect(serveIo.err()).toBe('');
  });

  it('adds the origin-verify header itself: a forged one from the client does not matter', async () => {
    const response = await fetch(new URL('api/confirm?token=not-a-token', serverUrl), {
      headers: { 'x-gazette-origin-verify': 'forged', accept: 'application/json' },
    });
    // Past the origin check (403) to the token check: the server's own secret replaced the client's.
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_link');
  });

  it('counts each client by its socket address: a forged X-Forwarded-For earns no fresh throttle budget', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < DEFAULT_IP_THROTTLE.limit + 2; i++) {
      // The honeypot is filled, so nothing is stored or mailed; the throttle comes first all the same.
      const response = await fetch(new URL('api/subscribe', serverUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'x-forwarded-for': `198.51.100.${i}` },
        body: `email=bot${i}%40example.org&website=spam`,
      });
      statuses.push(response.status);
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((status) => status === 202).length).toBeLessThanOrEqual(DEFAULT_IP_THROTTLE.limit);
  });

  it('wrote every sign-up and status change to the database and left the subscribers file byte-identical', async () => {
    expect(await readFile(subscribers)).toEqual(await readFile(join(repoRoot, 'subscribers.example.json')));
    expect(await readdir(join(out, 'state'))).toContain('gazette.sqlite');
  });
});
