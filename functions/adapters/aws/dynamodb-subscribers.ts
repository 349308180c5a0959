/**
 * Subscribers in DynamoDB, plus the processed-SES-notification ledger and the per-IP request counter
 * in the state table (both tables' keys and the TTL attribute: functions/shared/tables.ts).
 *
 * Every change is ONE conditional UpdateItem, so concurrent Lambda invocations cannot both win: that is
 * what makes "50 subscribes in a minute → one confirmation mail" hold without any lock.
 */
import { DeleteCommand, GetCommand, paginateScan, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Subscriber, SubscriberStatus } from '../../core/model.js';
import type { SubscriberStore } from '../../core/publish/ports.js';
import type {
  FeedbackLedger,
  RateLimiter,
  RollingCounter,
  SubscriberRecord,
  SubscriptionStore,
  TransitionOptions,
  TransitionResult,
} from '../../core/subscriptions/ports.js';
import { toSubscriber } from '../../core/subscriptions/ports.js';
import type { Cadence, CadencePreference } from '../../core/editions/edition.js';
import { stateKey, subscriberKey, TABLE_KEYS } from '../../shared/tables.js';
import { countOne } from '../../core/subscriptions/rolling-window.js';
import { isConditionalCheckFailed } from './dynamodb-conditions.js';

const EXPIRES_AT = TABLE_KEYS.state.timeToLive;

/** Attribute names used in expressions; several (`status`, `source`) are DynamoDB reserved words. */
const NAMES = {
  '#id': TABLE_KEYS.subscribers.partitionKey.name,
  '#email': 'email',
  '#status': 'status',
  '#updatedAt': 'updatedAt',
  '#createdAt': 'createdAt',
  '#lastConfirmationAt': 'lastConfirmationAt',
  '#source': 'source',
} as const;

