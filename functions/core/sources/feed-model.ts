/**
 * What a fetched feed becomes, whatever its format (RSS 0.9x/1.0/2.0, Atom, JSON Feed): the values the
 * rest of Gazette reads, with links already absolute, unsafe links dropped and dates checked.
 */

/** One entry of a feed. */
export interface FeedItem {
  /** The feed's own identifier (RSS guid, Atom id, JSON Feed id), as given. */
  guid?: string;
  /** The item's absolute http(s) link. */
  url?: string;
  title?: string;
  author?: string;
  /** When the item was published (or updated, when that is all the feed says); never in the future. */
  published?: Date;
  categories: string[];
  /** The best content the feed carries: content:encoded / Atom content / content_html, else the summary. */
  html?: string;
  /** True when `html` is only a summary or description (the full text is on the linked page). */
  isExcerpt: boolean;
}

/** A feed, parsed. */
export interface ParsedFeed {
  title: string;
  /** The website the feed belongs to. */
  siteUrl?: string;
  /** RSS `<ttl>`: minutes the publisher asks readers to wait between fetches. */
  ttlMinutes?: number;
  items: FeedItem[];
  /** What the parser changed or skipped (unsafe links, future dates, empty items), one line each. */
  warnings?: string[];
}

/** Why a body is not a feed we can read: one line for the run report and `sources check`. */
export interface FeedParseError {
  error: string;
}
