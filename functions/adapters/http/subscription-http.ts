/**
 * The subscription API as plain HTTP: a request (method, path, query, headers, body) in, a response out.
 * Framework-free, so the Lambda handler (API Gateway payload v2), the local dev server and the tests all
 * run exactly this code; each adapter only converts its own request shape.
 *
 * Routes (paths end with these, so a base-URL prefix such as `/gazette/` is fine):
 * - `POST /api/subscribe` — form-encoded (the site's form) or JSON; fields `email` and honeypot `website`.
 *   `Accept: application/json` gets JSON `{status, message}`, anything else a page in the site's look.
 * - `GET|HEAD /api/confirm?token=` — a page with one button; never changes state (mail scanners open links).
 * - `POST /api/confirm?token=` — the page's button: confirms.
 * - `GET|HEAD /api/unsubscribe?token=` — a page with one button; never changes state.
 * - `POST /api/unsubscribe?token=` — RFC 8058 one-click (body `List-Unsubscribe=One-Click`) and the
 *   page's button: unsubscribes at once, idempotent, no cookie.
 * - `GET|HEAD /api/manage?token=` — how often and when editions come, with a form for the cadence, the
 *   hour, the weekday and the time zone; never changes state. `POST /api/manage?token=` (form:
 *   `cadence`, optional `hour`, `weekday`, `timeZone`) validates all of them, then stores the choice
 *   (a 400 page and nothing stored otherwise); the subscriber's cursor stays, so nothing is lost or
 *   repeated.
 *
 * Every request must first carry the origin-verify header with the expected value (CloudFront adds it
 * to what it forwards; see {@link verifyOrigin}); anything else is a 403 before any other work.
 *
 * `errorResponse` is the one place that maps domain errors to statuses.
 */
import { timingSafeEqual } from 'node:crypto';
import { GazetteError, InvalidAddressError, InvalidTokenError } from '../../core/errors.js';
import type { SiteConfig } from '../../core/model.js';
import { SITE_CONTENT_SECURITY_POLICY } from '../../core/render/assets.js';
import { CONTENT_TYPES } from '../../core/render/links.js';
import { renderMessagePage } from '../../core/render/outputs.js';
import type { MessagePageContent } from '../../core/render/site.js';
import { verifyToken } from '../../core/tokens.js';
import { checkUnsubscribeToken, confirm, unsubscribe, type LinkDeps } from '../../core/subscriptions/confirm.js';
import { InvalidPreferenceError, TooManyRequestsError } from '../../core/subscriptions/errors.js';
import { changePreference, currentPreference, describePreference, type ManageView } from '../../core/subscriptions/manage.js';
import { DEFAULT_EDITION_TIME, type EditionDefaults } from '../../core/editions/plan.js';
import type { Cadence } from '../../core/editions/edition.js';
import { offeredTimeZones } from '../../core/editions/time-zones.js';
import { routeUrl, SUBSCRIPTION_ROUTES, type RouteName } from '../../core/subscriptions/links.js';
import type { SubscriptionStore } from '../../core/subscriptions/ports.js';
import { subscribe, type SubscribeRequestDeps } from '../../core/subscriptions/subscribe.js';

/** A request as any adapter hands it over. Header names lower-case. */
export interface HttpRequest {
  method: string;
  /** URL path without the query, e.g. `/api/subscribe`. */
  path: string;
  query: URLSearchParams;
  headers: Readonly<Record<string, string | undefined>>;
  /** Raw body bytes decoded as UTF-8 (undefined when there is none). */
  body?: string;
  /** Client IP, for the per-IP throttle. */
  ip?: string;
}

/** The answer; `body` is empty for HEAD. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The header that proves a request came through our CloudFront distribution, and its expected value. */
export interface OriginVerification {
  /** Header name, e.g. `x-gazette-origin-verify` (matched case-insensitively). */
  header: string;
  /** The shared secret CloudFront sends in it. */
  value: string;
}

/**
 * Everything the API needs, built once per process by the composition root: what `subscribe` needs
 * (the confirmation queue, not the mailer: deciding and sending happen after the answer), the store
 * (confirm and unsubscribe change statuses), the site its pages link to, and the origin-verify secret.
 */
export interface SubscriptionApiDeps extends SubscribeRequestDeps {
  store: SubscriptionStore;
  site: SiteConfig;
  originVerify: OriginVerification;
  /** The cadences the manage page offers (default: instant only, in UTC). */
  editions?: EditionDefaults;
}

