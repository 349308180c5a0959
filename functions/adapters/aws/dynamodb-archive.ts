/**
 * The digest archive in the state table: one `digest#<digestId>` item per digest. Writes are
 * conditional on the content hash the writer last saw, so two overlapping runs can never silently
 * overwrite each other's digest.
 *
 * Each item also carries the keys of the archive index (functions/shared/tables.ts `ARCHIVE_INDEX`:
 * `listing`, `firstSeen`) and the digest's compact `entry`, so a run lists every entry, or only the
 * editions' window, with a Query of that index instead of a Scan of every whole digest.
 */
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  paginateQuery,
  paginateScan,
  PutCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { ArchiveEntry, Digest } from '../../core/model.js';
import { archiveEntry } from '../../core/publish/digest.js';
import type { Archive, ArchivePutOutcome } from '../../core/publish/ports.js';
import { ARCHIVE_INDEX, ARCHIVE_LISTING, STATE_ITEM, stateKey, TABLE_KEYS } from '../../shared/tables.js';
import { isConditionalCheckFailed } from './dynamodb-conditions.js';

const ID = TABLE_KEYS.state.partitionKey.name;
const LISTING = ARCHIVE_INDEX.partitionKey.name;
const FIRST_SEEN = ARCHIVE_INDEX.sortKey.name;
const ENTRY = ARCHIVE_INDEX.include[0];
/** BatchGetItem's limit of keys per request. */
const BATCH_GET_KEYS = 100;
/** Rounds of retrying the keys a BatchGetItem left unprocessed (throttling) before giving up. */
const UNPROCESSED_ROUNDS = 8;

/**
 * Stored shape of one archive item. `contentHash` and `mailStatus` are copied out for conditions and
 * queries; `listing` and `firstSeen` are the index's keys and `entry` is what the index copies.
 */
interface ArchiveItem {
  id: string;
  digest: Digest;
  contentHash: string;
  mailStatus: Digest['mailStatus'];
  listing?: typeof ARCHIVE_LISTING;
  firstSeen?: string;
  entry?: ArchiveEntry;
}

/** `Archive` over the DynamoDB state table and its archive index. */
export class DynamoArchive implements Archive {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Every archived digest, by a Scan: only the whole-site render reads this. An item an earlier version
   * stored without the index attributes is written again with them (conditional on its hash, so a
   * concurrent edit wins), which is the whole migration: the first run after the upgrade renders the
   * whole site, as it has no site mark yet, and so completes the index.
   */
  async list(): Promise<Digest[]> {
    const digests: Digest[] = [];
    const unindexed: Digest[] = [];
    const pages = paginateScan(
      { client: this.doc },
      {
        TableName: this.table,
        FilterExpression: `begins_with(${ID}, :prefix)`,
        ExpressionAttributeValues: { ':prefix': STATE_ITEM.digest },
        // A run that just wrote must see its own digest on the next run.
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const item of (page.Items ?? []) as ArchiveItem[]) {
        digests.push(item.digest);
        if (item.listing !== ARCHIVE_LISTING || item.entry === undefined) unindexed.push(item.digest);
      }
    }
    for (const digest of unindexed) await this.put(digest, digest.contentHash);
    return digests;
  }

  /** The digests with these ids, by consistent BatchGetItem (100 keys a request). */
  async get(ids: readonly string[]): Promise<Digest[]> {
    const digests: Digest[] = [];
    const unique = [...new Set(ids)];
    for (let start = 0; start < unique.length; start += BATCH_GET_KEYS) {
      let keys: Record<string, unknown>[] = unique.slice(start, start + BATCH_GET_KEYS).map((id) => stateKey('digest', id));
      for (let round = 0; keys.length > 0; round += 1) {
        if (round === UNPROCESSED_ROUNDS) throw new Error(`archive: ${keys.length} digest reads left unprocessed by DynamoDB`);
        const answer = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } }));
        for (const item of (answer.Responses?.[this.table] ?? []) as ArchiveItem[]) digests.push(item.digest);
        keys = answer.UnprocessedKeys?.[this.table]?.Keys ?? [];
      }
    }
    return digests;
  }

  /** Every entry, from the archive index alone (a Query of its one partition). */
  async entries(): Promise<ArchiveEntry[]> {
    return this.queryEntries({
      KeyConditionExpression: '#listing = :listing',
      ExpressionAttributeNames: { '#listing': LISTING },
      ExpressionAttributeValues: { ':listing': ARCHIVE_LISTING },
    });
  }

  /** The entries first seen after `instant`: a range Query of the index's sort key. */
  async entriesSeenAfter(instant: string): Promise<ArchiveEntry[]> {
    return this.queryEntries({
      KeyConditionExpression: '#listing = :listing AND #firstSeen > :after',
      ExpressionAttributeNames: { '#listing': LISTING, '#firstSeen': FIRST_SEEN },
      ExpressionAttributeValues: { ':listing': ARCHIVE_LISTING, ':after': instant },
    });
  }

  /**
   * Stores `digest` if no copy exists (`expectedHash` undefined) or the stored copy's contentHash is still
   * `expectedHash` (also how mailStatus changes are saved); `conflict` otherwise, with nothing written.
   */
  async put(digest: Digest, expectedHash: string | undefined): Promise<ArchivePutOutcome> {
    const item: ArchiveItem = {
      ...stateKey('digest', digest.id),
      digest,
      contentHash: digest.contentHash,
      mailStatus: digest.mailStatus,
      listing: ARCHIVE_LISTING,
      firstSeen: digest.firstSeen,
      entry: archiveEntry(digest),
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ...(expectedHash === undefined
            ? { ConditionExpression: `attribute_not_exists(${ID})` }
            : { ConditionExpression: 'contentHash = :expected', ExpressionAttributeValues: { ':expected': expectedHash } }),
        }),
      );
      return 'stored';
    } catch (error) {
      if (isConditionalCheckFailed(error)) return 'conflict';
      throw error;
    }
  }

  private async queryEntries(
    condition: Pick<QueryCommandInput, 'KeyConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>,
  ): Promise<ArchiveEntry[]> {
    const entries: ArchiveEntry[] = [];
    // A global secondary index is read eventually consistent (DynamoDB offers nothing else there): a
    // digest put a moment ago may be missing for that moment, which the port allows.
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.table,
        IndexName: ARCHIVE_INDEX.name,
        ProjectionExpression: '#entry',
        ...condition,
        ExpressionAttributeNames: { ...condition.ExpressionAttributeNames, '#entry': ENTRY },
      },
    );
    for await (const page of pages) {
      for (const item of (page.Items ?? []) as Pick<ArchiveItem, 'entry'>[]) if (item.entry) entries.push(item.entry);
    }
    return entries;
  }
}
