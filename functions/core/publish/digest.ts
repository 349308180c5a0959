/**
 * Turning an article and its summary into a `Digest`, and the archive's canonical order.
 */
import { createHash } from 'node:crypto';
import type { ArchiveEntry, Article, Digest, Summary } from '../model.js';
import { readingTime } from '../reading-time.js';

const MAX_KEYWORDS = 6;
const SLUG_WORDS = 8;

/**
 * Builds the digest for `article`. A first publication gets a new slug and `published` date; an edit
 * (`previous` given) keeps the slug, `published` and `firstSeen` so permalinks and feed ids never move,
 * and never re-opens mailing. Reading times are computed here, whichever summariser wrote `summary`.
 */
export function buildDigest(
  article: Article,
  summary: Summary,
  now: Date,
  previous?: Digest,
  slugsInUse: ReadonlySet<string> = new Set(),
): Digest {
  const nowIso = now.toISOString();
  const headline = summary.headline;
  const keywords = unique([...article.tags.map((tag) => tag.toLowerCase()), ...summary.keywords]).slice(0, MAX_KEYWORDS);
  const published = previous?.published ?? (article.published ?? now).toISOString();
  return {
    id: article.id,
    slug: previous?.slug ?? slugFor(article.id, headline, slugsInUse),
    headline,
    summary: summary.sentences,
    keyPoints: summary.keyPoints,
    keywords,
    ...(article.url ? { sourceUrl: article.url } : {}),
    sourceName: article.source,
    ...(article.provenance ? { provenance: { ...article.provenance } } : {}),
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

/** Lengths of the identity hash a slug tries in turn: 8 hex characters unless another digest has it. */
const SLUG_HASH_LENGTHS = [8, 12, 16, 24, 32, 64] as const;

/**
 * A readable, URL-safe slug: the headline's first words plus a short hash of the identity, so two
 * digests with the same headline still get different permalinks. The hash is 32 bits, so two
 * identities can share one; then the longer hash is used, so the slug is unique among `slugsInUse`
 * and depends only on the identity, the headline and the slugs already taken, never on chance.
 */
export function slugFor(id: string, headline: string, slugsInUse: ReadonlySet<string> = new Set()): string {
  const words = headline
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .slice(0, SLUG_WORDS);
  const hash = createHash('sha256').update(id).digest('hex');
  for (const length of SLUG_HASH_LENGTHS) {
    const slug = [...words, hash.slice(0, length)].join('-');
    if (!slugsInUse.has(slug)) return slug;
  }
  // Only the same identity gives the same 256-bit hash, and identities are unique in the archive.
  throw new Error(`no free slug for ${JSON.stringify(id)}`);
}

/**
 * The archive with every slug unique: where two digests share one (a 32-bit collision stored before
 * slugs were checked), the one seen later (then by id) gets a longer slug. Returns the digests (or
 * their entries) whose slug changed, to be stored again; the rest stay as they are, so permalinks only
 * move for the copy.
 */
export function repairSlugCollisions<T extends Pick<Digest, 'id' | 'slug' | 'headline' | 'firstSeen'>>(digests: Iterable<T>): T[] {
  const byFirstSeen = [...digests].sort((a, b) => compareCodePoints(a.firstSeen, b.firstSeen) || compareCodePoints(a.id, b.id));
  const inUse = new Set<string>();
  const repaired: T[] = [];
  for (const digest of byFirstSeen) {
    if (!inUse.has(digest.slug)) {
      inUse.add(digest.slug);
      continue;
    }
    const slug = slugFor(digest.id, digest.headline, inUse);
    inUse.add(slug);
    repaired.push({ ...digest, slug });
  }
  return repaired;
}

/** Orders strings by UTF-16 code units: the same on every machine, unlike `localeCompare`. */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Newest first by `published`, ties broken by id so the order is total and stable (digests or their entries). */
export function sortNewestFirst<T extends Pick<Digest, 'id' | 'published'>>(digests: readonly T[]): T[] {
  return [...digests].sort((a, b) => compareCodePoints(b.published, a.published) || compareCodePoints(a.id, b.id));
}

/**
 * The digest's entry in the archive's listing index: every field a listing shows or a run decides by,
 * and nothing else (no key points, keywords or whole summary). Adapters store it beside the digest on
 * every write, so the index never disagrees with the digest it stands for.
 */
export function archiveEntry(digest: Digest): ArchiveEntry {
  return {
    id: digest.id,
    slug: digest.slug,
    headline: digest.headline,
    lead: digest.summary[0] ?? '',
    published: digest.published,
    firstSeen: digest.firstSeen,
    sourceName: digest.sourceName,
    ...(digest.sourceUrl !== undefined ? { sourceUrl: digest.sourceUrl } : {}),
    ...(digest.provenance ? { provenance: { title: digest.provenance.title, url: digest.provenance.url } } : {}),
    mailStatus: digest.mailStatus,
    ...(digest.editions ? { editions: [...digest.editions] } : {}),
    ...(digest.unpublishedAt !== undefined ? { unpublishedAt: digest.unpublishedAt } : {}),
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values.map((value) => value.trim()).filter(Boolean))];
}
