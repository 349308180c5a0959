/**
 * Facts about the send queue that the stack and the local emulators share. Side-effect free (no SDK,
 * no CDK), so infra can import it.
 */

/**
 * Receives of a send-queue message before SQS moves it to the dead-letter queue. A message held back
 * for the quota (30 minutes each time, functions/handlers/sender.ts) is tried for about 15 hours.
 */
export const SEND_QUEUE_MAX_RECEIVES = 30;
