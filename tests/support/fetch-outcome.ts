/** Assertions on `safeFetch` outcomes shared by the fetch tests. */
import { expect } from 'vitest';
import type { FetchOutcome } from '../../functions/adapters/http/safe-fetch.js';

/** Asserts `outcome` is of `kind` (showing the outcome when not) and narrows it to that kind. */
export function expectKind<K extends FetchOutcome['kind']>(outcome: FetchOutcome, kind: K): Extract<FetchOutcome, { kind: K }> {
  expect(outcome.kind, JSON.stringify(outcome).slice(0, 300)).toBe(kind);
  return outcome as Extract<FetchOutcome, { kind: K }>;
}
