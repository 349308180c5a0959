/**
 * The local side of subscriptions: subscribers in the state database (`npm start`, `npm run serve`,
 * `gazette subscribers` without `--table`), the same rules in memory for tests and the dev server, and
 * the in-memory feedback ledger, rolling counter and rate limiter the local servers use.
 *
 * A subscribers file (`subscribers.example.json`) is read-only seed input: an array of records,
 * `[{"email": "ann@example.org", "status": "confirmed"}, …]`, where `id` and the other fields of
 * `SubscriberRecord` are optional (the id is derived from the address). Sign-ups and status changes go
 * to the database only, never into the file, which is tracked by git.
 */
import type { Cadence, CadencePreference } from '../../core/editions/edition.js';
import type { Subscriber, SubscriberStatus } from '../../core/model.js';
import { ConfigError, InvalidAddressError } from '../../core/errors.js';
import type { SubscriberStore } from '../../core/publish/ports.js';
import { legacySubscriberIdFor, normaliseAddress, subscriberIdFor } from '../../core/subscriptions/address.js';
import type {
  FeedbackLedger,
  RateLimiter,
  RollingCounter,
  SubscriberRecord,
  SubscriptionStore,
  TransitionOptions,
  TransitionResult,
} from '../../core/subscriptions/ports.js';
import { toSubscriber } from '../../core/subscriptions/ports.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { countOne } from '../../core/subscriptions/rolling-window.js';
import { SerialQueue } from './atomic-file.js';
import type { LocalState } from './local-state.js';

const STATUSES: readonly SubscriberStatus[] = ['pending', 'confirmed', 'unsubscribed', 'bounced', 'complained'];

/** Warns about a row that was skipped (bad address or status); the rest of the list still works. */
export type RowWarning = (message: string) => void;

/**
 * Applies the store rules to a map of records. Shared by the file and the memory store so both behave
 * exactly like the DynamoDB adapter's conditional writes.
 */
class RecordRules {
  constructor(readonly records: Map<string, SubscriberRecord>) {}

  reserveConfirmation(id: string, email: string, now: Date, cooldownStart: Date, cadence?: Cadence): boolean {
    const existing = this.records.get(id);
    if (existing && existing.status !== 'pending' && existing.status !== 'unsubscribed') return false;
    // ISO strings of UTC dates compare in time order, exactly as DynamoDB compares them.
    if (existing?.lastConfirmationAt !== undefined && existing.lastConfirmationAt >= cooldownStart.toISOString()) return false;
    const at = now.toISOString();
    this.records.set(id, {
      ...(existing ?? { id, createdAt: at, source: 'form' as const }),
      email,
      status: 'pending',
      updatedAt: at,
      lastConfirmationAt: at,
      ...(cadence ? { cadence } : {}),
    });
    return true;
  }

  releaseConfirmation(id: string, reservedAt: Date): boolean {
    const existing = this.records.get(id);
    if (!existing || existing.lastConfirmationAt !== reservedAt.toISOString()) return false;
    const { lastConfirmationAt: _dropped, ...rest } = existing;
    this.records.set(id, rest);
    return true;
  }

  transition(id: string, from: readonly SubscriberStatus[], to: SubscriberStatus, now: Date, options: TransitionOptions): TransitionResult {
    const existing = this.records.get(id);
    const at = now.toISOString();
    if (!existing) {
      if (!options.createWith) return { outcome: 'missing' };
      const created: SubscriberRecord = {
        id,
        email: options.createWith.email,
        status: to,
        createdAt: at,
        updatedAt: at,
        source: options.createWith.source,
        ...(options.consentNote !== undefined ? { consentNote: options.consentNote } : {}),
        ...(options.reason !== undefined ? { statusReason: options.reason } : {}),
        ...(options.stampConfirmedAt ? { confirmedAt: at } : {}),
      };
      this.records.set(id, created);
      return { outcome: 'changed', record: created };
    }
    if (!from.includes(existing.status)) return { outcome: 'unchanged', record: existing };
    const changed: SubscriberRecord = {
      ...existing,
      status: to,
      updatedAt: at,
      ...(options.reason !== undefined ? { statusReason: options.reason } : {}),
      ...(options.stampConfirmedAt ? { confirmedAt: at } : {}),
      ...(options.consentNote !== undefined ? { consentNote: options.consentNote } : {}),
    };
    this.records.set(id, changed);
    return { outcome: 'changed', record: changed };
  }

  /** Moves the cursor forward only (ISO UTC strings compare in time order, as in DynamoDB). */
  advanceCursor(id: string, cursor: string): boolean {
    const existing = this.records.get(id);
    if (!existing || (existing.cursor !== undefined && existing.cursor >= cursor)) return false;
    this.records.set(id, { ...existing, cursor });
    return true;
  }

