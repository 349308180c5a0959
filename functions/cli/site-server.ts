/**
 * The one local site server behind `npm run serve` and `npm run dev`: serves the site's own files —
 * only the paths of the output registry, never `inbox/`, `state/` or the outbox — from a folder or from
 * any other {@link SiteSource} (the emulated bucket), answers conditional GETs with `304 Not Modified`,
 * and mounts a Lambda-shaped HTTP API (API Gateway payload v2) under `/api/`, the way the deployed
 * CloudFront distribution routes `/api/*` to the subscription API, adding the origin custom headers
 * CloudFront adds. Listens on the loopback addresses only.
 */
import { createHash, randomUUID } from 'node:crypto';
import { API_PREFIX } from '../core/subscriptions/links.js';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, sep } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ConfigError } from '../core/errors.js';
import { CONTENT_TYPES } from '../core/render/links.js';
import { isSitePath, outputFor } from '../core/render/outputs.js';

/** A Lambda handler for API Gateway HTTP API events (payload v2), e.g. the subscription API. */
export type HttpApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** An HTTP API mounted under `/api/`, and the headers the server adds to what it forwards to it. */
export interface ApiMount {
  handler: HttpApiHandler;
  /** Set on every forwarded request, replacing the client's own (the origin-verify header, as CloudFront does). */
  originHeaders: Readonly<Record<string, string>>;
}

/** One stored site file and its validators. */
export interface SiteObject {
  body: Buffer;
  contentType: string;
  cacheControl: string;
  /** Quoted strong entity tag, e.g. `"9a0364b9e99bb480dd25e1f0284c8555"`. */
  etag: string;
  lastModified: Date;
}

/** Where the server reads site files: a site key (`index.html`, `feeds/rss.xml`) to its object, if stored. */
export type SiteSource = (key: string) => Promise<SiteObject | undefined>;

/** The port `npm run serve` and `npm run dev` listen on by default. */
export const LOCAL_SITE_PORT = 8080;

/**
 * The URL the local server answers on, and so the base URL local pages must be built with: the form's
 * request is same-origin only when the page's origin and the server's are one (`localhost` and
 * `127.0.0.1` are two origins to a browser).
 */
export function localSiteUrl(port: number): string {
  return `http://localhost:${port}/`;
}

/** What the site server serves. */
export interface SiteServerOptions {
  source: SiteSource;
  /** 0 picks a free port. */
  port: number;
  api?: ApiMount;
}

/** A running site server. */
export interface SiteServer {
  /** {@link localSiteUrl} of the port it listens on, ending in `/` like the site's base URL. */
  url: string;
  /** Mounts (or removes) the API under `/api/`; separate from starting because the API's links need {@link url}. */
  mountApi(api: ApiMount | undefined): void;
  close(): Promise<void>;
}

const MAX_API_BODY_BYTES = 64 * 1024;
const TEXT = CONTENT_TYPES.text;
const FALLBACK_NOT_FOUND =
  '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>\n<body><h1>Not found</h1><p>Nothing is published at this address. <a href="/">Back to the digests</a>.</p></body></html>\n';

/**
 * Serves the files of a site folder (`out/site/`). Validators: the ETag is the MD5 of the bytes (what S3
 * stores for them) and Last-Modified the file's mtime; the publisher never rewrites identical bytes, so
 * both stay put across runs. `no-cache` because the folder changes under the server with every run.
 */
export async function folderSite(root: string): Promise<SiteSource> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
    if (!(await stat(realRoot)).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new ConfigError(`no site to serve at ${root}: run "npm start" first`);
  }
  return async (key) => {
    const file = join(realRoot, ...key.split('/'));
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    // A symlink inside the site must not lead out of it.
    const real = await realpath(file);
    if (!real.startsWith(realRoot + sep)) return undefined;
    const body = await readFile(real);
    return {
      body,
      contentType: outputFor(key)?.contentType ?? 'application/octet-stream',
      cacheControl: 'no-cache',
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      lastModified: info.mtime,
    };
  };
}

/** Maps a URL path to a site key as the CloudFront distribution does (index documents); undefined for any non-site path. */
export function keyForPath(pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  const segments = decoded.split('/').slice(1);
  // Segments, not string prefixes: dot-segments, hidden names, empty segments and NUL never reach a source.
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  if (segments.some((segment, index) => segment.startsWith('.') || (segment === '' && index < segments.length - 1))) return undefined;
  const key = segments.join('/');
  return key === '' || key.endsWith('/') ? `${key}index.html` : key;
}

/**
 * Starts the server on the loopback addresses (127.0.0.1, and ::1 where the machine has it, so
 * `localhost` reaches this server whichever it resolves to). A taken port is a `ConfigError` naming `--port`.
 */
export async function startSiteServer(options: SiteServerOptions): Promise<SiteServer> {
  let api = options.api;
  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    const answer = (request.url ?? '/').startsWith(`/${API_PREFIX}`)
      ? forwardApiRequest(api?.handler, api?.originHeaders ?? {}, request, response)
      : serveSite(options.source, request, response);
    answer.catch(() => {
      if (!response.headersSent) send(response, 500, TEXT, 'internal error\n', request.method === 'HEAD');
      else response.destroy();
    });
  };
  const v4 = createServer(handler);
  await listen(v4, options.port, '127.0.0.1');
  const { port } = v4.address() as AddressInfo;
  const servers: Server[] = [v4];
  const v6 = createServer(handler);
  try {
    await listen(v6, port, '::1');
    servers.push(v6);
  } catch (error) {
    // No IPv6 loopback here: `localhost` then resolves to 127.0.0.1 only. Anything else (the port taken on ::1) is fatal.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRNOTAVAIL' && code !== 'EAFNOSUPPORT') {
      await closeAll([v4]);
      throw error;
    }
  }
  return {
    url: localSiteUrl(port),
    mountApi: (mount) => {
      api = mount;
    },
    close: () => closeAll(servers),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new ConfigError(`port ${port} is already in use (another "npm run serve" or "npm run dev"?): choose another with --port N`)
          : error,
      ),
    );
    server.listen(port, host, () => resolve());
  });
}

