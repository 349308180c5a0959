/**
 * Turning an article and its summary into a `Digest`, and the archive's canonical order.
 */
import { createHash } from 'node:crypto';
import type { Article, Digest, Summary } from '../model.js';
import { readingTime } from '../reading-time.js';

const MAX_KEYWORDS = 6;
const SLUG_WORDS = 8;

/**
 * Builds the digest for `article`. A first publication gets a new slug and `published` date; an edit
 * (`previous` given) keeps the slug, `published` and `firstSeen` so permalinks and feed ids never move,
 * and never re-opens mailing. Reading times are computed here, whichever summariser wrote `summary`.
 */
export function buildDigest(article: Article, summary: Summary, now: Date, previous?: Digest): Digest {
  const nowIso = now.toISOString();
  const headline = summary.headline;
  const keywords = unique([...article.tags.map((tag) => tag.toLowerCase()), ...summary.keywords]).slice(0, MAX_KEYWORDS);
  const published = previous?.published ?? (article.published ?? now).toISOString();
  return {
    id: article.id,
    slug: previous?.slug ?? slugFor(article.id, headline),
    headline,
    summary: summary.sentences,
    keyPoints: summary.keyPoints,
    keywords,
    ...(article.url ? { sourceUrl: article.url } : {}),
    sourceName: article.source,
    ...(article.author ? { author: article.author } : {}),
    published,
    // A new digest is as fresh as its publication; an edit is fresh now.
    updated: previous ? nowIso : published,
    firstSeen: previous?.firstSeen ?? nowIso,
    mailStatus: previous?.mailStatus ?? 'pending',
    contentHash: article.contentHash,
    ...readingTime(article.text, summary),
  };
}

/**
 * A readable, URL-safe slug: the headline's first words plus a short hash of the identity, so two
 * digests with the same headline still get different permalinks.
 */
export function slugFor(id: string, headline: string): string {
  const words = headline
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .slice(0, SLUG_WORDS);
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 8);
  return [...words, hash].join('-');
}

/** Newest first by `published`, ties broken by id so the order is total and stable. */
export function sortNewestFirst(digests: Digest[]): Digest[] {
  return [...digests].sort((a, b) => b.published.localeCompare(a.published) || a.id.localeCompare(b.id));
}

function unique(values: string[]): string[] {
  return [...new Set(values.map((value) => value.trim()).filter(Boolean))];
}
