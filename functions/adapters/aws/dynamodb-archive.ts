/**
 * The digest archive in the state table: one `digest#<digestId>` item per digest. Writes are
 * conditional on the content hash the writer last saw, so two overlapping runs can never silently
 * overwrite each other's digest.
 */
import { type DynamoDBDocumentClient, paginateScan, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Digest } from '../../core/model.js';
import type { Archive, ArchivePutOutcome } from '../../core/publish/ports.js';
import { STATE_ITEM, stateKey, TABLE_KEYS } from '../../shared/tables.js';
import { isConditionalCheckFailed } from './dynamodb-conditions.js';

const ID = TABLE_KEYS.state.partitionKey.name;

/** Stored shape of one archive item. `contentHash` and `mailStatus` are copied out for conditions and queries. */
interface ArchiveItem {
  id: string;
  digest: Digest;
  contentHash: string;
  mailStatus: Digest['mailStatus'];
}

/** `Archive` over the DynamoDB state table. */
export class DynamoArchive implements Archive {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Every archived digest. A scan is fine: the table holds one item per article, plus a lease. */
  async list(): Promise<Digest[]> {
    const digests: Digest[] = [];
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
      for (const item of (page.Items ?? []) as ArchiveItem[]) digests.push(item.digest);
    }
    return digests;
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
}
