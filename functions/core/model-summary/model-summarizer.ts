/**
 * A `Summarizer` that asks a language model for the digest and falls back to the embedded extractive
 * summariser whenever the model's digest cannot be trusted or had: an article too short to need it, a
 * spent daily token budget, a throttled, timed-out or failed call, a malformed answer, an unsupported
 * headline or summary, or fewer than two key points that survive the faithfulness check. Answers (and
 * refusals) are cached by model, prompt version and article text, so an article costs one call whatever
 * the retries. Each article logs one line with the outcome, tokens and cost.
 *
 * Pure orchestration over ports (model.ts style): no SDK, no clock of its own, no timers.
 */
import type { Article, Summary } from '../model.js';
import type { Clock, Log, SummarizeOptions, Summarizer } from '../publish/ports.js';
import { LIMITS } from '../summarize/index.js';
import { judgeAnswer, type RejectedPoint } from './answer.js';
import type { CachedSummary, ModelOutcome, SummaryCache, SummaryModel, TokenBudget, TokenUsage } from './ports.js';
import { costUsd } from './pricing.js';
import { buildModelRequest, estimateTokens, numberArticle, summaryCacheKey, type NumberedArticle } from './prompt.js';

/** Below this many words an article gets the extractive one-sentence digest: a model call buys nothing. */
export const MIN_WORDS_FOR_MODEL = 120;
/** Below this many sentences there is nothing for two summary sentences and two key points to cite. */
export const MIN_SENTENCES_FOR_MODEL = 4;

/** Why an article's digest was written by the extractive summariser instead of the model. */
export type FallbackReason =
  | 'short-article'
  | 'deadline'
  | 'budget-spent'
  | 'budget-unavailable'
  | 'throttled'
  | 'timeout'
  | 'model-failed'
  | 'no-tool-call'
  | 'malformed'
  | 'limits'
  | 'unsupported-summary'
  | 'too-few-points';

/** What the model-backed summariser is built from. */
export interface ModelSummarizerDeps {
  model: SummaryModel;
  cache: SummaryCache;
  budget: TokenBudget;
  /** Writes the digest whenever the model does not (the embedded extractive summariser). */
  fallback: Summarizer;
  clock: Clock;
  log: Log;
  /** Tokens (in + out) all runs together may use per UTC day. */
  dailyTokenBudget: number;
}

const NO_TOKENS: TokenUsage = { inputTokens: 0, outputTokens: 0 };

/** The model-backed summariser (see the module comment). */
export class ModelSummarizer implements Summarizer {
  constructor(private readonly deps: ModelSummarizerDeps) {}

  async summarize(article: Article, options: SummarizeOptions = {}): Promise<Summary> {
    const numbered = numberArticle(article);
    if (numbered.articleWords < MIN_WORDS_FOR_MODEL || numbered.sentences.length < MIN_SENTENCES_FOR_MODEL) {
      return this.fallBack(article, options, 'short-article');
    }
    const key = summaryCacheKey(this.deps.model.modelId, article);
    const cached = await this.cached(key, article);
    if (cached?.kind === 'model') {
      this.record(article, { outcome: 'cache', usage: NO_TOKENS });
      return cached.summary;
    }
    if (cached?.kind === 'refused') return this.fallBack(article, options, cached.reason, { cached: true, detail: cached.detail });
    if (options.deadline?.passed()) return this.fallBack(article, options, 'deadline');
    return this.askModel(article, options, numbered, key);
  }

  /** Reserves the tokens, calls the model and judges its answer. */
  private async askModel(article: Article, options: SummarizeOptions, numbered: NumberedArticle, key: string): Promise<Summary> {
    const request = buildModelRequest(article, numbered);
    const estimate = estimateTokens(request);
    const day = this.deps.clock.now().toISOString().slice(0, 10);
    const reserved = await this.reserve(day, estimate);
    if (reserved !== true) return this.fallBack(article, options, reserved);
    const outcome = await this.deps.model.complete(request, options.deadline ? { deadline: options.deadline } : {});
    await this.settle(day, estimate, outcome);
    if (outcome.kind !== 'answered') {
      const reason = ({ 'no-tool-call': 'no-tool-call', throttled: 'throttled', timeout: 'timeout', failed: 'model-failed' } as const)[
        outcome.kind
      ];
      // A model that answers in prose will do so again: remember it. The others may pass; retry later.
      if (outcome.kind === 'no-tool-call') await this.store(key, { kind: 'refused', reason: 'malformed', detail: outcome.detail });
      const usage = 'usage' in outcome ? outcome.usage : undefined;
      return this.fallBack(article, options, reason, { detail: outcome.detail, ...(usage ? { usage } : {}) });
    }
    const verdict = judgeAnswer(outcome.toolInput, { numbered, articleText: `${article.title ?? ''}\n${article.text}` });
    if (verdict.kind === 'refused') {
      await this.store(key, { kind: 'refused', reason: verdict.reason, detail: verdict.detail });
      return this.fallBack(article, options, verdict.reason, {
        detail: verdict.detail,
        usage: outcome.usage,
        rejectedPoints: verdict.rejectedPoints,
      });
    }
    const summary = await this.withEnoughKeywords(article, options, verdict.summary);
    await this.store(key, { kind: 'model', summary, usage: outcome.usage });
    this.record(article, { outcome: 'model', usage: outcome.usage, rejectedPoints: verdict.rejectedPoints });
    return summary;
  }

