/**
 * Judging a model's tool input: validated with zod, held to the digest limits, and checked for
 * faithfulness — the headline and summary against the whole article, each key point against the
 * sentences it cites. Points that fail are dropped; the answer as a whole is refused (and the extractive
 * summariser used) when its shape is wrong, it breaks a limit, its summary is unsupported, or fewer than
 * two key points survive.
 *
 * Pure: no I/O.
 */
import * as z from '../zod.js';
import type { Summary } from '../model.js';
import { LIMITS } from '../summarize/index.js';
import { unsupportedClaims, type UnsupportedClaim } from './faithfulness.js';
import { wordCount, type NumberedArticle } from './prompt.js';

/** Key points that must survive the checks for the model's digest to be used. */
export const MIN_SURVIVING_POINTS = 2;

/** Text with something in it once trimmed. */
const nonBlank = z.string().check(z.trim(), z.minLength(1));

/** The tool input as the model must send it. Extra fields are ignored; missing or mistyped ones refuse it. */
const toolInputSchema = z.object({
  headline: nonBlank,
  summary: z.array(nonBlank).check(z.minLength(1)),
  keyPoints: z.array(z.object({ text: nonBlank, sentences: z.array(z.number().check(z.int())).check(z.minLength(1)) })),
  keywords: z.array(z.string()),
});

/** Why a model's answer was not used. */
export type RefusalReason = 'malformed' | 'limits' | 'unsupported-summary' | 'too-few-points';

/** A key point that was dropped, and why (for the log). */
export interface RejectedPoint {
  text: string;
  why: 'bad-citation' | 'too-long' | 'unsupported';
  unsupported?: UnsupportedClaim[];
}

/** The verdict on one answer. */
export type AnswerVerdict =
  | { kind: 'accepted'; summary: Summary; rejectedPoints: RejectedPoint[] }
  | { kind: 'refused'; reason: RefusalReason; detail: string; rejectedPoints: RejectedPoint[] };

/** What the judge compares the answer with. */
export interface JudgeContext {
  numbered: NumberedArticle;
  /** The article's title and text: the evidence for the headline and the summary. */
  articleText: string;
}

const refuse = (reason: RefusalReason, detail: string, rejectedPoints: RejectedPoint[] = []): AnswerVerdict => ({
  kind: 'refused',
  reason,
  detail,
  rejectedPoints,
});

/** A key point reads as a statement, like the extractive summariser's: no closing full stop. */
const asPoint = (text: string): string => text.replace(/\s+/g, ' ').replace(/\.+$/u, '').trim();

/** Judges one key point against the sentences it cites; undefined when it may stay. */
function judgePoint(point: { text: string; sentences: number[] }, numbered: NumberedArticle): RejectedPoint | undefined {
  const text = asPoint(point.text);
  const cited = [...new Set(point.sentences)].map((number) => numbered.sentences[number - 1]);
  if (cited.some((sentence) => sentence === undefined)) return { text, why: 'bad-citation' };
  if (wordCount(text) > LIMITS.keyPointWords) return { text, why: 'too-long' };
  const unsupported = unsupportedClaims(text, cited.join(' '));
  return unsupported.length > 0 ? { text, why: 'unsupported', unsupported } : undefined;
}

/**
 * Keywords the article supports: lower-case, each made of words the article uses, no repeats, at most
 * the limit. May be fewer than the minimum; the caller fills up from the extractive summariser.
 */
function supportedKeywords(keywords: readonly string[], articleText: string): string[] {
  const articleWords = new Set(articleText.toLowerCase().match(/[\p{L}\p{M}\p{N}]+/gu) ?? []);
  const kept: string[] = [];
  for (const raw of keywords) {
    const keyword = raw.trim().toLowerCase().replace(/\s+/g, ' ');
    const words = keyword.match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
    if (words.length === 0 || !words.every((word) => articleWords.has(word)) || kept.includes(keyword)) continue;
    kept.push(keyword);
  }
  return kept.slice(0, LIMITS.keywordsMax);
}

/** The limits a model's headline and summary must keep, as a problem line, or undefined. */
function limitProblem(headline: string, sentences: readonly string[], articleWords: number): string | undefined {
  if (headline.length > LIMITS.headlineChars) return `headline of ${headline.length} characters`;
  if (sentences.length < 2 || sentences.length > 3) return `${sentences.length} summary sentences`;
  const words = sentences.reduce((total, sentence) => total + wordCount(sentence), 0);
  const allowed = Math.min(LIMITS.summaryWords, Math.floor(articleWords * LIMITS.summaryShare));
  return words > allowed ? `summary of ${words} words (at most ${allowed})` : undefined;
}

/** Judges the model's tool input for one article (see the module comment). */
export function judgeAnswer(input: unknown, context: JudgeContext): AnswerVerdict {
  const parsed = toolInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse('malformed', `${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`);
  }
  const answer = parsed.data;
  const headline = answer.headline.replace(/\s+/g, ' ').replace(/\.$/u, '');
  const sentences = answer.summary.map((sentence) => sentence.replace(/\s+/g, ' '));
  const overLimit = limitProblem(headline, sentences, context.numbered.articleWords);
  if (overLimit) return refuse('limits', overLimit);
  for (const text of [headline, ...sentences]) {
    const unsupported = unsupportedClaims(text, context.articleText);
    if (unsupported.length > 0) {
      return refuse('unsupported-summary', `${unsupported.map((claim) => `${claim.kind} ${JSON.stringify(claim.value)}`).join(', ')}`);
    }
  }
  const rejectedPoints: RejectedPoint[] = [];
  const keyPoints: string[] = [];
  for (const point of answer.keyPoints) {
    const rejected = judgePoint(point, context.numbered);
    if (rejected) rejectedPoints.push(rejected);
    else if (keyPoints.length < LIMITS.keyPointsMax) keyPoints.push(asPoint(point.text));
  }
  if (keyPoints.length < MIN_SURVIVING_POINTS) {
    return refuse('too-few-points', `${keyPoints.length} of ${answer.keyPoints.length} key points supported`, rejectedPoints);
  }
  return {
    kind: 'accepted',
    summary: { headline, sentences, keyPoints, keywords: supportedKeywords(answer.keywords, context.articleText) },
    rejectedPoints,
  };
}
