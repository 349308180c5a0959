/**
 * Facts about the send queue that the stack and the local emulators share. Side-effect free (no SDK,
 * no CDK), so infra can import it.
 */

/**
 * Receives of a send-queue message before SQS moves it to the dead-letter queue. A message held back
 * for the quota waits longer each time ({@link holdBackSeconds}), so it is tried for about two and a
 * half days: SES's daily quota is a rolling 24 hours, and a stop must never end in the dead-letter queue.
 */
export const SEND_QUEUE_MAX_RECEIVES = 30;

/** The first hold-back of a message stopped by the quota or a refused sender. */
export const FIRST_HOLD_BACK_SECONDS = 30 * 60;
/** The longest: a quota that returns waits at most this long for the held messages to come back. */
export const MAX_HOLD_BACK_SECONDS = 2 * 60 * 60;

/**
 * How long a message received for the `receiveCount`-th time waits after a stop: 30 minutes, then
 * doubling up to two hours (30 min + 1 h + 28 × 2 h ≈ 57 h over {@link SEND_QUEUE_MAX_RECEIVES}
 * receives). Every receive counts towards the dead-letter limit, so a fixed 30 minutes would send a
 * whole edition there after 15 hours of quota.
 */
export function holdBackSeconds(receiveCount: number): number {
  const doublings = Math.max(0, Math.floor(receiveCount) - 1);
  return Math.min(FIRST_HOLD_BACK_SECONDS * 2 ** Math.min(doublings, 16), MAX_HOLD_BACK_SECONDS);
}
