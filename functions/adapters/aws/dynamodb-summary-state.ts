/**
 * The model summariser's cache and daily token budget as items in the state table (key schema in
 * functions/shared/tables.ts): `summary#<sha256>` holds one answer, `tokens#<UTC day>` the day's count.
 * Both expire through the table's TTL attribute, so neither grows without bound.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from '../../core/zod.js';
import type { CachedSummary, SummaryCache, TokenBudget } from '../../core/model-summary/ports.js';
import { stateKey, TABLE_KEYS } from '../../shared/tables.js';
import { isConditionalCheckFailed } from './dynamodb-conditions.js';

const EXPIRES_AT = TABLE_KEYS.state.timeToLive;
const DAY_MS = 24 * 60 * 60 * 1000;
/** How long an answer is kept: long enough for any retry or a reverted edit, short enough to forget. */
const CACHE_TTL_MS = 90 * DAY_MS;
/** A day's count outlives its day by two, so a run across midnight still finds it. */
const BUDGET_TTL_MS = 3 * DAY_MS;

const epochSeconds = (ms: number): number => Math.floor(ms / 1000);

const usageSchema = z.object({ inputTokens: z.number(), outputTokens: z.number() });
/** What a cache item must hold to be served; anything else (an older shape, a hand edit) is a miss. */
const cachedSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('model'),
    summary: z.object({
      headline: z.string(),
      sentences: z.array(z.string()),
      keyPoints: z.array(z.string()),
      keywords: z.array(z.string()),
    }),
    usage: usageSchema,
  }),
  z.object({
    kind: z.literal('refused'),
    reason: z.enum(['malformed', 'limits', 'unsupported-summary', 'too-few-points']),
    detail: z.string(),
  }),
]);

/** Model answers by cache key, one item each. */
export class DynamoSummaryCache implements SummaryCache {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    /** Physical name of the state table. */
    readonly tableName: string,
  ) {}

  async get(key: string): Promise<CachedSummary | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: stateKey('summary', key) }));
    if (typeof Item?.['body'] !== 'string') return undefined;
    let body: unknown;
    try {
      body = JSON.parse(Item['body']);
    } catch {
      return undefined;
    }
    const parsed = cachedSchema.safeParse(body);
    return parsed.success ? parsed.data : undefined;
  }

  async put(key: string, entry: CachedSummary, now: Date): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        // A JSON string, not a map: the summary comes back exactly as it went in (order, empty lists).
        Item: {
          ...stateKey('summary', key),
          body: JSON.stringify(entry),
          storedAt: now.toISOString(),
          [EXPIRES_AT]: epochSeconds(now.getTime() + CACHE_TTL_MS),
        },
      }),
    );
  }
}

/**
 * Tokens per UTC day in one item. `reserve` is a single conditional `ADD`: DynamoDB applies it only if
 * the count leaves room, atomically, so parallel runs cannot pass the limit together.
 */
export class DynamoTokenBudget implements TokenBudget {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    /** Physical name of the state table. */
    readonly tableName: string,
  ) {}

  async reserve(day: string, tokens: number, limit: number, now: Date): Promise<boolean> {
    if (tokens > limit) return false;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: stateKey('tokens', day),
          UpdateExpression: 'ADD #tokens :tokens SET #expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(#tokens) OR #tokens <= :room',
          ExpressionAttributeNames: { '#tokens': 'tokens', '#expiresAt': EXPIRES_AT },
          ExpressionAttributeValues: { ':tokens': tokens, ':room': limit - tokens, ':expiresAt': this.expiry(now) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async adjust(day: string, delta: number, now: Date): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: stateKey('tokens', day),
        UpdateExpression: 'ADD #tokens :delta SET #expiresAt = :expiresAt',
        ExpressionAttributeNames: { '#tokens': 'tokens', '#expiresAt': EXPIRES_AT },
        ExpressionAttributeValues: { ':delta': delta, ':expiresAt': this.expiry(now) },
      }),
    );
  }

  /** The tokens counted for `day` so far (0 when none), for the tests and the operator. */
  async usedOn(day: string): Promise<number> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: stateKey('tokens', day), ConsistentRead: true }),
    );
    return typeof Item?.['tokens'] === 'number' ? Item['tokens'] : 0;
  }

  private expiry(now: Date): number {
    return epochSeconds(now.getTime() + BUDGET_TTL_MS);
  }
}
