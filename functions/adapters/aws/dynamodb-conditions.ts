/** Helpers shared by the DynamoDB adapters. */

/**
 * True when a write failed only because its condition did not hold. Checked by name rather than
 * `instanceof` so it holds even when a bundle ends up with two copies of the SDK's error classes.
 */
export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
