/**
 * In-memory adapters of the model summariser's cache and token budget, for `gazette publish` with
 * `--summarizer bedrock` (one process, one run: the cache lives as long as the run, and the budget
 * counts that run's tokens only) and for unit tests. The deployed publisher keeps both in DynamoDB
 * (functions/adapters/aws/dynamodb-summary-state.ts), shared by every run.
 */
import type { CachedSummary, SummaryCache, TokenBudget } from '../../core/model-summary/ports.js';
import type { Clock, Log, Summarizer } from '../../core/publish/ports.js';
import { ExtractiveSummarizer } from '../../core/summarize/index.js';
import { createBedrockClient, createBedrockSummarizer } from '../aws/bedrock-summarizer.js';

/** Cached answers in a map; each `get` returns a copy, as a store would. */
export class MemorySummaryCache implements SummaryCache {
  readonly entries = new Map<string, CachedSummary>();

  async get(key: string): Promise<CachedSummary | undefined> {
    const entry = this.entries.get(key);
    return entry ? structuredClone(entry) : undefined;
  }

  async put(key: string, entry: CachedSummary): Promise<void> {
    this.entries.set(key, structuredClone(entry));
  }
}

/** Tokens per day in a map, with the same rule as the DynamoDB adapter. */
export class MemoryTokenBudget implements TokenBudget {
  readonly used = new Map<string, number>();

  async reserve(day: string, tokens: number, limit: number): Promise<boolean> {
    const used = this.used.get(day) ?? 0;
    if (used + tokens > limit) return false;
    this.used.set(day, used + tokens);
    return true;
  }

  async adjust(day: string, delta: number): Promise<void> {
    this.used.set(day, (this.used.get(day) ?? 0) + delta);
  }
}

/** What {@link memoryBedrockSummarizer} takes. */
export interface MemoryBedrockOptions {
  modelId: string;
  dailyTokenBudget: number;
  clock: Clock;
  log: Log;
}

/**
 * `gazette publish --summarizer bedrock`: Bedrock with the credentials and region of the shell (the
 * SDK's default chain), cache and budget in memory for this run only; the extractive summariser is the
 * fallback, so a machine without AWS access still publishes.
 */
export function memoryBedrockSummarizer(options: MemoryBedrockOptions): Summarizer {
  return createBedrockSummarizer({
    client: createBedrockClient({}),
    ...options,
    cache: new MemorySummaryCache(),
    budget: new MemoryTokenBudget(),
    fallback: new ExtractiveSummarizer(),
  });
}