  setPreference(id: string, preference: CadencePreference, now: Date): SubscriberRecord | undefined {
    const existing = this.records.get(id);
    if (!existing) return undefined;
    const changed: SubscriberRecord = { ...existing, ...preference, updatedAt: now.toISOString() };
    this.records.set(id, changed);
    return changed;
  }
}

/** Sorted by id: the stable order both the publish port and the operator listing promise. */
function sortedById(records: Iterable<SubscriberRecord>): SubscriberRecord[] {
  return [...records].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Parses the file's rows. Rows with an invalid address or status are skipped with a warning (one bad
 * row must not stop a digest run); a file that is not a JSON array is a `ConfigError`.
 */
export function parseSubscriberRows(text: string, source: string, warn: RowWarning, idKey: string): Map<string, SubscriberRecord> {
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${source}: not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(rows)) throw new ConfigError(`${source}: expected a JSON array of {"email","status"} objects`);
  const records = new Map<string, SubscriberRecord>();
  rows.forEach((row: unknown, index) => {
    const { email, status } = (row ?? {}) as { email?: unknown; status?: unknown };
    if (typeof email !== 'string' || typeof status !== 'string' || !STATUSES.includes(status as SubscriberStatus)) {
      warn(`${source}: row ${index + 1} skipped: needs "email" and a "status" of ${STATUSES.join(', ')}`);
      return;
    }
    let normalised: string;
    try {
      normalised = normaliseAddress(email);
    } catch (error) {
      if (!(error instanceof InvalidAddressError)) throw error;
      warn(`${source}: row ${index + 1} skipped: invalid address (${error.reason})`);
      return;
    }
    // The id is always derived, never trusted from the file: a hand-edited id must not split a person in two.
    const id = subscriberIdFor(normalised, idKey);
    records.set(id, { ...(row as SubscriberRecord), id, email: normalised, status: status as SubscriberStatus });
  });
  return records;
}

/** The subscriber stores both adapters offer: the publish port plus the subscription port. */
export type LocalSubscribers = SubscriberStore & SubscriptionStore;

abstract class RuleStore implements LocalSubscribers {
  /** Two requests of one process never interleave a read-modify-write. */
  private readonly queue = new SerialQueue();

  protected abstract load(): Promise<Map<string, SubscriberRecord>>;
  protected abstract save(records: Map<string, SubscriberRecord>): Promise<void>;

  private change<T>(apply: (rules: RecordRules) => { result: T; dirty: boolean }): Promise<T> {
    return this.queue.run(async () => {
      const rules = new RecordRules(await this.load());
      const { result, dirty } = apply(rules);
      if (dirty) await this.save(rules.records);
      return result;
    });
  }

  /**
   * Runs `work` against one in-memory copy of the records and saves once at the end, so an import of
   * n rows reads and writes the file once instead of n times. Nothing is saved if `work` throws.
   */
  batch<T>(work: (store: LocalSubscribers) => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      const copy = new MemorySubscribers((await this.load()).values());
      const result = await work(copy);
      await this.save(new Map((await copy.listAll()).map((record) => [record.id, record])));
      return result;
    });
  }

  async listConfirmed(): Promise<Subscriber[]> {
    return sortedById((await this.load()).values())
      .filter((record) => record.status === 'confirmed')
      .map(toSubscriber);
  }

  async get(id: string): Promise<SubscriberRecord | undefined> {
    return (await this.load()).get(id);
  }

  async listAll(): Promise<SubscriberRecord[]> {
    return sortedById((await this.load()).values());
  }

  reserveConfirmation(id: string, email: string, now: Date, cooldownStart: Date, cadence?: Cadence): Promise<boolean> {
    return this.change((rules) => {
      const result = rules.reserveConfirmation(id, email, now, cooldownStart, cadence);
      return { result, dirty: result };
    });
  }

  async releaseConfirmation(id: string, reservedAt: Date): Promise<void> {
    await this.change((rules) => ({ result: undefined, dirty: rules.releaseConfirmation(id, reservedAt) }));
  }

  transition(
    id: string,
    from: readonly SubscriberStatus[],
    to: SubscriberStatus,
    now: Date,
    options: TransitionOptions = {},
  ): Promise<TransitionResult> {
    return this.change((rules) => {
      const result = rules.transition(id, from, to, now, options);
      return { result, dirty: result.outcome === 'changed' };
    });
  }

  remove(id: string): Promise<boolean> {
    return this.change((rules) => {
      const result = rules.records.delete(id);
      return { result, dirty: result };
    });
  }

  async advanceCursor(id: string, cursor: string): Promise<void> {
    await this.change((rules) => ({ result: undefined, dirty: rules.advanceCursor(id, cursor) }));
  }

  setPreference(id: string, preference: CadencePreference, now: Date): Promise<SubscriberRecord | undefined> {
    return this.change((rules) => {
      const result = rules.setPreference(id, preference, now);
      return { result, dirty: result !== undefined };
    });
  }
}