function byId(a: SubscriberRecord, b: SubscriberRecord): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Subscribers table adapter: the publish port `SubscriberStore` and the subscription port. */
export class DynamoSubscribers implements SubscriberStore, SubscriptionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    /** Physical name of the subscribers table. */
    readonly tableName: string,
  ) {}

  private async scan(onlyConfirmed: boolean): Promise<SubscriberRecord[]> {
    const records: SubscriberRecord[] = [];
    const pages = paginateScan(
      { client: this.client },
      {
        TableName: this.tableName,
        // Strongly consistent, so an operator's `list` right after `add` shows the new row.
        ConsistentRead: true,
        ...(onlyConfirmed
          ? {
              FilterExpression: '#status = :confirmed',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':confirmed': 'confirmed' },
            }
          : {}),
      },
    );
    for await (const page of pages) records.push(...((page.Items ?? []) as SubscriberRecord[]));
    return records.sort(byId);
  }

  /** Confirmed subscribers sorted by id (a full scan: the list is read once per publish run). */
  async listConfirmed(): Promise<Subscriber[]> {
    return (await this.scan(true)).map(toSubscriber);
  }

  /** Every record, sorted by id. */
  listAll(): Promise<SubscriberRecord[]> {
    return this.scan(false);
  }

  /**
   * How many subscribers have each status (`gazette status`): one scan that reads the status alone, so a
   * large list costs read units for its size, not for whole records. Eventually consistent: a count.
   */
  async countByStatus(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    const pages = paginateScan(
      { client: this.client },
      { TableName: this.tableName, ProjectionExpression: '#status', ExpressionAttributeNames: { '#status': 'status' } },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const status = typeof item.status === 'string' ? item.status : 'unknown';
        counts[status] = (counts[status] ?? 0) + 1;
      }
    }
    return counts;
  }

  async get(id: string): Promise<SubscriberRecord | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: subscriberKey(id), ConsistentRead: true }));
    return result.Item as SubscriberRecord | undefined;
  }

  async reserveConfirmation(id: string, email: string, now: Date, cooldownStart: Date, cadence?: Cadence): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: subscriberKey(id),
          UpdateExpression:
            'SET #email = :email, #status = :pending, #updatedAt = :now, #lastConfirmationAt = :now, ' +
            '#createdAt = if_not_exists(#createdAt, :now), #source = if_not_exists(#source, :form)' +
            (cadence ? ', #cadence = :cadence' : ''),
          // ISO 8601 UTC strings compare in time order, so `<` on strings is `before`.
          ConditionExpression:
            '(attribute_not_exists(#id) OR #status IN (:pending, :unsubscribed)) AND ' +
            '(attribute_not_exists(#lastConfirmationAt) OR #lastConfirmationAt < :cooldownStart)',
          ExpressionAttributeNames: cadence ? { ...NAMES, '#cadence': 'cadence' } : NAMES,
          ExpressionAttributeValues: {
            ':email': email,
            ':pending': 'pending',
            ':unsubscribed': 'unsubscribed',
            ':now': now.toISOString(),
            ':form': 'form',
            ':cooldownStart': cooldownStart.toISOString(),
            ...(cadence ? { ':cadence': cadence } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async releaseConfirmation(id: string, reservedAt: Date): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: subscriberKey(id),
          UpdateExpression: 'REMOVE #lastConfirmationAt',
          ConditionExpression: '#lastConfirmationAt = :reservedAt',
          ExpressionAttributeNames: { '#lastConfirmationAt': 'lastConfirmationAt' },
          ExpressionAttributeValues: { ':reservedAt': reservedAt.toISOString() },
        }),
      );
    } catch (error) {
      // Someone reserved again meanwhile: their reservation stands.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async transition(
    id: string,
    from: readonly SubscriberStatus[],
    to: SubscriberStatus,
    now: Date,
    options: TransitionOptions = {},
  ): Promise<TransitionResult> {
    const at = now.toISOString();
    const sets = ['#status = :to', '#updatedAt = :now'];
    const names: Record<string, string> = { '#id': NAMES['#id'], '#status': 'status', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':to': to, ':now': at };
    const set = (attribute: string, value: unknown, ifNotExists = false): void => {
      names[`#${attribute}`] = attribute;
      values[`:${attribute}`] = value;
      sets.push(ifNotExists ? `#${attribute} = if_not_exists(#${attribute}, :${attribute})` : `#${attribute} = :${attribute}`);
    };
    if (options.reason !== undefined) set('statusReason', options.reason);
    if (options.stampConfirmedAt) set('confirmedAt', at);
    if (options.consentNote !== undefined) set('consentNote', options.consentNote);
    if (options.createWith) {
      set('email', options.createWith.email, true);
      set('source', options.createWith.source, true);
      set('createdAt', at, true);
    }
    const fromKeys = from.map((_, index) => `:from${index}`);
    from.forEach((status, index) => (values[`:from${index}`] = status));
    const statusAllowed = fromKeys.length > 0 ? `#status IN (${fromKeys.join(', ')})` : 'attribute_not_exists(#id)';
    const condition = options.createWith ? `attribute_not_exists(#id) OR ${statusAllowed}` : `attribute_exists(#id) AND ${statusAllowed}`;
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: subscriberKey(id),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { outcome: 'changed', record: result.Attributes as SubscriberRecord };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const record = await this.get(id);
    return record ? { outcome: 'unchanged', record } : { outcome: 'missing' };
  }

  /** One conditional UpdateItem: the cursor only moves forward, and only on an existing record. */
  async advanceCursor(id: string, cursor: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: subscriberKey(id),
          UpdateExpression: 'SET #cursor = :cursor',
          ConditionExpression: 'attribute_exists(#id) AND (attribute_not_exists(#cursor) OR #cursor < :cursor)',
          ExpressionAttributeNames: { '#id': NAMES['#id'], '#cursor': 'cursor' },
          ExpressionAttributeValues: { ':cursor': cursor },
        }),
      );
    } catch (error) {
      // Already at or past it (a retried run), or removed meanwhile: nothing to move.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async setPreference(id: string, preference: CadencePreference, now: Date): Promise<SubscriberRecord | undefined> {
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: subscriberKey(id),
          UpdateExpression: 'SET #cadence = :cadence, #timeZone = :timeZone, #hour = :hour, #weekday = :weekday, #updatedAt = :now',
          ConditionExpression: 'attribute_exists(#id)',
          ExpressionAttributeNames: {
            '#id': NAMES['#id'],
            '#cadence': 'cadence',
            '#timeZone': 'timeZone',
            '#hour': 'hour',
            '#weekday': 'weekday',
            '#updatedAt': 'updatedAt',
          },
          ExpressionAttributeValues: {
            ':cadence': preference.cadence,
            ':timeZone': preference.timeZone,
            ':hour': preference.hour,
            ':weekday': preference.weekday,
            ':now': now.toISOString(),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as SubscriberRecord;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  async remove(id: string): Promise<boolean> {
    const result = await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: subscriberKey(id), ReturnValues: 'ALL_OLD' }),
    );
    return result.Attributes !== undefined;
  }
}

