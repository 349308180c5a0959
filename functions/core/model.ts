/**
 * The domain model shared by every part of Gazette. Plain data only: no I/O, no clock, no SDK types.
 */
import type { Cadence, Weekday } from './editions/edition.js';

/**
 * The formats an article's bytes can be in. The source says which (the file sources map a file's
 * extension to it), so a source that is not a folder of files fits: a feed item will be one more value.
 */
export type ArticleFormat = 'text' | 'markdown' | 'html';

/** An article's bytes as a source delivered them, before parsing, with the format they are in. */
export interface RawArticle {
  /**
   * Where it came from (file name, object key, …): the `source` of the parsed article and the name in
   * every error about it. Not its identity: that comes from the content (see `Article.id`).
   */
  source: string;
  format: ArticleFormat;
  /** The bytes exactly as stored. */
  bytes: Uint8Array;
  /**
   * What a feed source knows about an item besides its bytes (its guid, title, link, date, tags). Parsing
   * prefers these over what it finds in the bytes; file sources leave it out.
   */
  item?: ItemMetadata;
  /** The feed the article was an item of; absent for files. Carried to the digest for provenance. */
  provenance?: Provenance;
  /** Set when the article must be published but never mailed (see {@link MailHold}). */
  mailHold?: MailHold;
}

/** A feed item's own metadata, as the feed gave it (links already stripped of tracking parameters). */
export interface ItemMetadata {
  /** The item's identity within Gazette (guid, else link, else title + content; see the sources issue). */
  id: string;
  title?: string;
  url?: string;
  author?: string;
  published?: Date;
  tags?: string[];
}

/** Where a digest's article came from when it was a feed item: the feed's title and its URL. */
export interface Provenance {
  title: string;
  /** The feed's site (or the feed itself when it names no site). */
  url: string;
}

/**
 * Why a new article is published to the site and feeds but never mailed: the first fetch of a new
 * source (importing a feed's backlog must not flood anyone), or an item already older than
 * `maxAgeToMail` when Gazette first saw it. A digest made from such an article is stored as `not-mailed`.
 */
export type MailHold = 'first-fetch' | 'too-old';

/**
 * Something a source found but cannot offer as an article (a file of an unknown type): reported with
 * the other article errors instead of being ignored without a word, and never fatal to the run.
 */
export interface RefusedArticle {
  source: string;
  /** Why, for the operator: e.g. "unsupported file type .pdf (expected .txt, .md or .html)". */
  refusal: string;
}

/**
 * What a block of an article is: headings, list items, captions, code and table rows are structure, not
 * sentences, so the summariser never runs one into the next sentence.
 */
export type BlockKind = 'heading' | 'paragraph' | 'list-item' | 'quote' | 'caption' | 'code' | 'table-row';

/** One block of an article's body, in order: its kind and its text as one normalised line. */
export interface ArticleBlock {
  kind: BlockKind;
  text: string;
}

/** An article as read from a source (seed folder, S3 inbox), already reduced to plain text. */
export interface Article {
  /** Stable identity: front-matter `id`, else `url`, else a hash of the normalised text. */
  id: string;
  /** Where it came from (file name or object key), for error messages and logs. */
  source: string;
  /** Title from front matter or `<title>`/`<h1>`; absent for `.txt`, where the summariser derives one. */
  title?: string;
  /** Link to the original article. */
  url?: string;
  author?: string;
  /** Publication date given by the article, if any. */
  published?: Date;
  /** Tags from front matter; merged into the digest's keywords. */
  tags: string[];
  /** Plain text, paragraphs separated by a blank line ("\n\n"). Never markup. */
  text: string;
  /**
   * The body as blocks with their kinds (headings, paragraphs, list items, captions…), when the parser
   * knows them. The same words as `text`, except that a heading written on the line above its paragraph
   * in plain text is its own block here. Not part of `contentHash`.
   */
  blocks?: ArticleBlock[];
  /** Hash of the normalised text and metadata: a changed hash under the same id is an edit. */
  contentHash: string;
  /** The feed it came from, when it was a feed item. */
  provenance?: Provenance;
  /** Publish but never mail (see {@link MailHold}). */
  mailHold?: MailHold;
}

/**
 * What a summariser makes of one article: only the words it chose. Reading times are not part of it;
 * the core computes them from the article and this summary (see `core/reading-time.ts`), so every
 * summariser, embedded or model-backed, reports them the same way.
 */
export interface Summary {
  /** ≤ 90 characters, the article's own words, never cut mid-word. */
  headline: string;
  /** 2–3 sentences (1 for a one-sentence article), ≤ 80 words and ≤ 30 % of the article. */
  sentences: string[];
  /** 3–5 short items that do not repeat the summary; empty for very short articles. */
  keyPoints: string[];
  /** 3–6 lower-case keywords, used as feed categories. */
  keywords: string[];
}

/** Reading-time statistics of an article and its digest, computed by the core for every summariser. */
export interface ReadingTime {
  /** Words in the article. */
  articleWords: number;
  /** Whole minutes to read the article (at least 1). */
  articleReadingMinutes: number;
  /** Whole minutes to read the digest (at least 1). */
  digestReadingMinutes: number;
}

