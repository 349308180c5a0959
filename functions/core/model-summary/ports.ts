/**
 * The ports of the model-backed summariser, declared beside it: the model call, the cache of answers
 * and the daily token budget. The AWS adapters are Bedrock's Converse API and items in the state table;
 * local runs and unit tests use the in-memory adapters.
 */
import type { Summary } from '../model.js';
import type { RefusalReason } from './answer.js';
import type { ModelRequest } from './prompt.js';

/** Tokens one call used, as the service reports them. */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

/**
 * What became of one model call. Every expected answer of the service is a value; an exception from
 * `complete` means a bug.
 */
export type ModelOutcome =
  /** The model called the tool; `toolInput` is its input, not yet validated. */
  | { kind: 'answered'; toolInput: unknown; usage: TokenUsage }
  /** The model answered without calling the tool (or the response had no usable tool input). */
  | { kind: 'no-tool-call'; detail: string; usage: TokenUsage }
  /** The service asked us to slow down (HTTP 429, ThrottlingException, ServiceQuotaExceeded). */
  | { kind: 'throttled'; detail: string }
  /** The call was aborted at its timeout or the article's deadline. */
  | { kind: 'timeout'; detail: string }
  /** Anything else: access denied, model not available, a response that could not be read. */
  | { kind: 'failed'; detail: string };

/** One language model behind a single-tool call. */
export interface SummaryModel {
  /** The model id, for the cache key, the price and the log. */
  readonly modelId: string;
  /** Sends the request, forcing its tool; gives up when `deadline` passes (a remote call is aborted). */
  complete(request: ModelRequest, options: { deadline?: { passed(): boolean } }): Promise<ModelOutcome>;
}

/** A cached result: the model's accepted summary, or the fact that its answer was refused. */
export type CachedSummary =
  { kind: 'model'; summary: Summary; usage: TokenUsage } | { kind: 'refused'; reason: RefusalReason; detail: string };

/** Answers by cache key (prompt.ts `summaryCacheKey`), so an article is sent to the model once. */
export interface SummaryCache {
  get(key: string): Promise<CachedSummary | undefined>;
  put(key: string, entry: CachedSummary, now: Date): Promise<void>;
}

/**
 * Tokens used per UTC day, shared by every run. `reserve` is counted before each call with an atomic
 * conditional write, so concurrent runs can never together pass the limit; `adjust` corrects the count
 * with the real usage afterwards.
 */
export interface TokenBudget {
  /** Counts `tokens` against `day` unless the day's count would then exceed `limit`; true when counted. */
  reserve(day: string, tokens: number, limit: number, now: Date): Promise<boolean>;
  /** Adds `delta` (negative to give back) to the day's count, unconditionally. */
  adjust(day: string, delta: number, now: Date): Promise<void>;
}
