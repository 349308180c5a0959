/**
 * The local HTTP server of `npm run dev`: serves the site straight out of the (emulated) S3 bucket with
 * each object's stored content type, cache header and ETag — so what you see is what CloudFront would
 * serve — and can mount a Lambda-shaped HTTP API (API Gateway payload v2) under `/api/*`, the way the
 * deployed CloudFront distribution routes `/api/*` to the subscription API — adding the origin custom
 * headers CloudFront adds (the origin-verify secret), so the API's check runs locally too.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** A Lambda handler for API Gateway HTTP API events (payload v2), e.g. the subscription API. */
export type HttpApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** What the dev server serves. */
export interface DevServerOptions {
  /** The bucket holding the site (objects at the root, as published). */
  site: { s3: S3Client; bucket: string };
  /** Mounted under `/api/`; without it those paths answer 404. */
  api?: HttpApiHandler;
  /**
   * Headers added to every request forwarded to `/api/*`, replacing any the client sent under the same
   * name — what CloudFront's origin custom headers do (e.g. the origin-verify header and its secret).
   */
  originHeaders?: Readonly<Record<string, string>>;
  /** Port on 127.0.0.1 (0 = any free port). */
  port: number;
}

/** A running dev server. */
export interface DevServer {
  /** `http://127.0.0.1:PORT/`, ending in `/` like the site's base URL. */
  url: string;
  /** Replaces (or removes) the handler mounted under `/api/` — the site's base URL must exist before the API is built. */
  mountApi(api: HttpApiHandler | undefined): void;
  close(): Promise<void>;
}

const TEXT_HTML = 'text/html; charset=utf-8';
const MAX_API_BODY_BYTES = 64 * 1024;

/** Starts the server; rejects when the port is taken. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  let api = options.api;
  const originHeaders = options.originHeaders ?? {};
  const server: Server = createServer((request, response) => {
    const route = (request.url ?? '/').startsWith('/api/')
      ? forwardApiRequest(api, originHeaders, request, response)
      : serveSite(options.site, request, response);
    route.catch((error: unknown) => {
      console.error('dev server:', error);
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    mountApi: (handler) => {
      api = handler;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Maps a URL path to an object key the way the CloudFront distribution does (index documents). */
export function keyForPath(pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  const segments = decoded.split('/').slice(1);
  // No dot-segments, no empty segments mid-path, and never the private article inbox.
  if (segments.some((segment, index) => segment === '..' || segment === '.' || (segment === '' && index < segments.length - 1)))
    return undefined;
  if (segments[0] === 'inbox') return undefined;
  const key = segments.join('/');
  return key === '' || key.endsWith('/') ? `${key}index.html` : key;
}

async function serveSite(site: DevServerOptions['site'], request: IncomingMessage, response: ServerResponse): Promise<void> {
  const headOnly = request.method === 'HEAD';
  if (request.method !== 'GET' && !headOnly)
    return send(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: 'GET, HEAD' });
  const url = new URL(request.url ?? '/', 'http://localhost');
  const key = keyForPath(url.pathname);
  const object = key === undefined ? undefined : await getObject(site, key, request.headers['if-none-match']);
  if (object === 'not-modified') {
    response.writeHead(304);
    return void response.end();
  }
  if (!object) {
    // A folder without its slash: redirect like CloudFront's index-document function would.
    if (key && !key.endsWith('index.html') && (await getObject(site, `${key}/index.html`, undefined))) {
      response.writeHead(301, { Location: `${url.pathname}/${url.search}` });
      return void response.end();
    }
    const notFound = await getObject(site, '404.html', undefined);
    const body =
      notFound && notFound !== 'not-modified' ? notFound.body : Buffer.from('<!doctype html><title>Not found</title><p>Not found.</p>\n');
    return send(response, 404, TEXT_HTML, body, {}, headOnly);
  }
  response.writeHead(200, {
    'Content-Type': object.contentType ?? 'application/octet-stream',
    'Content-Length': object.body.length,
    'X-Content-Type-Options': 'nosniff',
    ...(object.cacheControl ? { 'Cache-Control': object.cacheControl } : {}),
    ...(object.etag ? { ETag: object.etag } : {}),
  });
  response.end(headOnly ? undefined : object.body);
}

async function getObject(
  site: DevServerOptions['site'],
  key: string,
  ifNoneMatch: string | undefined,
): Promise<{ body: Buffer; contentType?: string; cacheControl?: string; etag?: string } | 'not-modified' | undefined> {
  try {
    const object = await site.s3.send(new GetObjectCommand({ Bucket: site.bucket, Key: key, IfNoneMatch: ifNoneMatch }));
    return {
      body: Buffer.from(await object.Body!.transformToByteArray()),
      ...(object.ContentType ? { contentType: object.ContentType } : {}),
      ...(object.CacheControl ? { cacheControl: object.CacheControl } : {}),
      ...(object.ETag ? { etag: object.ETag } : {}),
    };
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 304) return 'not-modified';
    if (status === 404 || (error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/**
 * Answers a `/api/*` request with `api`: reads the body (refusing more than 64 KiB), converts the
 * request with {@link toApiGatewayEvent} — adding `originHeaders` as CloudFront's origin custom headers
 * do — and writes the handler's result back. Without a handler the answer is 404. Shared by the dev
 * server and `gazette serve`, so both put exactly the same request in front of the subscription API.
 */
export async function forwardApiRequest(
  api: HttpApiHandler | undefined,
  originHeaders: Readonly<Record<string, string>>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (!api) return send(response, 404, 'text/plain; charset=utf-8', 'no API mounted in this dev server\n');
  const body = await readBody(request, MAX_API_BODY_BYTES);
  if (body === undefined) return send(response, 413, 'text/plain; charset=utf-8', 'request body too large\n');
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
  extra: Record<string, string> = {},
  headOnly = false,
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  response.writeHead(status, { 'Content-Type': type, 'Content-Length': bytes.length, 'X-Content-Type-Options': 'nosniff', ...extra });
  response.end(headOnly ? undefined : bytes);
}
