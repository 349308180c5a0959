/**
 * `npm run serve` in a real browser: publish with the base URL of the port serve will use, open the URL
 * serve prints, subscribe through the page's form and see the inline answer. When the printed origin
 * differed from the pages' (127.0.0.1 against localhost), the form's fetch was cross-origin and the
 * reader saw "Failed to fetch" although the address was recorded.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishCommand } from '../../functions/cli/commands/publish.js';
import { serveCommand } from '../../functions/cli/commands/serve.js';
import { localSiteUrl } from '../../functions/cli/site-server.js';
import { EXIT_CODES } from '../../functions/cli/cli-errors.js';
import { memoryIo } from '../fakes/memory-io.js';
import { launchChromium } from './accessibility-helpers.js';

let work: string;
let browser: Browser;
let stop: AbortController;
let serving: Promise<number>;
let printedUrl: string;
let baseUrl: string;

/** A port nobody listens on right now (the OS picks it), so the pages can be built for it first. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((done) => probe.close(() => done()));
  return port;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'gazette-serve-e2e-'));
  const out = join(work, 'out');
  const subscribers = join(work, 'subscribers.json');
  await cp(resolve('seeds'), join(work, 'seeds'), { recursive: true });
  await writeFile(subscribers, '[]\n');
  const port = await freePort();
  baseUrl = localSiteUrl(port);
  const published = memoryIo();
  const code = await publishCommand(
    ['--seeds', join(work, 'seeds'), '--out', out, '--subscribers', subscribers, '--base-url', baseUrl],
    published,
  );
  expect(code, published.err()).toBe(EXIT_CODES.ok);

  const io = memoryIo();
  stop = new AbortController();
  serving = serveCommand(['--out', out, '--subscribers', subscribers, '--port', String(port)], io, stop.signal);
  // The command prints its banner once the server listens and the API is mounted; it returns only when it fails.
  while (!io.out().includes('Press Ctrl+C')) {
    const ended = await Promise.race([serving, new Promise<undefined>((done) => setTimeout(() => done(undefined), 25))]);
    if (ended !== undefined) throw new Error(`serve exited with ${ended}: ${io.err()}`);
  }
  printedUrl = /Site: +(\S+)/.exec(io.out())?.[1] ?? '';
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  stop?.abort();
  await serving;
  await rm(work, { recursive: true, force: true });
});

describe('npm run serve in a browser', () => {
  it('prints the URL the pages were built with', () => {
    expect(printedUrl).toBe(baseUrl);
  });

  it('subscribes through the form at the printed URL and shows the inline answer', async () => {
    const page = await browser.newPage();
    await page.goto(printedUrl);
    await page.fill('#subscribe-email', 'serve-reader@example.com');
    await page.click('form[data-subscribe] button[type=submit]');
    await page.waitForFunction(
      `(() => { const text = document.querySelector('form[data-subscribe] .status')?.textContent ?? ''; return text !== '' && text !== 'Sending…'; })()`,
    );
    const answer = (await page.textContent('form[data-subscribe] .status')) ?? '';
    expect(answer).not.toContain('Failed to fetch');
    expect(answer).toContain('check your inbox');
    // The confirmation job runs after the answer: wait for its finished mail (the outbox writes a
    // temporary file, then renames it to .eml).
    const outbox = join(work, 'out', 'outbox');
    const confirmations = async () => {
      const names = (await readdir(outbox)).filter((name) => name.endsWith('.eml'));
      const mails = await Promise.all(names.map((name) => readFile(join(outbox, name), 'utf8')));
      return mails.filter((mail) => mail.includes('serve-reader@example.com')).length;
    };
    await expect.poll(confirmations, { timeout: 10_000 }).toBe(1);
    await page.close();
  });
});
