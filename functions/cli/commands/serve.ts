/**
 * `gazette serve` (`npm run serve`): a small static server for `out/site/` on 127.0.0.1, with the same
 * content types the S3 objects carry, so feeds and pages can be checked in a browser or a feed reader.
 * It also mounts the real subscription API under `/api/` over the local adapters `npm start` uses (the
 * subscribers file, `out/outbox/`, `out/state/token-keys.json`), so the site's form and the links in
 * the outbox mails work without AWS or emulators. Development only: no caching, no compression,
 * loopback address only.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../../core/errors.js';
import { CONTENT_TYPES } from '../../core/render/links.js';
import { feedLinks, outputFor } from '../../core/render/outputs.js';
import { EXIT_CODES, reportError, type CommandIo, type ExitCode } from '../../shared/cli-errors.js';
import { localLayout } from '../../adapters/local/layout.js';
import { loadOrCreateKeyring } from '../../adapters/local/file-keyring.js';
import { FileSubscribers, MemoryRateLimiter, MemoryRollingCounter } from '../../adapters/local/file-subscribers.js';
import { SETTING_DEFAULTS } from '../../core/settings.js';
import { OutboxMailer } from '../../adapters/local/outbox-mailer.js';
import { renderConfirmationEmail } from '../../core/render/email.js';
import { DEFAULT_IP_THROTTLE } from '../../core/subscriptions/subscribe.js';
import { createSubscriptionApi } from '../../handlers/subscription-api.js';
import { ORIGIN_VERIFY_HEADER } from '../../shared/env-names.js';
import { forwardApiRequest, type HttpApiHandler } from '../dev-server.js';
import { DEFAULTS as PUBLISH_DEFAULTS, parsePublishOptions } from './publish.js';

/** Help text of `gazette serve`. */
export const SERVE_USAGE = `usage: gazette serve [--out DIR] [--site DIR] [--subscribers FILE] [--port N]        (npm run serve)

Serves the published site on http://127.0.0.1:PORT/ until interrupted (Ctrl+C), and the subscription
API under /api/ (subscribe, confirm, unsubscribe): confirmation emails go to DIR/outbox as .eml files,
subscribers to FILE, and links are signed with the keys in DIR/state, as "gazette publish" uses them.

  --out DIR            output folder of "gazette publish"; serves DIR/site   default: ${PUBLISH_DEFAULTS.out}
  --site DIR           serve this folder instead of DIR/site
  --subscribers FILE   JSON list of {"email","status"}   default: ${PUBLISH_DEFAULTS.subscribers}
  --port N             port (0 picks a free one)                             default: 8080
  -h, --help           this text
`;

/** Content types by site path, matching the `SiteFile.contentType`s the renderers set. */
export function contentTypeFor(sitePath: string): string {
  const output = outputFor(sitePath);
  if (output) return output.contentType;
  switch (extname(sitePath).toLowerCase()) {
    case '.html':
      return CONTENT_TYPES.html;
    case '.txt':
      return CONTENT_TYPES.text;
    case '.css':
      return 'text/css; charset=utf-8';
    case '.js':
      return 'text/javascript; charset=utf-8';
    case '.json':
      return 'application/json; charset=utf-8';
    case '.xml':
      return 'application/xml; charset=utf-8';
    case '.svg':
      return 'image/svg+xml';
    case '.png':
      return 'image/png';
    case '.ico':
      return 'image/x-icon';
    default:
      return 'application/octet-stream';
  }
}

const NOT_FOUND_PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>
<body><h1>Not found</h1><p>Nothing is published at this address. <a href="/">Back to the digests</a>.</p></body></html>
`;

/** An HTTP API mounted under `/api/`, and the headers the server adds to what it forwards to it. */
export interface ApiMount {
  handler: HttpApiHandler;
  /** Set on every forwarded request, replacing the client's own (the origin-verify header, as CloudFront does). */
  originHeaders: Readonly<Record<string, string>>;
}

/** A running static server. */
export interface StaticServer {
  server: Server;
  /** `http://127.0.0.1:PORT/` */
  url: string;
  /**
   * Mounts (or removes) an API under `/api/`; without one those paths are plain static paths. Separate
   * from starting because the API's links need the server's URL, known only once it listens.
   */
  mountApi(api: ApiMount | undefined): void;
  close(): Promise<void>;
}

