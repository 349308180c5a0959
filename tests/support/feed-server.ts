/**
 * A loopback HTTP server (node:http on 127.0.0.1, port 0) that behaves like the feed servers of the real
 * world, good and bad, for tests that go through the real `safeFetch`. Built-in routes cover validators
 * and 304, redirects (301/302/308, a loop, a chain), gzip and a gzip bomb, a slow drip, 429/503 with
 * Retry-After, 410, 500, a homepage with autodiscovery links, article pages and a 50 MB body. Tests add
 * their own with `route(path, handler)` (later registrations win) or `feed(path, body, contentType)`.
 *
 * Requests are logged (`requests`) with their headers, so a test can assert that a second poll carried
 * If-None-Match.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

/** One request the server received. */
export interface LoggedRequest {
  path: string;
  headers: IncomingMessage['headers'];
}

/** Answers one request; may be async (the slow drip is). */
export type RouteHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

/** A running feed server. */
export interface FeedServer {
  /** The absolute URL of `path` on this server (`/feed.xml` → `http://127.0.0.1:PORT/feed.xml`). */
  url(path: string): string;
  /** Every request so far, in order. */
  requests: LoggedRequest[];
  /** Adds or replaces the handler of `path` (exact match on the path, query ignored). */
  route(path: string, handler: RouteHandler): void;
  /**
   * Serves `body` at `path` with `contentType`, an ETag and a Last-Modified, answering 304 to a matching
   * If-None-Match or If-Modified-Since. Call again to change the body (and so the ETag).
   */
  feed(path: string, body: string | Buffer, contentType?: string): void;
  /** Stops the server and drops open connections (the slow drip's among them). */
  close(): Promise<void>;
}

/** Last-Modified of every `feed()` route: fixed, so tests are repeatable. */
export const FEED_LAST_MODIFIED = 'Tue, 01 Dec 2026 08:00:00 GMT';

const SAMPLE_RSS = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Loopback News</title><link>/</link><ttl>60</ttl>
<item><title>First</title><link>/articles/first.html</link><guid>first</guid><pubDate>Mon, 30 Nov 2026 10:00:00 GMT</pubDate><description>An excerpt.</description></item>
</channel></rss>`;

const ARTICLE_BODY = Array.from(
  { length: 12 },
  (_, index) =>
    `<p>Paragraph ${index + 1} of the loopback article explains in plain sentences how a feed reader fetches a page, extracts the readable part and leaves the navigation, the adverts and the comments behind, so a digest only carries the story itself.</p>`,
).join('\n');

/** An article page shaped like a news site's: navigation, the story, a sidebar, a footer and a script. */
export function articlePage(title: string): string {
  return `<!doctype html><html><head><title>${title} | Loopback News</title>
