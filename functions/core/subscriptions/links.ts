/**
 * The subscription API's route table and the links built from it. One table, read by the API's
 * dispatch, the stack's API Gateway routes and throttles, CloudFront's `/api/*` behaviour, the local
 * servers and every link in mail and pages, so none of them can disagree.
 */
import type { SiteConfig } from '../model.js';
import { signToken, type TokenKeyring } from '../tokens.js';

/** Where the API lives below the site's base URL: CloudFront sends `/api/*` to it, robots skip it. */
export const API_PREFIX = 'api/';

/**
 * Every route of the subscription API: its path below the base URL and the methods it answers (HEAD is
 * answered like GET without a body; API Gateway routes it with GET).
 */
export const SUBSCRIPTION_ROUTES = {
  subscribe: { path: `${API_PREFIX}subscribe`, methods: ['POST'] },
  confirm: { path: `${API_PREFIX}confirm`, methods: ['GET', 'HEAD', 'POST'] },
  unsubscribe: { path: `${API_PREFIX}unsubscribe`, methods: ['GET', 'HEAD', 'POST'] },
  /** The signed page where a subscriber changes how often they get editions (GET shows, POST changes). */
  manage: { path: `${API_PREFIX}manage`, methods: ['GET', 'HEAD', 'POST'] },
} as const;

/** The name of one route. */
export type RouteName = keyof typeof SUBSCRIPTION_ROUTES;

/** `<baseUrl><route path>`, plus `?token=…` when a token is given. */
export function routeUrl(site: SiteConfig, route: RouteName, token?: string): string {
  const url = `${site.baseUrl}${SUBSCRIPTION_ROUTES[route].path}`;
  return token === undefined ? url : `${url}?token=${encodeURIComponent(token)}`;
}

/** `<baseUrl>api/confirm?token=…` with a confirm token issued at `now` (valid for 72 h). */
export function confirmUrl(site: SiteConfig, keyring: TokenKeyring, subscriberId: string, now: Date): string {
  return routeUrl(site, 'confirm', signToken('confirm', subscriberId, keyring, now));
}

/** `<baseUrl>api/unsubscribe?token=…`: the one-click (RFC 8058) target and the visible link. Never expires. */
export function unsubscribeUrl(site: SiteConfig, keyring: TokenKeyring, subscriberId: string, now: Date): string {
  return routeUrl(site, 'unsubscribe', signToken('unsubscribe', subscriberId, keyring, now));
}

/** `<baseUrl>api/manage?token=…`: the link in every edition to change cadence. Never expires, like unsubscribe. */
export function manageUrl(site: SiteConfig, keyring: TokenKeyring, subscriberId: string, now: Date): string {
  return routeUrl(site, 'manage', signToken('manage', subscriberId, keyring, now));
}
