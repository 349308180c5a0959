/**
 * Subscribers in a local JSON file (`npm start`, `gazette subscribers` without `--table`), and the same
 * rules in memory for tests and the dev server.
 *
 * The file is an array of records: `[{"email": "ann@example.org", "status": "confirmed"}, …]`; `id` and
 * the other fields of `SubscriberRecord` are optional when an operator writes it by hand (the id is
 * derived from the address). Every change re-reads the file, applies the same conditional rules as the
 * DynamoDB adapter, and replaces the file atomically (write a temporary file, then rename), one change at
 * a time per store instance.
 */
import type { Subscriber, SubscriberStatus } from '../../core/model.js';
import { ConfigError, InvalidAddressError } from '../../core/errors.js';
import type { SubscriberStore } from '../../core/publish/ports.js';
import { normaliseAddress, subscriberIdFor } from '../../core/subscriptions/address.js';
import type {
  FeedbackLedger,
  RateLimiter,
  RollingCounter,
  SubscriberRecord,
  SubscriptionStore,
  TransitionOptions,
  TransitionResult,
} from '../../core/subscriptions/ports.js';
import { countOne } from '../../core/subscriptions/rolling-window.js';
import { readIfExists, SerialQueue, writeJsonFile } from './atomic-file.js';

const STATUSES: readonly SubscriberStatus[] = ['pending', 'confirmed', 'unsubscribed', 'bounced', 'complained'];

/** Warns about a row that was skipped (bad address or status); the rest of the list still works. */
export type RowWarning = (message: string) => void;

/**
 * Applies the store rules to a map of records. Shared by the file and the memory store so both behave
 * exactly like the DynamoDB adapter's conditional writes.
 */
class RecordRules {
  constructor(readonly records: Map<string, SubscriberRecord>) {}

  reserveConfirmation(id: string, email: string, now: Date, cooldownStart: Date): boolean {
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
}

/** Sorted by id: the stable order both the publish port and the operator listing promise. */
function sortedById(records: Iterable<SubscriberRecord>): SubscriberRecord[] {
  return [...records].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function toSubscriber(record: SubscriberRecord): Subscriber {
  return { id: record.id, email: record.email, status: record.status };
}

/**
 * Parses the file's rows. Rows with an invalid address or status are skipped with a warning (one bad
 * row must not stop a digest run); a file that is not a JSON array is a `ConfigError`.
 */
export function parseSubscriberRows(text: string, source: string, warn: RowWarning): Map<string, SubscriberRecord> {
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
    const id = subscriberIdFor(normalised);
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

  reserveConfirmation(id: string, email: string, now: Date, cooldownStart: Date): Promise<boolean> {
    return this.change((rules) => {
      const result = rules.reserveConfirmation(id, email, now, cooldownStart);
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

/** Subscribers in a JSON file; a missing file is an empty list and is created on the first change. */
export class FileSubscribers extends RuleStore {
  constructor(
    /** Path of the JSON file, e.g. `subscribers.json` or `out/subscribers.json`. */
    readonly path: string,
    private readonly warn: RowWarning = () => undefined,
  ) {
    super();
  }

  protected async load(): Promise<Map<string, SubscriberRecord>> {
    const bytes = await readIfExists(this.path);
    return bytes === undefined ? new Map() : parseSubscriberRows(bytes.toString('utf8'), this.path, this.warn);
  }

  protected async save(records: Map<string, SubscriberRecord>): Promise<void> {
    await writeJsonFile(this.path, sortedById(records.values()));
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
