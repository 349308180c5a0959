import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveCommand } from '../../functions/cli/commands/serve.js';
import { DEFAULTS as PUBLISH_DEFAULTS } from '../../functions/cli/setting-flags.js';
import { folderSite, LOCAL_SITE_PORT, localSiteUrl, startSiteServer, type SiteServer } from '../../functions/cli/site-server.js';
import { EXIT_CODES } from '../../functions/cli/cli-errors.js';

let work: string;
let site: string;
let server: SiteServer;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'gazette-serve-'));
  site = join(work, 'site');
  await mkdir(join(site, 'feeds'), { recursive: true });
  await mkdir(join(site, 'digests/a-story'), { recursive: true });
  await writeFile(join(site, 'index.html'), '<!DOCTYPE html><title>Home</title>');
  await writeFile(join(site, '404.html'), '<!DOCTYPE html><title>Our 404</title>');
  await writeFile(join(site, 'digests/a-story/index.html'), '<!DOCTYPE html><title>Story</title>');
  await writeFile(join(site, 'feeds/rss.xml'), '<rss/>');
  await writeFile(join(site, 'feeds/atom.xml'), '<feed/>');
  await writeFile(join(site, 'feeds/feed.json'), '{}');
  await writeFile(join(site, '.secret'), 'hidden');
  await writeFile(join(work, 'outside.txt'), 'outside the site');
  await symlink(join(work, 'outside.txt'), join(site, 'escape.txt'));
  // Private files that must never be served even when someone points the server at the whole out/ folder.
  for (const folder of ['inbox', 'state', 'outbox']) {
    await mkdir(join(site, folder), { recursive: true });
    await writeFile(join(site, folder, 'index.html'), `private ${folder}`);
    await writeFile(join(site, folder, 'secret.json'), `private ${folder}`);
  }
  server = await startSiteServer({ source: await folderSite(site), port: 0 });
});
afterAll(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

/** A raw HTTP request (fetch would normalise `..` away before it reaches the server). */
function get(
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('gazette serve', () => {
  it('serves the index and digest folders as index.html with an html charset', async () => {
    const home = await get('/');
    expect(home.status).toBe(200);
    expect(home.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(home.body).toContain('<title>Home</title>');
    const story = await get('/digests/a-story/');
    expect(story.body).toContain('<title>Story</title>');
  });

  it('redirects a folder without its trailing slash', async () => {
    const response = await get('/digests/a-story');
    expect(response.status).toBe(301);
    expect(response.headers.location).toBe('/digests/a-story/');
  });

  it.each([
    ['/feeds/rss.xml', 'application/rss+xml; charset=utf-8'],
    ['/feeds/atom.xml', 'application/atom+xml; charset=utf-8'],
    ['/feeds/feed.json', 'application/feed+json; charset=utf-8'],
  ])('serves %s as %s', async (path, type) => {
    const response = await get(path);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe(type);
  });

  it.each(['/../outside.txt', '/%2e%2e/outside.txt', '/feeds/..%2f..%2foutside.txt', '/.secret', '/escape.txt', '/nope.html', '/%00'])(
    'answers 404 with the site 404 page for %s',
    async (path) => {
      const response = await get(path);
      expect(response.status).toBe(404);
      expect(response.body).toContain('Our 404');
      expect(response.body).not.toContain('outside the site');
    },
  );

  it('answers HEAD without a body, and refuses other methods', async () => {
    const head = await get('/', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    const post = await get('/', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('answers 400 for a malformed percent-encoding', async () => {
    expect((await get('/%E0%A4%A')).status).toBe(400);
  });

  it.each(['/inbox/', '/inbox/secret.json', '/state/secret.json', '/state/', '/outbox/secret.json', '/outbox/'])(
    'never serves %s, which is no output of the registry, even when the file exists',
    async (path) => {
      const response = await get(path);
      expect(response.status).toBe(404);
      expect(response.body).not.toContain('private');
    },
  );

  it('sends an ETag and a Last-Modified with every file', async () => {
    const response = await get('/feeds/rss.xml');
    expect(response.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(Number.isNaN(Date.parse(String(response.headers['last-modified'])))).toBe(false);
  });

  it('answers If-None-Match with the current ETag with 304 Not Modified and no body', async () => {
    const first = await get('/feeds/rss.xml');
    const again = await get('/feeds/rss.xml', 'GET', { 'if-none-match': String(first.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(first.headers.etag);
    expect((await get('/feeds/rss.xml', 'GET', { 'if-none-match': '"something-else"' })).status).toBe(200);
  });

  it('answers If-Modified-Since at or after Last-Modified with 304, and an earlier date with 200', async () => {
    const first = await get('/');
    const lastModified = String(first.headers['last-modified']);
    expect((await get('/', 'GET', { 'if-modified-since': lastModified })).status).toBe(304);
    const earlier = new Date(Date.parse(lastModified) - 60_000).toUTCString();
    expect((await get('/', 'GET', { 'if-modified-since': earlier })).status).toBe(200);
  });

  it('answers on localhost, the origin pages are built with by default', () => {
    expect(new URL(server.url).hostname).toBe('localhost');
    expect(localSiteUrl(LOCAL_SITE_PORT)).toBe(PUBLISH_DEFAULTS.baseUrl);
  });

  it('names --port when the port is taken', async () => {
    const { port } = new URL(server.url);
    await expect(startSiteServer({ source: await folderSite(site), port: Number(port) })).rejects.toThrow(
      new RegExp(`port ${port} is already in use.*--port`),
    );
  });

  it('runs as a command: prints the site and feed URLs, stops on abort', async () => {
    let out = '';
    const io = {
      stdin: new PassThrough(),
      stdout: new Writable({
        write: (chunk, _e, done) => {
          out += String(chunk);
          done();
        },
      }),
      stderr: new Writable({ write: (_chunk, _e, done) => done() }),
    };
    const controller = new AbortController();
    const running = serveCommand(
      // --out and --subscribers keep the mounted API's key file and subscriber list inside the temp folder.
      ['--site', site, '--out', join(work, 'out'), '--subscribers', join(work, 'subscribers.json'), '--port', '0'],
      io,
      controller.signal,
    );
    await expect.poll(() => out).toMatch(/RSS +http:\/\/localhost:\d+\/feeds\/rss\.xml/);
    const url = /Site: +(http:\/\/localhost:\d+\/)/.exec(out)?.[1];
    expect(url).toBeDefined();
    expect((await fetch(`${url}feeds/feed.json`)).headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
    controller.abort();
    expect(await running).toBe(EXIT_CODES.ok);
  });

  it('exits 2 when there is no site yet', async () => {
    let err = '';
    const io = {
      stdin: new PassThrough(),
      stdout: new Writable({ write: (_chunk, _e, done) => done() }),
      stderr: new Writable({
        write: (chunk, _e, done) => {
          err += String(chunk);
          done();
        },
      }),
    };
    expect(await serveCommand(['--out', join(work, 'none'), '--port', '0'], io)).toBe(EXIT_CODES.usage);
    expect(err).toMatch(/^gazette serve: no site to serve at .*none.*npm start/);
  });
});
