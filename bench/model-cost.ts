/**
 * What model-backed summaries would cost: the size of the request Gazette sends for the seed article and
 * for the 500–700-word articles of the dev set, turned into tokens and dollars per 1,000 digests for each
 * model of the price table (functions/core/model-summary/pricing.ts). No model is called (there is no
 * network here), so tokens are estimated at 4 characters each, the usual ratio for English text; the real
 * counts are in every response and in the publisher's log line per digest. Printed for the README.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { costUsd, MODEL_PRICES, PRICES_AS_OF } from '../functions/core/model-summary/pricing.js';
import {
  buildModelRequest,
  MAX_OUTPUT_TOKENS,
  numberArticle,
  wordCount,
  type ModelRequest,
} from '../functions/core/model-summary/prompt.js';
import { loadDevSet } from './lib/dataset.js';

const CHARS_PER_TOKEN = 4;
/** Tokens a provider adds to the input for tool use (its own tool instructions): an allowance, not a measurement. */
const TOOL_USE_OVERHEAD_TOKENS = 300;
/** A digest answer as the model writes it (the integration test's faithful answer, ~1,100 characters). */
const TYPICAL_ANSWER = {
  headline: 'Xi and Putin hold talks in Moscow and sign over 20 agreements',
  summary: [
    'Chinese President Xi Jinping and Russian President Vladimir Putin held talks in Moscow on Thursday.',
    'The leaders signed a joint statement and witnessed the exchange of over 20 agreements.',
  ],
  keyPoints: [
    { text: 'Putin reiterated Russia’s support for the one-China principle', sentences: [9] },
    { text: 'Xi called for stronger collaboration through the Belt and Road Initiative', sentences: [4] },
    { text: 'The agreements span digital economy, biosecurity and investment', sentences: [11] },
    { text: 'Both leaders criticised unilateral sanctions and high tariffs', sentences: [10] },
  ],
  keywords: ['china', 'russia', 'partnership', 'diplomacy'],
};

function inputTokens(request: ModelRequest): number {
  const chars = request.system.length + request.prompt.length + JSON.stringify(request.tool).length;
  return Math.ceil(chars / CHARS_PER_TOKEN) + TOOL_USE_OVERHEAD_TOKENS;
}

function requestFor(text: string): ModelRequest {
  return buildModelRequest({}, numberArticle({ text }));
}

/** Prints the per-article token estimates and the cost per 1,000 digests for every priced model. */
export async function run(): Promise<void> {
  const seed = readFileSync(resolve('seeds', '000_89c895b2b4859281.txt'), 'utf8');
  const outputTokens = Math.ceil(JSON.stringify(TYPICAL_ANSWER).length / CHARS_PER_TOKEN) + 20;
  const cases: { name: string; words: number; input: number; output: number }[] = [
    { name: 'seed article', words: wordCount(seed), input: inputTokens(requestFor(seed)), output: outputTokens },
  ];
  const typical = (loadDevSet() ?? []).filter((row) => {
    const words = wordCount(row.article);
    return words >= 500 && words <= 700;
  });
  if (typical.length > 0) {
    const inputs = typical.map((row) => inputTokens(requestFor(row.article))).sort((a, b) => a - b);
    const words = typical.map((row) => wordCount(row.article)).sort((a, b) => a - b);
    const median = { words: words[Math.floor(words.length / 2)]!, input: inputs[Math.floor(inputs.length / 2)]! };
    cases.push({ name: `dev set, 500–700 words (median of ${typical.length})`, ...median, output: outputTokens });
    cases.push({ name: 'same, every output token used (upper bound)', ...median, output: MAX_OUTPUT_TOKENS });
  }
  console.log(
    `tokens estimated at ${CHARS_PER_TOKEN} characters each, +${TOOL_USE_OVERHEAD_TOKENS} input tokens for the provider's tool instructions`,
  );
  console.log(`prices per million tokens as of ${PRICES_AS_OF} (functions/core/model-summary/pricing.ts)\n`);
  console.log(
    '| article | words | input tokens | output tokens | ' +
      Object.keys(MODEL_PRICES)
        .map((id) => `${id} $/1,000 digests`)
        .join(' | ') +
      ' |',
  );
  console.log(
    '|---|---|---|---|' +
      Object.keys(MODEL_PRICES)
        .map(() => '---')
        .join('|') +
      '|',
  );
  for (const { name, words, input, output } of cases) {
    const costs = Object.keys(MODEL_PRICES).map((id) => (1000 * costUsd(id, { inputTokens: input, outputTokens: output })!).toFixed(3));
    console.log(`| ${name} | ${words} | ${input} | ${output} | ${costs.join(' | ')} |`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
