/**
 * The one way Gazette fetches a URL from the internet (feeds, redirects, full-text pages), built on
 * node:http / node:https (see guarded-connections.ts) the way the careful feed readers fetch:
 * - an overall deadline (`AbortSignal.timeout`) on top of the connect timeout, because a per-read
 *   timeout only limits the gap between chunks and a server dripping a byte at a time never trips it;
 * - a size cap counted after decompression, so a gzip bomb stops at the cap instead of filling memory;
 * - redirects followed by hand (at most {@link DEFAULT_MAX_REDIRECTS}), so every hop's scheme and address
 *   pass the same checks as the first request;
 * - DNS resolved by our own `lookup`, so the address actually connected to is the one the server-side
 *   request forgery guard approved (no second resolution an attacker's DNS could answer differently);
 * - conditional GET with the stored validators.
 * Expected outcomes (304, 410, 4xx/5xx, timeouts, refusals, too large) are values, never exceptions.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import packageJson from '../../../package.json' with { type: 'json' };
import { SETTING_DEFAULTS } from '../../core/settings.js';
import { refusedAddressReason, isIpLiteral } from './address-guard.js';
import { decodedBody, discard, BodyTooLargeError, UnsupportedEncodingError } from './decoded-body.js';
import { ConnectTimeoutError, GuardedConnections, MAX_HEADER_BYTES, RefusedAddressError, type Resolver } from './guarded-connections.js';

export type { Resolver } from './guarded-connections.js';

/** Response headers a caller stores or schedules by; all optional, raw strings as the server sent them. */
export interface FetchHeaders {
  etag?: string;
  lastModified?: string;
  contentType?: string;
  cacheControl?: string;
  retryAfter?: string;
  expires?: string;
}

/** What one fetch ended in. Only bugs throw. */
export type FetchOutcome =
  | {
      kind: 'ok';
      status: number;
      /** The URL the body came from, after redirects. */
      url: string;
      /** Where the resource now permanently lives, when the chain began with 301/308 hops (store it). */
      permanentUrl?: string;
      headers: FetchHeaders;
      body: Buffer;
    }
  /** 304: the stored copy is current. `permanentUrl` as for `ok` (a moved feed still answers 304). */
  | { kind: 'not-modified'; url: string; permanentUrl?: string; headers: FetchHeaders }
  | { kind: 'gone' }
  | { kind: 'http-error'; status: number; retryAfterMs?: number }
  | { kind: 'failed'; reason: string };

/** How one fetch behaves. Every limit has a default; `allowPrivateNetwork` is off unless opted in. */
export interface SafeFetchOptions {
  /** Validators saved from the last successful fetch: sent as If-None-Match / If-Modified-Since. */
  validators?: { etag?: string; lastModified?: string };
  /** The Accept header (feeds ask for feed types first; pages for HTML). */
  accept?: string;
  /** Largest body accepted, in bytes after decompression. */
  maxBytes?: number;
  /** Deadline for the whole fetch, redirects and body included. */
  deadlineMs?: number;
  /** Deadline for one TCP (and TLS) connection to be established. */
  connectTimeoutMs?: number;
  /** Redirects followed at most; one more is an error. */
  maxRedirects?: number;
  /** Permit loopback and private addresses (intranet feeds, the tests' loopback server). */
  allowPrivateNetwork?: boolean;
  userAgent?: string;
  /** Replaces the system resolver (tests map names to addresses with it). */
  resolver?: Resolver;
  /** Cancels the fetch from outside (a run shutting down). */
  signal?: AbortSignal;
}

/** Largest body accepted by default, after decompression (setting `maxFeedBytes`). */
export const DEFAULT_MAX_BYTES = SETTING_DEFAULTS.maxFeedBytes;
/** Default overall deadline of one fetch (setting `fetchTimeoutSeconds`). */
export const DEFAULT_DEADLINE_MS = SETTING_DEFAULTS.fetchTimeoutSeconds * 1000;
/** Default time allowed to open the TCP (and TLS) connection. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Redirects followed at most (the issue's limit); the next one is an error. */
export const DEFAULT_MAX_REDIRECTS = 5;
/**
 * The User-Agent of every fetch: Gazette, its version, and the site it fetches for, so a feed's
 * operator can see who polls them and where to complain (what Miniflux and FreshRSS send too).
 */
export function gazetteUserAgent(siteUrl?: string): string {
  return siteUrl ? `Gazette/${packageJson.version} (+${siteUrl})` : `Gazette/${packageJson.version}`;
}