/** Starts serving `root` on 127.0.0.1:`port` (0 for a free port). */
export async function startStaticServer(root: string, port: number): Promise<StaticServer> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
    if (!(await stat(realRoot)).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new ConfigError(`no site to serve at ${root}: run "npm start" first`);
  }
  let api: ApiMount | undefined;
  const server = createServer((request, response) => {
    const answer =
      api && (request.url ?? '/').startsWith('/api/')
        ? forwardApiRequest(api.handler, api.originHeaders, request, response)
        : handle(realRoot, request, response);
    answer.catch(() => {
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'internal error\n', request.method === 'HEAD');
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${actual}/`,
    mountApi: (mount) => {
      api = mount;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(
  response: ServerResponse,
  status: number,
  type: string,
  body: string,
  headOnly: boolean,
  extra: Record<string, string> = {},
): void {
  const bytes = Buffer.from(body, 'utf8');
  response.writeHead(status, { 'Content-Type': type, 'Content-Length': bytes.length, 'X-Content-Type-Options': 'nosniff', ...extra });
  response.end(headOnly ? undefined : bytes);
}

async function handle(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const headOnly = request.method === 'HEAD';
  if (request.method !== 'GET' && !headOnly) {
    send(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n', false, { Allow: 'GET, HEAD' });
    return;
  }
  const notFound = async (): Promise<void> => {
    // The site's own 404 page when the renderers made one, as CloudFront serves it.
    const page = await readFile(join(root, '404.html'), 'utf8').catch(() => NOT_FOUND_PAGE);
    send(response, 404, CONTENT_TYPES.html, page, headOnly);
  };
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
  } catch {
    send(response, 400, 'text/plain; charset=utf-8', 'bad request\n', headOnly);
    return;
  }
  // Segments, not string prefixes: "..", "." and hidden names never reach the file system.
  const segments = pathname.split('/').filter((segment) => segment !== '');
  if (pathname.includes('\0') || pathname.includes('\\') || segments.some((segment) => segment.startsWith('.'))) {
    await notFound();
    return;
  }
  let file = join(root, ...segments);
  let info = await stat(file).catch(() => undefined);
  if (info?.isDirectory()) {
    if (!pathname.endsWith('/')) {
      // Relative links in index.html resolve against the folder only with the trailing slash.
      send(response, 301, 'text/plain; charset=utf-8', 'moved\n', headOnly, { Location: `${pathname}/` });
      return;
    }
    file = join(file, 'index.html');
    segments.push('index.html');
    info = await stat(file).catch(() => undefined);
  }
  if (!info?.isFile()) {
    await notFound();
    return;
  }
  // A symlink inside the site must not lead out of it.
  const real = await realpath(file);
  if (real !== root && !real.startsWith(root + sep)) {
    await notFound();
    return;
  }
  response.writeHead(200, {
    'Content-Type': contentTypeFor(segments.join('/')),
    'Content-Length': info.size,
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  if (headOnly) {
    response.end();
    return;
  }
  createReadStream(real)
    .on('error', () => response.destroy())
    .pipe(response);
}

/** Where the local subscription API keeps its state; defaults as in `gazette publish`. */
export interface LocalApiOptions {
  /** Output folder: confirmation mails go to `<outDir>/outbox/`, token keys are `<outDir>/state/token-keys.json`. */
  outDir: string;
  subscribersFile: string;
  /** The server's URL, ending in `/`: the base of every link the API writes. */
  baseUrl: string;
  /** Where warnings and errors of the API go (one line each). */
  warn: (line: string) => void;
}

/**
 * Builds the real subscription API (functions/core/subscriptions/http.ts, through the Lambda handler's
 * own adapter) over the local adapters, with a fresh random origin-verify secret that only this
 * process knows: the returned mount adds it to what the server forwards, so the API's check runs here
 * as it does behind CloudFront, and nothing else on the machine can call the API around the server.
 */
export async function localSubscriptionApi(options: LocalApiOptions): Promise<ApiMount & { outbox: string }> {
  const paths = localLayout(options.outDir);
  // The same keys publish signs unsubscribe links with, so the links in the outbox mails verify.
  const { keyring } = await loadOrCreateKeyring(paths.keys, { create: true });
  // Site and mail settings exactly as publish builds them by default, with this server as the base URL.
  const defaults = parsePublishOptions(['--base-url', options.baseUrl]);
  if (defaults === 'help') throw new Error('unreachable: no --help given');
  const originVerify = randomBytes(32).toString('base64url');
  const handler = createSubscriptionApi({
    store: new FileSubscribers(options.subscribersFile, (message) => options.warn(`warning: ${message}`)),
    mailer: new OutboxMailer(paths.outbox),
    renderConfirmation: renderConfirmationEmail,
    keyring,
    site: defaults.site,
    mail: defaults.mail,
    throttle: { limiter: new MemoryRateLimiter(), ...DEFAULT_IP_THROTTLE },
    cap: { counter: new MemoryRollingCounter(), limit: async () => SETTING_DEFAULTS.maxConfirmationsPerDay },
    log: (level, message, data) => {
      if (level === 'warn' || level === 'error') options.warn(`[${level}] ${message}${data ? ` ${JSON.stringify(data)}` : ''}`);
    },
    originVerify: { header: ORIGIN_VERIFY_HEADER, value: originVerify },
  });
  return { handler, originHeaders: { [ORIGIN_VERIFY_HEADER]: originVerify }, outbox: paths.outbox };
}

/**
 * Runs `gazette serve` until the process is interrupted or `signal` aborts; returns the exit code.
 */
export async function serveCommand(args: string[], io: CommandIo, signal?: AbortSignal): Promise<ExitCode> {
  let root: string;
  let port: number;
  let outDir: string;
  let subscribersFile: string;
  try {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        out: { type: 'string' },
        site: { type: 'string' },
        subscribers: { type: 'string' },
        port: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.stdout.write(SERVE_USAGE);
      return EXIT_CODES.ok;
    }
    outDir = values.out ?? PUBLISH_DEFAULTS.out;
    subscribersFile = values.subscribers ?? PUBLISH_DEFAULTS.subscribers;
    root = values.site ?? localLayout(outDir).site;
    const portText = values.port ?? '8080';
    port = Number(portText);
    if (!/^\d+$/u.test(portText) || port > 65535) throw new ConfigError(`--port must be a number from 0 to 65535: ${portText}`);
  } catch (error) {
    return reportError(io, 'serve', error instanceof ConfigError ? error : new ConfigError((error as Error).message));
  }
  let running: StaticServer;
  let outbox: string;
  try {
    running = await startStaticServer(root, port);
    try {
      const api = await localSubscriptionApi({
        outDir,
        subscribersFile,
        baseUrl: running.url,
        warn: (line) => io.stderr.write(`${line}\n`),
      });
      running.mountApi(api);
      outbox = api.outbox;
    } catch (error) {
      await running.close();
      throw error;
    }
  } catch (error) {
    return reportError(io, 'serve', error);
  }
  io.stdout.write(
    `Serving ${root} at ${running.url}\n` +
      `  Site:  ${running.url}\n` +
      feedLinks({ baseUrl: running.url })
        .map((feed) => `  ${feed.name.toUpperCase().padEnd(5)} ${feed.url}\n`)
        .join('') +
      `  API:   ${running.url}api/ (subscribe, confirm, unsubscribe), subscribers in ${subscribersFile}\n` +
      `  Mail:  confirmation emails are written to ${outbox}\n` +
      'Press Ctrl+C to stop.\n',
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void running.close().then(resolve);
    };
    if (signal?.aborted) stop();
    signal?.addEventListener('abort', stop, { once: true });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return EXIT_CODES.ok;
}
