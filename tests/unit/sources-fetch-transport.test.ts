/**
 * safeFetch's transport (guarded-connections.ts: node:http / node:https) in the cases building it on the
 * built-in client made newly relevant: the connect timeout node lacks, TLS (the request held back until
 * the handshake, certificates verified, SNI), DNS answers used once and never resolved again, the header
 * limit, decompression past the cap in every encoding, cancellation, and a redirect to a host whose name
 * resolves to a refused address. Real sockets throughout; HTTPS uses the loopback certificate in
 * tests/fixtures/tls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { safeFetch, type FetchOutcome, type SafeFetchOptions } from '../../functions/adapters/http/safe-fetch.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { expectKind } from '../support/fetch-outcome.js';

const TLS_DIR = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
const CERT_FILE = `${TLS_DIR}loopback-cert.pem`;
const CHILD = fileURLToPath(new URL('../support/safe-fetch-child.ts', import.meta.url));

let server: FeedServer;
beforeAll(async () => {
  server = await startFeedServer();
  return () => server.close();
});

const LOOPBACK: SafeFetchOptions = { allowPrivateNetwork: true };
const port = () => new URL(server.url('/')).port;

/** A TCP server that accepts connections and never says a word (a TLS server that hangs in the handshake). */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const silent: TcpServer = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  return {
    port: (silent.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        silent.close(() => resolve());
      }),
  };
}

describe('safeFetch transport: connect timeout', () => {
  it('gives up on a DNS answer that never comes at the connect timeout, not the overall deadline', async () => {
    const started = performance.now();
    const outcome = expectKind(
      await safeFetch('http://stuck.gazette.test/feed.xml', {
        connectTimeoutMs: 200,
        deadlineMs: 10_000,
        resolver: () => new Promise(() => undefined),
      }),
      'failed',
    );
    expect(outcome.reason).toBe('connect timed out after 0.2 s');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('counts the TLS handshake in the connect timeout (a server that accepts and never answers)', async () => {
    const silent = await silentServer();
    try {
      const outcome = expectKind(
        await safeFetch(`https://127.0.0.1:${silent.port}/feed.xml`, { ...LOOPBACK, connectTimeoutMs: 300, deadlineMs: 10_000 }),
        'failed',
      );
      expect(outcome.reason).toBe('connect timed out after 0.3 s');
    } finally {
      await silent.close();
    }
  });
});

describe('safeFetch transport: TLS', () => {
  let https: { port: number; requests: { path: string; host?: string }[]; handshakes: string[]; close: () => Promise<void> };
  beforeAll(async () => {
    const requests: { path: string; host?: string }[] = [];
    const handshakes: string[] = [];
    const secure = createHttpsServer(
      { cert: readFileSync(CERT_FILE), key: readFileSync(`${TLS_DIR}loopback-key.pem`) },
      (request, response) => {
        requests.push({ path: request.url ?? '', ...(request.headers.host ? { host: request.headers.host } : {}) });
        if (request.url === '/old') return void response.writeHead(301, { location: '/feed.xml' }).end();
        response
          .writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' })
          .end(gzipSync('<rss><channel><title>Over TLS</title></channel></rss>'));
      },
    );
    secure.on('secureConnection', (socket: TLSSocket) => handshakes.push(String(socket.servername)));
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
    https = {
      port: (secure.address() as AddressInfo).port,
      requests,
      handshakes,
      close: () =>
        new Promise<void>((resolve) => {
          secure.closeAllConnections();
          secure.close(() => resolve());
        }),
    };
  });
  afterAll(async () => {
    await https.close();
  });

  it('refuses a certificate nobody vouches for, and sends no request before the handshake', async () => {
    const before = https.requests.length;
    const outcome = expectKind(await safeFetch(`https://127.0.0.1:${https.port}/feed.xml`, LOOPBACK), 'failed');
    expect(outcome.reason).toMatch(/^TLS error \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\): /);
    expect(https.requests.length).toBe(before);
  });

  it('fetches over a trusted certificate: SNI by host name, a redirect, gzip', async () => {
    const before = { requests: https.requests.length, handshakes: https.handshakes.length };
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', CHILD, `https://feeds.gazette.test:${https.port}/old`],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: CERT_FILE }, timeout: 30_000 },
    );
    const outcome = JSON.parse(stdout) as FetchOutcome & { body?: string };
    expect(outcome).toMatchObject({
      kind: 'ok',
      status: 200,
      url: `https://feeds.gazette.test:${https.port}/feed.xml`,
      permanentUrl: `https://feeds.gazette.test:${https.port}/feed.xml`,
      body: '<rss><channel><title>Over TLS</title></channel></rss>',
    });
    expect(https.requests.slice(before.requests)).toEqual([
      { path: '/old', host: `feeds.gazette.test:${https.port}` },
      { path: '/feed.xml', host: `feeds.gazette.test:${https.port}` },
    ]);
    // A connection per hop, each naming the host the certificate is checked against.
    expect(https.handshakes.slice(before.handshakes)).toEqual(['feeds.gazette.test', 'feeds.gazette.test']);
  }, 40_000);
});

