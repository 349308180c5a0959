/**
 * Where things live on the published site, and how they are served. One place, so feeds, pages and
 * mails always agree on permalinks.
 */
import type { Digest, SiteConfig } from '../model.js';
import { routeUrl } from '../subscriptions/links.js';
import { isLanguageTag } from '../settings.js';
import { RenderError } from './text.js';

/** Content types of pages, text and the icon (each with a charset); the feeds' own are in the output registry (./outputs.ts). */
export const CONTENT_TYPES = {
  html: 'text/html; charset=utf-8',
  text: 'text/plain; charset=utf-8',
  svg: 'image/svg+xml; charset=utf-8',
} as const;

/**
 * Cache-Control values, within a 5–60 minute window so CDN and readers revalidate soon after a run:
 * feeds and listings change with every new digest (15 min); a digest page only when its article is
 * edited (60 min).
 */
export const CACHE_CONTROL = {
  listing: 'public, max-age=900',
  page: 'public, max-age=3600',
} as const;

/** Slugs become path segments; anything but lower-case words and hyphens could escape the folder. */
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Checks the base URL once per render: absolute http(s), ending in `/` (links are built by appending). */
export function checkedBaseUrl(site: SiteConfig): string {
  let url: URL;
  try {
    url = new URL(site.baseUrl);
  } catch {
    throw new RenderError(`site baseUrl is not a URL: ${JSON.stringify(site.baseUrl)}`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !site.baseUrl.endsWith('/') || url.href !== site.baseUrl) {
    throw new RenderError(`site baseUrl must be a normalised absolute http(s) URL ending in "/": ${JSON.stringify(site.baseUrl)}`);
  }
  return site.baseUrl;
}

/** The site-relative folder of a digest's page, e.g. `digests/xi-putin-talks-1a2b3c4d/`. */
export function digestPath(digest: Pick<Digest, 'id' | 'slug'>): string {
  if (!SLUG.test(digest.slug))
    throw new RenderError(`digest ${JSON.stringify(digest.id)} has an unsafe slug: ${JSON.stringify(digest.slug)}`);
  return `digests/${digest.slug}/`;
}

/** The digest's permalink, which is also its stable id in every feed. */
export function digestUrl(site: SiteConfig, digest: Pick<Digest, 'id' | 'slug'>): string {
  return `${site.baseUrl}${digestPath(digest)}`;
}

/** Digests per archive page: 10,000 digests make 200 light pages rather than one huge one. */
export const ARCHIVE_PAGE_SIZE = 50;

/** The archive's front page: the newest {@link ARCHIVE_PAGE_SIZE} digests, linking to the numbered pages. */
export const ARCHIVE_PATH = 'archive/';

/**
 * The folder of numbered archive page `page` (1-based, counted from the oldest digest, so a page keeps
 * its digests as new ones arrive): `archive/page/1/`, `archive/page/2/`, …
 */
export function archivePagePath(page: number): string {
  if (!Number.isInteger(page) || page < 1) throw new RenderError(`archive page must be a whole number from 1: ${page}`);
  return `${ARCHIVE_PATH}page/${page}/`;
}

/** Where the subscribe form posts (the subscription API's route). */
export function subscribeUrl(site: SiteConfig): string {
  return routeUrl(site, 'subscribe');
}

/**
 * The settings schema's language rule, checked again here because the tag goes into an attribute and a
 * JSON field verbatim and a renderer must not trust that its caller validated.
 */
export function checkedLanguage(site: SiteConfig): string {
  if (!isLanguageTag(site.language)) {
    throw new RenderError(`site language is not a BCP 47 tag: ${JSON.stringify(site.language)}`);
  }
  return site.language;
}

/** Period segments become one path segment: lower-case letters, digits and hyphens only. */
const PERIOD = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * The site-relative folder of an edition's page, e.g. `editions/2025-12-01-0700-daily/`: the one place an
 * edition id becomes a page path. It keeps the whole period rather than a shorter `editions/2025-12-01/`:
 * daily editions of one date differ by their subscribers' hours and zones, and two instant runs can close
 * in one second, so only the full period keeps every page apart; a counter (`…-2/`) would depend on the
 * other editions and move when one of them is unpublished, breaking links in mail already sent.
 */
export function editionPath(edition: { id: string; period: string }): string {
  if (!PERIOD.test(edition.period))
    throw new RenderError(`edition ${JSON.stringify(edition.id)} has an unsafe period: ${JSON.stringify(edition.period)}`);
  return `editions/${edition.period}/`;
}

/** The edition's page URL: where an edition email's "and N more" and "read on the web" point. */
export function editionUrl(site: SiteConfig, edition: { id: string; period: string }): string {
  return `${site.baseUrl}${editionPath(edition)}`;
}
