/**
 * The senders' shared pause in the state table (the `pause#sending` item): one sender that meets the
 * daily quota (or a refused sender) writes when sending may start again, and every other sender reads
 * it before calling SES. The write only ever moves the end later, so two senders pausing at once
 * keep the longer pause; the TTL attribute lets the item lapse by itself.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PauseReason, SendingPause } from '../../core/send/ports.js';
import { stateKey, TABLE_KEYS } from '../../shared/tables.js';
import { isConditionalCheckFailed } from './dynamodb-conditions.js';

const { timeToLive } = TABLE_KEYS.state;
const PAUSE_KEY = stateKey('pause', 'sending');

/** `SendingPause` over the DynamoDB state table. */
export class DynamoSendingPause implements SendingPause {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async active(now: Date): Promise<{ until: Date; reason: PauseReason } | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.table, Key: PAUSE_KEY, ConsistentRead: true }));
    const until = typeof Item?.until === 'string' ? new Date(Item.until) : undefined;
    if (!until || until.getTime() <= now.getTime()) return undefined;
    return { until, reason: Item?.reason === 'sender-rejected' ? 'sender-rejected' : 'quota' };
  }

  async pauseUntil(until: Date, reason: PauseReason): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: PAUSE_KEY,
          UpdateExpression: 'SET #until = :until, #reason = :reason, #expiresAt = :expiresAt',
          // ISO instants in UTC compare as strings in time order.
          ConditionExpression: 'attribute_not_exists(#until) OR #until < :until',
          ExpressionAttributeNames: { '#until': 'until', '#reason': 'reason', '#expiresAt': timeToLive },
          ExpressionAttributeValues: {
            ':until': until.toISOString(),
            ':reason': reason,
            ':expiresAt': Math.ceil(until.getTime() / 1000) + 24 * 60 * 60,
          },
        }),
      );
    } catch (error) {
      // A longer pause is already in force: it stands.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}