/** Seconds since the epoch, the unit DynamoDB TTL reads. */
function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/**
 * `ses-event#<key>` items in the state table, written once a notification was applied and expiring
 * through its TTL attribute. Items written before completion marks existed (a `processedAt` and no
 * `completedAt`) count as not done: a re-delivery of one applies it again, which changes nothing.
 */
export class DynamoFeedbackLedger implements FeedbackLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    /** Physical name of the state table. */
    readonly tableName: string,
  ) {}

  async isDone(key: string, now: Date): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: stateKey('sesEvent', key), ConsistentRead: true }),
    );
    // TTL deletes lazily (up to days later), so an expired item counts as absent.
    return typeof Item?.['completedAt'] === 'string' && Number(Item[EXPIRES_AT]) >= epochSeconds(now);
  }

  async markDone(key: string, now: Date, expiresAt: Date): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...stateKey('sesEvent', key), completedAt: now.toISOString(), [EXPIRES_AT]: epochSeconds(expiresAt) },
      }),
    );
  }
}

/**
 * Rolling-window counters as one `cap#<key>` item in the state table holding hourly buckets. Each take
 * reads the item and writes it back on the condition that nobody wrote in between (a version number),
 * retrying on a race, so concurrent API invocations never count past the limit together.
 */
export class DynamoRollingCounter implements RollingCounter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    /** Physical name of the state table. */
    readonly tableName: string,
    private readonly maxAttempts = 8,
  ) {}

  async take(key: string, now: Date, windowMs: number, limit: number): Promise<boolean> {
    const itemKey = stateKey('cap', key);
    for (let attempt = 1; attempt <= this.maxAttempts; attempt += 1) {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: itemKey, ConsistentRead: true }));
      const version = typeof Item?.['version'] === 'number' ? Item['version'] : undefined;
      const next = countOne((Item?.['buckets'] as Record<string, number> | undefined) ?? {}, now, windowMs, limit);
      if (!next) return false;
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...itemKey,
              buckets: next,
              version: (version ?? 0) + 1,
              [EXPIRES_AT]: epochSeconds(new Date(now.getTime() + 2 * windowMs)),
            },
            ConditionExpression: version === undefined ? 'attribute_not_exists(#id)' : '#version = :version',
            ExpressionAttributeNames: version === undefined ? { '#id': TABLE_KEYS.state.partitionKey.name } : { '#version': 'version' },
            ...(version === undefined ? {} : { ExpressionAttributeValues: { ':version': version } }),
          }),
        );
        return true;
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
    }
    // Lost every race: a flood is on, and refusing is the cap's safe side.
    return false;
  }
}

/** Fixed-window counters `rate#<key>#<window start>` in the state table, expiring through its TTL. */
export class DynamoRateLimiter implements RateLimiter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    /** Physical name of the state table. */
    readonly tableName: string,
  ) {}

  async hit(key: string, now: Date, windowMs: number, limit: number): Promise<boolean> {
    const start = Math.floor(now.getTime() / windowMs) * windowMs;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: stateKey('rate', `${key}#${start}`),
          UpdateExpression: 'ADD #hits :one SET #expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(#hits) OR #hits < :limit',
          ExpressionAttributeNames: { '#hits': 'hits', '#expiresAt': EXPIRES_AT },
          ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':expiresAt': epochSeconds(new Date(start + 2 * windowMs)) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}
