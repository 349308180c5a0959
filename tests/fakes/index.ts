/**
 * Small in-memory fakes of the publish ports, for unit tests of the core. Each keeps what it was given
 * so tests can assert on it; none of them mocks a module.
 */
import { articleFile } from '../../functions/adapters/article-files.js';
import type { ArchiveEntry, Digest, OutgoingMail, RawArticle, RefusedArticle, SiteFile, Subscriber } from '../../functions/core/model.js';
import type { DeliveryId } from '../../functions/core/publish/delivery.js';
import { archiveEntry } from '../../functions/core/publish/digest.js';
import type { PublishDeps, PublishSettings } from '../../functions/core/publish/publish-digests.js';
import { buildMailConfig } from '../../functions/core/settings.js';
import type {
  Archive,
  ArchivePutOutcome,
  ArticleSource,
  ClaimOutcome,
  Clock,
  DeliveryLedger,
  FailedSend,
  Mailer,
  PublishResult,
  RunLease,
  SendOutcome,
  SiteMark,
  SitePublisher,
  SubscriberStore,
} from '../../functions/core/publish/ports.js';

/** A clock that only moves when told to. */
export class FixedClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(date: Date): void {
    this.current = new Date(date);
  }
}

/** Articles from memory, named like files (the extension gives the format); `put` adds or replaces one by name. */
export class MemorySource implements ArticleSource {
  private readonly files = new Map<string, Uint8Array>();
  constructor(files: Record<string, string | Uint8Array> = {}) {
    for (const [name, body] of Object.entries(files)) this.put(name, body);
  }
  put(name: string, body: string | Uint8Array): void {
    this.files.set(name, typeof body === 'string' ? new TextEncoder().encode(body) : body);
  }
  async list(): Promise<(RawArticle | RefusedArticle)[]> {
    return [...this.files.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, bytes]) => articleFile(name, bytes));
  }
  /** What each `settle` call was told had failed, in order. */
  readonly settled: string[][] = [];
  async settle(failed: ReadonlySet<string>): Promise<void> {
    this.settled.push([...failed].sort());
  }
}

/**
 * The archive as a map, with the same conditional-write rule as the real adapters. It counts how it was
 * read, so a test can show that a run with nothing new never reads the whole archive.
 */
export class MemoryArchive implements Archive {
  readonly digests = new Map<string, Digest>();
  puts = 0;
  /** Calls of each read: `list` (every digest), `entries` (every entry), and the bounded ones. */
  readonly reads = { list: 0, get: 0, entries: 0, entriesSeenAfter: 0 };
  async list(): Promise<Digest[]> {
    this.reads.list += 1;
    return [...this.digests.values()].map((digest) => structuredClone(digest));
  }
  async get(ids: readonly string[]): Promise<Digest[]> {
    this.reads.get += 1;
    return [...new Set(ids)].flatMap((id) => {
      const digest = this.digests.get(id);
      return digest ? [structuredClone(digest)] : [];
    });
  }
  async entries(): Promise<ArchiveEntry[]> {
    this.reads.entries += 1;
    return [...this.digests.values()].map(archiveEntry);
  }
  async entriesSeenAfter(instant: string): Promise<ArchiveEntry[]> {
    this.reads.entriesSeenAfter += 1;
    return [...this.digests.values()].filter((digest) => digest.firstSeen > instant).map(archiveEntry);
  }
  async put(digest: Digest, expectedHash: string | undefined): Promise<ArchivePutOutcome> {
    const stored = this.digests.get(digest.id);
    if (stored?.contentHash !== expectedHash) return 'conflict';
    this.puts += 1;
    this.digests.set(digest.id, structuredClone(digest));
    return 'stored';
  }
}

/** Keeps published files by path and skips identical bytes, like the real publishers. */
export class MemorySite implements SitePublisher {
  readonly files = new Map<string, SiteFile>();
  writes = 0;
  /** Files handed to `publish` (rendered), written or not. */
  rendered = 0;
  mark: SiteMark | undefined;
  async readMark(): Promise<SiteMark | undefined> {
    return this.mark && { ...this.mark };
  }
  async writeMark(mark: SiteMark | undefined): Promise<void> {
    this.mark = mark && { ...mark };
  }
  async remove(paths: string[]): Promise<void> {
    for (const path of paths) this.files.delete(path);
  }
  async publish(files: SiteFile[]): Promise<PublishResult> {
    const result: PublishResult = { written: [], unchanged: [] };
    this.rendered += files.length;
    for (const file of files) {
      const stored = this.files.get(file.path);
      if (stored && Buffer.compare(stored.body, file.body) === 0) {
        result.unchanged.push(file.path);
      } else {
        this.files.set(file.path, file);
        this.writes += 1;
        result.written.push(file.path);
      }
    }
    return result;
  }
}

/** The publisher's readers (`SubscriberStore`), in memory: a fixed list; only confirmed ones are listed, as the port promises. */
export class MemoryReaders implements SubscriberStore {
  /** Every cursor move asked for, in order (a run with nothing due asks for none). */
  readonly cursorMoves: { id: string; cursor: string }[] = [];
  /** The list as it now stands (cursors moved); a copy, so the caller's array is never changed. */
  readonly all: Subscriber[];
  constructor(people: readonly Subscriber[]) {
    this.all = people.map((person) => ({ ...person }));
  }
  async listConfirmed(): Promise<Subscriber[]> {
    return this.all.filter((subscriber) => subscriber.status === 'confirmed').map((subscriber) => ({ ...subscriber }));
  }
  async advanceCursor(id: string, cursor: string): Promise<void> {
    this.cursorMoves.push({ id, cursor });
    const index = this.all.findIndex((subscriber) => subscriber.id === id);
    const current = this.all[index];
    if (current && (current.cursor === undefined || current.cursor < cursor)) this.all[index] = { ...current, cursor };
  }
}