<script>window.tracker = 'should never reach a digest';</script></head>
<body><nav><a href="/">Home</a> <a href="/about">About</a></nav>
<main><article><h1>${title}</h1>${ARTICLE_BODY}<script>document.write('injected')</script></article></main>
<aside><h2>Most read</h2><ul><li><a href="/a">Something else</a></li></ul></aside>
<footer>© Loopback News</footer></body></html>`;
}

/** Starts a feed server on 127.0.0.1 with the built-in routes. */
export async function startFeedServer(): Promise<FeedServer> {
  const routes = new Map<string, RouteHandler>();
  const requests: LoggedRequest[] = [];
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://loopback').pathname;
    requests.push({ path, headers: request.headers });
    const handler = routes.get(path);
    if (!handler) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    Promise.resolve(handler(request, response)).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  const feed = (path: string, body: string | Buffer, contentType = 'application/rss+xml; charset=utf-8') =>
    routes.set(path, validatedResource(body, contentType));
  registerBuiltIns(routes, url, feed);
  return {
    url,
    requests,
    route: (path, handler) => routes.set(path, handler),
    feed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A resource with an ETag (a hash of its bytes) and a Last-Modified that answers 304 when they match. */
function validatedResource(body: string | Buffer, contentType: string): RouteHandler {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const etag = `"${bytes.length.toString(16)}-${simpleHash(bytes)}"`;
  return (request, response) => {
    const matches =
      request.headers['if-none-match'] === etag ||
      (!request.headers['if-none-match'] && request.headers['if-modified-since'] === FEED_LAST_MODIFIED);
    if (matches) {
      response.writeHead(304, { etag, 'last-modified': FEED_LAST_MODIFIED }).end();
      return;
    }
    response
      .writeHead(200, {
        'content-type': contentType,
        etag,
        'last-modified': FEED_LAST_MODIFIED,
        'cache-control': 'max-age=300',
      })
      .end(bytes);
  };
}

function simpleHash(bytes: Buffer): string {
  let hash = 0;
  for (const byte of bytes) hash = (hash * 31 + byte) >>> 0;
  return hash.toString(16);
}

function registerBuiltIns(
  routes: Map<string, RouteHandler>,
  url: (path: string) => string,
  feed: (path: string, body: string | Buffer, contentType?: string) => void,
): void {
  feed('/feed.xml', SAMPLE_RSS);
  for (const status of [301, 302, 308]) {
    routes.set(`/redirect/${status}`, (_request, response) => {
      response.writeHead(status, { location: '/feed.xml' }).end();
    });
  }
  routes.set('/redirect/chain', (_request, response) => {
    response.writeHead(301, { location: '/redirect/302' }).end();
  });
  routes.set('/redirect/loop-a', (_request, response) => {
    response.writeHead(302, { location: '/redirect/loop-b' }).end();
  });
  routes.set('/redirect/loop-b', (_request, response) => {
    response.writeHead(302, { location: url('/redirect/loop-a') }).end();
  });
  routes.set('/redirect/to-metadata', (_request, response) => {
    response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
  });
  routes.set('/redirect/to-file', (_request, response) => {
    response.writeHead(302, { location: 'file:///etc/passwd' }).end();
  });
  routes.set('/gzip/feed.xml', (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' }).end(gzipSync(SAMPLE_RSS));
  });
  routes.set('/gzip/bomb', (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' }).end(gzipBomb());
  });
  routes.set('/slow-drip', slowDrip);
  routes.set('/huge', hugeBody);
  routes.set('/huge-undeclared', hugeBody);
  statusRoutes(routes);
  routes.set('/', (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(homepage());
  });
  for (const slug of ['first', 'second', 'third']) {
    routes.set(`/articles/${slug}.html`, (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(articlePage(`The ${slug} story`));
    });
  }
}

let bomb: Buffer | undefined;

/** 64 MiB of zeros, gzipped to ~64 KB: a bomb against a 10 MiB cap. Built on first use (it takes a while). */
function gzipBomb(): Buffer {
  bomb ??= gzipSync(Buffer.alloc(64 * 1024 * 1024));
  return bomb;
}

function statusRoutes(routes: Map<string, RouteHandler>): void {
  routes.set('/status/429', (_request, response) => {
    response.writeHead(429, { 'retry-after': '120' }).end('slow down');
  });
  routes.set('/status/503', (_request, response) => {
    response.writeHead(503, { 'retry-after': new Date(Date.now() + 90_000).toUTCString() }).end('maintenance');
  });
  routes.set('/status/410', (_request, response) => {
    response.writeHead(410).end('gone');
  });
  routes.set('/status/500', (_request, response) => {
    response.writeHead(500).end('boom');
  });
}

/** One byte every 200 ms, forever (until the client gives up or the server closes). */
function slowDrip(_request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/rss+xml' });
  response.write('<');
  const timer = setInterval(() => response.write('r'), 200);
  response.on('close', () => clearInterval(timer));
}

/** 50 MB in 1 MB chunks, declared in Content-Length on `/huge` and chunked (undeclared) elsewhere. */
function hugeBody(request: IncomingMessage, response: ServerResponse): void {
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  const total = 50;
  const declared = request.url?.startsWith('/huge-undeclared') ? {} : { 'content-length': String(total * chunk.length) };
  response.writeHead(200, { 'content-type': 'application/rss+xml', ...declared });
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      sent += 1;
      if (!response.write(chunk)) return void response.once('drain', pump);
    }
    response.end();
  };
  response.on('close', () => (sent = total));
  pump();
}

function homepage(): string {
  return `<!doctype html><html><head><title>Loopback News</title>
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.xml">
<link rel="alternate" type="application/atom+xml" title="Atom" href="/atom.xml">
<link rel="alternate" type="application/feed+json" title="JSON" href="/feed.json">
<link rel="stylesheet" href="/style.css"></head>
<body><h1>Loopback News</h1><p><a href="/articles/first.html">First</a></p></body></html>`;
}
