/**
 * `npm run dev` end to end (a child process, as a developer runs it), and the dev server's bridge that
 * lets the subscription API Lambda be mounted under /api/.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import RssParser from 'rss-parser';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { bucketSite } from '../../functions/dev/bucket-site.js';
import { startSiteServer } from '../../functions/cli/site-server.js';
import { createAwsClients, destroyAwsClients } from '../../functions/shared/aws-clients.js';
import { provisionGazette, uniqueResourceNames } from '../../functions/dev/local-aws/emulators.js';

let child: ChildProcess | undefined;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

/** Runs `tsx functions/dev/dev.ts --port 0` and resolves with its stdout once it says it is ready. */
function startDev(): Promise<{ output: string; exited: Promise<number | null> }> {
  child = spawn(process.execPath, ['--import', 'tsx', 'functions/dev/dev.ts', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let output = '';
    let errors = '';
    child!.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Ctrl-C to stop.')) resolve({ output, exited });
    });
    child!.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    void exited.then((code) => reject(new Error(`npm run dev exited early (${code}): ${output}\n${errors}`)));
  });
}

function urlAfter(output: string, label: string): string {
  const match = new RegExp(`${label}\\s+(http://(?:localhost|127\\.0\\.0\\.1):\\d+/\\S*)`).exec(output);
  if (!match?.[1]) throw new Error(`no ${label} URL in:\n${output}`);
  return match[1];
}

describe('npm run dev', () => {
  it('publishes into the emulators, serves the site from the bucket, shows the mail in the SES inbox, and stops on Ctrl-C', async () => {
    const { output, exited } = await startDev();
    const site = urlAfter(output, 'Site');
    const inbox = urlAfter(output, 'SES inbox');
    expect(output).toMatch(/Published 1 digest\(s\).*1 mail\(s\) sent, 0 article error\(s\)/);

    const index = await fetch(site);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(await index.text()).toContain('Gazette (local)');

    const rssUrl = urlAfter(output, 'RSS');
    const rss = await fetch(rssUrl);
    expect(rss.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    const feed = await new RssParser().parseString(await rss.text());
    expect(feed.items).toHaveLength(1);
    // The feed's links point at the dev server, and the digest page is served there.
    const page = await fetch(feed.items[0]!.link!);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    // Conditional GET: an unchanged object answers 304, as CloudFront would.
    const etag = rss.headers.get('etag')!;
    expect((await fetch(rssUrl, { headers: { 'If-None-Match': etag } })).status).toBe(304);
    // The private article inbox and unknown paths are not served.
    expect((await fetch(`${site}inbox/`)).status).toBe(404);
    expect((await fetch(`${site}no/such/page`)).status).toBe(404);
    // The subscription API is mounted under /api/*, as CloudFront routes it when deployed.
    const subscribe = await fetch(`${site}api/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: 'email=dev.reader%40example.com&website=',
    });
    expect(subscribe.status).toBe(202);
    expect(((await subscribe.json()) as { status: string }).status).toBe('ok');

    const inboxPage = await fetch(inbox);
    expect(inboxPage.status).toBe(200);
    expect(inboxPage.headers.get('content-type')).toMatch(/text\/html/);
    type Store = { emails: { destination: { to: string[] }; subject: string }[] };
    // The confirmation mail goes out just after the answer: wait for it (up to 5 s).
    let store: Store = { emails: [] };
    for (let attempt = 0; attempt < 100 && store.emails.length < 2; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      store = (await (await fetch(`${inbox}store`)).json()) as Store;
    }
    // The digest to the example subscriber, then the confirmation mail the subscribe above asked for.
    expect(store.emails.map((email) => email.destination.to)).toEqual([['reader@example.com'], ['dev.reader@example.com']]);
    expect(store.emails[0]!.subject).toContain(feed.items[0]!.title!);

    child!.kill('SIGINT');
    expect(await exited).toBe(0);
    // Everything it started is gone with it.
    await expect(fetch(site)).rejects.toThrow();
    await expect(fetch(inbox)).rejects.toThrow();
  });

  it('mounts a Lambda-shaped HTTP API under /api/ with the API Gateway v2 event it would get on AWS', async () => {
    const clients = createAwsClients({ region: 'us-east-1', endpoints: inject('emulators') });
    const names = uniqueResourceNames('devserver');
    await provisionGazette(clients, names);
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: names.bucket,
        Key: 'index.html',
        Body: '<!doctype html><title>home</title>',
        ContentType: 'text/html; charset=utf-8',
      }),
    );
    const events: unknown[] = [];
    const server = await startSiteServer({ source: bucketSite(clients.s3, names.bucket), port: 0 });
    try {
      server.mountApi({
        handler: async (event) => {
          events.push(event);
          return { statusCode: 202, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'accepted' };
        },
        originHeaders: {},
      });

      const response = await fetch(`${server.url}api/subscribe?source=form`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'email=ana%40example.com&website=',
      });

      expect(response.status).toBe(202);
      expect(await response.text()).toBe('accepted');
      expect(events).toEqual([
        expect.objectContaining({
          version: '2.0',
          rawPath: '/api/subscribe',
          rawQueryString: 'source=form',
          body: 'email=ana%40example.com&website=',
          isBase64Encoded: false,
          requestContext: expect.objectContaining({
            http: expect.objectContaining({ method: 'POST', path: '/api/subscribe', sourceIp: '127.0.0.1' }),
          }),
        }),
      ]);
      // The site is still served beside the API.
      expect(await (await fetch(server.url)).text()).toContain('<title>home</title>');
    } finally {
      await server.close();
      destroyAwsClients(clients);
    }
  });

  it("adds the origin headers to what it forwards to /api/, replacing a client's copy, as CloudFront does", async () => {
    const clients = createAwsClients({ region: 'us-east-1', endpoints: inject('emulators') });
    const names = uniqueResourceNames('devorigin');
    await provisionGazette(clients, names);
    const seen: (string | undefined)[] = [];
    const server = await startSiteServer({ source: bucketSite(clients.s3, names.bucket), port: 0 });
    try {
      server.mountApi({
        handler: async (event) => {
          seen.push(event.headers['x-gazette-origin-verify']);
          return { statusCode: 204 };
        },
        originHeaders: { 'X-Gazette-Origin-Verify': 'the-value-cloudfront-would-send' },
      });
      expect((await fetch(`${server.url}api/confirm`)).status).toBe(204);
      const forged = await fetch(`${server.url}api/confirm`, { headers: { 'x-gazette-origin-verify': 'forged-by-the-client' } });
      expect(forged.status).toBe(204);
      expect(seen).toEqual(['the-value-cloudfront-would-send', 'the-value-cloudfront-would-send']);
    } finally {
      await server.close();
      destroyAwsClients(clients);
    }
  });
});