  /** True when counted; otherwise the reason to fall back. A budget that cannot be read is never bypassed. */
  private async reserve(day: string, tokens: number): Promise<true | FallbackReason> {
    try {
      return (await this.deps.budget.reserve(day, tokens, this.deps.dailyTokenBudget, this.deps.clock.now())) || 'budget-spent';
    } catch (error) {
      this.deps.log('error', 'token budget could not be counted; not calling the model', { error: String(error) });
      return 'budget-unavailable';
    }
  }

  /**
   * Corrects the day's count: the real usage replaces the estimate; a throttled call used nothing. A
   * timeout or failure keeps the estimate, since the service may have charged for it.
   */
  private async settle(day: string, estimate: number, outcome: ModelOutcome): Promise<void> {
    const used = 'usage' in outcome ? outcome.usage.inputTokens + outcome.usage.outputTokens : outcome.kind === 'throttled' ? 0 : estimate;
    if (used === estimate) return;
    try {
      await this.deps.budget.adjust(day, used - estimate, this.deps.clock.now());
    } catch (error) {
      // The estimate stays counted: the budget errs on the side of spending less.
      this.deps.log('warn', 'token budget could not be corrected', { error: String(error) });
    }
  }

  private async cached(key: string, article: Article): Promise<CachedSummary | undefined> {
    try {
      return await this.deps.cache.get(key);
    } catch (error) {
      this.deps.log('warn', 'summary cache could not be read', { source: article.source, error: String(error) });
      return undefined;
    }
  }

  private async store(key: string, entry: CachedSummary): Promise<void> {
    try {
      await this.deps.cache.put(key, entry, this.deps.clock.now());
    } catch (error) {
      this.deps.log('warn', 'summary cache could not be written', { error: String(error) });
    }
  }

  /** Fills the keywords up to the minimum from the extractive summariser's (they are feed categories). */
  private async withEnoughKeywords(article: Article, options: SummarizeOptions, summary: Summary): Promise<Summary> {
    if (summary.keywords.length >= LIMITS.keywordsMin) return summary;
    const extractive = await this.deps.fallback.summarize(article, options);
    const keywords = [...summary.keywords, ...extractive.keywords.filter((word) => !summary.keywords.includes(word))];
    return { ...summary, keywords: keywords.slice(0, LIMITS.keywordsMax) };
  }

  private async fallBack(
    article: Article,
    options: SummarizeOptions,
    reason: FallbackReason,
    extra: { cached?: boolean; detail?: string; usage?: TokenUsage; rejectedPoints?: RejectedPoint[] } = {},
  ): Promise<Summary> {
    this.record(article, { outcome: 'fallback', reason, ...extra, usage: extra.usage ?? NO_TOKENS });
    return this.deps.fallback.summarize(article, options);
  }

  /** The one log line per digest: outcome, tokens in and out, and what they cost. */
  private record(
    article: Article,
    line: {
      outcome: 'model' | 'cache' | 'fallback';
      usage: TokenUsage;
      reason?: FallbackReason;
      cached?: boolean;
      detail?: string;
      rejectedPoints?: RejectedPoint[];
    },
  ): void {
    const { usage, rejectedPoints, ...rest } = line;
    const cost = costUsd(this.deps.model.modelId, usage);
    this.deps.log(line.outcome === 'fallback' && line.reason !== 'short-article' ? 'warn' : 'info', 'model summary', {
      source: article.source,
      modelId: this.deps.model.modelId,
      ...rest,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      ...(cost === undefined ? {} : { costUsd: cost }),
      ...(rejectedPoints && rejectedPoints.length > 0 ? { rejectedPoints } : {}),
    });
  }
}
