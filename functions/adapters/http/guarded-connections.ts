/**
 * The transport under `safeFetch`: plain `node:http` / `node:https` (no HTTP client library: undici was
 * 527 KiB of the publisher bundle for what two built-in modules do), with the server-side request forgery
 * guard inside DNS resolution and a connect timeout node's client does not have on its own.
 *
 * One `GuardedConnections` serves one `safeFetch` call, redirects included, and is destroyed with it:
 * - every request gets a connection of its own, resolved and checked afresh. Nothing is pooled across
 *   calls because the guard's verdict depends on the call's `allowPrivateNetwork` and resolver: a socket a
 *   permissive call opened to a private address must never carry the request of a call that refuses
 *   them. Nor across the hops of one call: the next hop is sent as soon as the redirect's head is in,
 *   when its socket is not free yet, so keeping it alive would save nothing;
 * - every socket its agents open resolves its host through {@link guardedLookup}, so the address the
 *   socket connects to is exactly the one the guard approved.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction, Socket } from 'node:net';
import { addAbortSignal } from 'node:stream';
import { refusedAddressReason } from './address-guard.js';

/** Resolves a host name to its addresses; the default is the system resolver (`dns.lookup`). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

/** What the guard and the connect timeout need from the fetch's options. */
export interface ConnectionOptions {
  allowPrivateNetwork: boolean;
  connectTimeoutMs: number;
  resolver?: Resolver;
}

/**
 * Largest response head (status line and headers) read, in bytes. 16 KiB is node's default and what
 * undici applied before; it is set here so the limit does not move with a `--max-http-header-size` in
 * NODE_OPTIONS. A head past it fails with HPE_HEADER_OVERFLOW instead of growing without bound.
 */
export const MAX_HEADER_BYTES = 16 * 1024;

/** A refusal raised inside the guarded lookup; recognised again when the request fails with it. */
export class RefusedAddressError extends Error {
  readonly code = 'GAZETTE_REFUSED_ADDRESS';
}

/** The TCP (and TLS) connection was not established within `connectTimeoutMs`. */
export class ConnectTimeoutError extends Error {
  readonly code = 'GAZETTE_CONNECT_TIMEOUT';
}

/** The connections of one fetch: GETs through guarded, per-call agents. */
export class GuardedConnections {
  private http?: HttpAgent;
  private https?: HttpsAgent;

  constructor(private readonly options: ConnectionOptions) {}

  /**
   * Sends a GET for `url` and resolves with the response once its head has arrived; rejects with the
   * request's error (refused address, DNS, connect timeout, TLS, reset, abort). `signal` ends the request
   * and, after the head, the body: the body stream then fails with an AbortError.
   */
  get(url: URL, headers: Record<string, string>, signal: AbortSignal): Promise<IncomingMessage> {
    const secure = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const options = { method: 'GET', headers, signal, maxHeaderSize: MAX_HEADER_BYTES };
      const request = secure
        ? httpsRequest(url, { ...options, agent: this.agent(true) })
        : httpRequest(url, { ...options, agent: this.agent(false) });
      // Stays attached after the response: a socket error later (a reset mid-body) is also emitted on the
      // request, and an 'error' without a listener would crash the process. The body reader sees it too.
      request.on('error', reject);
      request.on('socket', (socket) => this.limitConnect(request, socket, secure));
      request.on('response', (response) => {
        addAbortSignal(signal, response);
        resolve(response);
      });
      request.end();
    });
  }

  /** Closes every socket of this fetch, in use or idle (a body nobody reads any more stops here). */
  destroy(): void {
    this.http?.destroy();
    this.https?.destroy();
  }

  private agent(secure: boolean): HttpAgent {
    // Agent options reach net.connect / tls.connect for every socket the agent creates, so `lookup`
    // here covers every hop of the call, whatever host a redirect names.
    const settings = { keepAlive: false, lookup: guardedLookup(this.options) };
    if (secure) return (this.https ??= new HttpsAgent(settings));
    return (this.http ??= new HttpAgent(settings));
  }

  /**
   * Fails `request` unless its socket connects (and, for https, finishes the TLS handshake) within
   * `connectTimeoutMs`. node's `timeout` option is an idle timeout and the OS gives up on a silent SYN
   * only after minutes, so a dead host would otherwise hold the fetch until the overall deadline. The
   * clock starts when the socket is created, so a slow DNS answer counts too (as it did with undici).
   */
  private limitConnect(request: ClientRequest, socket: Socket, secure: boolean): void {
    const seconds = this.options.connectTimeoutMs / 1000;
    const timer = setTimeout(
      () => request.destroy(new ConnectTimeoutError(`connect timed out after ${seconds} s`)),
      this.options.connectTimeoutMs,
    );
    const clear = () => clearTimeout(timer);
    socket.once('close', clear);
    if (!secure) {
      socket.once('connect', clear);
      return;
    }
    // The request is held back until the handshake is done (as undici did): written earlier, a failed
    // handshake surfaces as a failed write (EPROTO) instead of the TLS error it is (ERR_SSL_...).
    socket.cork();
    socket.once('secureConnect', () => {
      clear();
      socket.uncork();
    });
  }
}

/**
 * A `dns.lookup` replacement for net.connect: resolves every address of the host and refuses the
 * connection if any of them is refused (a name answering both a public and a private address is exactly
 * what a rebinding attacker serves). net connects to the addresses this returns and resolves nothing
 * again, which is what makes the check binding: a second resolution at connect time is the one a DNS
 * rebinding attacker answers with 127.0.0.1 after the first answer passed the check.
 */
function guardedLookup(options: ConnectionOptions): LookupFunction {
  const resolve: Resolver =
    options.resolver ??
    ((hostname) =>
      new Promise((done, fail) => dnsLookup(hostname, { all: true }, (error, addresses) => (error ? fail(error) : done(addresses)))));
  return (hostname, lookupOptions, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const usable = filterFamily(addresses, lookupOptions.family);
        if (usable.length === 0) {
          const error = Object.assign(new Error(`DNS lookup of ${hostname} found no address`), { code: 'ENOTFOUND' });
          return callback(error, []);
        }
        for (const { address } of usable) {
          const refused = refusedAddressReason(address, options.allowPrivateNetwork);
          if (refused) return callback(new RefusedAddressError(`refused address: ${hostname} resolves to ${refused}`), []);
        }
        if (lookupOptions.all) return callback(null, usable);
        const first = usable[0] as LookupAddress;
        return callback(null, first.address, first.family);
      },
      (error: Error) => callback(error, []),
    );
  };
}

function filterFamily(addresses: LookupAddress[], family: number | string | undefined): LookupAddress[] {
  const wanted = family === 'IPv4' ? 4 : family === 'IPv6' ? 6 : family;
  return wanted === 4 || wanted === 6 ? addresses.filter((entry) => entry.family === wanted) : addresses;
}
