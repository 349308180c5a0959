/**
 * The embedded extractive summariser: article text in, {@link Summary} out. Deterministic, offline and
 * pure — the same text always gives the same digest.
 */
import { ArticleError } from '../errors.js';
import type { Article, Summary } from '../model.js';
import type { SummarizeOptions, Summarizer } from '../publish/ports.js';
import { cleanSentences, tidySentence } from './clean.js';
import { byScore, DEFAULT_TUNING, isRedundant, rankSentences, selectSentences, type RankedSentence, type Tuning } from './rank.js';
import { splitSentences } from './segment.js';
import { loadTagger } from './tagger.js';
import { chooseKeywords } from './keywords.js';
import { pointQuality, stripCaptionLabel, type PointQuality } from './points.js';
import { stripBidiControls } from '../articles/text.js';
import { dropOverlongRuns } from './long-runs.js';
import { clauseCuts, countWords, dropUnmatchedQuote, shorten, tidyEnding } from './text.js';

/** What the summariser needs to know about one article. */
export interface SummarizeInput {
  /** Plain text; paragraphs separated by line breaks. */
  text: string;
  /** The article's own title, used as the headline when given. */
  title?: string;
  /** Tags from the article's metadata; they lead the keywords. */
  tags?: string[];
  /** File name or key, for the error message when the article cannot be summarised. */
  source?: string;
  /** The per-article time budget; checked between paragraphs and between the stages. */
  deadline?: Deadline;
}

/**
 * When an article's time is up. A backstop: summarising is linear in the input, but an input nobody
 * foresaw must become one article's error, never a run stuck until the Lambda timeout. The caller owns
 * the clock (the core reads none).
 */
export interface Deadline {
  passed(): boolean;
}

/** Hard limits from the product spec. */
export const LIMITS = {
  headlineChars: 90,
  summaryWords: 80,
  /** The summary may use at most this share of the article's words. */
  summaryShare: 0.3,
  keyPointsMin: 3,
  keyPointsMax: 5,
  keyPointWords: 25,
  keywordsMin: 3,
  keywordsMax: 6,
} as const;

/** Marks a sentence we had to shorten, so the reader knows the words stop early. */
function shortenSentence(text: string, maxWords: number): string {
  const short = shorten(text, { maxWords });
  return short === text ? text : `${short}…`;
}

/**
 * Chooses the summary sentences. Normal articles get 2–3 whole sentences within the budget; when no two
 * whole sentences fit, the two best are shortened at clause boundaries; an article too short for that
 * gets its best sentence, shortened if needed.
 */
function chooseSummary(ranked: readonly RankedSentence[], budget: number, tuning: Tuning): { texts: string[]; used: Set<number> } {
  const chosen = selectSentences(ranked, budget, tuning);
  if (chosen.length >= 2 || ranked.length === 1) {
    const picked = chosen.length > 0 ? chosen : [ranked[0]!];
    return { texts: picked.map((s) => shortenSentence(s.text, LIMITS.summaryWords)), used: new Set(picked.map((s) => s.index)) };
  }
  const best: RankedSentence[] = [];
  const byRank = [...ranked].sort(byScore);
  for (const candidate of byRank) {
    if (best.length === 2) break;
    if (!isRedundant(candidate, best, tuning.redundancy)) best.push(candidate);
  }
  // An article that keeps repeating itself still gets two sentences.
  if (best.length < 2) best.push(...byRank.filter((s) => !best.includes(s)).slice(0, 2 - best.length));
  best.sort((a, b) => a.index - b.index);
  const perSentence = Math.floor(budget / best.length);
  // Below about six words a clause stops making sense; then one sentence carries the summary.
  if (best.length === 2 && perSentence >= 6) {
    return { texts: best.map((s) => shortenSentence(s.text, perSentence)), used: new Set(best.map((s) => s.index)) };
  }
  const top = [...ranked].sort(byScore)[0]!;
  return { texts: [shortenSentence(top.text, Math.max(budget, 12))], used: new Set([top.index]) };
}

/**
 * A key point reads as a statement: no closing full stop, no unmatched opening bracket. A cut also
 * loses trailing punctuation and dangling words; a whole sentence keeps its words ("…, police said").
 */