function closeAll(servers: Server[]): Promise<void> {
  return Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  ).then(() => undefined);
}

/** True when the request's validators (RFC 9110 §13) match: If-None-Match wins over If-Modified-Since. */
function notModified(request: IncomingMessage, object: SiteObject): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    const tags = ifNoneMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
    return tags.includes('*') || tags.includes(object.etag);
  }
  const ifModifiedSince = Date.parse(request.headers['if-modified-since'] ?? '');
  // HTTP dates have whole seconds; the stored time may carry milliseconds.
  return !Number.isNaN(ifModifiedSince) && Math.floor(object.lastModified.getTime() / 1000) * 1000 <= ifModifiedSince;
}

async function serveSite(source: SiteSource, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const headOnly = request.method === 'HEAD';
  if (request.method !== 'GET' && !headOnly) return send(response, 405, TEXT, 'method not allowed\n', false, { Allow: 'GET, HEAD' });
  const url = new URL(request.url ?? '/', 'http://localhost');
  try {
    decodeURIComponent(url.pathname);
  } catch {
    return send(response, 400, TEXT, 'bad request\n', headOnly);
  }
  const key = keyForPath(url.pathname);
  const object = key !== undefined && isSitePath(key) ? await source(key) : undefined;
  if (!object) {
    // A folder without its slash: redirect, as the index-document function does behind CloudFront.
    const index = key === undefined || key.endsWith('index.html') ? undefined : `${key}/index.html`;
    if (index && isSitePath(index) && (await source(index))) {
      return send(response, 301, TEXT, 'moved\n', headOnly, { Location: `${url.pathname}/${url.search}` });
    }
    // The site's own 404 page when the renderers made one, as CloudFront serves it.
    const page = await source('404.html');
    return send(response, 404, CONTENT_TYPES.html, page?.body ?? FALLBACK_NOT_FOUND, headOnly);
  }
  const validators = {
    ETag: object.etag,
    'Last-Modified': object.lastModified.toUTCString(),
    'Cache-Control': object.cacheControl,
  };
  if (notModified(request, object)) {
    response.writeHead(304, validators);
    return void response.end();
  }
  send(response, 200, object.contentType, object.body, headOnly, validators);
}

/**
 * Answers a `/api/*` request with `api`: reads the body (refusing more than 64 KiB), converts the
 * request with {@link toApiGatewayEvent} — adding `originHeaders` as CloudFront's origin custom headers
 * do — and writes the handler's result back. Without a handler the answer is 404. Every request the
 * site server forwards goes through here, so `npm run serve` and `npm run dev` put exactly the same request in front of the subscription API.
 */
export async function forwardApiRequest(
  api: HttpApiHandler | undefined,
  originHeaders: Readonly<Record<string, string>>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (!api) return send(response, 404, TEXT, 'no API mounted in this server\n');
  const body = await readBody(request, MAX_API_BODY_BYTES);
  if (body === undefined) return send(response, 413, TEXT, 'request body too large\n');
  const result = await api(toApiGatewayEvent(request, body, originHeaders));
  const headers: Record<string, string | number | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['Set-Cookie'] = result.cookies;
  const payload = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  headers['Content-Length'] = payload.length;
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(request.method === 'HEAD' ? undefined : payload);
}

/**
 * Converts a Node request into the event API Gateway's HTTP API sends a Lambda (payload v2);
 * `originHeaders` are set on top of the client's, as CloudFront's origin custom headers are.
 */
export function toApiGatewayEvent(
  request: IncomingMessage,
  body: Buffer,
  originHeaders: Readonly<Record<string, string>> = {},
): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  // Node and payload v2 both lower-case header names; a client's own copy of the header never survives.
  for (const [name, value] of Object.entries(originHeaders)) headers[name.toLowerCase()] = value;
  // The per-client throttle reads the right-most X-Forwarded-For entry, which CloudFront appends. Here
  // nobody does, so a client's own header would choose its throttle key: the socket's address replaces it.
  headers['x-forwarded-for'] = request.socket.remoteAddress ?? '127.0.0.1';
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const now = new Date();
  const method = request.method ?? 'GET';
  const sourceIp = request.socket.remoteAddress ?? '127.0.0.1';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(request.headers.cookie ? { cookies: request.headers.cookie.split(/;\s*/) } : {}),
    ...(url.search ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: request.headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp,
        userAgent: request.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    // Like API Gateway: text bodies as they are, anything else base64.
    ...(body.length > 0
      ? isTextual(request.headers['content-type'])
        ? { body: body.toString('utf8'), isBase64Encoded: false }
        : { body: body.toString('base64'), isBase64Encoded: true }
      : { isBase64Encoded: false }),
  };
}

function isTextual(contentType: string | undefined): boolean {
  return !!contentType && /^(text\/|application\/(x-www-form-urlencoded|json))/i.test(contentType);
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(undefined);
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(
  response: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  headOnly = false,
  extra: Record<string, string> = {},
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  response.writeHead(status, { 'Content-Type': type, 'Content-Length': bytes.length, 'X-Content-Type-Options': 'nosniff', ...extra });
  response.end(headOnly ? undefined : bytes);
}