const INSTANT_ONLY: EditionDefaults = { cadences: ['instant'], defaultCadence: 'instant', timeZone: 'UTC', ...DEFAULT_EDITION_TIME };

/**
 * A request that did not come through the site's CloudFront distribution: the origin-verify header is
 * missing or wrong. Such a caller reached the execute-api URL directly, where `X-Forwarded-For` (and so
 * the per-IP throttle) is theirs to forge.
 */
export class OriginNotVerifiedError extends GazetteError {
  override name = 'OriginNotVerifiedError';
  constructor(readonly reason: 'missing' | 'mismatch') {
    super('request did not come through the site');
  }
}

/**
 * Throws {@link OriginNotVerifiedError} unless `request` carries `expected.header` with exactly
 * `expected.value`, compared in constant time so the answer's timing does not leak the secret.
 */
export function verifyOrigin(request: HttpRequest, expected: OriginVerification): void {
  const given = request.headers[expected.header.toLowerCase()];
  if (given === undefined || given === '') throw new OriginNotVerifiedError('missing');
  const givenBytes = Buffer.from(given, 'utf8');
  const expectedBytes = Buffer.from(expected.value, 'utf8');
  // timingSafeEqual demands equal lengths; a wrong length is refused outright (it reveals no secret byte).
  if (givenBytes.length !== expectedBytes.length || !timingSafeEqual(givenBytes, expectedBytes))
    throw new OriginNotVerifiedError('mismatch');
}

/** Bodies larger than this are refused before parsing; a subscribe form is a few hundred bytes. */
export const MAX_BODY_BYTES = 8 * 1024;

/** The one answer every well-formed subscribe request gets, whatever the address's state. */
export const SUBSCRIBE_ACCEPTED_MESSAGE =
  'Thank you. If this address can receive our digest, a confirmation link is on its way: please check your inbox (and the spam folder). The link works for 72 hours.';
const INVALID_ADDRESS_MESSAGE = 'Please enter a valid email address.';

/** A domain failure as the client sees it. */
class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly extraHeaders: Record<string, string> = {},
  ) {
    super(code);
  }
}