/** One ledger entry. */
export interface LedgerEntry {
  status: 'claimed' | 'sent' | 'failed';
  messageId?: string;
}

/** The delivery ledger as a map keyed `deliveryId|subscriberId` (one digest's delivery id is the digest id). */
export class MemoryLedger implements DeliveryLedger {
  readonly entries = new Map<string, LedgerEntry>();
  async claim(deliveryId: DeliveryId, subscriberId: string, _at?: Date): Promise<ClaimOutcome> {
    const key = `${deliveryId}|${subscriberId}`;
    if (this.entries.has(key)) return 'already-claimed';
    this.entries.set(key, { status: 'claimed' });
    return 'claimed';
  }
  async markSent(deliveryId: DeliveryId, subscriberId: string, messageId: string): Promise<void> {
    this.entries.set(`${deliveryId}|${subscriberId}`, { status: 'sent', messageId });
  }
  async markFailed(deliveryId: DeliveryId, subscriberId: string): Promise<void> {
    this.entries.set(`${deliveryId}|${subscriberId}`, { status: 'failed' });
  }
  async release(deliveryId: DeliveryId, subscriberId: string): Promise<void> {
    const key = `${deliveryId}|${subscriberId}`;
    if (this.entries.get(key)?.status === 'claimed') this.entries.delete(key);
  }
  /** Counts its calls, so a test can show a resume asks once per delivery. */
  sentSubscribersQueries = 0;
  async sentSubscribers(deliveryId: DeliveryId): Promise<Set<string>> {
    this.sentSubscribersQueries += 1;
    const prefix = `${deliveryId}|`;
    return new Set([...this.entries.keys()].filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length)));
  }
}

/**
 * Records every accepted message. `failWith` decides, per attempt number (1-based, counting every call),
 * whether that call is refused instead (throttled, quota, a rejected sender or recipient) or throws
 * (a crash, an unexpected error).
 */
export class RecordingMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  calls = 0;
  constructor(
    /** The outcome of the n-th call (1-based) when it is not to be sent; an Error is thrown as is. */
    private readonly failWith: (call: number, mail: OutgoingMail) => FailedSend | Error | undefined = () => undefined,
    private readonly rate = Number.POSITIVE_INFINITY,
  ) {}
  async send(mail: OutgoingMail): Promise<SendOutcome> {
    this.calls += 1;
    const failure = this.failWith(this.calls, mail);
    if (failure instanceof Error) throw failure;
    if (failure) return failure;
    this.sent.push(mail);
    return { kind: 'sent', messageId: `fake-${this.sent.length}` };
  }
  async maxSendRate(): Promise<number> {
    return this.rate;
  }
}

/** A lease held in memory, honouring expiry by the given time. */
export class MemoryLease implements RunLease {
  holder: { owner: string; until: number } | undefined;
  async acquire(owner: string, now: Date, ttlMs: number): Promise<boolean> {
    if (this.holder && this.holder.owner !== owner && this.holder.until > now.getTime()) return false;
    this.holder = { owner, until: now.getTime() + ttlMs };
    return true;
  }
  async release(owner: string): Promise<void> {
    if (this.holder?.owner === owner) this.holder = undefined;
  }
}

/** Settings of a test run: a fixed site, the sender news@example.com, a fixed keyring. */
export const TEST_PUBLISH_SETTINGS: PublishSettings = {
  site: {
    baseUrl: 'https://digest.example.com/',
    title: 'Gazette',
    description: 'Digests',
    language: 'en',
    authorName: 'Gazette',
    feedLength: 50,
  },
  mail: buildMailConfig({ senderEmail: 'news@example.com', senderName: 'Gazette' }),
  keyring: { currentKeyId: 'k1', secrets: { k1: 'test-secret-of-enough-length-0123456789' } },
  runId: 'run-1',
};

/** The in-memory world of one run, with its fakes typed as such so a test can look inside them. */
export interface MemoryPublishWorld extends PublishDeps {
  clock: FixedClock;
  subscribers: MemoryReaders;
  source: MemorySource;
  archive: MemoryArchive;
  site: MemorySite;
  ledger: MemoryLedger;
  mailer: RecordingMailer;
}

/**
 * Fakes for every port of a publish run: `files` as the articles, `people` as the list; pass `archive`
 * and `ledger` from an earlier world to run "the next run" on the same state.
 */
export function memoryPublishWorld(
  options: {
    files?: Record<string, string | Uint8Array>;
    people?: Subscriber[];
    /** The list of an earlier world (its cursors included), instead of `people`. */
    subscribers?: MemoryReaders;
    mailer?: RecordingMailer;
    archive?: MemoryArchive;
    ledger?: MemoryLedger;
    site?: MemorySite;
    clock?: FixedClock;
  } = {},
): MemoryPublishWorld {
  const clock = options.clock ?? new FixedClock(new Date('2026-11-28T07:00:00Z'));
  return {
    clock,
    source: new MemorySource(options.files ?? {}),
    archive: options.archive ?? new MemoryArchive(),
    site: options.site ?? new MemorySite(),
    subscribers: options.subscribers ?? new MemoryReaders(options.people ?? []),
    ledger: options.ledger ?? new MemoryLedger(),
    mailer: options.mailer ?? new RecordingMailer(),
    lease: new MemoryLease(),
    sleep: async (ms) => clock.advance(ms),
    random: () => 0.5,
  };
}
