/**
 * A feed source (RSS, Atom or JSON Feed) Gazette follows, and the ports the polling use case stores
 * sources and seen items through. Pure: plain data and interfaces, no I/O, no clock.
 */
import { createHash } from 'node:crypto';
import * as z from '../zod.js';
import type { FullTextMode } from './full-text-rule.js';

/** When to fetch the linked page instead of using the item's own text (the rule: full-text-rule.ts). */
export const FULL_TEXT_MODES = ['auto', 'always', 'never'] as const satisfies readonly FullTextMode[];

export type { FullTextMode };

/** Every state a source can be in; only `active` sources are polled on a schedule. */
export const SOURCE_STATUSES = ['active', 'paused', 'disabled'] as const;

/**
 * `paused` after too many failed polls in a row (`sources check` still fetches it, and a success makes it
 * active again); `disabled` after a 410 Gone (the publisher said it will never come back).
 */
export type SourceStatus = (typeof SOURCE_STATUSES)[number];

/** The conditional-GET validators a feed answered with; stored only after its body parsed. */
export interface Validators {
  etag?: string;
  lastModified?: string;
}

/** One followed feed and what Gazette knows about its health. */
export interface Source {
  /** Stable identity: derived from the URL it was added with, kept when a permanent redirect moves it. */
  id: string;
  /** The feed's current URL (updated by 301 and 308 answers). */
  url: string;
  /** The feed's own title, once fetched. */
  title?: string;
  /** The site the feed belongs to, once fetched. */
  siteUrl?: string;
  fullText: FullTextMode;
  validators: Validators;
  /** ISO 8601: the earliest time the next scheduled poll may fetch it. */
  nextPollAt: string;
  consecutiveErrors: number;
  status: SourceStatus;
  /** One line about the last poll ("200, 3 new items", "304 not modified", "HTTP 503"), for `check`. */
  lastStatus?: string;
  /** ISO 8601 of the last poll. */
  lastPolledAt?: string;
  /** ISO 8601 of the last poll that found a new item. */
  lastNewItemAt?: string;
  /** Items the feed dated within the week before its last successful fetch: the rate it is polled at. */
  itemsLastWeek?: number;
  /** New items found since the source was added. */
  itemCount: number;
  /** True once a fetch succeeded: until then every item found is published but not mailed. */
  firstFetchDone: boolean;
  /** ISO 8601 of when it was added. */
  addedAt: string;
  /** Incremented by every stored change; updates are conditional on it, so two runs never lose one. */
  version: number;
}

/** The identity of a source added with `url` (the URL as given, so adding it twice is one source). */
export function sourceIdFor(url: string): string {
  return `src-${createHash('sha256').update(url).digest('hex').slice(0, 16)}`;
}

/** A new, never-fetched source for `url`, due at once. */
export function newSource(url: string, now: Date, fullText: FullTextMode = 'auto'): Source {
  return {
    id: sourceIdFor(url),
    url,
    fullText,
    validators: {},
    nextPollAt: now.toISOString(),
    consecutiveErrors: 0,
    status: 'active',
    itemCount: 0,
    firstFetchDone: false,
    addedAt: now.toISOString(),
    version: 0,
  };
}

/** Outcome of adding a source: `exists` when one with the same identity is already followed. */
export type AddSourceOutcome = 'added' | 'exists';

/** Outcome of a conditional update: `conflict` when another writer changed the source since it was read. */
export type UpdateSourceOutcome = 'stored' | 'conflict';

/** Where the followed sources are kept (SQLite locally, DynamoDB deployed). */
export interface SourceStore {
  /** Every source, sorted by URL. */
  list(): Promise<Source[]>;
  get(id: string): Promise<Source | undefined>;
  /** Adds `source` unless one with its id exists; never overwrites. */
  add(source: Source): Promise<AddSourceOutcome>;
  /** Removes the source; false when there was none. */
  remove(id: string): Promise<boolean>;
  /**
   * Stores `source` (with `version` one higher than `expectedVersion`) only if the stored copy still
   * has `expectedVersion`; otherwise writes nothing and answers `conflict`.
   */
  update(source: Source, expectedVersion: number): Promise<UpdateSourceOutcome>;
}

/** Remembers every item ever seen per source, so an item is new exactly once. */
export interface SeenItems {
  /** True when `itemId` was marked seen for `sourceId` (a read: polling asks before the run stores anything). */
  isSeen(sourceId: string, itemId: string): Promise<boolean>;
  /**
   * Atomically records `itemId` as seen for `sourceId`: `new` for the one call that recorded it, `seen`
   * for every other (earlier, concurrent or retried) call.
   */
  markSeen(sourceId: string, itemId: string, at: Date): Promise<'new' | 'seen'>;
}

/**
 * The stored shape of a source, checked when a store reads one back: a record a hand edit or an older
 * version broke is reported instead of polled with missing fields.
 */
export const sourceSchema = z.object({
  id: z.string().check(z.minLength(1)),
  url: z.string().check(z.minLength(1)),
  title: z.optional(z.string()),
  siteUrl: z.optional(z.string()),
  fullText: z.enum(FULL_TEXT_MODES),
  validators: z.object({ etag: z.optional(z.string()), lastModified: z.optional(z.string()) }),
  nextPollAt: z.string(),
  consecutiveErrors: z.number().check(z.int(), z.minimum(0)),
  status: z.enum(SOURCE_STATUSES),
  lastStatus: z.optional(z.string()),
  lastPolledAt: z.optional(z.string()),
  lastNewItemAt: z.optional(z.string()),
  itemsLastWeek: z.optional(z.number().check(z.int(), z.minimum(0))),
  itemCount: z.number().check(z.int(), z.minimum(0)),
  firstFetchDone: z.boolean(),
  addedAt: z.string(),
  version: z.number().check(z.int(), z.minimum(0)),
}) satisfies z.ZodMiniType<Source>;

/** Reads a stored source, or says why it cannot. */
export function parseStoredSource(value: unknown): { ok: true; source: Source } | { ok: false; reason: string } {
  const parsed = sourceSchema.safeParse(value);
  if (parsed.success) return { ok: true, source: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: issue ? `${issue.path.join('.') || 'value'}: ${issue.message}` : 'not a source' };
}