function securityHeaders(site: SiteConfig): Record<string, string> {
  return {
    // Answers are personal (tokens in URLs, per-address outcomes): never cache them anywhere.
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // Tokens are in our URLs; a referrer must never carry them to another site.
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'content-security-policy': SITE_CONTENT_SECURITY_POLICY,
    ...(site.baseUrl.startsWith('https:') ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };
}

function wantsJson(request: HttpRequest): boolean {
  return /\bapplication\/json\b/i.test(request.headers.accept ?? '');
}

function respond(
  deps: SubscriptionApiDeps,
  request: HttpRequest,
  status: number,
  page: MessagePageContent,
  json: Record<string, string>,
  extra: Record<string, string> = {},
): HttpResponse {
  const asJson = wantsJson(request);
  const body = asJson ? JSON.stringify(json) : renderMessagePage(deps.site, page);
  return {
    status,
    headers: {
      ...securityHeaders(deps.site),
      'content-type': asJson ? 'application/json; charset=utf-8' : CONTENT_TYPES.html,
      ...extra,
    },
    body: request.method === 'HEAD' ? '' : body,
  };
}

/** Maps every failure to a status and a safe message; the details go to the log only. */
export function errorResponse(deps: SubscriptionApiDeps, request: HttpRequest, error: unknown): HttpResponse {
  let failure: HttpFailure;
  let back: MessagePageContent['link'];
  if (error instanceof HttpFailure) failure = error;
  else if (error instanceof OriginNotVerifiedError) {
    // Deliberately vague to the caller; the log says why (never the value that was sent).
    deps.log?.('warn', 'subscription api: request without a valid origin-verify header', { reason: error.reason });
    failure = new HttpFailure(403, 'forbidden', 'Forbidden', 'This request is not allowed.');
  } else if (error instanceof InvalidAddressError)
    failure = new HttpFailure(400, 'invalid_address', 'Check the address', INVALID_ADDRESS_MESSAGE);
  else if (error instanceof InvalidTokenError)
    failure = new HttpFailure(
      400,
      'invalid_link',
      'This link does not work',
      'The link is invalid or has expired, and nothing was changed. To subscribe, use the form on our site again.',
    );
  else if (error instanceof InvalidPreferenceError) {
    failure = new HttpFailure(400, 'invalid_preference', 'Check your choice', `Nothing was changed: ${error.message}.`);
    // Thrown only once the manage token checked out: the way back is the same signed page.
    const token = request.query.get('token');
    if (token) back = { url: routeUrl(deps.site, 'manage', token), label: 'Back to your choices' };
  } else if (error instanceof TooManyRequestsError)
    failure = new HttpFailure(
      429,
      'too_many_requests',
      'Too many requests',
      'Too many requests from your network. Please try again in a few minutes.',
      { 'retry-after': '600' },
    );
  else {
    deps.log?.('error', 'subscription api: unexpected error', {
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    failure = new HttpFailure(
      500,
      'internal_error',
      'Something went wrong',
      'Sorry, something went wrong on our side. Please try again later.',
    );
  }
  if (error instanceof InvalidTokenError) deps.log?.('info', 'subscription api: unusable link', { reason: error.reason });
  return respond(
    deps,
    request,
    failure.status,
    { title: failure.title, message: failure.detail, ...(back ? { link: back } : {}) },
    { status: 'error', error: failure.code, message: failure.detail },
    failure.extraHeaders,
  );
}

/** Parses the subscribe body: form-encoded or JSON, a flat object of strings. */
function subscribeFields(request: HttpRequest, enabled: readonly Cadence[]): { email: string; honeypot?: string; cadence?: Cadence } {
  const body = request.body ?? '';
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES)
    throw new HttpFailure(413, 'too_large', 'Request too large', 'The request is too large.');
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  let fields: Record<string, unknown>;
  if (type === 'application/json') {
    try {
      const parsed: unknown = JSON.parse(body);
      fields = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    } catch {
      throw new HttpFailure(400, 'bad_request', 'Bad request', 'The request could not be read.');
    }
  } else if (type === 'application/x-www-form-urlencoded' || type === '') {
    fields = Object.fromEntries(new URLSearchParams(body));
  } else {
    throw new HttpFailure(
      415,
      'unsupported_media_type',
      'Unsupported request',
      'Send the form as application/x-www-form-urlencoded or JSON.',
    );
  }
  // A missing or non-string address is just an invalid address: same 400, same message.
  if (typeof fields.email !== 'string') throw new InvalidAddressError('missing');
  // A cadence that is not enabled is ignored (the default applies), never an error: the answer stays the same.
  const cadence = enabled.find((name) => name === fields.cadence);
  return {
    email: fields.email,
    ...(typeof fields.website === 'string' ? { honeypot: fields.website } : {}),
    ...(cadence ? { cadence } : {}),
  };
}

/** The token from the query (links) or, for the button form, from the body. */
function tokenOf(request: HttpRequest): string {
  const fromQuery = request.query.get('token');
  if (fromQuery) return fromQuery;
  const fromBody = request.method === 'POST' ? new URLSearchParams((request.body ?? '').slice(0, MAX_BODY_BYTES)).get('token') : null;
  if (fromBody) return fromBody;
  throw new InvalidTokenError('missing');
}

function route(path: string): RouteName | undefined {
  const trimmed = path.replace(/\/+$/, '');
  return (Object.keys(SUBSCRIPTION_ROUTES) as RouteName[]).find((name) => trimmed.endsWith(`/${SUBSCRIPTION_ROUTES[name].path}`));
}

/**
 * The manage page (GET/HEAD: the choice in force and the form to change it; never changes state) and
 * its POST (stores the choice, then shows the same form with it).
 */
async function manageResponse(deps: SubscriptionApiDeps, request: HttpRequest, now: Date): Promise<HttpResponse> {
  const token = tokenOf(request);
  const manage = {
    store: deps.store,
    keyring: deps.keyring,
    editions: deps.editions ?? INSTANT_ONLY,
    ...(deps.log ? { log: deps.log } : {}),
  };
  let view: ManageView;
  let title: string;
  if (request.method === 'POST') {
    const body = (request.body ?? '').slice(0, MAX_BODY_BYTES);
    // Every field is stored by the change, the time zone included: from now on it is the subscriber's own.
    view = { preference: await changePreference(manage, token, new URLSearchParams(body), now), timeZoneChosen: true };
    title = 'Your choice is saved';
  } else {
    view = await currentPreference(manage, token, now);
    title = 'How often do you want the digest?';
  }
  const { preference } = view;
  const { cadences, timeZone } = manage.editions;
  const message = `You get it ${describePreference(preference)}. Nothing you have not read yet is skipped or sent twice when you change this.`;
  // Nothing to choose when instant is the only cadence enabled.
  const choosable = cadences.length > 1 || cadences.some((cadence) => cadence !== 'instant');
  const preferences = {
    url: routeUrl(deps.site, 'manage', token),
    cadences,
    current: preference,
    timeZones: offeredTimeZones([preference.timeZone, timeZone]),
    suggestBrowserZone: !view.timeZoneChosen,
  };
  return respond(
    deps,
    request,
    200,
    { title, message, ...(choosable ? { preferences } : {}) },
    {
      status: 'ok',
      message,
      cadence: preference.cadence,
      hour: String(preference.hour),
      weekday: String(preference.weekday),
      timeZone: preference.timeZone,
    },
  );
}

/** `confirm`: a GET or HEAD shows the confirm button, the POST it sends confirms. */
async function confirmResponse(deps: SubscriptionApiDeps, request: HttpRequest, links: LinkDeps, now: Date): Promise<HttpResponse> {
  const token = tokenOf(request);
  if (request.method !== 'POST') {
    // Mail gateways open every link in a message; a GET or HEAD that confirmed would enrol people
    // who never asked. The page only offers the button; the POST it sends confirms.
    verifyToken(token, 'confirm', deps.keyring, now);
    return respond(
      deps,
      request,
      200,
      {
        title: 'Confirm your subscription',
        message: 'Press the button to start receiving the digest by email. Nothing changes until you do.',
        action: {
          method: 'post',
          url: routeUrl(deps.site, 'confirm', token),
          label: 'Confirm subscription',
        },
      },
      { status: 'ok', message: 'POST to this URL to confirm.' },
    );
  }
  await confirm(links, token, now);
  const message = 'Your subscription is confirmed. The next digest will arrive by email; every one has a one-click unsubscribe link.';
  return respond(deps, request, 200, { title: 'Subscription confirmed', message }, { status: 'ok', message });
}

/** `unsubscribe`: the POST (a one-click client or the page's button) unsubscribes; a GET shows the button. */
async function unsubscribeResponse(deps: SubscriptionApiDeps, request: HttpRequest, links: LinkDeps, now: Date): Promise<HttpResponse> {
  const token = tokenOf(request);
  if (request.method === 'POST') {
    await unsubscribe(links, token, now);
    const message = 'You are unsubscribed and will receive no more digests. You can subscribe again at any time on our site.';
    return respond(deps, request, 200, { title: 'You are unsubscribed', message }, { status: 'ok', message });
  }
  checkUnsubscribeToken(deps.keyring, token, now);
  return respond(
    deps,
    request,
    200,
    {
      title: 'Unsubscribe?',
      message: 'Press the button to stop receiving the digest by email. Nothing changes until you do.',
      action: {
        method: 'post',
        url: routeUrl(deps.site, 'unsubscribe', token),
        label: 'Unsubscribe',
        fields: { 'List-Unsubscribe': 'One-Click' },
      },
    },
    { status: 'ok', message: 'POST to this URL to unsubscribe.' },
  );
}

/** Answers one request of the subscription API. Never throws: every failure becomes a response. */
export async function handleSubscriptionRequest(deps: SubscriptionApiDeps, request: HttpRequest, now: Date): Promise<HttpResponse> {
  const method = request.method.toUpperCase();
  const normalised = { ...request, method };
  try {
    // First of all: nothing is parsed, routed, throttled or stored for a request that bypassed CloudFront.
    verifyOrigin(normalised, deps.originVerify);
    const name = route(request.path);
    if (!name) throw new HttpFailure(404, 'not_found', 'Not found', 'There is nothing here.');
    if (!(SUBSCRIPTION_ROUTES[name].methods as readonly string[]).includes(method))
      throw new HttpFailure(405, 'method_not_allowed', 'Not allowed', 'This address does not accept that request.', {
        allow: SUBSCRIPTION_ROUTES[name].methods.join(', '),
      });
    const links = { store: deps.store, keyring: deps.keyring, ...(deps.log ? { log: deps.log } : {}) };

    if (name === 'subscribe') {
      const fields = subscribeFields(normalised, (deps.editions ?? INSTANT_ONLY).cadences);
      await subscribe(deps, { ...fields, ...(request.ip ? { ip: request.ip } : {}) }, now);
      return respond(
        deps,
        normalised,
        202,
        { title: 'Check your inbox', message: SUBSCRIBE_ACCEPTED_MESSAGE },
        { status: 'ok', message: SUBSCRIBE_ACCEPTED_MESSAGE },
      );
    }
    if (name === 'confirm') return await confirmResponse(deps, normalised, links, now);
    if (name === 'manage') return await manageResponse(deps, normalised, now);
    return await unsubscribeResponse(deps, normalised, links, now);
  } catch (error) {
    return errorResponse(deps, normalised, error);
  }
}