/** Subscribers kept in memory only: unit tests and the in-process dev server. */
export class MemorySubscribers extends RuleStore {
  private records: Map<string, SubscriberRecord>;

  constructor(initial: Iterable<SubscriberRecord> = []) {
    super();
    this.records = new Map([...initial].map((record) => [record.id, { ...record }]));
  }

  protected async load(): Promise<Map<string, SubscriberRecord>> {
    return new Map([...this.records].map(([id, record]) => [id, { ...record }]));
  }

  protected async save(records: Map<string, SubscriberRecord>): Promise<void> {
    this.records = new Map(records);
  }
}

/** Options of `SqliteSubscribers`. */
export interface SqliteSubscribersOptions {
  /**
   * A JSON file of `{"email","status"}` rows (e.g. `subscribers.example.json`), READ-ONLY input: each
   * row is copied into the database once (remembered per file and id, so a later change or a removal
   * in the database sticks) and the file itself is never written.
   */
  seedFile?: string;
  /** Warns about a skipped row of the seed file. */
  warn?: RowWarning;
  /** The subscriber id key, which gives the seed file's rows their ids; needed with `seedFile`. */
  idKey?: string;
}

interface SubscriberRow {
  record: string;
}

/**
 * Local subscribers in the state database (`npm start`, `npm run serve`, `gazette subscribers` without
 * `--table`). Every change is one `BEGIN IMMEDIATE` transaction that reads the record, applies the same
 * rules as the DynamoDB adapter's conditional writes and writes it back, so `serve` and the
 * subscribers command can change the list at the same time.
 */
export class SqliteSubscribers implements LocalSubscribers {
  private seeded = false;

  constructor(
    private readonly state: LocalState,
    private readonly options: SqliteSubscribersOptions = {},
  ) {}

  async listConfirmed(): Promise<Subscriber[]> {
    return this.select("WHERE status = 'confirmed'").map(toSubscriber);
  }

  async get(id: string): Promise<SubscriberRecord | undefined> {
    return this.read(id);
  }

  async listAll(): Promise<SubscriberRecord[]> {
    return this.select('');
  }

  async reserveConfirmation(id: string, email: string, now: Date, cooldownStart: Date, cadence?: Cadence): Promise<boolean> {
    return this.change(id, (rules) => rules.reserveConfirmation(id, email, now, cooldownStart, cadence));
  }

  async releaseConfirmation(id: string, reservedAt: Date): Promise<void> {
    this.change(id, (rules) => rules.releaseConfirmation(id, reservedAt));
  }

  async transition(
    id: string,
    from: readonly SubscriberStatus[],
    to: SubscriberStatus,
    now: Date,
    options: TransitionOptions = {},
  ): Promise<TransitionResult> {
    return this.change(id, (rules) => rules.transition(id, from, to, now, options));
  }

  async advanceCursor(id: string, cursor: string): Promise<void> {
    this.change(id, (rules) => rules.advanceCursor(id, cursor));
  }

  async setPreference(id: string, preference: CadencePreference, now: Date): Promise<SubscriberRecord | undefined> {
    return this.change(id, (rules) => rules.setPreference(id, preference, now));
  }

  async remove(id: string): Promise<boolean> {
    this.seed();
    const remove = this.state.db.prepare('DELETE FROM subscribers WHERE id = ?');
    return this.state.immediate(() => remove.run(id).changes === 1);
  }

  /**
   * Runs `work` against one in-memory copy and writes what it changed in one transaction at the end,
   * so an import is all or nothing. Records the batch did not change are left alone.
   */
  async batch<T>(work: (store: LocalSubscribers) => Promise<T>): Promise<T> {
    const before = new Map(this.select('').map((record) => [record.id, JSON.stringify(record)]));
    const copy = new MemorySubscribers(this.select(''));
    const result = await work(copy);
    const after = await copy.listAll();
    const write = this.state.db.prepare('INSERT OR REPLACE INTO subscribers (id, status, record) VALUES (?, ?, ?)');
    const remove = this.state.db.prepare('DELETE FROM subscribers WHERE id = ?');
    this.state.immediate(() => {
      const kept = new Set<string>();
      for (const record of after) {
        kept.add(record.id);
        const json = JSON.stringify(record);
        if (before.get(record.id) !== json) write.run(record.id, record.status, json);
      }
      for (const id of before.keys()) if (!kept.has(id)) remove.run(id);
    });
    return result;
  }

