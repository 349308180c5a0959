/**
 * The local state of `npm start`, `npm run serve` and `gazette subscribers` in ONE SQLite database
 * (`out/state/gazette.sqlite`, through better-sqlite3): the digest archive, the delivery ledger, the run
 * lease, the token keys, local subscribers, and the followed feed sources with the items seen in each.
 *
 * Why a database and not JSON files: two processes (two runs, a run and `serve`) must never both claim a
 * (delivery, subscriber) pair or both create token keys. SQLite gives that with `BEGIN IMMEDIATE`
 * transactions; WAL mode lets readers go on while one process writes, and the busy timeout makes a
 * second process wait for the lock instead of failing. better-sqlite3 is synchronous, so a transaction
 * never spans an `await` and two calls of one process never interleave.
 *
 * The JSON state files of earlier versions are imported once, on first open, in the same transaction
 * that records the import, and then renamed to `<name>.imported`: an upgrade re-sends nothing.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import Database from 'better-sqlite3';
import { parseKeyring } from '../../core/tokens.js';
import type { LocalLayout } from './layout.js';

/** How long a process waits for another one's write lock before giving up (ms). */
export const BUSY_TIMEOUT_MS = 15_000;

// 2: the feed sources and their seen items. Every statement is IF NOT EXISTS, so an older database
// gets the new tables by running the whole schema again. 3: the archive's index columns (`first_seen`,
// `entry`), added to an older `digests` table by `addArchiveIndex`; rows stored before are indexed by
// the archive's next `list()` (see sqlite-archive.ts).
const SCHEMA_VERSION = 3;

