/**
 * The feed sources and the items seen in each, in the sources table (keys in functions/shared/tables.ts).
 * Source records share one partition, so listing them is one Query; each source's seen items have their
 * own. Every write is conditional: an add never overwrites, an update only lands on the version it read,
 * and marking an item seen is a put that fails if the item exists, so a retried or overlapping run
 * cannot make one item new twice.
 */
import { createHash } from 'node:crypto';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, paginateQuery, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  parseStoredSource,
  type AddSourceOutcome,
  type SeenItems,
  type Source,
  type SourceStore,
  type UpdateSourceOutcome,
} from '../../core/sources/source.js';
import { seenItemKey, SOURCE_RECORD_PARTITION, sourceRecordKey, TABLE_KEYS } from '../../shared/tables.js';
import { isConditionalCheckFailed } from './dynamodb-conditions.js';

const PK = TABLE_KEYS.sources.partitionKey.name;

/** Stored shape of one source item; `version` is copied out for the update condition. */
interface SourceItem {
  source: Source;
  version: number;
}

/** `SourceStore` over the DynamoDB sources table. */
export class DynamoSources implements SourceStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  /** Every readable source, sorted by URL; an unreadable item is reported and skipped. */
  async list(): Promise<Source[]> {
    const sources: Source[] = [];
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.table,
        KeyConditionExpression: `${PK} = :partition`,
        ExpressionAttributeValues: { ':partition': SOURCE_RECORD_PARTITION },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const item of (page.Items ?? []) as SourceItem[]) {
        const source = this.read(item);
        if (source) sources.push(source);
      }
    }
    return sources.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : a.id < b.id ? -1 : 1));
  }

  async get(id: string): Promise<Source | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.table, Key: sourceRecordKey(id), ConsistentRead: true }));
    return Item ? this.read(Item as SourceItem) : undefined;
  }

  async add(source: Source): Promise<AddSourceOutcome> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...sourceRecordKey(source.id), source, version: source.version },
          ConditionExpression: `attribute_not_exists(${PK})`,
        }),
      );
      return 'added';
    } catch (error) {
      if (isConditionalCheckFailed(error)) return 'exists';
      throw error;
    }
  }

  /**
   * Removes the record. Its seen items stay (they are keyed apart, and deleting them would need a scan);
   * adding the same URL again gives the same id, so its old items are not new again.
   */
  async remove(id: string): Promise<boolean> {
    const { Attributes } = await this.doc.send(
      new DeleteCommand({ TableName: this.table, Key: sourceRecordKey(id), ReturnValues: 'ALL_OLD' }),
    );
    return Attributes !== undefined;
  }

  async update(source: Source, expectedVersion: number): Promise<UpdateSourceOutcome> {
    const stored = { ...source, version: expectedVersion + 1 };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...sourceRecordKey(source.id), source: stored, version: stored.version },
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
      return 'stored';
    } catch (error) {
      if (isConditionalCheckFailed(error)) return 'conflict';
      throw error;
    }
  }

  private read(item: SourceItem): Source | undefined {
    const parsed = parseStoredSource(item.source);
    if (parsed.ok) return parsed.source;
    this.warn(`sources table ${this.table}: a source record was skipped: ${parsed.reason}`);
    return undefined;
  }
}

/** Item ids longer than this are stored by their hash (a sort key holds at most 1,024 bytes). */
const MAX_PLAIN_ITEM_KEY_BYTES = 512;

/** The sort key of an item id: the id itself, or its hash when too long for a key. */
function itemKey(itemId: string): string {
  return Buffer.byteLength(itemId) > MAX_PLAIN_ITEM_KEY_BYTES ? `sha256:${createHash('sha256').update(itemId).digest('hex')}` : itemId;
}

/** `SeenItems` over the DynamoDB sources table: one conditional put per item. */
export class DynamoSeenItems implements SeenItems {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async isSeen(sourceId: string, itemId: string): Promise<boolean> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: seenItemKey(sourceId, itemKey(itemId)), ConsistentRead: true }),
    );
    return Item !== undefined;
  }

  async markSeen(sourceId: string, itemId: string, at: Date): Promise<'new' | 'seen'> {
    const key = itemKey(itemId);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...seenItemKey(sourceId, key), seenAt: at.toISOString() },
          ConditionExpression: `attribute_not_exists(${PK})`,
        }),
      );
      return 'new';
    } catch (error) {
      if (isConditionalCheckFailed(error)) return 'seen';
      throw error;
    }
  }
}