/** One published digest: the unit of the archive, the feeds, the site and the email. */
export interface Digest {
  /** The article's identity; stable across edits. */
  id: string;
  /** URL path segment of the digest's permalink (`digests/<slug>/`), derived from the id, stable. */
  slug: string;
  headline: string;
  summary: string[];
  keyPoints: string[];
  keywords: string[];
  /** Link to the original article, when the article gave one. */
  sourceUrl?: string;
  /** File name or key the article came from. */
  sourceName: string;
  /** The feed the article was an item of, shown as its source in the page, the feeds and the email. */
  provenance?: Provenance;
  author?: string;
  /** ISO 8601: when Gazette first published this digest (or the article's own date, if given). */
  published: string;
  /** ISO 8601: when the digest last changed. Equals `published` until the article is edited. */
  updated: string;
  /** ISO 8601: when Gazette first stored this digest (drives the email staleness cutoff). */
  firstSeen: string;
  /**
   * Email state of the digest as a whole: `pending` while it goes out in editions (each subscriber's
   * cursor says whether it reached them), `done` for a digest mailed on its own before editions existed,
   * `stale` when it was too late to email (feeds still carry it), `not-mailed` when it was published
   * with mailing switched off (`--no-mail`, an import, a held feed item, too old when first seen).
   * Edits never re-open it.
   */
  mailStatus: MailStatus;
  /** Content hash of the article this digest was made from. */
  contentHash: string;
  /**
   * The editions whose page lists this digest (their delivery ids, `edition:<cadence>:<period>`), in
   * the order they closed; absent until the digest is in one. Editions' pages are built from this.
   */
  editions?: string[];
  /**
   * Set by `gazette unpublish` (ISO): a tombstone. The digest leaves the site, the feeds and the
   * editions, is never mailed, and its article, if it is still in the source, never brings it back.
   */
  unpublishedAt?: string;
  articleWords: number;
  articleReadingMinutes: number;
  digestReadingMinutes: number;
}

/**
 * A digest as the archive's listing index holds it: what the listings (the archive pages, the index's
 * list) show of it, and what a run needs to decide on it (slug, mail state, editions, tombstone)
 * without reading the whole digest. A few hundred bytes, so a run can read every digest's entry where
 * reading every digest would cost ten times the bytes (see `archiveEntry` in publish/digest.ts).
 */
export interface ArchiveEntry {
  id: string;
  slug: string;
  headline: string;
  /** The summary's first sentence: the line under the headline in a list. */
  lead: string;
  published: string;
  firstSeen: string;
  sourceName: string;
  sourceUrl?: string;
  provenance?: Provenance;
  mailStatus: MailStatus;
  editions?: string[];
  unpublishedAt?: string;
}

/** A subscriber's lifecycle state. Only `confirmed` addresses receive digests. */
export type SubscriberStatus = 'pending' | 'confirmed' | 'unsubscribed' | 'bounced' | 'complained';

/** A person on the list. `id` is derived from the normalised address, so it is stable and opaque. */
export interface Subscriber {
  id: string;
  email: string;
  status: SubscriberStatus;
  /** How often they get an edition; absent: the operator's default cadence (see `core/editions`). */
  cadence?: Cadence;
  /** IANA time zone of their daily or weekly hour; absent: the site's time zone. */
  timeZone?: string;
  /** Local hour (0–23) of a daily or weekly edition; absent: the default edition hour. */
  hour?: number;
  /** Weekday (0 Sunday … 6 Saturday) of a weekly edition; absent: the default weekday. */
  weekday?: Weekday;
  /**
   * Their position in the stream of digests: the `firstSeen` (or edition close) instant up to which
   * every digest was delivered to them. Absent until their first edition.
   */
  cursor?: string;
  /** When they confirmed (ISO); an edition never reaches back before it for someone without a cursor. */
  confirmedAt?: string;
}

/** Site-wide settings every renderer needs. */
export interface SiteConfig {
  /** Absolute base URL ending in `/`, e.g. `https://d123.cloudfront.net/` or `http://localhost:8080/`. */
  baseUrl: string;
  title: string;
  description: string;
  /** BCP 47 language tag, e.g. `en`. */
  language: string;
  /** Name shown as the feeds' and digests' author when an article has none. */
  authorName: string;
  /** Number of digests kept in each feed. */
  feedLength: number;
  /** IANA time zone editions' dates are shown in (the `timeZone` setting); UTC when absent. */
  timeZone?: string;
  /** Cadences the subscribe form offers (the `cadences` setting, default first); none shown for one or none. */
  cadences?: readonly Cadence[];
}

/** Mail settings the email renderer needs. */
export interface MailConfig {
  fromName: string;
  fromAddress: string;
  /** `List-Id` value without angle brackets, e.g. `gazette.example.com`. */
  listId: string;
  /** The sender's postal address, printed in the edition footer when set (setting `postalAddress`). */
  postalAddress?: string;
  /** Digests an edition email shows in full (setting `editionMaxItems`; its default when absent). */
  editionMaxItems?: number;
}

/** A file of the published site, ready for any publisher (folder or S3). */
export interface SiteFile {
  /** Path relative to the site root, forward slashes, no leading slash, e.g. `index.html` (one of the output registry's paths). */
  path: string;
  body: Buffer;
  /** Full content type including `charset=utf-8` for text. */
  contentType: string;
  /** `Cache-Control` value. */
  cacheControl: string;
}

/** A rendered email, ready for any mailer (outbox folder or SES). */
export interface OutgoingMail {
  /** The address it goes to (already validated). */
  to: string;
  /** Full RFC 5322 message with CRLF line endings. */
  raw: Buffer;
  /** The Message-ID header value, without angle brackets. */
  messageId: string;
}

/** Every email state a digest can be in (see `Digest.mailStatus`); stores validate against this list. */
export const MAIL_STATUSES = ['pending', 'done', 'stale', 'not-mailed'] as const;

/** One of {@link MAIL_STATUSES}. */
export type MailStatus = (typeof MAIL_STATUSES)[number];