/** Used when the caller names no site (tests, one-off checks). */
export const DEFAULT_USER_AGENT = gazetteUserAgent();
/** What a feed fetch accepts: the feed types first, generic XML and JSON after, anything last. */
export const FEED_ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const PERMANENT_REDIRECTS = new Set([301, 308]);

type Settled = Required<Pick<SafeFetchOptions, 'maxBytes' | 'maxRedirects' | 'allowPrivateNetwork'>> &
  SafeFetchOptions & { deadlineMs: number; connectTimeoutMs: number };

/** Fetches `url` under every limit above and says how it went. */
export async function safeFetch(url: string, options: SafeFetchOptions = {}): Promise<FetchOutcome> {
  const settled: Settled = {
    ...options,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
    maxRedirects: options.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
    allowPrivateNetwork: options.allowPrivateNetwork ?? false,
    deadlineMs: options.deadlineMs ?? DEFAULT_DEADLINE_MS,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
  };
  const deadline = AbortSignal.timeout(settled.deadlineMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  const connections = new GuardedConnections(settled);
  try {
    return await followRedirects(url, settled, connections, signal);
  } catch (error) {
    return { kind: 'failed', reason: failureReason(error, settled, deadline) };
  } finally {
    // Closes whatever socket is still open: one whose body was refused, or every one after an error.
    connections.destroy();
  }
}

/** Requests `start`, following redirects by hand so each hop is checked like the first. */
async function followRedirects(start: string, options: Settled, connections: GuardedConnections, signal: AbortSignal) {
  let current = start;
  let permanentUrl: string | undefined;
  let permanentChain = true;
  for (let hop = 0; ; hop += 1) {
    const problem = urlProblem(current, options.allowPrivateNetwork);
    if (problem) return failed(hop === 0 ? problem : `redirect to ${current} refused: ${problem}`);
    const response = await connections.get(new URL(current), requestHeaders(options), signal);
    const status = response.statusCode ?? 0;
    if (!REDIRECT_STATUSES.has(status)) return await outcomeOf(current, response, options, permanentUrl);
    // No connection is reused (guarded-connections.ts), so nothing is gained by reading a body nobody
    // wants; closing it also stops a redirect that streams an endless body.
    discard(response);
    const location = headerValue(response.headers, 'location');
    if (!location) return failed(`HTTP ${status} redirect without a Location header`);
    if (hop >= options.maxRedirects) return failed(`too many redirects (more than ${options.maxRedirects})`);
    const next = URL.canParse(location, current) ? new URL(location, current).href : undefined;
    if (!next) return failed(`HTTP ${status} redirect to an invalid Location: ${location.slice(0, 200)}`);
    // A permanent move is only worth storing while every hop so far was permanent: A -301-> B -302-> C
    // means "subscribe to B", which still sends temporarily to C.
    permanentChain &&= PERMANENT_REDIRECTS.has(status);
    if (permanentChain) permanentUrl = next;
    current = next;
  }
}

/** The outcome of a final (non-redirect) response; reads the body only for 2xx. */
async function outcomeOf(
  url: string,
  response: IncomingMessage,
  options: Settled,
  permanentUrl: string | undefined,
): Promise<FetchOutcome> {
  const status = response.statusCode ?? 0;
  const headers = pickHeaders(response.headers);
  if (status < 200 || status >= 300) {
    discard(response);
    if (status === 304) return { kind: 'not-modified', url, ...(permanentUrl ? { permanentUrl } : {}), headers };
    if (status === 410) return { kind: 'gone' };
    const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(headers.retryAfter, Date.now()) : undefined;
    return retryAfterMs === undefined ? { kind: 'http-error', status } : { kind: 'http-error', status, retryAfterMs };
  }
  const declared = Number(headerValue(response.headers, 'content-length'));
  const encoding = headerValue(response.headers, 'content-encoding');
  if (!encoding && Number.isFinite(declared) && declared > options.maxBytes) {
    discard(response);
    return failed(tooLarge(options.maxBytes));
  }
  const body = await decodedBody(response, encoding, options.maxBytes);
  return { kind: 'ok', status, url, ...(permanentUrl ? { permanentUrl } : {}), headers, body };
}

function requestHeaders(options: Settled): Record<string, string> {
  const headers: Record<string, string> = {
    'user-agent': options.userAgent ?? DEFAULT_USER_AGENT,
    accept: options.accept ?? FEED_ACCEPT,
    'accept-encoding': 'gzip, deflate, br',
  };
  if (options.validators?.etag) headers['if-none-match'] = options.validators.etag;
  if (options.validators?.lastModified) headers['if-modified-since'] = options.validators.lastModified;
  return headers;
}

/** Why `url` may not be requested at all (scheme, or an IP literal the guard refuses); `undefined` if fine. */
function urlProblem(url: string, allowPrivateNetwork: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `not a URL: ${url}`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `only http and https URLs are fetched, not ${parsed.protocol}`;
  }
  if (parsed.username || parsed.password) return 'URLs with a user name or password are not fetched';
  // net.connect skips `lookup` for IP literals, so they are checked here instead.
  if (isIpLiteral(parsed.hostname)) {
    const refused = refusedAddressReason(parsed.hostname, allowPrivateNetwork);
    if (refused) return `refused address: ${refused}`;
  }
  return undefined;
}

