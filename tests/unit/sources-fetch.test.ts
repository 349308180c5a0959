/**
 * safeFetch against the loopback feed server: the real node:http client, real sockets, real gzip.
 * `allowPrivateNetwork: true` is passed to reach 127.0.0.1, except where a test proves the refusal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { gazetteUserAgent, parseRetryAfter, safeFetch, type SafeFetchOptions } from '../../functions/adapters/http/safe-fetch.js';
import { refusedAddressReason } from '../../functions/adapters/http/address-guard.js';
import { FEED_LAST_MODIFIED, startFeedServer, type FeedServer } from '../support/feed-server.js';
import { expectKind } from '../support/fetch-outcome.js';
import { sharedPath } from '../../bench/lib/shared-dir.js';

let server: FeedServer;
beforeAll(async () => {
  server = await startFeedServer();
});
afterAll(async () => {
  await server.close();
});

const LOOPBACK: SafeFetchOptions = { allowPrivateNetwork: true };

describe('safeFetch: conditional GET', () => {
  it('returns the body with its validators, then 304 when they are sent back', async () => {
    const first = expectKind(await safeFetch(server.url('/feed.xml'), LOOPBACK), 'ok');
    expect(first.status).toBe(200);
    expect(first.body.toString()).toContain('<title>Loopback News</title>');
    expect(first.headers.etag).toMatch(/^".+"$/);
    expect(first.headers.lastModified).toBe(FEED_LAST_MODIFIED);
    expect(first.headers.contentType).toBe('application/rss+xml; charset=utf-8');
    expect(first.headers.cacheControl).toBe('max-age=300');

    const before = server.requests.length;
    const second = await safeFetch(server.url('/feed.xml'), {
      ...LOOPBACK,
      validators: { etag: first.headers.etag, lastModified: first.headers.lastModified },
    });
    expect(expectKind(second, 'not-modified').url).toBe(server.url('/feed.xml'));
    const sent = server.requests[before]?.headers;
    expect(sent?.['if-none-match']).toBe(first.headers.etag);
    expect(sent?.['if-modified-since']).toBe(FEED_LAST_MODIFIED);
  });

  it('sends a User-Agent, an Accept for feeds and asks for compression', async () => {
    const before = server.requests.length;
    await safeFetch(server.url('/feed.xml'), { ...LOOPBACK, userAgent: 'Gazette/9.9 (+https://news.example.com/)' });
    const sent = server.requests[before]?.headers;
    expect(sent?.['user-agent']).toBe('Gazette/9.9 (+https://news.example.com/)');
    expect(sent?.accept).toMatch(/^application\/rss\+xml, application\/atom\+xml, application\/feed\+json/);
    expect(sent?.['accept-encoding']).toBe('gzip, deflate, br');
    expect(sent?.['if-none-match']).toBeUndefined();
  });

  it('names Gazette, its version and the site in the default User-Agent', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(gazetteUserAgent('https://news.example.com/')).toBe(`Gazette/${version} (+https://news.example.com/)`);
    const before = server.requests.length;
    await safeFetch(server.url('/feed.xml'), LOOPBACK);
    expect(server.requests[before]?.headers['user-agent']).toBe(`Gazette/${version}`);
  });
});

describe('safeFetch: redirects', () => {
  it.each([301, 308])('follows a %i and reports the permanent URL', async (status) => {
    const outcome = expectKind(await safeFetch(server.url(`/redirect/${status}`), LOOPBACK), 'ok');
    expect(outcome.url).toBe(server.url('/feed.xml'));
    expect(outcome.permanentUrl).toBe(server.url('/feed.xml'));
  });

  it('reports the permanent URL on a 304 behind a 301 too (a moved feed polled with validators)', async () => {
    const first = expectKind(await safeFetch(server.url('/feed.xml'), LOOPBACK), 'ok');
    const outcome = await safeFetch(server.url('/redirect/301'), { ...LOOPBACK, validators: { etag: first.headers.etag } });
    expect(expectKind(outcome, 'not-modified').permanentUrl).toBe(server.url('/feed.xml'));
  });

  it('follows a 302 without a permanent URL', async () => {
    const outcome = expectKind(await safeFetch(server.url('/redirect/302'), LOOPBACK), 'ok');
    expect(outcome.url).toBe(server.url('/feed.xml'));
    expect(outcome.permanentUrl).toBeUndefined();
  });

  it('keeps the permanent URL at the last hop before a temporary one (301 then 302)', async () => {
    const outcome = expectKind(await safeFetch(server.url('/redirect/chain'), LOOPBACK), 'ok');
    expect(outcome.url).toBe(server.url('/feed.xml'));
    expect(outcome.permanentUrl).toBe(server.url('/redirect/302'));
  });

  it('stops a redirect loop after 5 redirects with a clear reason', async () => {
    const before = server.requests.length;
    const outcome = expectKind(await safeFetch(server.url('/redirect/loop-a'), LOOPBACK), 'failed');
    expect(outcome.reason).toBe('too many redirects (more than 5)');
    expect(server.requests.length - before).toBe(6);
  });

  it('reports a redirect without a usable Location', async () => {
    server.route('/redirect/nowhere', (_request, response) => {
      response.writeHead(302).end();
    });
    server.route('/redirect/garbage', (_request, response) => {
      response.writeHead(301, { location: 'http://[not-an-address/' }).end();
    });
    expect(await safeFetch(server.url('/redirect/nowhere'), LOOPBACK)).toEqual({
      kind: 'failed',
      reason: 'HTTP 302 redirect without a Location header',
    });
    expect(await safeFetch(server.url('/redirect/garbage'), LOOPBACK)).toEqual({
      kind: 'failed',
      reason: 'HTTP 301 redirect to an invalid Location: http://[not-an-address/',
    });
  });

  it('refuses a redirect to a non-http scheme', async () => {
    const outcome = expectKind(await safeFetch(server.url('/redirect/to-file'), LOOPBACK), 'failed');
    expect(outcome.reason).toBe('redirect to file:///etc/passwd refused: only http and https URLs are fetched, not file:');
  });

  it('refuses a redirect to the cloud metadata endpoint even with private networks allowed', async () => {
    const outcome = expectKind(await safeFetch(server.url('/redirect/to-metadata'), LOOPBACK), 'failed');
    expect(outcome.reason).toBe(
      'redirect to http://169.254.169.254/latest/meta-data/ refused: refused address: 169.254.169.254 is a cloud metadata endpoint',
    );
  });
});

describe('safeFetch: size and time limits', () => {
  it('decompresses gzip', async () => {
    const outcome = expectKind(await safeFetch(server.url('/gzip/feed.xml'), LOOPBACK), 'ok');
    expect(outcome.body.toString()).toContain('<title>Loopback News</title>');
  });

  it('decompresses deflate and brotli too', async () => {
    const { deflateSync, brotliCompressSync } = await import('node:zlib');
    for (const [encoding, compress] of [
      ['deflate', deflateSync],
      ['br', brotliCompressSync],
    ] as const) {
      server.route(`/enc/${encoding}`, (_request, response) => {
        response.writeHead(200, { 'content-encoding': encoding }).end(compress(Buffer.from('<rss>hello</rss>')));
      });
      const outcome = expectKind(await safeFetch(server.url(`/enc/${encoding}`), LOOPBACK), 'ok');
      expect(outcome.body.toString()).toBe('<rss>hello</rss>');
    }
  });

  it('stops a gzip bomb at the cap, counted after decompression', async () => {
    const outcome = expectKind(await safeFetch(server.url('/gzip/bomb'), LOOPBACK), 'failed');
    expect(outcome.reason).toBe('too large: more than 10 MiB (after decompression)');
  });

  it('refuses a declared 50 MB body before reading it', async () => {
    const outcome = expectKind(await safeFetch(server.url('/huge'), LOOPBACK), 'failed');
    expect(outcome.reason).toBe('too large: more than 10 MiB (after decompression)');
  });

  it('stops an undeclared 50 MB body at the cap', async () => {
    const outcome = expectKind(await safeFetch(server.url('/huge-undeclared'), { ...LOOPBACK, maxBytes: 2 * 1024 * 1024 }), 'failed');
    expect(outcome.reason).toBe('too large: more than 2 MiB (after decompression)');
  });

  it('gives up on a slow drip at the overall deadline, not the gap between chunks', async () => {
    const started = performance.now();
    const outcome = expectKind(await safeFetch(server.url('/slow-drip'), { ...LOOPBACK, deadlineMs: 1_000 }), 'failed');
    expect(outcome.reason).toBe('timed out: no complete response within 1 s');
    // Generous bound: the point is that it ends at all (undici alone kept such a request for 51 s).
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('reports a corrupt gzip body', async () => {
    server.route('/gzip/corrupt', (_request, response) => {
      const good = gzipSync(Buffer.from('<rss>'.repeat(1000)));
      good.fill(7, 10, 40);
      response.writeHead(200, { 'content-encoding': 'gzip' }).end(good);
    });
    const outcome = expectKind(await safeFetch(server.url('/gzip/corrupt'), LOOPBACK), 'failed');
    expect(outcome.reason).toMatch(/^corrupt compressed body: /);
  });

  it('reports a connection cut in the middle of the body', async () => {
    server.route('/cut', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': '100000' });
      response.write('<rss version="2.0"><channel>');
      setTimeout(() => response.socket?.destroy(), 50);
    });
    const outcome = expectKind(await safeFetch(server.url('/cut'), LOOPBACK), 'failed');
    expect(outcome.reason).toMatch(/^connection reset by the server: /);
  });

  it('reports an encoding it cannot decode', async () => {
    server.route('/enc/zstd', (_request, response) => {
      response.writeHead(200, { 'content-encoding': 'zstd' }).end('x');
    });
    const outcome = expectKind(await safeFetch(server.url('/enc/zstd'), LOOPBACK), 'failed');
    expect(outcome.reason).toBe('unsupported Content-Encoding: zstd');
  });
});

describe('safeFetch: statuses', () => {
  it('410 is gone', async () => {
    expect(await safeFetch(server.url('/status/410'), LOOPBACK)).toEqual({ kind: 'gone' });
  });

  it('429 honours Retry-After in seconds', async () => {
    expect(await safeFetch(server.url('/status/429'), LOOPBACK)).toEqual({
      kind: 'http-error',
      status: 429,
      retryAfterMs: 120_000,
    });
  });

  it('503 honours Retry-After as an HTTP date', async () => {
    const outcome = expectKind(await safeFetch(server.url('/status/503'), LOOPBACK), 'http-error');
    expect(outcome.status).toBe(503);
    // The server's date has one-second precision and is ~90 s ahead.
    expect(outcome.retryAfterMs).toBeGreaterThan(80_000);
    expect(outcome.retryAfterMs).toBeLessThanOrEqual(91_000);
  });

  it('500 and 404 are http errors without a retry hint', async () => {
    expect(await safeFetch(server.url('/status/500'), LOOPBACK)).toEqual({ kind: 'http-error', status: 500 });
    expect(await safeFetch(server.url('/no/such/path'), LOOPBACK)).toEqual({ kind: 'http-error', status: 404 });
  });

  it('parses Retry-After values', () => {
    const now = Date.parse('2026-12-01T08:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 08:02:00 GMT', now)).toBe(120_000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 07:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('safeFetch + parseFeed over the real feed corpus, served from the loopback server', () => {
  it('recovers the same feeds over HTTP (gzip on every other file) as from disk', async () => {
    const { parseFeed } = await import('../../functions/core/sources/parse-feed.js');
    const { readdirSync, existsSync } = await import('node:fs');
    const { join } = await import('node:path');
    const corpus = sharedPath('feeds');
    const files = readdirSync(corpus, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((folder) =>
        readdirSync(join(corpus, folder.name))
          .filter((name) => /\.(xml|rss|atom|json)$/.test(name))
          .filter((name) => !(name.endsWith('.json') && existsSync(join(corpus, folder.name, name.replace(/\.json$/, '.xml')))))
          .map((name) => `${folder.name}/${name}`),
      );
    expect(files.length).toBeGreaterThanOrEqual(45);
    const now = new Date('2026-12-01T12:00:00Z');
    let recovered = 0;
    for (const [index, file] of files.entries()) {
      const bytes = readFileSync(join(corpus, file));
      const type = file.endsWith('.json') ? 'application/feed+json' : 'application/xml';
      server.route(`/corpus/${file}`, (_request, response) => {
        const gzip = index % 2 === 0;
        response
          .writeHead(200, { 'content-type': type, ...(gzip ? { 'content-encoding': 'gzip' } : {}) })
          .end(gzip ? gzipSync(bytes) : bytes);
      });
      const fetched = expectKind(await safeFetch(server.url(`/corpus/${file}`), LOOPBACK), 'ok');
      expect(fetched.body.equals(bytes), file).toBe(true);
      const overHttp = parseFeed(fetched.body, fetched.headers.contentType, fetched.url, now);
      const fromDisk = parseFeed(bytes, undefined, fetched.url, now);
      expect('error' in overHttp ? overHttp : overHttp.items.length, file).toEqual('error' in fromDisk ? fromDisk : fromDisk.items.length);
      if (!('error' in overHttp) && overHttp.items.length > 0) recovered += 1;
    }
    expect(recovered).toBe(files.length - 2);
  });
});

describe('safeFetch: network failures', () => {
  it('reports a DNS failure', async () => {
    const outcome = expectKind(
      await safeFetch('http://feeds.gazette.invalid/feed.xml', {
        resolver: async () => {
          throw Object.assign(new Error('getaddrinfo ENOTFOUND feeds.gazette.invalid'), { code: 'ENOTFOUND' });
        },
      }),
      'failed',
    );
    expect(outcome.reason).toBe('DNS lookup failed: getaddrinfo ENOTFOUND feeds.gazette.invalid');
  });

  it('reports a TLS error (https to a server that speaks plain HTTP)', async () => {
    const outcome = expectKind(await safeFetch(server.url('/feed.xml').replace('http:', 'https:'), LOOPBACK), 'failed');
    expect(outcome.reason).toMatch(/^TLS error \(ERR_SSL_[A-Z_]+\): /);
  });

  it('reports a refused connection', async () => {
    const { createServer } = await import('node:net');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const outcome = expectKind(await safeFetch(`http://127.0.0.1:${port}/`, LOOPBACK), 'failed');
    expect(outcome.reason).toMatch(/^connection refused: /);
  });

  it('refuses non-http schemes and credentials in URLs', async () => {
    expect(await safeFetch('file:///etc/passwd')).toEqual({
      kind: 'failed',
      reason: 'only http and https URLs are fetched, not file:',
    });
    expect(await safeFetch('http://user:secret@example.com/')).toEqual({
      kind: 'failed',
      reason: 'URLs with a user name or password are not fetched',
    });
    expect(await safeFetch('not a url')).toEqual({ kind: 'failed', reason: 'not a URL: not a url' });
  });
});

describe('safeFetch: server-side request forgery guard', () => {
  it('refuses the loopback server by default, as a literal address', async () => {
    const before = server.requests.length;
    const outcome = expectKind(await safeFetch(server.url('/feed.xml')), 'failed');
    expect(outcome.reason).toBe('refused address: 127.0.0.1 is a loopback address (allowPrivateNetwork opts in)');
    expect(server.requests.length).toBe(before);
  });

  it('refuses a name that resolves to a loopback address (checked after DNS)', async () => {
    const port = new URL(server.url('/')).port;
    const before = server.requests.length;
    const outcome = expectKind(
      await safeFetch(`http://feeds.example.com:${port}/feed.xml`, {
        resolver: async () => [{ address: '127.0.0.1', family: 4 }],
      }),
      'failed',
    );
    expect(outcome.reason).toBe(
      'refused address: feeds.example.com resolves to 127.0.0.1 is a loopback address (allowPrivateNetwork opts in)',
    );
    expect(server.requests.length).toBe(before);
  });

  it('refuses localhost through the system resolver', async () => {
    const port = new URL(server.url('/')).port;
    const outcome = expectKind(await safeFetch(`http://localhost:${port}/feed.xml`), 'failed');
    expect(outcome.reason).toMatch(/^refused address: localhost resolves to (127\.0\.0\.1|::1) is a loopback address/);
  });

  it('refuses a name with one public and one private address (DNS rebinding)', async () => {
    const outcome = expectKind(
      await safeFetch('http://rebind.example.com/feed.xml', {
        resolver: async () => [
          { address: '93.184.215.14', family: 4 },
          { address: '10.0.0.7', family: 4 },
        ],
      }),
      'failed',
    );
    expect(outcome.reason).toBe(
      'refused address: rebind.example.com resolves to 10.0.0.7 is a private-network address (allowPrivateNetwork opts in)',
    );
  });

  it('connects to the address the guard approved when private networks are allowed', async () => {
    const port = new URL(server.url('/')).port;
    const outcome = expectKind(
      await safeFetch(`http://feeds.example.com:${port}/feed.xml`, {
        allowPrivateNetwork: true,
        resolver: async () => [{ address: '127.0.0.1', family: 4 }],
      }),
      'ok',
    );
    expect(outcome.body.toString()).toContain('Loopback News');
    expect(server.requests.at(-1)?.headers.host).toBe(`feeds.example.com:${port}`);
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private-network'],
    ['172.16.0.1', 'private-network'],
    ['192.168.1.1', 'private-network'],
    ['169.254.10.10', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['::ffff:10.0.0.1', 'IPv4-mapped IPv6'],
  ])('classifies %s as %s', (address, words) => {
    expect(refusedAddressReason(address, false)).toBe(`${address} is a ${words} address (allowPrivateNetwork opts in)`);
    expect(refusedAddressReason(address, true)).toBeUndefined();
  });

  it.each([
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
  ])('never connects to %s (%s), opt-in or not', (address, words) => {
    expect(refusedAddressReason(address, true)).toBe(`${address} is a ${words} address`);
  });

  it.each(['169.254.169.254', 'fd00:ec2::254', '::ffff:169.254.169.254'])(
    'refuses the metadata endpoint %s even with private networks allowed',
    (address) => {
      expect(refusedAddressReason(address, true)).toBe(`${address} is a cloud metadata endpoint`);
    },
  );

  it('lets public unicast addresses through', () => {
    expect(refusedAddressReason('93.184.215.14', false)).toBeUndefined();
    expect(refusedAddressReason('2606:2800:21f:cb07:6820:80da:af6b:8b2c', false)).toBeUndefined();
  });

  it('refuses literal private addresses in every spelling the URL parser normalises', async () => {
    for (const url of ['http://0x7f.0.0.1/', 'http://2130706433/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/']) {
      const outcome = expectKind(await safeFetch(url), 'failed');
      expect(outcome.reason).toMatch(/^refused address: /);
    }
  });
});
