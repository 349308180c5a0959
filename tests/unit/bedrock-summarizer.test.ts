/**
 * The Bedrock summariser through the REAL SDK client (request signing, rest-json serialisation, error
 * parsing) against a loopback HTTP/2 stub of `POST /model/{modelId}/converse` (tests/fakes), plus aws-sdk-client-mock
 * for the answers a stub would only imitate less directly. The fallback is the real extractive
 * summariser, so "fell back" is checked by comparing with what it writes.
 */
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBedrockClient, createBedrockSummarizer } from '../../functions/adapters/aws/bedrock-summarizer.js';
import { MemorySummaryCache, MemoryTokenBudget } from '../../functions/adapters/local/memory-summary-state.js';
import type { Article, Summary } from '../../functions/core/model.js';
import type { ModelSummarizer } from '../../functions/core/model-summary/model-summarizer.js';
import { DIGEST_TOOL_NAME, PROMPT_VERSION } from '../../functions/core/model-summary/prompt.js';
import type { LogLevel } from '../../functions/core/publish/ports.js';
import { ExtractiveSummarizer } from '../../functions/core/summarize/index.js';
import {
  type ConverseReply,
  type ConverseStub,
  converseBody,
  jsonReply,
  type ReceivedConverse,
  startConverseStub,
  STUB_USAGE,
} from '../fakes/converse-stub.js';
import { FixedClock } from '../fakes/index.js';

const MODEL_ID = 'amazon.nova-micro-v1:0';

const SENTENCES = [
  'The city council of Northbridge voted 7 to 2 on Tuesday to fund free night buses from March.',
  "The trial will cost 1.2 million pounds over two years, according to the council's transport report.",
  'Mayor Helen Okafor said the buses would “keep late-shift workers safe and the city centre alive”.',
  'Four routes will run every 30 minutes from midnight until dawn.',
  'Bus operator Citylink expects about 3,500 passengers a week in the first year.',
  'Opposition councillor Mark Beale argued the money should go to repairing roads instead.',
  'Night-time businesses welcomed the decision, saying staff often pay for taxis they cannot afford.',
  'The council will review the trial after 12 months and publish passenger figures every quarter.',
  'If the routes prove popular, a fifth route to the university campus could follow in 2027.',
  'Residents can comment on the proposed stops until the end of January.',
];

const ARTICLE: Article = {
  id: 'night-buses',
  source: 'night-buses.txt',
  tags: [],
  text: `${SENTENCES.slice(0, 5).join(' ')}\n\n${SENTENCES.slice(5).join(' ')}`,
  contentHash: 'hash-night-buses',
};

/** An answer a careful model would give: every number, name and quote is in the cited sentences. */
const VALID_ANSWER = {
  headline: 'Northbridge approves free night buses in a 7 to 2 vote',
  summary: [
    'Northbridge council voted 7 to 2 to fund free night buses from March, a trial costing 1.2 million pounds over two years.',
    'Mayor Helen Okafor said the service would keep late-shift workers safe.',
  ],
  keyPoints: [
    { text: 'Four routes will run every 30 minutes from midnight until dawn.', sentences: [4] },
    { text: 'Citylink expects about 3,500 passengers a week in the first year', sentences: [5] },
    { text: 'Councillor Mark Beale wanted the money spent on road repairs', sentences: [6] },
    { text: 'The trial will be reviewed after 12 months', sentences: [8] },
  ],
  keywords: ['night buses', 'Northbridge', 'transport', 'council'],
};

/** The same answer with invented figures in three of its four key points. */
const HALLUCINATED_ANSWER = {
  ...VALID_ANSWER,
  keyPoints: [
    { text: 'Four routes will run every 15 minutes from midnight until dawn', sentences: [4] },
    { text: 'Citylink expects about 5,000 passengers a week', sentences: [5] },
    // 1.2 million is in the article, but not in the sentence this point cites.
    { text: 'The four routes will cost 1.2 million pounds', sentences: [4] },
    { text: 'The trial will be reviewed after 12 months', sentences: [8] },
  ],
};