/** A resolver that answers 127.0.0.1 first and the metadata address after (a rebinding server), and counts. */
function rebindingResolver(): { asked: string[]; resolver: (hostname: string) => Promise<{ address: string; family: number }[]> } {
  const asked: string[] = [];
  const resolver = async (hostname: string) => {
    asked.push(hostname);
    return asked.length === 1 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '169.254.169.254', family: 4 }];
  };
  return { asked, resolver };
}

describe('safeFetch transport: the address checked is the address connected to', () => {
  it('resolves the host once for a connection: nothing asks DNS again between the check and the connect', async () => {
    const { asked, resolver } = rebindingResolver();
    const before = server.requests.length;
    const outcome = expectKind(await safeFetch(`http://feeds.gazette.test:${port()}/feed.xml`, { ...LOOPBACK, resolver }), 'ok');
    expect(outcome.body.toString()).toContain('Loopback News');
    expect(asked).toEqual(['feeds.gazette.test']);
    expect(server.requests.slice(before).map((request) => request.headers.host)).toEqual([`feeds.gazette.test:${port()}`]);
  });

  it('checks the answer again for every redirect hop (a rebinding second answer is refused)', async () => {
    const { asked, resolver } = rebindingResolver();
    const before = server.requests.length;
    const outcome = expectKind(await safeFetch(`http://feeds.gazette.test:${port()}/redirect/301`, { ...LOOPBACK, resolver }), 'failed');
    expect(outcome.reason).toBe('refused address: feeds.gazette.test resolves to 169.254.169.254 is a cloud metadata endpoint');
    expect(asked).toEqual(['feeds.gazette.test', 'feeds.gazette.test']);
    expect(server.requests.slice(before).map((request) => request.path)).toEqual(['/redirect/301']);
  });

  it('checks the address of a host a redirect names, even with private networks allowed', async () => {
    server.route('/redirect/to-metadata-name', (_request, response) => {
      response.writeHead(302, { location: 'http://metadata.gazette.test/latest/meta-data/' }).end();
    });
    const outcome = expectKind(
      await safeFetch(server.url('/redirect/to-metadata-name'), {
        ...LOOPBACK,
        resolver: async () => [{ address: '169.254.169.254', family: 4 }],
      }),
      'failed',
    );
    expect(outcome.reason).toBe('refused address: metadata.gazette.test resolves to 169.254.169.254 is a cloud metadata endpoint');
  });

  it('reports every address that refused the connection when a name has several', async () => {
    const { createServer } = await import('node:net');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const outcome = expectKind(
      await safeFetch(`http://twice.gazette.test:${closedPort}/`, {
        ...LOOPBACK,
        resolver: async () => [
          { address: '127.0.0.1', family: 4 },
          { address: '127.0.0.2', family: 4 },
        ],
      }),
      'failed',
    );
    expect(outcome.reason).toBe(
      `connection refused: connect ECONNREFUSED 127.0.0.1:${closedPort}; connect ECONNREFUSED 127.0.0.2:${closedPort}`,
    );
  });
});

describe('safeFetch transport: limits', () => {
  it('refuses response headers over 16 KiB', async () => {
    server.route('/headers/huge', (_request, response) => {
      response.writeHead(200, { 'x-padding': 'a'.repeat(20 * 1024) }).end('<rss/>');
    });
    expect(await safeFetch(server.url('/headers/huge'), LOOPBACK)).toEqual({
      kind: 'failed',
      reason: 'response headers too large: more than 16 KiB',
    });
  });

  it.each([
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
    ['gzip', gzipSync],
  ] as const)('stops a %s body that decompresses past the cap', async (encoding, compress) => {
    const compressed = compress(Buffer.alloc(4 * 1024 * 1024, 0x20));
    expect(compressed.length).toBeLessThan(64 * 1024);
    server.route(`/bomb/${encoding}`, (_request, response) => {
      response.writeHead(200, { 'content-encoding': encoding, 'content-length': String(compressed.length) }).end(compressed);
    });
    expect(await safeFetch(server.url(`/bomb/${encoding}`), { ...LOOPBACK, maxBytes: 1024 * 1024 })).toEqual({
      kind: 'failed',
      reason: 'too large: more than 1 MiB (after decompression)',
    });
  });

  it('undoes stacked encodings last first, under the same cap', async () => {
    const twice = brotliCompressSync(gzipSync(Buffer.from('<rss>stacked</rss>')));
    server.route('/enc/gzip-br', (_request, response) => {
      response.writeHead(200, { 'content-encoding': 'gzip, br' }).end(twice);
    });
    expect(expectKind(await safeFetch(server.url('/enc/gzip-br'), LOOPBACK), 'ok').body.toString()).toBe('<rss>stacked</rss>');
  });
});

describe('safeFetch transport: cancellation', () => {
  it('stops a fetch in the middle of the body when the caller cancels', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = performance.now();
    const outcome = await safeFetch(server.url('/slow-drip'), { ...LOOPBACK, signal: controller.signal });
    expect(outcome).toEqual({ kind: 'failed', reason: 'cancelled' });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('sends nothing when cancelled before it starts', async () => {
    const before = server.requests.length;
    expect(await safeFetch(server.url('/feed.xml'), { ...LOOPBACK, signal: AbortSignal.abort() })).toEqual({
      kind: 'failed',
      reason: 'cancelled',
    });
    expect(server.requests.length).toBe(before);
  });
});