// delivery_id holds today's digest id: the ledger is keyed (delivery, subscriber) once a delivery is an
// edition of digests, and only the value changes.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS deliveries (
  delivery_id   TEXT NOT NULL,
  subscriber_id TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'failed')),
  claimed_at    TEXT NOT NULL,
  sent_at       TEXT,
  message_id    TEXT,
  failed_at     TEXT,
  reason        TEXT,
  PRIMARY KEY (delivery_id, subscriber_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS digests (
  id           TEXT PRIMARY KEY,
  content_hash TEXT,
  body         TEXT NOT NULL,
  first_seen   TEXT,
  entry        TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leases (
  name       TEXT PRIMARY KEY,
  owner      TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  pid        INTEGER,
  host       TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS keyrings (
  name TEXT PRIMARY KEY,
  body TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS subscribers (
  id     TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  record TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS subscriber_seeds (
  source TEXT NOT NULL,
  id     TEXT NOT NULL,
  PRIMARY KEY (source, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sources (
  id      TEXT PRIMARY KEY,
  url     TEXT NOT NULL,
  version INTEGER NOT NULL,
  record  TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS seen_items (
  source_id TEXT NOT NULL,
  item_id   TEXT NOT NULL,
  seen_at   TEXT NOT NULL,
  PRIMARY KEY (source_id, item_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS imports (
  name TEXT PRIMARY KEY,
  at   TEXT NOT NULL
) WITHOUT ROWID;
`;

/** Options of `openLocalState`. */
export interface LocalStateOptions {
  /**
   * Work on an in-memory copy (a dry run writes nothing): the database's current content, plus the
   * legacy files imported but not renamed.
   */
  readOnly?: boolean;
  /** Where import warnings go (a skipped archive line). */
  warn?: (message: string) => void;
}

/** An open local state database; every adapter of this folder takes one. Close it when done. */
export class LocalState {
  constructor(
    /** The better-sqlite3 connection (one per process and command). */
    readonly db: Database.Database,
    /** Path of the database file, for messages. */
    readonly path: string,
  ) {}

  /** Runs `work` in a `BEGIN IMMEDIATE` transaction: the write lock is taken first, so no two processes interleave. */
  immediate<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /** Closes the connection (idempotent). */
  close(): void {
    if (this.db.open) this.db.close();
  }
}

/**
 * Switches the database to write-ahead logging. The switch needs the file to itself, and SQLite's busy
 * timeout does not cover it, so two processes opening a new database at once would see "database is
 * locked": retry for a few seconds, as the busy timeout would.
 */
function enableWal(db: Database.Database): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; ; waited += 25) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || waited >= BUSY_TIMEOUT_MS) throw error;
      Atomics.wait(pause, 0, 0, 25);
    }
  }
}

/** Opens (creating if needed) the state database of `layout` and imports legacy JSON state once. */
export function openLocalState(layout: LocalLayout, options: LocalStateOptions = {}): LocalState {
  const warn = options.warn ?? (() => undefined);
  let db: Database.Database;
  if (options.readOnly) {
    db = existsSync(layout.database) ? inMemoryCopy(layout.database) : new Database(':memory:');
  } else {
    mkdirSync(dirname(layout.database), { recursive: true });
    db = new Database(layout.database, { timeout: BUSY_TIMEOUT_MS });
    // Token secrets and addresses: owner only (SQLite gives the -wal and -shm files the same mode).
    chmodSync(layout.database, 0o600);
    enableWal(db);
    // FULL: a claim is on disk before the mail is written, exactly as the DynamoDB conditional put.
    db.pragma('synchronous = FULL');
  }
  const state = new LocalState(db, layout.database);
  try {
    state.immediate(() => {
      if ((db.pragma('user_version', { simple: true }) as number) < SCHEMA_VERSION) {
        db.exec(SCHEMA);
        addArchiveIndex(db);
        db.pragma(`user_version = ${SCHEMA_VERSION}`);
      }
      importLegacy(state, layout, warn);
    });
    if (!options.readOnly) renameImported(state, layout);
  } catch (error) {
    state.close();
    throw error;
  }
  return state;
}

/**
 * The archive's index: the digest's first-seen instant (indexed, for the editions' window) and its
 * compact entry beside the body. A `digests` table from before version 3 gets the two columns here.
 */
function addArchiveIndex(db: Database.Database): void {
  const columns = new Set(
    db
      .prepare<[], { name: string }>('PRAGMA table_info(digests)')
      .all()
      .map((column) => column.name),
  );
  if (!columns.has('first_seen')) db.exec('ALTER TABLE digests ADD COLUMN first_seen TEXT');
  if (!columns.has('entry')) db.exec('ALTER TABLE digests ADD COLUMN entry TEXT');
  db.exec('CREATE INDEX IF NOT EXISTS digests_by_first_seen ON digests (first_seen)');
}

/**
 * A writable in-memory copy of the database file, read through SQLite (so WAL content is included).
 * Not opened `readonly`: SQLite cannot open a WAL database read-only once its -wal and -shm files were
 * removed by the last close. Nothing is written through this connection.
 */
function inMemoryCopy(path: string): Database.Database {
  const source = new Database(path, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  try {
    const bytes = source.serialize();
    // Header bytes 18-19 say "WAL"; an in-memory database cannot be WAL, so mark it rollback-journal.
    bytes[18] = 1;
    bytes[19] = 1;
    return new Database(bytes);
  } finally {
    source.close();
  }
}

function legacyFiles(layout: LocalLayout): [name: string, path: string][] {
  return Object.values(layout.legacy).map((path) => [basename(path), path]);
}

/** Imports every legacy file not imported before; runs inside the opening transaction. */
function importLegacy(state: LocalState, layout: LocalLayout, warn: (message: string) => void): void {
  const { db } = state;
  const done = db.prepare<[string], { name: string }>('SELECT name FROM imports WHERE name = ?');
  const record = db.prepare('INSERT INTO imports (name, at) VALUES (?, ?)');
  for (const [name, path] of legacyFiles(layout)) {
    if (done.get(name) || !existsSync(path)) continue;
    const text = readFileSync(path, 'utf8');
    if (path === layout.legacy.keys) importKeys(state, text, path);
    else if (path === layout.legacy.archive) importArchive(state, text, path, warn);
    else if (path === layout.legacy.ledger) importLedger(state, text, path);
    else importLease(state, text);
    record.run(name, new Date().toISOString());
  }
}

/** Renames imported legacy files to `.imported`; a crash before this only means the next open renames them. */
function renameImported(state: LocalState, layout: LocalLayout): void {
  const done = state.db.prepare<[string], { name: string }>('SELECT name FROM imports WHERE name = ?');
  for (const [name, path] of legacyFiles(layout)) {
    if (!done.get(name) || !existsSync(path)) continue;
    try {
      renameSync(path, `${path}.imported`);
    } catch (error) {
      // Another process renamed it between our check and our rename.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/** The complete lines of a journal; an unfinished last line (a crash mid-append) never completed. */
function completeLines(text: string): string[] {
  const end = text.lastIndexOf('\n') + 1;
  return text.slice(0, end).split('\n');
}

function importKeys(state: LocalState, text: string, path: string): void {
  // A malformed file is a ConfigError naming it: replacing it would break every link already mailed.
  const keyring = parseKeyring(text, path);
  state.db
    .prepare("INSERT OR IGNORE INTO keyrings (name, body) VALUES ('token', ?)")
    .run(JSON.stringify({ currentKeyId: keyring.currentKeyId, ...keyring.secrets }));
}

function importArchive(state: LocalState, text: string, path: string, warn: (message: string) => void): void {
  // The last line of an id wins, as the journal replayed it; the archive validates rows when listing.
  const put = state.db.prepare('INSERT OR REPLACE INTO digests (id, content_hash, body) VALUES (?, ?, ?)');
  completeLines(text).forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      warn(`${path}: line ${index + 1} skipped on import: not valid JSON`);
      return;
    }
    const { id, contentHash } = (value ?? {}) as { id?: unknown; contentHash?: unknown };
    if (typeof id !== 'string') {
      warn(`${path}: line ${index + 1} skipped on import: no digest id`);
      return;
    }
    put.run(id, typeof contentHash === 'string' ? contentHash : null, line);
  });
}

interface LegacyLedgerEntry {
  digestId: string;
  subscriberId: string;
  change: 'claimed' | 'sent' | 'failed' | 'released';
  at?: string;
  messageId?: string;
  reason?: string;
}

function importLedger(state: LocalState, text: string, path: string): void {
  const pairs = new Map<string, LegacyLedgerEntry & { claimedAt: string; sentAt?: string; failedAt?: string }>();
  completeLines(text).forEach((line, index) => {
    if (line.trim() === '') return;
    let entry: Partial<LegacyLedgerEntry> | null = null;
    try {
      entry = JSON.parse(line) as Partial<LegacyLedgerEntry> | null;
    } catch {
      // fall through to the error below
    }
    if (
      !entry ||
      typeof entry.digestId !== 'string' ||
      typeof entry.subscriberId !== 'string' ||
      !['claimed', 'sent', 'failed', 'released'].includes(entry.change as string)
    ) {
      // Guessing would re-send or lose email; the file is the only record of what was mailed.
      throw new Error(
        `${path}: line ${index + 1} is not a valid ledger entry; repair that line and run again (keep the file: it records which mails were already sent)`,
      );
    }
    const key = JSON.stringify([entry.digestId, entry.subscriberId]);
    const pair = pairs.get(key);
    if (entry.change === 'claimed') pairs.set(key, { ...(entry as LegacyLedgerEntry), claimedAt: entry.at ?? '' });
    else if (entry.change === 'released') pairs.delete(key);
    else if (pair && entry.change === 'sent') Object.assign(pair, { change: 'sent', sentAt: entry.at, messageId: entry.messageId });
    else if (pair && entry.change === 'failed') Object.assign(pair, { change: 'failed', failedAt: entry.at, reason: entry.reason });
  });
  const insert = state.db.prepare(
    `INSERT OR REPLACE INTO deliveries (delivery_id, subscriber_id, status, claimed_at, sent_at, message_id, failed_at, reason)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const pair of pairs.values()) {
    insert.run(
      pair.digestId,
      pair.subscriberId,
      pair.change,
      pair.claimedAt,
      pair.sentAt ?? null,
      pair.messageId ?? null,
      pair.failedAt ?? null,
      pair.reason ?? null,
    );
  }
}

function importLease(state: LocalState, text: string): void {
  let lease: { owner?: unknown; expiresAt?: unknown } | null;
  try {
    lease = JSON.parse(text) as { owner?: unknown; expiresAt?: unknown } | null;
  } catch {
    return; // a half-written lease held nothing
  }
  if (typeof lease?.owner !== 'string' || typeof lease.expiresAt !== 'string') return;
  // No pid was recorded: the old lease is honoured until it expires.
  state.db
    .prepare("INSERT OR IGNORE INTO leases (name, owner, expires_at, pid, host) VALUES ('publish', ?, ?, NULL, NULL)")
    .run(lease.owner, lease.expiresAt);
}
