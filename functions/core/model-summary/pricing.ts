/**
 * On-demand Bedrock prices of the models Gazette names, in one table, so the cost in the log lines and
 * the README come from one place. US East (N. Virginia) list prices in US dollars per million tokens,
 * as published on https://aws.amazon.com/bedrock/pricing/ — figures as quoted in March 2026 (this
 * machine cannot reach the page; check it before relying on them). Prices change; update the date with
 * the figures.
 */
import type { TokenUsage } from './ports.js';

/** When the figures below were taken from the price list. */
export const PRICES_AS_OF = '2026-03';

/** Dollars per million input and output tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

/** Price by Bedrock model id (on-demand, in-region). */
export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  'amazon.nova-micro-v1:0': { inputPerMillion: 0.035, outputPerMillion: 0.14 },
  'amazon.nova-lite-v1:0': { inputPerMillion: 0.06, outputPerMillion: 0.24 },
  'anthropic.claude-3-haiku-20240307-v1:0': { inputPerMillion: 0.25, outputPerMillion: 1.25 },
  'anthropic.claude-3-5-haiku-20241022-v1:0': { inputPerMillion: 0.8, outputPerMillion: 4 },
};

/** The cost of `usage` on `modelId` in US dollars, or undefined for a model the table does not price. */
export function costUsd(modelId: string, usage: TokenUsage): number | undefined {
  const price = MODEL_PRICES[modelId];
  if (!price) return undefined;
  return (usage.inputTokens * price.inputPerMillion + usage.outputTokens * price.outputPerMillion) / 1_000_000;
}