/** One clear line for an exception from the request, the connector or the body reader. */
function failureReason(error: unknown, options: Settled, deadline: AbortSignal): string {
  if (deadline.aborted) return `timed out: no complete response within ${seconds(options.deadlineMs)}`;
  if (options.signal?.aborted) return 'cancelled';
  if (error instanceof BodyTooLargeError) return tooLarge(options.maxBytes);
  if (error instanceof UnsupportedEncodingError) return error.message;
  const chain = causes(error);
  // Both carry the whole reason already (the refused address; the configured connect timeout).
  const own = chain.find((entry) => entry instanceof RefusedAddressError || entry instanceof ConnectTimeoutError);
  if (own) return own.message;
  const code = chain.map((entry) => (entry as { code?: unknown }).code).find((entry) => typeof entry === 'string');
  const message = chain[0] ? messageOf(chain[0]) : String(error);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return `DNS lookup failed: ${message}`;
  if (code === 'ECONNREFUSED') return `connection refused: ${message}`;
  // node reports a connection closed mid-response as ECONNRESET ("aborted", "socket hang up").
  if (code === 'ECONNRESET' || code === 'EPIPE') return `connection reset by the server: ${message}`;
  if (code === 'HPE_HEADER_OVERFLOW') return `response headers too large: more than ${formatBytes(MAX_HEADER_BYTES)}`;
  if (typeof code === 'string' && isTlsCode(code)) return `TLS error (${code}): ${message}`;
  if (error instanceof Error && /decompress|incorrect header|invalid (block|distance|code)|unexpected end/i.test(message)) {
    return `corrupt compressed body: ${message}`;
  }
  return `fetch failed: ${code ? `${code} ` : ''}${message}`;
}

function isTlsCode(code: string): boolean {
  return /^(ERR_SSL_|ERR_TLS_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|HOSTNAME_MISMATCH|EPROTO)/.test(code);
}

/**
 * An error's message; for the AggregateError net raises when every address of a host failed (its own
 * message is empty), the messages of the attempts.
 */
function messageOf(error: Error): string {
  if (error instanceof AggregateError && !error.message) {
    return error.errors.map((entry: unknown) => (entry instanceof Error ? entry.message : String(entry))).join('; ');
  }
  return error.message;
}

/** The error and its `cause`s, outermost first (an AbortError carries the signal's reason as its cause). */
function causes(error: unknown): Error[] {
  const chain: Error[] = [];
  let current: unknown = error;
  while (current instanceof Error && chain.length < 8) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/**
 * Milliseconds to wait from a Retry-After value: delay-seconds or an HTTP-date (RFC 9110 §10.2.3);
 * `undefined` when absent or unreadable, 0 for a date already past.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

function pickHeaders(headers: IncomingHttpHeaders): FetchHeaders {
  const picked: FetchHeaders = {};
  const names = {
    etag: 'etag',
    lastModified: 'last-modified',
    contentType: 'content-type',
    cacheControl: 'cache-control',
    retryAfter: 'retry-after',
    expires: 'expires',
  } as const;
  for (const [key, name] of Object.entries(names) as [keyof FetchHeaders, string][]) {
    const value = headerValue(headers, name);
    if (value !== undefined) picked[key] = value;
  }
  return picked;
}

/** node joins repeated list headers with ", " and keeps the first of single-valued ones; arrays are rare. */
function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const failed = (reason: string): FetchOutcome => ({ kind: 'failed', reason });
const seconds = (ms: number) => `${ms / 1000} s`;
const tooLarge = (maxBytes: number) => `too large: more than ${formatBytes(maxBytes)} (after decompression)`;

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) ? 1 : 0)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(bytes % 1024 ? 1 : 0)} KiB`;
  return `${bytes} bytes`;
}
