/**
 * The publisher's run lease in the state table (`id = lease#publisher`), so two scheduled runs (a retry
 * overlapping a slow run, or a duplicate delivery) never publish or mail at the same time. A conditional
 * write is the lock; `expiresAt` (epoch seconds, the table's TTL attribute) lets a crashed run's lease
 * lapse without anyone cleaning up.
 */
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { RunLease } from '../../core/publish/ports.js';
import { isConditionalCheckFailed } from './dynamodb-conditions.js';

const LEASE_ID = 'lease#publisher';

/** `RunLease` over the DynamoDB state table. */
export class DynamoRunLease implements RunLease {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly leaseId = LEASE_ID,
  ) {}

  /** Takes the lease when it is free, expired, or already ours (a retried invocation of the same run). */
  async acquire(owner: string, now: Date, ttlMs: number): Promise<boolean> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { id: this.leaseId, owner, acquiredAt: now.toISOString(), expiresAt: Math.ceil((now.getTime() + ttlMs) / 1000) },
          // TTL deletion lags by up to days, so expiry is decided here, not by the item disappearing.
          ConditionExpression: 'attribute_not_exists(id) OR expiresAt < :now OR #owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
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
          Key: { id: this.leaseId },
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