const USAGE = STUB_USAGE;
const json = jsonReply;

let stub: ConverseStub;
let endpoint: string;
let received: ReceivedConverse[];
let replies: ConverseReply[];

beforeAll(async () => {
  stub = await startConverseStub();
  ({ endpoint, received, replies } = stub);
});

afterAll(() => stub.close());

afterEach(() => {
  received.length = 0;
  replies.length = 0;
  stub.closeSessions();
});

interface LogLine {
  level: LogLevel;
  message: string;
  data: Record<string, unknown>;
}

interface Setup {
  summarizer: ModelSummarizer;
  cache: MemorySummaryCache;
  budget: MemoryTokenBudget;
  logs: LogLine[];
  clock: FixedClock;
}

function setup(options: { client?: BedrockRuntimeClient; dailyTokenBudget?: number; timeoutMs?: number } = {}): Setup {
  const cache = new MemorySummaryCache();
  const budget = new MemoryTokenBudget();
  const logs: LogLine[] = [];
  const clock = new FixedClock(new Date('2026-03-04T07:00:00Z'));
  const client =
    options.client ??
    createBedrockClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'AKIDLOCALSTUB', secretAccessKey: 'local-stub-secret' },
    });
  const summarizer = createBedrockSummarizer({
    client,
    modelId: MODEL_ID,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    cache,
    budget,
    fallback: new ExtractiveSummarizer(),
    clock,
    log: (level, message, data = {}) => logs.push({ level, message, data }),
    dailyTokenBudget: options.dailyTokenBudget ?? 100_000,
  });
  return { summarizer, cache, budget, logs, clock };
}

let extractive: Summary;
beforeAll(async () => {
  extractive = await new ExtractiveSummarizer().summarize(ARTICLE);
});

/** The one per-digest log line of the model summariser. */
const digestLine = (logs: LogLine[]): Record<string, unknown> => {
  const lines = logs.filter((line) => line.message === 'model summary');
  expect(lines).toHaveLength(1);
  return lines[0]!.data;
};

