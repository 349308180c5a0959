/**
 * Model-backed summaries on the deployed path: the REAL publish handler built from an environment with
 * `GAZETTE_SUMMARIZER=bedrock`, the real Bedrock client against the loopback Converse stub, and the
 * answer cache and token budget as items in the state table of dynalite — including the atomic budget
 * under concurrent runs, which only a real conditional write can show.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSummaryCache, DynamoTokenBudget } from '../../functions/adapters/aws/dynamodb-summary-state.js';
import type { CachedSummary } from '../../functions/core/model-summary/ports.js';
import { ENV } from '../../functions/shared/env-names.js';
import { LOCAL_ENV } from '../../functions/shared/env.js';
import { STATE_ITEM, stateKey } from '../../functions/shared/tables.js';
import {
  type ConverseReply,
  type ConverseStub,
  converseBody,
  jsonReply,
  promptLines,
  startConverseStub,
  STUB_USAGE,
} from '../fakes/converse-stub.js';
import { createHarness, type Harness } from './harness.js';

let stub: ConverseStub;
beforeAll(async () => {
  stub = await startConverseStub();
});
afterAll(() => stub.close());

const harnesses: Harness[] = [];
afterEach(() => {
  for (const harness of harnesses.splice(0)) harness.close();
  stub.received.length = 0;
  stub.replies.length = 0;
  stub.closeSessions();
});

async function harness(): Promise<Harness> {
  const created = await createHarness({
    variables: { [ENV.summarizer]: 'bedrock', [ENV.bedrockDailyTokenBudget]: '100000', [LOCAL_ENV.bedrockEndpoint]: stub.endpoint },
  });
  harnesses.push(created);
  return created;
}

const HEADLINE = 'Xi and Putin hold talks in Moscow and sign over 20 agreements';

/** A faithful answer about the seed article, citing the prompt's own sentence numbers. */
const answerForSeed: ConverseReply = (response, request) => {
  const lines = [...promptLines(request)];
  const cite = (phrase: string): number[] => lines.filter(([, text]) => text.includes(phrase)).map(([number]) => number);
  jsonReply(
    200,
    converseBody({
      headline: HEADLINE,
      summary: [
        'Chinese President Xi Jinping and Russian President Vladimir Putin held talks in Moscow on Thursday.',
        'The leaders signed a joint statement and witnessed the exchange of over 20 agreements.',
      ],
      keyPoints: [
        { text: 'Putin reiterated Russia’s support for the one-China principle', sentences: cite('one-China principle') },
        { text: 'Xi called for stronger collaboration through the Belt and Road Initiative', sentences: cite('Belt and Road') },
        { text: 'The agreements span digital economy, biosecurity and investment', sentences: cite('over 20 agreements') },
      ],
      keywords: ['china', 'russia', 'partnership'],
    }),
  )(response, request);
};

