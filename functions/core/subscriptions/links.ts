/**
 * The subscription links that go into mail and pages. One place builds them so the API routes, the
 * confirmation mail and the digest mail's unsubscribe link can never disagree.
 */
import type { SiteConfig } from '../model.js';
import { signToken, type TokenKeyring } from '../tokens.js';

/** Path of each subscription route below the site's base URL. */
export const SUBSCRIPTION_ROUTES = {
  subscribe: 'api/subscribe',
  confirm: 'api/confirm',
  unsubscribe: 'api/unsubscribe',
} as const;

/** `<baseUrl>api/confirm?token=…` with a confirm token issued at `now` (valid for 72 h). */
export function confirmUrl(site: SiteConfig, keyring: TokenKeyring, subscriberId: string, now: Date): string {
  const token = signToken('confirm', subscriberId, keyring, now);
  return `${site.baseUrl}${SUBSCRIPTION_ROUTES.confirm}?token=${encodeURIComponent(token)}`;
}

/** `<baseUrl>api/unsubscribe?token=…`: the one-click (RFC 8058) target and the visible link. Never expires. */
export function unsubscribeUrl(site: SiteConfig, keyring: TokenKeyring, subscriberId: string, now: Date): string {
  const token = signToken('unsubscribe', subscriberId, keyring, now);
  return `${site.baseUrl}${SUBSCRIPTION_ROUTES.unsubscribe}?token=${encodeURIComponent(token)}`;
}
