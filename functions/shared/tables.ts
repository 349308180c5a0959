/**
 * The DynamoDB tables' key schemas, declared once. Side-effect free on purpose (no AWS SDK, no CDK): the
 * stack (infra/constructs/data.ts) creates the tables from it, the local emulators create the same
 * tables from it, and the adapters in functions/adapters/aws/ build their keys from it, so a renamed key
 * cannot leave one of them behind.
 */

/** A DynamoDB key attribute: its name and scalar type (`S` string, `N` number, `B` binary). */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N' | 'B';
}

/**
 * A global secondary index: its name, keys, and the non-key attributes it copies (DynamoDB's INCLUDE
 * projection; the table's and the index's keys come along anyway). Only items that carry the index's
 * partition key appear in it (a sparse index), so one kind of item can be indexed in a shared table.
 */
export interface IndexKeySchema {
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly include: readonly string[];
}

/** What a table is keyed by, its secondary indexes, and the attribute DynamoDB's TTL reads (epoch seconds), if any. */
export interface TableKeySchema {
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly timeToLive?: string;
  readonly indexes?: readonly IndexKeySchema[];
}

/**
 * The archive's index over the state table: every digest item carries `listing` = `digest` (one
 * partition: a few megabytes at 10,000 digests, far below a partition's limits, and the publisher is
 * its only writer), sorted by `firstSeen`, with the digest's compact `entry` (core `ArchiveEntry`)
 * copied in. One Query lists every entry, or only those first seen after an instant (the editions'
 * window), without reading the digests themselves.
 */
export const ARCHIVE_INDEX = {
  name: 'archive-by-first-seen',
  partitionKey: { name: 'listing', type: 'S' },
  sortKey: { name: 'firstSeen', type: 'S' },
  include: ['entry'],
} as const satisfies IndexKeySchema;

/** The value of {@link ARCHIVE_INDEX}'s partition key on every digest item. */
export const ARCHIVE_LISTING = 'digest';

/** The tables of a Gazette stack, by the role they play. */
export const TABLE_KEYS = {
  /** One item per subscriber; `id` is derived from the normalised address. */
  subscribers: { partitionKey: { name: 'id', type: 'S' } },
  /**
   * The delivery ledger: one item per (delivery, subscriber) mail. The partition key keeps its first
   * name, `digestId`, though it holds a delivery id: for one digest's mail that is the digest id, so
   * existing items stay valid without a migration (see core/publish/delivery.ts).
   */
  deliveries: { partitionKey: { name: 'digestId', type: 'S' }, sortKey: { name: 'subscriberId', type: 'S' } },
  /**
   * Every other kind of state, told apart by the prefix of `id` (see {@link STATE_ITEM}); items that
   * should lapse carry `expiresAt`. Digest items are also in {@link ARCHIVE_INDEX}.
   */
  state: { partitionKey: { name: 'id', type: 'S' }, timeToLive: 'expiresAt', indexes: [ARCHIVE_INDEX] },
  /**
   * The followed feed sources and the items seen in each: `pk` = `source` and `sk` = the source id for
   * a source (one Query lists them all), `pk` = `seen#<source id>` and `sk` = the item id for a seen item
   * (see {@link sourceRecordKey} and {@link seenItemKey}).
   */
  sources: { partitionKey: { name: 'pk', type: 'S' }, sortKey: { name: 'sk', type: 'S' } },
} as const satisfies Record<string, TableKeySchema>;

/** One of the tables above. */
export type TableRole = keyof typeof TABLE_KEYS;

/**
 * Prefixes of the state table's `id`, one per kind of item, so the kinds can share one table (and one
 * scan can pick out one kind) without ever colliding.
 */
export const STATE_ITEM = {
  /** `digest#<digest id>`: one archived digest. */
  digest: 'digest#',
  /** `lease#<name>`: a run lease. */
  lease: 'lease#',
  /** `ses-event#<notification id>`: an SES notification already processed. */
  sesEvent: 'ses-event#',
  /** `rate#<key>#<window start>`: a fixed-window request counter. */
  rate: 'rate#',
  /** `cap#<key>`: a rolling-window counter (hourly buckets), e.g. the confirmation mails of 24 hours. */
  cap: 'cap#',
  /** `summary#<sha256>`: a model-written summary (or the model's refused answer), by model, prompt and text. */
  summary: 'summary#',
  /** `tokens#<UTC day>`: the model tokens the summariser counted against that day's budget. */
  tokens: 'tokens#',
  /** `pause#sending`: the time before which no sender mails (the quota is spent, or SES refused the sender). */
  pause: 'pause#',
  /** `run#<name>`: what the latest run of that kind did (`run#publisher`, read by `gazette status`). */
  run: 'run#',
} as const;

const SUBSCRIBER_ID = TABLE_KEYS.subscribers.partitionKey.name;
const DIGEST_ID = TABLE_KEYS.deliveries.partitionKey.name;
const DELIVERY_SUBSCRIBER_ID = TABLE_KEYS.deliveries.sortKey.name;
const STATE_ID = TABLE_KEYS.state.partitionKey.name;

/** The subscribers table's key of subscriber `id`. */
export function subscriberKey(id: string): { [SUBSCRIBER_ID]: string } {
  return { [SUBSCRIBER_ID]: id };
}

/** The delivery ledger's key of one (delivery, subscriber) pair. */
export function deliveryKey(deliveryId: string, subscriberId: string): { [DIGEST_ID]: string; [DELIVERY_SUBSCRIBER_ID]: string } {
  return { [DIGEST_ID]: deliveryId, [DELIVERY_SUBSCRIBER_ID]: subscriberId };
}

/** The state table's key of the item `kind` + `rest`, e.g. `stateKey('lease', 'publisher')`. */
export function stateKey(kind: keyof typeof STATE_ITEM, rest: string): { [STATE_ID]: string } {
  return { [STATE_ID]: STATE_ITEM[kind] + rest };
}

const SOURCE_PK = TABLE_KEYS.sources.partitionKey.name;
const SOURCE_SK = TABLE_KEYS.sources.sortKey.name;

/** The partition every source record lives in (seen items have their own, per source). */
export const SOURCE_RECORD_PARTITION = 'source';

/** The sources table's key of the record of source `sourceId`. */
export function sourceRecordKey(sourceId: string): { [SOURCE_PK]: string; [SOURCE_SK]: string } {
  return { [SOURCE_PK]: SOURCE_RECORD_PARTITION, [SOURCE_SK]: sourceId };
}

/**
 * The sources table's key of item `itemKey` seen in source `sourceId`. The caller keeps `itemKey` under
 * DynamoDB's 1 KiB sort-key limit (long item ids are hashed).
 */
export function seenItemKey(sourceId: string, itemKey: string): { [SOURCE_PK]: string; [SOURCE_SK]: string } {
  return { [SOURCE_PK]: `seen#${sourceId}`, [SOURCE_SK]: itemKey };
}
