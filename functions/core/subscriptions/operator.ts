/**
 * The operator's list management (`gazette subscribers …`): add with a consent note, import, list,
 * remove. The same use cases run against the local file and the deployed DynamoDB table.
 *
 * Decisions:
 * - An operator-added address is `confirmed` at once: the operator vouches for consent, and the note
 *   (required, e.g. "consent: signed up at the fair, 2025-05-01") is the record of it. It is stored,
 *   listed and exported, never rendered into mail.
 * - Adding never overrides a person's own choice or the mail system's verdict: an `unsubscribed`,
 *   `bounced` or `complained` address stays as it is and the command says so. A `pending` one becomes
 *   `confirmed`; a `confirmed` one is left alone.
 * - `remove` deletes the record (an erasure request). It also forgets a bounce or complaint, so the
 *   command warns; SES's own suppression list still protects the sender.
 */
import { GazetteError, InvalidAddressError } from '../errors.js';
import type { SubscriberStatus } from '../model.js';
import { normaliseAddress, storedSubscriberId } from './address.js';
import type { SubscriberRecord, SubscriberSource, SubscriptionStore } from './ports.js';

/** Operator input that cannot be used (missing or unusable consent note). */
export class OperatorInputError extends GazetteError {
  override name = 'OperatorInputError';
}

/** Longest consent note kept; it is a record, not a document. */
export const MAX_CONSENT_NOTE_CHARS = 500;

/** What the operator use cases need. */
export interface OperatorDeps {
  store: Pick<SubscriptionStore, 'transition' | 'listAll' | 'remove' | 'get'>;
  /** The subscriber id key (see `subscriberIdFor`). */
  idKey: string;
}

/** Result of adding one address. */
export interface AddResult {
  email: string;
  id: string;
  /** `added`: new record; `confirmed`: was pending; `unchanged`: kept as `status`. */
  outcome: 'added' | 'confirmed' | 'unchanged';
  status: SubscriberStatus;
}

function checkedNote(note: string | undefined): string {
  const trimmed = (note ?? '').trim();
  if (trimmed.length === 0) throw new OperatorInputError('a consent note is required (--note "consent: …")');
  if (trimmed.length > MAX_CONSENT_NOTE_CHARS)
    throw new OperatorInputError(`the consent note is longer than ${MAX_CONSENT_NOTE_CHARS} characters`);
  // One line: it ends up in CSV exports and terminal listings.
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(trimmed))
    throw new OperatorInputError('the consent note must be one line of text without control characters');
  return trimmed;
}

/** Adds one address as confirmed with a consent note. Throws `InvalidAddressError` or `OperatorInputError`. */
export async function addSubscriber(
  deps: OperatorDeps,
  input: { email: string; note: string | undefined; source?: SubscriberSource },
  now: Date,
): Promise<AddResult> {
  const note = checkedNote(input.note);
  const email = normaliseAddress(input.email);
  const id = await storedSubscriberId(deps.store, email, deps.idKey);
  const existed = (await deps.store.get(id)) !== undefined;
  const result = await deps.store.transition(id, ['pending'], 'confirmed', now, {
    createWith: { email, source: input.source ?? 'operator' },
    consentNote: note,
    stampConfirmedAt: true,
  });
  if (result.outcome === 'missing') throw new Error('store answered "missing" for a create');
  if (result.outcome === 'unchanged') return { email, id, outcome: 'unchanged', status: result.record.status };
  return { email, id, outcome: existed ? 'confirmed' : 'added', status: result.record.status };
}

/** One row of an import (the CLI parses the CSV). `line` is for error messages. */
export interface ImportRow {
  line: number;
  email: string;
  note?: string;
}

/** What an import did, row by row. */
export interface ImportReport {
  results: AddResult[];
  /** Rows refused, with the reason (the address is not repeated: it may be the problem). */
  rejected: { line: number; reason: string }[];
}

/**
 * Imports rows as confirmed subscribers; a row without its own note uses `defaultNote`. A bad row is
 * reported and skipped; the others are still imported.
 */
export async function importSubscribers(
  deps: OperatorDeps,
  rows: ImportRow[],
  defaultNote: string | undefined,
  now: Date,
): Promise<ImportReport> {
  const report: ImportReport = { results: [], rejected: [] };
  for (const row of rows) {
    try {
      const note = row.note !== undefined && row.note.trim() !== '' ? row.note : defaultNote;
      report.results.push(await addSubscriber(deps, { email: row.email, note, source: 'import' }, now));
    } catch (error) {
      if (error instanceof InvalidAddressError) report.rejected.push({ line: row.line, reason: `invalid address (${error.reason})` });
      else if (error instanceof OperatorInputError) report.rejected.push({ line: row.line, reason: error.message });
      else throw error;
    }
  }
  return report;
}

/** Every subscriber with its status, sorted by id. */
export function listSubscribers(deps: Pick<OperatorDeps, 'store'>): Promise<SubscriberRecord[]> {
  return deps.store.listAll();
}

/** Deletes an address's record; answers what was removed (undefined when there was none). */
export async function removeSubscriber(deps: OperatorDeps, email: string): Promise<SubscriberRecord | undefined> {
  const id = await storedSubscriberId(deps.store, normaliseAddress(email), deps.idKey);
  const existing = await deps.store.get(id);
  if (!existing) return undefined;
  await deps.store.remove(id);
  return existing;
}