describe('Bedrock summariser through the real SDK client and a loopback Converse stub', () => {
  it('sends the article as numbered sentences with the digest tool forced, signed, to /model/{id}/converse', async () => {
    const { summarizer } = setup();
    replies.push(json(200, converseBody(VALID_ANSWER)));
    await summarizer.summarize(ARTICLE);

    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe(`/model/${encodeURIComponent(MODEL_ID)}/converse`);
    expect(request!.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDLOCALSTUB\/\d{8}\/us-east-1\/bedrock\/aws4_request/);
    const prompt = request!.body.messages?.[0]?.content?.[0]?.text ?? '';
    const numbered = SENTENCES.map((sentence, index) => `[${index + 1}] ${sentence}`);
    expect(prompt).toContain(numbered.join('\n'));
    expect(request!.body.toolConfig?.toolChoice).toEqual({ tool: { name: DIGEST_TOOL_NAME } });
    const tools = request!.body.toolConfig?.tools ?? [];
    expect(tools).toHaveLength(1);
    const schema = tools[0]?.toolSpec?.inputSchema?.json as { required: string[]; properties: Record<string, { items?: unknown }> };
    expect(schema.required).toEqual(['headline', 'summary', 'keyPoints', 'keywords']);
    expect(schema.properties['keyPoints']?.items).toMatchObject({ required: ['text', 'sentences'] });
    expect(request!.body.inferenceConfig).toMatchObject({ temperature: 0 });
    expect(request!.body.system?.[0]?.text).toContain(DIGEST_TOOL_NAME);
  });

  it('uses a valid answer: headline, summary, the supported key points (no full stop) and keywords', async () => {
    const { summarizer, logs, budget } = setup();
    replies.push(json(200, converseBody(VALID_ANSWER)));
    const summary = await summarizer.summarize(ARTICLE);

    expect(summary).toEqual({
      headline: VALID_ANSWER.headline,
      sentences: VALID_ANSWER.summary,
      keyPoints: [
        'Four routes will run every 30 minutes from midnight until dawn',
        'Citylink expects about 3,500 passengers a week in the first year',
        'Councillor Mark Beale wanted the money spent on road repairs',
        'The trial will be reviewed after 12 months',
      ],
      keywords: ['night buses', 'northbridge', 'transport', 'council'],
    });
    const line = digestLine(logs);
    expect(line).toMatchObject({ outcome: 'model', modelId: MODEL_ID, inputTokens: 812, outputTokens: 236 });
    // Nova Micro: 812 × $0.035/M + 236 × $0.14/M.
    expect(line['costUsd']).toBeCloseTo((812 * 0.035 + 236 * 0.14) / 1e6, 9);
    // The estimate counted before the call is replaced by the real usage afterwards.
    expect(budget.used.get('2026-03-04')).toBe(USAGE.inputTokens + USAGE.outputTokens);
  });

  it('rejects key points whose numbers are not in their cited sentences, and falls back when fewer than two survive', async () => {
    const { summarizer, logs, cache } = setup();
    replies.push(json(200, converseBody(HALLUCINATED_ANSWER)));
    const summary = await summarizer.summarize(ARTICLE);

    expect(summary).toEqual(extractive);
    const line = digestLine(logs);
    expect(line).toMatchObject({ outcome: 'fallback', reason: 'too-few-points', inputTokens: 812, outputTokens: 236 });
    const rejected = line['rejectedPoints'] as { text: string; unsupported: { kind: string; value: string }[] }[];
    expect(rejected.map((point) => point.unsupported)).toEqual([
      [{ kind: 'number', value: '15' }],
      [{ kind: 'number', value: '5000' }],
      [{ kind: 'number', value: '1.2' }],
    ]);
    // The refusal is remembered: a retry of the run does not pay for the same answer again.
    expect([...cache.entries.values()]).toEqual([{ kind: 'refused', reason: 'too-few-points', detail: '1 of 4 key points supported' }]);
  });

  it('drops one unsupported key point and keeps the digest when enough survive', async () => {
    const { summarizer, logs } = setup();
    const oneBad = { ...VALID_ANSWER, keyPoints: [...VALID_ANSWER.keyPoints.slice(1), HALLUCINATED_ANSWER.keyPoints[0]!] };
    replies.push(json(200, converseBody(oneBad)));
    const summary = await summarizer.summarize(ARTICLE);

    expect(summary.keyPoints).toHaveLength(3);
    expect(summary.keyPoints.join(' ')).not.toContain('15 minutes');
    expect(digestLine(logs)).toMatchObject({ outcome: 'model', rejectedPoints: [{ why: 'unsupported' }] });
  });

  it('falls back on a tool input that is not the digest shape (malformed JSON for the tool)', async () => {
    const { summarizer, logs } = setup();
    replies.push(json(200, converseBody({ headline: 'Night buses', summary: 'one string, not a list', keyPoints: [] })));
    expect(await summarizer.summarize(ARTICLE)).toEqual(extractive);
    expect(digestLine(logs)).toMatchObject({ outcome: 'fallback', reason: 'malformed' });
  });

  it('falls back on a response body that is not JSON at all', async () => {
    const { summarizer, logs } = setup();
    replies.push(json(200, '{"output": {"message": {"role": "assistant", "content": [{"toolUse": {"input": {"headline": '));
    expect(await summarizer.summarize(ARTICLE)).toEqual(extractive);
    expect(digestLine(logs)).toMatchObject({ outcome: 'fallback', reason: 'model-failed' });
  });

  it('falls back when the model does not answer in time, aborting the request', async () => {
    const { summarizer, logs, budget } = setup({ timeoutMs: 300 });
    replies.push(() => undefined); // never answers
    expect(await summarizer.summarize(ARTICLE)).toEqual(extractive);
    expect(received).toHaveLength(1);
    expect(digestLine(logs)).toMatchObject({ outcome: 'fallback', reason: 'timeout', detail: 'no answer within 300 ms' });
    // The service may still charge for an aborted call: the estimate stays counted.
    expect(budget.used.get('2026-03-04')).toBeGreaterThan(USAGE.totalTokens);
  });

  it("aborts the call when the article's deadline passes", async () => {
    const { summarizer, logs } = setup();
    replies.push(() => undefined);
    let passed = false;
    setTimeout(() => (passed = true), 250);
    // The fallback is asked with the same deadline, so the article fails as a whole once it has passed.
    await expect(summarizer.summarize(ARTICLE, { deadline: { passed: () => passed } })).rejects.toThrow();
    expect(digestLine(logs)).toMatchObject({ outcome: 'fallback', reason: 'timeout', detail: "the article's deadline passed" });
  });

  it('falls back on throttling (HTTP 429 ThrottlingException), makes one attempt only and gives the tokens back', async () => {
    const { summarizer, logs, budget } = setup();
    replies.push(
      json(429, JSON.stringify({ message: 'Too many requests, please wait before trying again.' }), {
        'x-amzn-errortype': 'ThrottlingException',
      }),
    );
    expect(await summarizer.summarize(ARTICLE)).toEqual(extractive);
    expect(received).toHaveLength(1);
    expect(digestLine(logs)).toMatchObject({ outcome: 'fallback', reason: 'throttled' });
    expect(String(digestLine(logs)['detail'])).toMatch(/^ThrottlingException: Too many requests/);
    expect(budget.used.get('2026-03-04')).toBe(0);
  });

  it('makes no call when the daily token budget is spent', async () => {
    const { summarizer, logs, budget } = setup({ dailyTokenBudget: 5_000 });
    await budget.reserve('2026-03-04', 4_500, 5_000);
    expect(await summarizer.summarize(ARTICLE)).toEqual(extractive);
    expect(received).toHaveLength(0);
    expect(digestLine(logs)).toMatchObject({ outcome: 'fallback', reason: 'budget-spent', inputTokens: 0 });
    expect(budget.used.get('2026-03-04')).toBe(4_500);
  });

  it('summarises an article once: the second request for it is served from the cache', async () => {
    const { summarizer, logs } = setup();
    replies.push(json(200, converseBody(VALID_ANSWER)));
    const first = await summarizer.summarize(ARTICLE);
    const second = await summarizer.summarize({ ...ARTICLE, source: 'retry/night-buses.txt' });
    expect(second).toEqual(first);
    expect(received).toHaveLength(1);
    expect(logs.map((line) => line.data['outcome'])).toEqual(['model', 'cache']);
    // An edited text is another article: a new call.
    replies.push(json(200, converseBody(VALID_ANSWER)));
    await summarizer.summarize({ ...ARTICLE, text: `${ARTICLE.text} Updated.` });
    expect(received).toHaveLength(2);
  });

  it('leaves short articles to the extractive summariser without a call', async () => {
    const { summarizer, logs } = setup();
    const short: Article = { ...ARTICLE, text: SENTENCES.slice(0, 3).join(' ') };
    expect(await summarizer.summarize(short)).toEqual(await new ExtractiveSummarizer().summarize(short));
    expect(received).toHaveLength(0);
    expect(digestLine(logs)).toMatchObject({ outcome: 'fallback', reason: 'short-article' });
  });
});

