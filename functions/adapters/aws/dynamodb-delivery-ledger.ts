/**
 * The delivery ledger (the deliveries table, keyed by delivery and subscriber: functions/shared/tables.ts).
 * A pair is claimed with a conditional write before the send and gets the SES MessageId after it, so
 * each (delivery, subscriber) pair is mailed at most once across crashes, retries and overlapping runs.
 *
 * The partition key attribute is still called `digestId`: it holds the delivery id, which for one
 * digest's mail is the digest id itself (`deliveryIdForDigest`), so items written before deliveries had
 * their own ids are the same items now. No migration.
 */
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DeliveryId } from '../../core/publish/delivery.js';
import type { ClaimOutcome, DeliveryLedger } from '../../core/publish/ports.js';
import { deliveryKey, TABLE_KEYS } from '../../shared/tables.js';
import { isConditionalCheckFailed } from './dynamodb-conditions.js';

/** `DeliveryLedger` over the DynamoDB deliveries table. */
export class DynamoDeliveryLedger implements DeliveryLedger {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Creates the pair's item with status `claimed`, unless any item for the pair exists. */
  async claim(deliveryId: DeliveryId, subscriberId: string, at: Date): Promise<ClaimOutcome> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...deliveryKey(deliveryId, subscriberId), status: 'claimed', claimedAt: at.toISOString() },
          ConditionExpression: `attribute_not_exists(${TABLE_KEYS.deliveries.partitionKey.name})`,
        }),
      );
      return 'claimed';
    } catch (error) {
      if (isConditionalCheckFailed(error)) return 'already-claimed';
      throw error;
    }
  }

  /** Records the SES MessageId; from here on the pair is proven sent. */
  async markSent(deliveryId: DeliveryId, subscriberId: string, messageId: string, at: Date): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: deliveryKey(deliveryId, subscriberId),
        UpdateExpression: 'SET #status = :sent, messageId = :messageId, sentAt = :at',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sent': 'sent', ':messageId': messageId, ':at': at.toISOString() },
      }),
    );
  }

  /** Records a permanent refusal so the pair is not tried again. */
  async markFailed(deliveryId: DeliveryId, subscriberId: string, reason: string, at: Date): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: deliveryKey(deliveryId, subscriberId),
        UpdateExpression: 'SET #status = :failed, failureReason = :reason, failedAt = :at',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':failed': 'failed', ':reason': reason.slice(0, 500), ':at': at.toISOString() },
      }),
    );
  }

  /** Deletes the claim only while it is still `claimed`: a sent or failed record is never undone. */
  async release(deliveryId: DeliveryId, subscriberId: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: deliveryKey(deliveryId, subscriberId),
          ConditionExpression: '#status = :claimed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':claimed': 'claimed' },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  /**
   * Subscribers with any item under the delivery's partition: one Query (paged by DynamoDB at 1 MB),
   * projecting only the sort key, strongly consistent so a claim made just before is seen.
   */
  async sentSubscribers(deliveryId: DeliveryId): Promise<Set<string>> {
    const { partitionKey, sortKey } = TABLE_KEYS.deliveries;
    const subscribers = new Set<string>();
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.table,
        KeyConditionExpression: '#delivery = :delivery',
        ProjectionExpression: '#subscriber',
        ExpressionAttributeNames: { '#delivery': partitionKey.name, '#subscriber': sortKey.name },
        ExpressionAttributeValues: { ':delivery': deliveryId },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) subscribers.add(String(item[sortKey.name]));
    return subscribers;
  }
}
