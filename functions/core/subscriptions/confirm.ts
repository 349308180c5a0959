/**
 * `confirm` and `unsubscribe`: what the links in our mails do.
 *
 * Decisions:
 * - Confirm moves only `pending` to `confirmed`; a second click on the same link is answered as a
 *   success and changes nothing. A valid confirm link of an address that has since unsubscribed, bounced,
 *   complained or been removed does NOT bring it back: it is answered like an expired link.
 * - Unsubscribe moves `pending` and `confirmed` to `unsubscribed` at once (RFC 8058 one-click: no
 *   cookie, no second step). Repeating it, or using it for an address that is already unsubscribed,
 *   bounced, complained or unknown, answers the same success and changes nothing (idempotent; bounced
 *   and complained are stronger stops and stay).
 * - A forged, truncated, cross-purpose or expired token throws `InvalidTokenError` before any read or
 *   write, so it can change nothing.
 */
import { InvalidTokenError } from '../errors.js';
import { verifyToken, type TokenKeyring } from '../tokens.js';
import type { Log, SubscriptionStore } from './ports.js';

/** What `confirm` and `unsubscribe` need. */
export interface LinkDeps {
  store: Pick<SubscriptionStore, 'transition'>;
  keyring: TokenKeyring;
  log?: Log;
}

/** Result of a confirm link. */
export type ConfirmOutcome = 'confirmed' | 'already-confirmed';

/** Confirms the subscriber named by a confirm token. Throws `InvalidTokenError` for any unusable link. */
export async function confirm(deps: LinkDeps, token: string, now: Date): Promise<ConfirmOutcome> {
  const { subscriberId } = verifyToken(token, 'confirm', deps.keyring, now);
  const result = await deps.store.transition(subscriberId, ['pending'], 'confirmed', now, { stampConfirmedAt: true });
  if (result.outcome === 'changed') {
    deps.log?.('info', 'confirm: subscriber confirmed', { subscriberId });
    return 'confirmed';
  }
  if (result.outcome === 'unchanged' && result.record.status === 'confirmed') return 'already-confirmed';
  deps.log?.('info', 'confirm: link of an inactive subscriber', {
    subscriberId,
    status: result.outcome === 'missing' ? 'missing' : result.record.status,
  });
  throw new InvalidTokenError('subscriber not pending');
}

/** Result of an unsubscribe request; both are shown the same way. */
export type UnsubscribeOutcome = 'unsubscribed' | 'already-inactive';

/** Unsubscribes the subscriber named by an unsubscribe token (POST only). Throws `InvalidTokenError`. */
export async function unsubscribe(deps: LinkDeps, token: string, now: Date): Promise<UnsubscribeOutcome> {
  const { subscriberId } = verifyToken(token, 'unsubscribe', deps.keyring, now);
  const result = await deps.store.transition(subscriberId, ['pending', 'confirmed'], 'unsubscribed', now, { reason: 'one-click' });
  deps.log?.('info', 'unsubscribe', { subscriberId, outcome: result.outcome });
  return result.outcome === 'changed' ? 'unsubscribed' : 'already-inactive';
}

/**
 * Checks an unsubscribe token without changing anything (the GET/HEAD page that shows the button).
 * Throws `InvalidTokenError` for an unusable link, so the page can say so instead of offering a button
 * that cannot work.
 */
export function checkUnsubscribeToken(keyring: TokenKeyring, token: string, now: Date): void {
  verifyToken(token, 'unsubscribe', keyring, now);
}
