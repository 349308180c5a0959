/**
 * The publisher's run lease in the state table (the `lease#publisher` item), so two scheduled runs (a retry
 * overlapping a slow run, or a duplicate delivery) never publish or mail at the same time. A conditional
 * write is the lock; the table's TTL attribute (epoch seconds) lets a crashed run's lease
 * lapse without anyone cleaning up.
 */
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { RunLease } from '../../core/publish/ports.js';
import { stateKey, TABLE_KEYS } from '../../shared/tables.js';
import { isConditionalCheckFailed } from './dynamodb-conditions.js';

const { partitionKey, timeToLive } = TABLE_KEYS.state;

/** `RunLease` over the DynamoDB state table. */
export class DynamoRunLease implements RunLease {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    /** Which lease: one name per kind of run that must not overlap itself. */
    private readonly leaseName = 'publisher',
  ) {}

  /** Takes the lease when it is free, expired, or already ours (a retried invocation of the same run). */
  async acquire(owner: string, now: Date, ttlMs: number): Promise<boolean> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...stateKey('lease', this.leaseName),
            owner,
            acquiredAt: now.toISOString(),
            [timeToLive]: Math.ceil((now.getTime() + ttlMs) / 1000),
          },
          // TTL deletion lags by up to days, so expiry is decided here, not by the item disappearing.
          ConditionExpression: 'attribute_not_exists(#id) OR #expiresAt < :now OR #owner = :owner',
          ExpressionAttributeNames: { '#id': partitionKey.name, '#expiresAt': timeToLive, '#owner': 'owner' },
          ExpressionAttributeValues: { ':now': nowSeconds, ':owner': owner },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /**
   * The same lease, but never held longer than `maxTtlMs` whatever the caller asks: the handler passes
   * its remaining Lambda time, so a run killed at its timeout does not lock out the retry.
   */
  withMaxTtl(maxTtlMs: number): RunLease {
    return {
      acquire: (owner, now, ttlMs) => this.acquire(owner, now, Math.min(ttlMs, maxTtlMs)),
      release: (owner) => this.release(owner),
    };
  }

  /** Deletes the lease only if `owner` still holds it; a no-op otherwise. */
  async release(owner: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: stateKey('lease', this.leaseName),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}