  /** Copies the seed file's rows not copied before into the database (once per instance). */
  private seed(): void {
    if (this.seeded || this.options.seedFile === undefined) return;
    const path = this.options.seedFile;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.seeded = true;
      return;
    }
    if (this.options.idKey === undefined) throw new Error(`${path}: seeding subscribers needs the subscriber id key`);
    const rows = parseSubscriberRows(text, path, this.options.warn ?? (() => undefined), this.options.idKey);
    const source = resolve(path);
    const mark = this.state.db.prepare('INSERT OR IGNORE INTO subscriber_seeds (source, id) VALUES (?, ?)');
    const marked = this.state.db.prepare('SELECT 1 FROM subscriber_seeds WHERE source = ? AND id = ?');
    const stored = this.state.db.prepare('SELECT 1 FROM subscribers WHERE id = ?');
    const insert = this.state.db.prepare('INSERT OR IGNORE INTO subscribers (id, status, record) VALUES (?, ?, ?)');
    this.state.immediate(() => {
      for (const record of rows.values()) {
        // A row copied before ids were keyed was copied under its legacy id: copying it again would
        // give one person two records (two digests) and undo a removal or a status change.
        const legacy = legacySubscriberIdFor(record.email);
        const copiedBefore = marked.get(source, legacy) !== undefined || stored.get(legacy) !== undefined;
        if (mark.run(source, record.id).changes === 1 && !copiedBefore) insert.run(record.id, record.status, JSON.stringify(record));
      }
    });
    this.seeded = true;
  }

  private select(where: string): SubscriberRecord[] {
    this.seed();
    return this.state.db
      .prepare<[], SubscriberRow>(`SELECT record FROM subscribers ${where} ORDER BY id`)
      .all()
      .map((row) => JSON.parse(row.record) as SubscriberRecord);
  }

  private read(id: string): SubscriberRecord | undefined {
    this.seed();
    const row = this.state.db.prepare<[string], SubscriberRow>('SELECT record FROM subscribers WHERE id = ?').get(id);
    return row ? (JSON.parse(row.record) as SubscriberRecord) : undefined;
  }

  /** Applies one rule to the record `id` inside a transaction; writes only when the rule changed something. */
  private change<T>(id: string, apply: (rules: RecordRules) => T): T {
    this.seed();
    const write = this.state.db.prepare('INSERT OR REPLACE INTO subscribers (id, status, record) VALUES (?, ?, ?)');
    const remove = this.state.db.prepare('DELETE FROM subscribers WHERE id = ?');
    return this.state.immediate(() => {
      const existing = this.read(id);
      const rules = new RecordRules(new Map(existing ? [[id, existing]] : []));
      const result = apply(rules);
      const next = rules.records.get(id);
      if (next === existing) return result;
      if (next) write.run(id, next.status, JSON.stringify(next));
      else remove.run(id);
      return result;
    });
  }
}

/** Processed SES notifications in memory (the local stack has no SES; tests and dev use this). */
export class MemoryFeedbackLedger implements FeedbackLedger {
  /** Completed keys and when they may be forgotten (ms since the epoch). */
  private readonly done = new Map<string, number>();

  async isDone(key: string, now: Date): Promise<boolean> {
    const until = this.done.get(key);
    return until !== undefined && until >= now.getTime();
  }

  async markDone(key: string, _now: Date, expiresAt: Date): Promise<void> {
    this.done.set(key, expiresAt.getTime());
  }
}

/** Rolling-window counters in memory (the local server's cap on confirmation mails). */
export class MemoryRollingCounter implements RollingCounter {
  private readonly counters = new Map<string, Record<string, number>>();

  async take(key: string, now: Date, windowMs: number, limit: number): Promise<boolean> {
    const next = countOne(this.counters.get(key) ?? {}, now, windowMs, limit);
    if (next) this.counters.set(key, next);
    return next !== undefined;
  }
}

/** Fixed-window request counter in memory (the dev server's per-IP throttle). */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { start: number; hits: number }>();

  async hit(key: string, now: Date, windowMs: number, limit: number): Promise<boolean> {
    const start = Math.floor(now.getTime() / windowMs) * windowMs;
    const current = this.windows.get(key);
    const window = current && current.start === start ? current : { start, hits: 0 };
    if (window.hits >= limit) return false;
    window.hits += 1;
    this.windows.set(key, window);
    return true;
  }
}
