/**
 * The model-backed summariser on Amazon Bedrock: `BedrockConverseModel` sends one Converse request with
 * the digest tool forced through `toolChoice` (so the answer is the tool's JSON input, not prose) and
 * maps every expected answer of the service to a `ModelOutcome`; `createBedrockSummarizer` puts it
 * behind the core's `Summarizer` port with the cache, the budget and the extractive fallback
 * (functions/core/model-summary/model-summarizer.ts).
 *
 * Converse rather than InvokeModel: one request shape for Nova, Claude and the other models, with token
 * usage in every response; the IAM action is still `bedrock:InvokeModel`.
 */
import { BedrockRuntimeClient, ConverseCommand, type ConverseCommandOutput, type ToolInputSchema } from '@aws-sdk/client-bedrock-runtime';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ModelSummarizer, type ModelSummarizerDeps } from '../../core/model-summary/model-summarizer.js';
import type { ModelOutcome, SummaryModel, TokenUsage } from '../../core/model-summary/ports.js';
import type { ModelRequest } from '../../core/model-summary/prompt.js';
import type { Clock, Log } from '../../core/publish/ports.js';
import { ExtractiveSummarizer } from '../../core/summarize/index.js';
import { EMULATOR_CREDENTIALS } from '../../shared/aws-clients.js';
import { DynamoSummaryCache, DynamoTokenBudget } from './dynamodb-summary-state.js';

/** How long one call may take at most, inside the article's own budget (30 s, publish-digests.ts). */
export const DEFAULT_MODEL_TIMEOUT_MS = 20_000;
/** How often the article's deadline is looked at while a call is in flight. */
const DEADLINE_POLL_MS = 200;

/** Error names the service uses for "slow down": retried by a later run, never by this one. */
const THROTTLING_ERRORS = new Set(['ThrottlingException', 'ServiceQuotaExceededException', 'TooManyRequestsException']);

/** Options of {@link BedrockConverseModel}. */
export interface BedrockModelOptions {
  modelId: string;
  /** Upper bound of one call, on top of the article's deadline. */
  timeoutMs?: number;
}

/** One Bedrock model called through Converse with a forced tool. */
export class BedrockConverseModel implements SummaryModel {
  readonly modelId: string;
  private readonly timeoutMs: number;

  constructor(
    private readonly client: BedrockRuntimeClient,
    options: BedrockModelOptions,
  ) {
    this.modelId = options.modelId;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_MODEL_TIMEOUT_MS;
  }

  async complete(request: ModelRequest, options: { deadline?: { passed(): boolean } } = {}): Promise<ModelOutcome> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    const poll = options.deadline
      ? setInterval(() => {
          if (options.deadline?.passed()) controller.abort(new Error("the article's deadline passed"));
        }, DEADLINE_POLL_MS)
      : undefined;
    try {
      const response = await this.client.send(this.command(request), { abortSignal: controller.signal });
      return outcomeOf(response, request.tool.name);
    } catch (error) {
      return failureOf(error, controller.signal);
    } finally {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
    }
  }

  private command(request: ModelRequest): ConverseCommand {
    return new ConverseCommand({
      modelId: this.modelId,
      system: [{ text: request.system }],
      messages: [{ role: 'user', content: [{ text: request.prompt }] }],
      // Temperature 0: the same article should give the same digest, as the extractive one does.
      inferenceConfig: { maxTokens: request.maxOutputTokens, temperature: 0 },
      toolConfig: {
        tools: [
          {
            toolSpec: {
              name: request.tool.name,
              description: request.tool.description,
              inputSchema: { json: request.tool.inputSchema } as ToolInputSchema,
            },
          },
        ],
        toolChoice: { tool: { name: request.tool.name } },
      },
    });
  }
}

/** The tool input of a response, or why there is none. */
function outcomeOf(response: ConverseCommandOutput, toolName: string): ModelOutcome {
  const usage: TokenUsage = { inputTokens: response.usage?.inputTokens ?? 0, outputTokens: response.usage?.outputTokens ?? 0 };
  const call = response.output?.message?.content?.find((block) => block.toolUse?.name === toolName)?.toolUse;
  if (!call) return { kind: 'no-tool-call', detail: `stop reason ${response.stopReason ?? 'unknown'}, no ${toolName} call`, usage };
  // A model that ran out of tokens mid-JSON can still hand over a partial object: refuse it here.
  if (response.stopReason === 'max_tokens') return { kind: 'no-tool-call', detail: 'answer cut off at the token limit', usage };
  return { kind: 'answered', toolInput: call.input, usage };
}

/** The outcome of a call that threw: aborted, throttled, or failed otherwise. */
function failureOf(error: unknown, signal: AbortSignal): ModelOutcome {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  if (signal.aborted || name === 'AbortError' || name === 'TimeoutError') {
    const reason = signal.reason instanceof Error ? signal.reason.message : message;
    return { kind: 'timeout', detail: reason };
  }
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (THROTTLING_ERRORS.has(name) || status === 429) return { kind: 'throttled', detail: `${name}: ${message}` };
  return { kind: 'failed', detail: `${name}: ${message}` };
}

/** How to build the Bedrock Runtime client. */
export interface BedrockClientOptions {
  /** Absent: the SDK's own resolution (AWS_REGION, the profile). */
  region?: string;
  /** A loopback stub in tests (`http://127.0.0.1:PORT`); absent on AWS. */
  endpoint?: string;
  /** Static credentials for a stub; absent on AWS (the Lambda role's are used). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * The Bedrock Runtime client. One attempt per call: a throttled or slow model makes that digest
 * extractive at once, instead of SDK retries spending the article's time budget (and the run's).
 */
export function createBedrockClient(options: BedrockClientOptions): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    ...(options.region ? { region: options.region } : {}),
    maxAttempts: 1,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
}

/** What {@link createBedrockSummarizer} takes: the client and model, and the rest of the deps. */
export interface BedrockSummarizerOptions extends Omit<ModelSummarizerDeps, 'model'>, BedrockModelOptions {
  client: BedrockRuntimeClient;
}

/** The `Summarizer` on Bedrock, with cache, budget and extractive fallback. */
export function createBedrockSummarizer({ client, modelId, timeoutMs, ...deps }: BedrockSummarizerOptions): ModelSummarizer {
  return new ModelSummarizer({ ...deps, model: new BedrockConverseModel(client, { modelId, ...(timeoutMs ? { timeoutMs } : {}) }) });
}

/** What the deployed publisher's Bedrock summariser is built from. */
export interface StateTableBedrockOptions {
  modelId: string;
  dailyTokenBudget: number;
  region: string;
  /** A stand-in for Bedrock (tests); it then gets the emulators' static credentials. */
  endpoint?: string | undefined;
  doc: DynamoDBDocumentClient;
  /** Physical name of the state table, which holds the cache and the budget. */
  stateTable: string;
  clock: Clock;
  log: Log;
}

/** The deployed publisher's summariser: Bedrock, with cache and budget in the state table. */
export function stateTableBedrockSummarizer(options: StateTableBedrockOptions): ModelSummarizer {
  const { endpoint, region } = options;
  return createBedrockSummarizer({
    client: createBedrockClient({ region, ...(endpoint ? { endpoint, credentials: EMULATOR_CREDENTIALS } : {}) }),
    modelId: options.modelId,
    dailyTokenBudget: options.dailyTokenBudget,
    cache: new DynamoSummaryCache(options.doc, options.stateTable),
    budget: new DynamoTokenBudget(options.doc, options.stateTable),
    fallback: new ExtractiveSummarizer(),
    clock: options.clock,
    log: options.log,
  });
}