function asPoint(text: string, whole: boolean): string {
  const statement = text.replace(/[.!]+(["”’]?)$/u, '$1').replace(/^\((?![^()]*\))/u, '');
  // A sentence the splitter ended early ("…his holiday attire, such as", "…off the coast of .") is
  // tidied like a cut.
  const endsCleanly =
    /[.!?]["”’)]?$/u.test(text.trim()) && !/\b(?:a|an|the|of|to|in|on|at|by|for|from|with|and|or|but)\s*[.!?]$/iu.test(text.trim());
  return whole && endsCleanly ? dropUnmatchedQuote(statement.trim()) : tidyEnding(statement);
}

/** Lower-case words only, to see whether a point repeats a summary sentence. */
const normalised = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/**
 * Key points: the best-scoring sentences outside the summary that say something the summary and the
 * other points do not, each whole or cut to a leading clause, and each a statement that stands on its
 * own (see {@link pointQuality}). Up to five good points are taken; points that lean on the sentence
 * before ("He affirmed…") and then cuts between words are used only to reach three.
 */
function chooseKeyPoints(ranked: readonly RankedSentence[], used: ReadonlySet<number>, tuning: Tuning): string[] {
  const summary = ranked.filter((s) => used.has(s.index));
  const summaryText = normalised(summary.map((s) => s.text).join(' '));
  const threshold = Math.min(tuning.redundancy, 0.5);
  const candidates = [...ranked].sort(byScore).filter((s) => !used.has(s.index) && !/\?["”’]?$/.test(s.text) && s.words >= 5);
  const picked = new Map<number, string>();
  const pickedSentences: RankedSentence[] = [];
  const passes: ReadonlyArray<{ accept: PointQuality; wordCut: boolean }> = [
    { accept: 'good', wordCut: false },
    { accept: 'weak', wordCut: false },
    { accept: 'weak', wordCut: true },
  ];
  for (const [passIndex, { accept, wordCut }] of passes.entries()) {
    if (passIndex > 0 && picked.size >= LIMITS.keyPointsMin) break;
    for (const candidate of candidates) {
      if (picked.size === LIMITS.keyPointsMax) break;
      if (picked.has(candidate.index) || isRedundant(candidate, [...summary, ...pickedSentences], threshold)) continue;
      const text = stripCaptionLabel(candidate.text);
      const cuts = clauseCuts(text, LIMITS.keyPointWords, 5);
      if (wordCut) cuts.push(shorten(text, { maxWords: LIMITS.keyPointWords }));
      const point = cuts
        .map((cut) => ({ point: asPoint(cut, cut === text.trim()), whole: cut === text.trim() }))
        .find(({ point, whole }) => {
          if (countWords(point) < 4 || summaryText.includes(normalised(point))) return false;
          const quality = pointQuality(point, whole);
          return quality === 'good' || (accept === 'weak' && quality === 'weak');
        })?.point;
      if (point === undefined) continue;
      picked.set(candidate.index, point);
      pickedSentences.push(candidate);
    }
  }
  if (picked.size < LIMITS.keyPointsMin) return [];
  return [...picked.entries()].sort((a, b) => a[0] - b[0]).map(([, point]) => point);
}

function chooseHeadline(title: string | undefined, firstSentence: string): string {
  const given = title === undefined ? undefined : stripBidiControls(title).replace(/\s+/g, ' ').trim();
  if (given !== undefined && given.length > 0) return shorten(given, { maxChars: LIMITS.headlineChars }) || cutLongWord(given);
  // A headline does not end with a full stop; a question or exclamation mark may stay.
  const base = stripBidiControls(firstSentence)
    .replace(/…$/u, '')
    .replace(/\.+(["”’]?)$/u, '$1');
  return tidyEnding(shorten(base, { maxChars: LIMITS.headlineChars })) || cutLongWord(base);
}

/**
 * The one exception to "never cut mid-word": a first word longer than the whole headline (a URL, a
 * run of characters). An empty headline would be worse: no feed can carry an entry without a title.
 */
function cutLongWord(text: string): string {
  let cut = '';
  // Whole code points only, so an emoji is never split into a lone surrogate.
  for (const char of text.trim()) {
    if (cut.length + char.length > LIMITS.headlineChars - 1) break;
    cut += char;
  }
  return `${cut}…`;
}

/**
 * Summarises one article: a headline (≤ 90 characters, the article's own words), 2–3 summary
 * sentences (≤ 80 words and ≤ 30 % of the article), 3–5 key points that do not repeat the summary,
 * 3–6 lower-case keywords. Reading times are the core's business (`core/reading-time.ts`), not the
 * summariser's.
 *
 * Short articles degrade gracefully: a one-sentence article is its own summary with no key points;
 * an article too short for two sentences within 30 % gets one, shortened at a clause boundary.
 *
 * @throws ArticleError when the text has no words.
 */
export function summarize(input: SummarizeInput, tuning: Tuning = DEFAULT_TUNING): Summary {
  const source = input.source ?? 'article';
  const checkBudget = (): void => {
    if (input.deadline?.passed()) throw new ArticleError(source, 'summarising took longer than the per-article time budget; skipped');
  };
  // Reading time counts the article as written; the NLP reads it without overlong runs.
  const articleWords = countWords(input.text);
  const raw = splitSentences(dropOverlongRuns(input.text), checkBudget);
  if (articleWords === 0 || raw.length === 0) throw new ArticleError(source, 'the article has no text to summarise');
  const sentences = cleanSentences(raw);
  // Ranked on the sentences as written (a caption's telltale " ." matters), shown tidied.
  const ranked = rankSentences(sentences, tuning)
    .map((sentence) => ({ ...sentence, text: tidySentence(sentence.text) }))
    .map((sentence) => ({ ...sentence, words: countWords(sentence.text) }))
    .filter((sentence) => sentence.words > 0);
  checkBudget();
  const budget = Math.min(LIMITS.summaryWords, Math.floor(articleWords * LIMITS.summaryShare));
  const { texts, used } = chooseSummary(ranked, budget, tuning);
  const keyPoints = chooseKeyPoints(ranked, used, tuning);
  const headline = chooseHeadline(input.title, texts[0]!);
  const keywords = chooseKeywords(sentences, input.title, input.tags ?? [], { min: LIMITS.keywordsMin, max: LIMITS.keywordsMax });
  return { headline, sentences: texts, keyPoints, keywords };
}

/**
 * The embedded extractive summariser behind the `Summarizer` port: the default of every run, offline
 * and deterministic. It is synchronous underneath; the port is async so a remote model fits the same
 * seam.
 */
export class ExtractiveSummarizer implements Summarizer {
  constructor(private readonly tuning: Tuning = DEFAULT_TUNING) {}

  /**
   * Summarises the article's text, using its title and tags; rejects with `ArticleError` when it has no
   * words or when `options.deadline` passes first.
   */
  async summarize(article: Article, options: SummarizeOptions = {}): Promise<Summary> {
    await loadTagger();
    return summarize(
      {
        text: article.text,
        title: article.title,
        tags: article.tags,
        source: article.source,
        ...(options.deadline ? { deadline: options.deadline } : {}),
      },
      this.tuning,
    );
  }
}
