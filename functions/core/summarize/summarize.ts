/**
 * The embedded extractive summariser: article text in, {@link Summary} out. Deterministic, offline and
 * pure — the same text always gives the same digest.
 */
import { ArticleError } from '../errors.js';
import type { Article, ArticleBlock, Summary } from '../model.js';
import type { SummarizeOptions, Summarizer } from '../publish/ports.js';
import { cleanSentences, tidySentence } from './clean.js';
import { byScore, DEFAULT_TUNING, isRedundant, rankSentences, selectSentences, type RankedSentence, type Tuning } from './rank.js';
import { splitSentences } from './segment.js';
import { chooseKeywords } from './keywords.js';
import { cutsSeries, POINT_QUALITIES, pointQuality, stripCaptionLabel, type PointQuality } from './points.js';
import { cachingTagger, openingTags, tagSentences, type TaggedToken, type Tagger } from './tagger.js';
import { plainTextBlocks } from '../articles/text.js';
import { chooseHeadline, sameWordsAs } from './headline.js';
import { dropOverlongRuns } from './long-runs.js';
import { clauseCuts, countWords, dropUnmatchedQuote, shorten, tidyEnding, wordsOnly } from './text.js';

/** What the summariser needs to know about one article. */
export interface SummarizeInput {
  /** Plain text; paragraphs separated by line breaks. */
  text: string;
  /**
   * The article's blocks, when its parser knows them (see `Article.blocks`): only paragraphs and quotes
   * give summary sentences; a leading heading may give the headline. Without them, blocks are read from
   * `text` as plain text.
   */
  blocks?: readonly ArticleBlock[];
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
  /** Summary and key points together stay under this share of a short article's words… */
  digestShareShort: 0.4,
  /** …and under this share of an article of {@link LIMITS.longArticleWords} words or more. */
  digestShareLong: 0.3,
  longArticleWords: 300,
  /** Below this many words an article gets a one-sentence summary and no key points. */
  briefArticleWords: 120,
  /** A summary sentence is never cut below this many words, whatever the share (see `summarize`). */
  minSentenceWords: 8,
  keyPointsMin: 3,
  keyPointsMax: 5,
  keyPointWords: 25,
  /** Words per key point the summary leaves room for, when the digest's share is tight. */
  keyPointReserveWords: 12,
  /** Words two whole summary sentences need, at the least, before room is kept for key points. */
  twoSentenceWords: 45,
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
function chooseSummary(
  ranked: readonly RankedSentence[],
  budget: number,
  tuning: Tuning,
  brief: boolean,
): { texts: string[]; used: Set<number> } {
  if (brief) {
    // One sentence: the lead unless another is clearly better, shortened to the budget if need be.
    const [one] = selectSentences(ranked, Number.POSITIVE_INFINITY, { ...tuning, maxSentences: 1 });
    const top = one ?? [...ranked].sort(byScore)[0]!;
    return { texts: [shortenSentence(top.text, Math.max(budget, LIMITS.minSentenceWords))], used: new Set([top.index]) };
  }
  const chosen = selectSentences(ranked, budget, tuning);
  if (chosen.length >= 2 || ranked.length === 1) {
    const picked = chosen.length > 0 ? chosen : [ranked[0]!];
    const cap = Math.max(Math.min(budget, LIMITS.summaryWords), LIMITS.minSentenceWords);
    return { texts: picked.map((s) => shortenSentence(s.text, cap)), used: new Set(picked.map((s) => s.index)) };
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
  return { texts: [shortenSentence(top.text, Math.max(budget, LIMITS.minSentenceWords))], used: new Set([top.index]) };
}

/**
 * A key point reads as a statement: no closing full stop, no unmatched opening bracket. A cut also
 * loses trailing punctuation and dangling words; a whole sentence keeps its words ("…, police said").
 */
function asPoint(text: string, whole: boolean): string {
  const statement = text.replace(/[.!]+(["”’]?)$/u, '$1').replace(/^\((?![^()]*\))/u, '');
  return whole && endsCleanly(text) ? dropUnmatchedQuote(statement.trim()) : tidyEnding(statement);
}

/** A word no sentence ends on; at the end of the text before its final stop. */
const DANGLING_BEFORE_STOP = /\b(?:a|an|the|of|to|in|on|at|by|for|from|with|and|or|but)$/iu;

/**
 * False for a sentence the splitter ended early ("…his holiday attire, such as", "…off the coast of ."),
 * which is tidied like a cut. Only the text's end is read (patterns anchored at the end alone are tried
 * at every position): the final mark and closing quote are two characters, and a dangling word of up to
 * four letters, with the character before it, lies in the last six before the stop and its spaces.
 * Exported for the property that compares it with those patterns.
 */
export function endsCleanly(text: string): boolean {
  const trimmed = text.trim();
  if (!/[.!?]["”’)]?$/u.test(trimmed.slice(-2))) return false;
  return !(/[.!?]/u.test(trimmed.slice(-1)) && DANGLING_BEFORE_STOP.test(trimmed.slice(0, -1).trimEnd().slice(-6)));
}

/** One cut of a candidate sentence as a key point: its text, its words and how well it stands alone. */
interface PointVerdict {
  point: string;
  words: number;
  quality: PointQuality;
}

/** The tags of one text. */
const tagsOf = (tagger: Tagger, text: string): TaggedToken[] => tagger([text])[0] ?? [];

/**
 * Judges `cut`, a leading cut of `text` (or `text` itself), as a key point. Unusable when it is under four
 * words, repeats the summary, stops at a colon or inside a series; else as {@link pointQuality} says.
 */
function judgePoint(text: string, cut: string, summaryText: string, tagger: Tagger): PointVerdict {
  const whole = cut === text.trim();
  const point = asPoint(cut, whole);
  const words = countWords(point);
  const unusable = { point, words, quality: 'unusable' } as const;
  if (words < 4 || summaryText.includes(wordsOnly(point))) return unusable;
  if (!whole) {
    const rest = text.slice(cut.length);
    // "A Prison Service spokesman said last night | : '…'": a colon announces what the point would leave out.
    if (rest.trimStart().startsWith(':')) return unusable;
    if (cutsSeries(tagsOf(tagger, point), openingTags(rest.replace(/^[\s,;:–—-]+/u, ''), tagger))) return unusable;
  }
  // A cut is tagged on its own: a word's tag depends on what follows it ("the steady," vs "the steady").
  return { point, words, quality: pointQuality(point, whole, tagsOf(tagger, whole ? text : point)) };
}

/**
 * Key points: the best-scoring sentences outside the summary that say something the summary and the
 * other points do not, each whole or cut to a leading clause, and each a statement that stands on its
 * own (see {@link pointQuality}). Up to five good points are taken; points that lean on the sentence
 * before ("He affirmed…") and then cuts between words are used only to reach three. The sentence the
 * headline was written from is no key point either: the reader has just read it.
 */
function chooseKeyPoints(
  ranked: readonly RankedSentence[],
  used: ReadonlySet<number>,
  tuning: Tuning,
  wordBudget: number,
  tagger: Tagger,
  headline: string,
): string[] {
  const summary = ranked.filter((s) => used.has(s.index));
  const summaryText = wordsOnly(summary.map((s) => s.text).join(' '));
  const headlineText = wordsOnly(headline);
  const threshold = Math.min(tuning.redundancy, 0.5);
  const candidates = [...ranked].sort(byScore).filter((s) => !used.has(s.index) && !/\?["”’]?$/.test(s.text) && s.words >= 5);
  const picked = new Map<number, string>();
  const pickedSentences: RankedSentence[] = [];
  let wordsLeft = wordBudget;
  // Three points must fit the budget, so each is cut shorter when the budget is tight.
  const perPoint = Math.min(LIMITS.keyPointWords, Math.floor(wordBudget / LIMITS.keyPointsMin));
  // A candidate's cuts are judged once, when first reached, whichever pass reaches them.
  const judged = new Map<number, { text: string; cuts: string[]; verdicts: PointVerdict[] }>();
  const verdictOf = (candidate: RankedSentence, at: number): PointVerdict | undefined => {
    let entry = judged.get(candidate.index);
    if (entry === undefined) {
      const text = stripCaptionLabel(candidate.text);
      const repeatsHeadline = wordsOnly(candidate.text).startsWith(headlineText);
      entry = { text, cuts: repeatsHeadline ? [] : clauseCuts(text, perPoint, 5), verdicts: [] };
      judged.set(candidate.index, entry);
    }
    if (at >= entry.cuts.length) return undefined;
    entry.verdicts[at] ??= judgePoint(entry.text, entry.cuts[at]!, summaryText, tagger);
    return entry.verdicts[at];
  };
  // A cut between words reads as broken text, so points are whole sentences or whole clauses only.
  // One pass per usable quality, best first; each later pass also takes what the earlier ones took.
  const passes = POINT_QUALITIES.filter((quality) => quality !== 'unusable');
  const rank = (quality: PointQuality): number => POINT_QUALITIES.indexOf(quality);
  for (const [passIndex, accept] of passes.entries()) {
    if (passIndex > 0 && picked.size >= LIMITS.keyPointsMin) break;
    for (const candidate of candidates) {
      if (picked.size === LIMITS.keyPointsMax) break;
      if (picked.has(candidate.index) || isRedundant(candidate, [...summary, ...pickedSentences], threshold)) continue;
      let point: PointVerdict | undefined;
      for (let at = 0; point === undefined; at++) {
        const verdict = verdictOf(candidate, at);
        if (verdict === undefined) break;
        if (verdict.quality !== 'unusable' && verdict.words <= wordsLeft && rank(verdict.quality) <= rank(accept)) point = verdict;
      }
      if (point === undefined) continue;
      wordsLeft -= point.words;
      picked.set(candidate.index, point.point);
      pickedSentences.push(candidate);
    }
  }
  if (picked.size < LIMITS.keyPointsMin) return [];
  return [...picked.entries()].sort((a, b) => a[0] - b[0]).map(([, point]) => point);
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
 * `tagger` is the part-of-speech tagger the keywords, key points and headline cuts read; the benchmarks
 * pass wink's to compare.
 *
 * @throws ArticleError when the text has no words.
 */
export function summarize(input: SummarizeInput, tuning: Tuning = DEFAULT_TUNING, tagger: Tagger = tagSentences): Summary {
  const source = input.source ?? 'article';
  // Headline, key points and keywords read the same sentences: each is tagged once.
  const tag = cachingTagger(tagger);
  const checkBudget = (): void => {
    if (input.deadline?.passed()) throw new ArticleError(source, 'summarising took longer than the per-article time budget; skipped');
  };
  // Reading time counts the article as written; the NLP reads it without overlong runs.
  const articleWords = countWords(input.text);
  const { sentences, leadHeading } = articleSentences(input, checkBudget);
  if (articleWords === 0 || sentences.length === 0) throw new ArticleError(source, 'the article has no text to summarise');
  // Ranked on the sentences as written (a caption's telltale " ." matters), shown tidied.
  const ranked = rankSentences(sentences, tuning)
    .map((sentence) => {
      const text = tidySentence(sentence.text);
      return text === sentence.text ? sentence : { ...sentence, text, words: countWords(text) };
    })
    .filter((sentence) => sentence.words > 0);
  checkBudget();
  const limits = compressionLimits(articleWords);
  let summary = chooseSummary(ranked, limits.summaryWords, tuning, limits.brief);
  // Written from the article's first sentence, else the next ones in order.
  const headline = chooseHeadline(
    input.title,
    leadHeading,
    ranked.map((s) => s.text),
    tag,
  );
  // The headline is never the summary's first line again: the summary then starts with the next best.
  const isHeadline = sameWordsAs(headline);
  if (isHeadline(summary.texts[0]!)) {
    const others = ranked.filter((s) => !isHeadline(s.text));
    if (others.length > 0) summary = chooseSummary(others, limits.summaryWords, tuning, limits.brief);
  }
  const summaryWords = countWords(summary.texts.join(' '));
  const keyPoints = limits.brief ? [] : chooseKeyPoints(ranked, summary.used, tuning, limits.digestWords - summaryWords, tag, headline);
  const keywords = chooseKeywords(sentences, input.title, input.tags ?? [], { min: LIMITS.keywordsMin, max: LIMITS.keywordsMax }, tag);
  return { headline, sentences: summary.texts, keyPoints, keywords };
}

/**
 * The sentences the summariser ranks: those of the prose blocks, split, without overlong runs, byline
 * debris and datelines; and the heading above the first paragraph. Exported for the scorer's trainer
 * (bench/train-scorer.ts), which must see the sentences exactly as the ranker does.
 */
export function articleSentences(
  input: Pick<SummarizeInput, 'text' | 'blocks'>,
  checkBudget: () => void = () => {},
): { sentences: string[]; leadHeading?: string } {
  const { prose, leadHeading } = readBlocks(input.blocks ?? plainTextBlocks(input.text));
  const raw = splitSentences(dropOverlongRuns(prose.join('\n')), checkBudget);
  return { sentences: raw.length === 0 ? [] : cleanSentences(raw), ...(leadHeading !== undefined ? { leadHeading } : {}) };
}

/** Kinds of block whose sentences may be summary sentences; headings, lists, captions and code never are. */
const PROSE_KINDS: ReadonlySet<ArticleBlock['kind']> = new Set(['paragraph', 'quote']);

/**
 * The prose blocks' texts (all blocks when an article has no prose, a bare list say) and the heading
 * above the first prose block, which can be the headline of an article without a title.
 */
function readBlocks(blocks: readonly ArticleBlock[]): { prose: string[]; leadHeading?: string } {
  const prose = blocks.filter((block) => PROSE_KINDS.has(block.kind)).map((block) => block.text);
  const firstProse = blocks.findIndex((block) => PROSE_KINDS.has(block.kind));
  const heading = blocks.slice(0, Math.max(firstProse, 0)).find((block) => block.kind === 'heading')?.text;
  return {
    prose: prose.length > 0 ? prose : blocks.map((block) => block.text),
    ...(heading !== undefined ? { leadHeading: heading } : {}),
  };
}

/**
 * How many words the digest may copy. Summary and key points together stay under 40 % of an article
 * under 300 words and under 30 % of a longer one, so the digest never republishes the article; an
 * article under 120 words gets one sentence and no key points. The summary alone keeps to 80 words and
 * 30 %. The one exception: no summary sentence is cut below eight words (an article under 20 words).
 */
function compressionLimits(articleWords: number): { summaryWords: number; digestWords: number; brief: boolean } {
  const share = articleWords < LIMITS.longArticleWords ? LIMITS.digestShareShort : LIMITS.digestShareLong;
  // "Under": the digest's words stay strictly below the share.
  const digestWords = Math.max(Math.ceil(articleWords * share) - 1, 1);
  const brief = articleWords < LIMITS.briefArticleWords;
  if (brief) return { summaryWords: digestWords, digestWords, brief };
  // Room is kept for three short key points only while two real sentences still fit beside them;
  // below that the summary comes first and the key points are left out.
  const reserve = LIMITS.keyPointsMin * LIMITS.keyPointReserveWords;
  const room = digestWords - reserve >= LIMITS.twoSentenceWords ? digestWords - reserve : digestWords;
  const summaryWords = Math.min(LIMITS.summaryWords, Math.floor(articleWords * LIMITS.summaryShare), room);
  return { summaryWords: Math.max(summaryWords, LIMITS.minSentenceWords), digestWords, brief };
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
    return summarize(
      {
        text: article.text,
        ...(article.blocks ? { blocks: article.blocks } : {}),
        title: article.title,
        tags: article.tags,
        source: article.source,
        ...(options.deadline ? { deadline: options.deadline } : {}),
      },
      this.tuning,
    );
  }
}