describe('the publish handler with Bedrock summaries', () => {
  it('publishes the model digest, counts its tokens and caches it in the state table', async () => {
    const h = await harness();
    stub.replies.push(answerForSeed);
    const summary = await h.invoke({ scheduledAt: new Date().toISOString() });

    expect(summary).toMatchObject({ digests: 1, created: 1, articleErrors: 0 });
    expect(stub.received).toHaveLength(1);
    expect(stub.received[0]!.url).toBe(`/model/${encodeURIComponent('amazon.nova-micro-v1:0')}/converse`);
    const [digest] = await h.digests();
    expect(digest).toMatchObject({ headline: HEADLINE, keywords: ['china', 'russia', 'partnership'] });
    expect(digest!.keyPoints).toHaveLength(3);
    const state = await h.stateItems();
    const day = new Date().toISOString().slice(0, 10);
    expect(state.find((item) => item['id'] === `${STATE_ITEM.tokens}${day}`)).toMatchObject({ tokens: STUB_USAGE.totalTokens });
    expect(state.filter((item) => String(item['id']).startsWith(STATE_ITEM.summary))).toHaveLength(1);
  });

  it('does not ask the model again for an article it already answered, whatever the retries', async () => {
    const h = await harness();
    stub.replies.push(answerForSeed);
    await h.invoke();
    // A run that died after the model answered but before the archive write: the digest is missing.
    const [digest] = await h.digests();
    await h.clients.doc.send(new DeleteCommand({ TableName: h.names.tables.state, Key: stateKey('digest', digest!.id) }));
    const retry = await h.invoke();

    expect(retry).toMatchObject({ created: 1, articleErrors: 0 });
    expect(stub.received).toHaveLength(1);
    expect((await h.digests())[0]?.headline).toBe(HEADLINE);
  });

  it('publishes the extractive digest when the model is throttled', async () => {
    const h = await harness();
    stub.replies.push(jsonReply(429, JSON.stringify({ message: 'Too many requests' }), { 'x-amzn-errortype': 'ThrottlingException' }));
    const summary = await h.invoke();

    expect(summary).toMatchObject({ created: 1, articleErrors: 0 });
    expect((await h.digests())[0]?.headline).not.toBe(HEADLINE);
    // Nothing cached: a later run may try the model again.
    expect((await h.stateItems()).filter((item) => String(item['id']).startsWith(STATE_ITEM.summary))).toEqual([]);
  });
});

describe('DynamoDB adapters of the cache and the budget (dynalite)', () => {
  it('never lets concurrent reservations pass the daily limit together', async () => {
    const h = await harness();
    const budget = new DynamoTokenBudget(h.clients.doc, h.names.tables.state);
    const now = new Date('2026-03-04T07:00:00Z');
    const results = await Promise.all(Array.from({ length: 25 }, () => budget.reserve('2026-03-04', 1_000, 10_000, now)));
    expect(results.filter(Boolean)).toHaveLength(10);
    expect(await budget.usedOn('2026-03-04')).toBe(10_000);
    await budget.adjust('2026-03-04', -2_500, now);
    expect(await budget.reserve('2026-03-04', 2_500, 10_000, now)).toBe(true);
    expect(await budget.reserve('2026-03-04', 1, 10_000, now)).toBe(false);
    // Another day has its own count; a single call larger than the limit is refused outright.
    expect(await budget.reserve('2026-03-05', 10_000, 10_000, now)).toBe(true);
    expect(await budget.reserve('2026-03-06', 10_001, 10_000, now)).toBe(false);
    expect(await budget.usedOn('2026-03-06')).toBe(0);
  });

  it('stores answers and refusals as they went in, and treats an unreadable item as a miss', async () => {
    const h = await harness();
    const cache = new DynamoSummaryCache(h.clients.doc, h.names.tables.state);
    const now = new Date('2026-03-04T07:00:00Z');
    const answer: CachedSummary = {
      kind: 'model',
      summary: { headline: 'A headline', sentences: ['One.', 'Two.'], keyPoints: ['a point', 'another point'], keywords: [] },
      usage: { inputTokens: 10, outputTokens: 5 },
    };
    const refusal: CachedSummary = { kind: 'refused', reason: 'too-few-points', detail: '1 of 3 key points supported' };
    await cache.put('a', answer, now);
    await cache.put('b', refusal, now);
    expect(await cache.get('a')).toEqual(answer);
    expect(await cache.get('b')).toEqual(refusal);
    expect(await cache.get('missing')).toBeUndefined();
    await h.clients.doc.send(
      new PutCommand({ TableName: h.names.tables.state, Item: { ...stateKey('summary', 'c'), body: '{"kind":"model"' } }),
    );
    expect(await cache.get('c')).toBeUndefined();
    const item = (await h.stateItems()).find((entry) => entry['id'] === `${STATE_ITEM.summary}a`);
    expect(Number(item?.['expiresAt'])).toBeGreaterThan(now.getTime() / 1000);
  });
});