describe('Bedrock summariser edge cases (aws-sdk-client-mock)', () => {
  // The mock wraps this one instance: the stub tests above keep their real clients.
  const client = new BedrockRuntimeClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDMOCK', secretAccessKey: 'mock-secret' },
  });
  const mock = mockClient(client);
  beforeEach(() => mock.reset());
  afterAll(() => mock.restore());

  function serviceError(name: string, status: number): Error {
    return Object.assign(new Error(`${name} from the mock`), { name, $metadata: { httpStatusCode: status } });
  }

  it('falls back and remembers it when the model answers in prose instead of calling the tool', async () => {
    mock.on(ConverseCommand).resolves({
      output: { message: { role: 'assistant', content: [{ text: 'Here is a summary: buses.' }] } },
      stopReason: 'end_turn',
      usage: USAGE,
      metrics: { latencyMs: 1 },
    });
    const { summarizer, logs } = setup({ client });
    expect(await summarizer.summarize(ARTICLE)).toEqual(extractive);
    await summarizer.summarize(ARTICLE);
    expect(mock.commandCalls(ConverseCommand)).toHaveLength(1);
    expect(logs.map((line) => line.data['reason'])).toEqual(['no-tool-call', 'malformed']);
  });

  it('refuses an answer cut off at the token limit', async () => {
    mock.on(ConverseCommand).resolves(JSON.parse(converseBody(VALID_ANSWER, 'max_tokens')));
    const { summarizer, logs } = setup({ client });
    expect(await summarizer.summarize(ARTICLE)).toEqual(extractive);
    expect(digestLine(logs)).toMatchObject({ reason: 'no-tool-call', detail: 'answer cut off at the token limit' });
  });

  it.each([
    ['ServiceQuotaExceededException', 400, 'throttled'],
    ['AccessDeniedException', 403, 'model-failed'],
    ['ModelNotReadyException', 429, 'throttled'],
    ['ValidationException', 400, 'model-failed'],
  ])('maps %s (%i) to the fallback reason %s', async (name, status, reason) => {
    mock.on(ConverseCommand).rejects(serviceError(name, status));
    const { summarizer, logs } = setup({ client });
    expect(await summarizer.summarize(ARTICLE)).toEqual(extractive);
    expect(digestLine(logs)).toMatchObject({ outcome: 'fallback', reason });
  });

  it('never calls the model when the budget cannot be counted', async () => {
    mock.on(ConverseCommand).resolves(JSON.parse(converseBody(VALID_ANSWER)));
    const { summarizer, budget, logs } = setup({ client });
    budget.reserve = async () => {
      throw new Error('DynamoDB unavailable');
    };
    expect(await summarizer.summarize(ARTICLE)).toEqual(extractive);
    expect(mock.commandCalls(ConverseCommand)).toHaveLength(0);
    expect(logs.find((line) => line.message === 'model summary')?.data).toMatchObject({ reason: 'budget-unavailable' });
  });

  it('refuses a summary sentence that names someone the article does not', async () => {
    const invented = { ...VALID_ANSWER, summary: [VALID_ANSWER.summary[0]!, 'Transport minister Sarah Lin backed the plan.'] };
    mock.on(ConverseCommand).resolves(JSON.parse(converseBody(invented)));
    const { summarizer, logs } = setup({ client });
    expect(await summarizer.summarize(ARTICLE)).toEqual(extractive);
    expect(digestLine(logs)).toMatchObject({ reason: 'unsupported-summary', detail: 'name "Sarah", name "Lin"' });
  });

  it('keys the cache by model, prompt version and text', async () => {
    mock.on(ConverseCommand).resolves(JSON.parse(converseBody(VALID_ANSWER)));
    const { summarizer, cache } = setup({ client });
    await summarizer.summarize(ARTICLE);
    const { summaryCacheKey } = await import('../../functions/core/model-summary/prompt.js');
    expect([...cache.entries.keys()]).toEqual([summaryCacheKey(MODEL_ID, ARTICLE)]);
    expect(summaryCacheKey('anthropic.claude-3-haiku-20240307-v1:0', ARTICLE)).not.toBe(summaryCacheKey(MODEL_ID, ARTICLE));
    expect(PROMPT_VERSION).toMatch(/^digest-v\d+$/);
  });
});
