/**
 * The static web archive: the index (led by the latest edition), one page per digest and per edition,
 * the archive by date in pages of {@link ARCHIVE_PAGE_SIZE}, a 404 page, robots.txt and the favicon,
 * plus the message pages the subscription API answers with. Every page is plain HTML5 with the inline
 * style and script from ./assets.ts, readable without JavaScript, and carries the subscribe form
 * (near the top of the index, after the content elsewhere).
 */
import type { Cadence, CadencePreference, Edition, EditionHeader } from '../editions/edition.js';
import type { Digest, SiteConfig } from '../model.js';
import { API_PREFIX } from '../subscriptions/links.js';
import { SITE_CSS, SITE_SCRIPT } from './assets.js';
import { categoryTerms, digestHtmlFragment, digestSource, readingTime, sourceLink, summaryText } from './digest-content.js';
import { ARCHIVE_PAGE_SIZE, ARCHIVE_PATH, archivePagePath, digestPath, digestUrl, editionPath, editionUrl, subscribeUrl } from './links.js';
import type { FeedLink, ListingEntry, RenderContext, RenderedFile } from './outputs.js';
import {
  calendarDay,
  clockHour,
  displayDate,
  html,
  longDay,
  monthHeading,
  oneLine,
  parseInstant,
  shortDay,
  trusted,
  WEEKDAYS,
  type SafeHtml,
} from './text.js';

/** How many earlier digests the index lists; the archive pages list them all. */
export const INDEX_LIST_LENGTH = 20;

/** Digests of the latest edition the index shows before "and N more in this edition". */
export const INDEX_EDITION_ITEMS = 10;

interface PageOptions {
  /** Document title (the `<title>`), plain text. */
  title: string;
  /** Meta description, plain text. */
  description: string;
  /** Canonical absolute URL of the page, when it has one. */
  canonical?: string;
  /** The content of `<main>`, which must contain the page's single `<h1>`. */
  main: SafeHtml;
  /** Keep the page out of search engines (personal answer pages). */
  noindex?: boolean;
  /** Open Graph type: `article` for a digest, `website` for everything else. */
  kind?: 'website' | 'article';
  /**
   * Where the subscribe box goes: near the top of the index (whose heading is then the site's name in
   * the header), after the content on other pages.
   */
  subscribe?: 'in-content' | 'after-content';
  /** ISO instants of an article page, for `article:published_time` / `article:modified_time`. */
  times?: { published: string; modified: string };
}

const CADENCE_CHOICES = { instant: 'Every edition', daily: 'Once a day', weekly: 'Once a week' } as const;

/** Radio buttons for the enabled cadences (none when there is only one), the default checked. */
function cadenceChoice(site: SiteConfig): SafeHtml {
  const cadences = site.cadences ?? [];
  if (cadences.length < 2) return html``;
  return html`<fieldset class="field"><legend>How often</legend>
${cadences.map(
  (cadence, index) =>
    html`<label><input type="radio" name="cadence" value="${cadence}"${index === 0 ? trusted(' checked') : ''}> ${CADENCE_CHOICES[cadence]}</label>\n`,
)}</fieldset>
`;
}

function subscribeForm(site: SiteConfig): SafeHtml {
  return html`<section class="subscribe" aria-labelledby="subscribe-title">
<h2 id="subscribe-title">Get every edition by email</h2>
<form method="post" action="${subscribeUrl(site)}" data-subscribe>
<div class="field"><label for="subscribe-email">Email address</label>
<input id="subscribe-email" type="email" name="email" required maxlength="254" autocomplete="email" inputmode="email" spellcheck="false"></div>
${cadenceChoice(site)}<div class="hp" aria-hidden="true"><label for="subscribe-website">Website (leave empty)</label>
<input id="subscribe-website" type="text" name="website" value="" tabindex="-1" autocomplete="off"></div>
<button type="submit">Subscribe</button>
<p class="status" role="status" aria-live="polite"></p>
</form>
<p class="fine">One email with everything new, no tracking. We send one email to confirm the address first; every email has a one-click unsubscribe link.</p>
</section>`;
}

function feedNav(feeds: readonly FeedLink[]): SafeHtml {
  return html`${feeds.map((feed) => html`<li><a href="${feed.url}">${feed.linkText}</a></li>`)}`;
}

/** Open Graph and Twitter card tags: how a shared link looks in chat apps and social sites. */
function socialMeta(site: SiteConfig, options: PageOptions): SafeHtml {
  const tags: [string, string, string][] = [
    ['property', 'og:site_name', oneLine(site.title)],
    ['property', 'og:type', options.kind ?? 'website'],
    ['property', 'og:title', options.title],
    ['property', 'og:description', options.description],
    ...(options.canonical ? ([['property', 'og:url', options.canonical]] as [string, string, string][]) : []),
    ...(options.times
      ? ([
          ['property', 'article:published_time', options.times.published],
          ['property', 'article:modified_time', options.times.modified],
        ] as [string, string, string][])
      : []),
    ['name', 'twitter:card', 'summary'],
    ['name', 'twitter:title', options.title],
    ['name', 'twitter:description', options.description],
  ];
  return html`${tags.map(([attribute, key, value]) => html`<meta ${trusted(attribute)}="${key}" content="${value}">\n`)}`;
}

/** The shared document: head with social tags and autodiscovery links, skip link, header/nav, main (with the subscribe box), footer. */
function page(site: SiteConfig, feeds: readonly FeedLink[], options: PageOptions): string {
  const siteTitle = oneLine(site.title);
  const subscribe = options.subscribe ?? 'after-content';
  const document = html`<!DOCTYPE html>
<html lang="${site.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title}</title>
<meta name="description" content="${options.description}">
<meta name="color-scheme" content="light dark">
${options.noindex ? html`<meta name="robots" content="noindex">\n` : ''}${options.canonical ? html`<link rel="canonical" href="${options.canonical}">\n` : ''}${socialMeta(site, options)}<link rel="icon" type="image/svg+xml" href="${site.baseUrl}favicon.svg">
${feeds.map((feed, index) => html`${index > 0 ? '\n' : ''}<link rel="alternate" type="${feed.type}" title="${siteTitle} (${feed.label})" href="${feed.url}">`)}
<style>${trusted(SITE_CSS)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site"><div class="wrap">
${
  // On the index the site's name is the page's heading; elsewhere the page's own title is.
  subscribe === 'in-content'
    ? html`<h1 class="site-name">${siteTitle}</h1>`
    : html`<p class="site-name"><a href="${site.baseUrl}">${siteTitle}</a></p>`
}
<p class="tagline">${oneLine(site.description)}</p>
<nav aria-label="Site"><ul><li><a href="${site.baseUrl}">Latest</a></li><li><a href="${site.baseUrl}${ARCHIVE_PATH}">Archive</a></li>${feedNav(feeds)}</ul></nav>
</div></header>
<main id="main" tabindex="-1"><div class="wrap">
${options.main}
${subscribe === 'after-content' ? subscribeForm(site) : ''}
</div></main>
<footer class="site"><div class="wrap">
<p>${siteTitle}${feeds.map((feed) => html` · <a href="${feed.url}">${feed.label}</a>`)}</p>
</div></footer>
<script>${trusted(SITE_SCRIPT)}</script>
</body>
</html>
`;
  return document.value;
}

function timeElement(iso: string, what: string): SafeHtml {
  const date = parseInstant(iso, what);
  return html`<time datetime="${date.toISOString()}">${displayDate(date)}</time>`;
}

/** "8 May 2025 · updated 9 May 2025 · 1 min read": the dates and, once, the reading time. */
function metaLine(digest: Digest): SafeHtml {
  const edited = digest.updated !== digest.published;
  return html`<p class="meta">${timeElement(digest.published, `digest ${digest.id} published`)}${
    edited ? html` · updated ${timeElement(digest.updated, `digest ${digest.id} updated`)}` : ''
  } · ${readingTime(digest)}</p>`;
}

/** "From Example City News · By Ada Lovelace": where the digest came from, when known. */
function sourceLine(digest: Digest): SafeHtml {
  const source = digestSource(digest);
  const author = oneLine(digest.author ?? '');
  if (!source && !author) return html``;
  return html`<p class="meta source" dir="auto">${source ? html`From <a href="${source.url}">${source.label}</a>` : ''}${
    source && author ? ' · ' : ''
  }${author ? `By ${author}` : ''}</p>`;
}

function keywordList(digest: Digest): SafeHtml {
  const terms = categoryTerms(digest);
  if (terms.length === 0) return html``;
  return html`<h2>Keywords</h2><ul class="tags">${terms.map((term) => html`<li dir="auto">${term}</li>`)}</ul>`;
}

/** The digest as an `<article>`; `headingLevel` is 1 on its own page and 2 on the index and edition pages. */
function digestArticle(site: SiteConfig, digest: Digest, headingLevel: 1 | 2, id?: string): SafeHtml {
  const headline = oneLine(digest.headline);
  const heading =
    headingLevel === 1
      ? html`<h1 dir="auto">${headline}</h1>`
      : html`<h2 dir="auto"><a href="${digestUrl(site, digest)}">${headline}</a></h2>`;
  const source = sourceLink(digest);
  const parts: SafeHtml[] = [
    heading,
    metaLine(digest),
    sourceLine(digest),
    digestHtmlFragment(digest, { sectionHeadingLevel: headingLevel === 1 ? 2 : 3, readingTime: false, source: false }),
    ...(source ? [html`<p><a href="${source}" rel="noopener noreferrer">Read the original article</a></p>`] : []),
    ...(headingLevel === 1 ? [keywordList(digest)] : []),
  ];
  const open = id ? html`<article id="${id}">` : html`<article>`;
  return html`${open}\n${parts.filter((part) => part.value !== '').map((part, index) => html`${index > 0 ? '\n' : ''}${part}`)}\n</article>`;
}

/**
 * One digest in a list, under `text` (its lead sentence, or its whole summary in the index's edition);
 * `headingLevel` keeps the outline unbroken (h2 under the archive's h1, h3 under a section's h2). A
 * listing entry or a whole digest: only the fields a list shows are read.
 */
function listItem(
  site: SiteConfig,
  digest: Pick<ListingEntry, 'id' | 'slug' | 'headline' | 'published' | 'sourceUrl' | 'provenance'>,
  headingLevel: 2 | 3,
  editions: readonly EditionHeader[],
  text: string,
): SafeHtml {
  const open = trusted(`<h${headingLevel} dir="auto">`);
  const close = trusted(`</h${headingLevel}>`);
  const source = digestSource(digest);
  const inEditions = editions.map((edition) => html` · <a href="${editionUrl(site, edition)}">${editionName(edition)}</a>`);
  return html`<li>${open}<a href="${digestUrl(site, digest)}">${oneLine(digest.headline)}</a>${close}
<p class="meta">${timeElement(digest.published, `digest ${digest.id} published`)}${source ? html` · ${source.label}` : ''}${inEditions}</p>${
    text ? html`\n<p dir="auto">${text}</p>` : ''
  }</li>`;
}

/** "Daily edition, 1 Dec" (links), from the day written in the edition's date. */
function editionName(edition: EditionHeader): string {
  const cadence = { instant: 'Edition', daily: 'Daily edition', weekly: 'Weekly edition' }[edition.cadence];
  return `${cadence}, ${shortDay(calendarDay(edition.date, `edition ${edition.id} date`))}`;
}

/** Editions newest first (by the instant they closed, then id, so the order never depends on input order). */
function newestEditions<E extends EditionHeader>(editions: readonly E[]): E[] {
  return [...editions].sort(
    (a, b) =>
      parseInstant(b.date, `edition ${b.id} date`).getTime() - parseInstant(a.date, `edition ${a.id} date`).getTime() ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** The editions (newest first) whose pages list the digest of `entry`. */
function editionsListing(context: RenderContext, entry: ListingEntry): EditionHeader[] {
  return newestEditions((entry.editions ?? []).flatMap((id) => context.editionsById.get(id) ?? []));
}

/** The latest edition on the index: its date, its first {@link INDEX_EDITION_ITEMS} digests, a link to its page. */
function latestEditionSection(site: SiteConfig, edition: Edition): SafeHtml {
  const shown = edition.digests.slice(0, INDEX_EDITION_ITEMS);
  const more = edition.digests.length - shown.length;
  const count = `${edition.digests.length} ${edition.digests.length === 1 ? 'digest' : 'digests'}`;
  return html`<section aria-labelledby="latest-title">
<h2 id="latest-title">Latest edition: ${longDay(calendarDay(edition.date, `edition ${edition.id} date`))}</h2>
<p class="meta">${count} · <a href="${editionUrl(site, edition)}">Open the edition page</a></p>
<ul class="archive edition">
${shown.map((digest) => html`${listItem(site, digest, 3, [], summaryText(digest))}\n`)}</ul>
${more > 0 ? html`<p><a href="${editionUrl(site, edition)}">And ${more} more in this edition</a></p>\n` : ''}</section>`;
}

/** The latest digest in full, for a site that has no editions yet. */
function latestDigestSection(site: SiteConfig, digest: Digest): SafeHtml {
  return html`<section aria-labelledby="latest-title"><p class="meta" id="latest-title">Latest digest</p>
${digestArticle(site, digest, 2)}
</section>`;
}

/**
 * `index.html`: the subscribe box near the top, then the latest edition (or, before the first edition,
 * the latest digest in full), then up to {@link INDEX_LIST_LENGTH} earlier digests and the archive link.
 */
export function indexPage({ entries, digests, editions, site, feeds }: RenderContext): string {
  const latestEdition = newestEditions(editions)[0];
  const leading = latestEdition
    ? new Set(latestEdition.digests.slice(0, INDEX_EDITION_ITEMS).map((digest) => digest.id))
    : new Set([digests[0]?.id]);
  const listed = entries.filter((entry) => !leading.has(entry.id)).slice(0, INDEX_LIST_LENGTH);
  const lead = latestEdition ? latestEditionSection(site, latestEdition) : digests[0] ? latestDigestSection(site, digests[0]) : '';
  const main = html`${subscribeForm(site)}
${lead || html`<p>No digests yet. Subscribe above to get the first one by email.</p>`}
${
  listed.length > 0
    ? html`<section aria-labelledby="earlier-title"><h2 id="earlier-title">${latestEdition ? 'More recent digests' : 'Earlier digests'}</h2>
<ul class="archive">
${listed.map((entry) => html`${listItem(site, entry, 3, [], oneLine(entry.lead))}\n`)}</ul>
</section>`
    : ''
}
<p><a href="${site.baseUrl}${ARCHIVE_PATH}">Browse the archive</a> (${entries.length} ${entries.length === 1 ? 'digest' : 'digests'}, by date)</p>`;
  return page(site, feeds, {
    title: oneLine(site.title),
    description: oneLine(site.description),
    canonical: site.baseUrl,
    main,
    subscribe: 'in-content',
  });
}

/** Digests grouped under month headings ("December 2025"), in the given (newest first) order. */
function byMonth<T extends Pick<ListingEntry, 'id' | 'published'>>(digests: readonly T[]): { month: string; digests: T[] }[] {
  const groups: { month: string; digests: T[] }[] = [];
  for (const digest of digests) {
    const month = monthHeading(parseInstant(digest.published, `digest ${digest.id} published`));
    const last = groups[groups.length - 1];
    if (last?.month === month) last.digests.push(digest);
    else groups.push({ month, digests: [digest] });
  }
  return groups;
}

/**
 * How many numbered archive pages `count` digests make: none while they all fit on the archive's front
 * page, else one per {@link ARCHIVE_PAGE_SIZE} counted from the oldest (the last one may be short).
 */
export function archivePageCount(count: number): number {
  return count > ARCHIVE_PAGE_SIZE ? Math.ceil(count / ARCHIVE_PAGE_SIZE) : 0;
}

/**
 * Where numbered page `page` lies in a newest-first list of `count` digests, as slice bounds. Pages are
 * counted from the oldest digest, so a new digest (the newest) only ever lands on the last page and
 * every full page keeps its digests, and its bytes, for good.
 */
export function archivePageRange(count: number, page: number): [start: number, end: number] {
  return [Math.max(0, count - page * ARCHIVE_PAGE_SIZE), count - (page - 1) * ARCHIVE_PAGE_SIZE];
}

/**
 * What numbered archive page `page` shows of `entries` (newest first), as a string: equal for two
 * archives exactly when the page's bytes are (same settings), so an update renders only the pages
 * whose string changed.
 */
export function archivePageSignature(entries: readonly ListingEntry[], page: number): string {
  const [start, end] = archivePageRange(entries.length, page);
  const shown = entries
    .slice(start, end)
    .map((entry) => [entry.id, entry.slug, entry.headline, entry.lead, entry.published, entry.sourceUrl, entry.provenance, entry.editions]);
  // The last page's "Newer" link goes to the front page; every other page's to the next page.
  return JSON.stringify([page === archivePageCount(entries.length), shown]);
}

/** "← Newer · Page 2 · Older →" on a numbered page; only "Older →" (to the last numbered page but one) on the front page. */
function archivePager(site: SiteConfig, pageNumber: number | undefined, pageCount: number): SafeHtml {
  if (pageCount === 0) return html``;
  if (pageNumber === undefined)
    return html`<nav class="pager" aria-label="Archive pages"><span>Newest</span><a href="${site.baseUrl}${archivePagePath(pageCount - 1)}" rel="next">Older →</a></nav>`;
  const newerPath = pageNumber < pageCount ? archivePagePath(pageNumber + 1) : ARCHIVE_PATH;
  const newer = html`<a href="${site.baseUrl}${newerPath}" rel="prev">← Newer</a>`;
  const older = pageNumber > 1 ? html`<a href="${site.baseUrl}${archivePagePath(pageNumber - 1)}" rel="next">Older →</a>` : '';
  return html`<nav class="pager" aria-label="Archive pages">${newer}<span>Page ${pageNumber}</span>${older}</nav>`;
}

/**
 * An archive page: the front page (`pageNumber` undefined: the newest digests) or a numbered page, its
 * digests by month, each with the editions that carried it, and the pager. A numbered page says
 * nothing about the archive as a whole (no total, no page count), so it stays as it is while new
 * digests arrive.
 */
function archiveListPage(context: RenderContext, pageNumber?: number): string {
  const { entries, site, feeds } = context;
  const pageCount = archivePageCount(entries.length);
  const [start, end] = pageNumber === undefined ? [0, ARCHIVE_PAGE_SIZE] : archivePageRange(entries.length, pageNumber);
  const slice = entries.slice(start, end);
  const total = `${entries.length} ${entries.length === 1 ? 'digest' : 'digests'}`;
  const intro =
    pageNumber === undefined
      ? `${total}, newest first${pageCount > 0 ? `, ${ARCHIVE_PAGE_SIZE} to a page` : ''}.`
      : `Digests ${entries.length - end + 1} to ${entries.length - start}, counted from the oldest; newest first.`;
  const main = html`<h1>All digests</h1>
<p>${intro}</p>
${byMonth(slice).map(
  (group) => html`<h2>${group.month}</h2>
<ul class="archive">
${group.digests.map((entry) => html`${listItem(site, entry, 3, editionsListing(context, entry), oneLine(entry.lead))}\n`)}</ul>
`,
)}${archivePager(site, pageNumber, pageCount)}`;
  const where = pageNumber === undefined ? '' : `, page ${pageNumber}`;
  return page(site, feeds, {
    title: `All digests${where} · ${oneLine(site.title)}`,
    description: `Every digest published by ${oneLine(site.title)}${where}.`,
    canonical: `${site.baseUrl}${pageNumber === undefined ? ARCHIVE_PATH : archivePagePath(pageNumber)}`,
    main,
  });
}

/** `archive/index.html`: the newest {@link ARCHIVE_PAGE_SIZE} digests by month. */
export function archivePage(context: RenderContext): string {
  return archiveListPage(context);
}

/** `archive/page/<n>/index.html` for every numbered page (an update: those its scope names). */
export function archivePages(context: RenderContext): RenderedFile[] {
  const count = archivePageCount(context.entries.length);
  return Array.from({ length: count }, (_, index) => index + 1)
    .filter((pageNumber) => !context.only || context.only.archivePages.has(pageNumber))
    .map((pageNumber) => ({ path: `${archivePagePath(pageNumber)}index.html`, body: archiveListPage(context, pageNumber) }));
}

function digestPage(digest: Digest, site: SiteConfig, feeds: readonly FeedLink[]): string {
  const main = html`${digestArticle(site, digest, 1)}
<p><a href="${site.baseUrl}${ARCHIVE_PATH}">← All digests</a></p>`;
  return page(site, feeds, {
    title: `${oneLine(digest.headline)} · ${oneLine(site.title)}`,
    description: summaryText(digest),
    canonical: digestUrl(site, digest),
    main,
    kind: 'article',
    times: {
      published: parseInstant(digest.published, `digest ${digest.id} published`).toISOString(),
      modified: parseInstant(digest.updated, `digest ${digest.id} updated`).toISOString(),
    },
  });
}

/**
 * An edition's page (`editions/<period>/`): the date and cadence, a table of contents when it has more
 * than three digests, then every digest in full, in the edition's order. The edition email's "Read on
 * the web" and "and N more" lead here, so nothing is capped.
 */
export function editionPage(edition: Edition, site: SiteConfig, feeds: readonly FeedLink[]): string {
  const day = longDay(calendarDay(edition.date, `edition ${edition.id} date`));
  const cadence = { instant: 'Edition', daily: 'Daily edition', weekly: 'Weekly edition' }[edition.cadence];
  const count = `${edition.digests.length} ${edition.digests.length === 1 ? 'digest' : 'digests'}`;
  const contents =
    edition.digests.length > 3
      ? html`<nav class="toc" aria-label="In this edition"><ol>${edition.digests.map(
          (digest, index) => html`<li dir="auto"><a href="#item-${index + 1}">${oneLine(digest.headline)}</a></li>`,
        )}</ol></nav>\n`
      : '';
  const main = html`<h1>${day}</h1>
<p class="meta">${cadence} of ${oneLine(site.title)} · ${count}</p>
${contents}${edition.digests.map((digest, index) => html`${digestArticle(site, digest, 2, `item-${index + 1}`)}\n`)}<p><a href="${site.baseUrl}${ARCHIVE_PATH}">← All digests</a></p>`;
  const lead = edition.digests[0];
  return page(site, feeds, {
    title: `${cadence}, ${day} · ${oneLine(site.title)}`,
    description: lead
      ? `${oneLine(lead.headline)}${edition.digests.length > 1 ? `, and ${edition.digests.length - 1} more` : ''}`
      : oneLine(site.description),
    canonical: editionUrl(site, edition),
    main,
  });
}

/** One `editions/<period>/index.html` per edition (an update: those its scope names). */
export function editionPages({ editions, site, feeds, only }: RenderContext): RenderedFile[] {
  const seen = new Set<string>();
  const written = only ? editions.filter((edition) => only.editions.has(edition.id)) : editions;
  return newestEditions(written).map((edition) => {
    const path = `${editionPath(edition)}index.html`;
    // Two editions on one page would make the output depend on their order: a bug upstream.
    if (seen.has(path)) throw new Error(`two editions share the period ${edition.period}`);
    seen.add(path);
    return { path, body: editionPage(edition, site, feeds) };
  });
}

/** The site's icon: a blue tile with a page of columns, drawn with shapes only (no font, no script). */
export function faviconSvg(): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#0a58ca"/><path fill="#ffffff" d="M14 14h36v7H14zM14 27h16v23H14zM35 27h15v5H35zM35 36h15v5H35zM35 45h15v5H35z"/></svg>\n`;
}

/** `404.html`, which CloudFront and the local server answer unknown paths with. */
export function notFoundPage({ site, feeds }: RenderContext): string {
  const main = html`<h1>Page not found</h1>
<p>There is no page at this address. It may have moved, or the link may be mistyped.</p>
<p><a href="${site.baseUrl}">Go to the latest digest</a> or browse <a href="${site.baseUrl}${ARCHIVE_PATH}">all digests</a>.</p>`;
  return page(site, feeds, { title: `Page not found · ${oneLine(site.title)}`, description: oneLine(site.description), main });
}

/** `robots.txt`, naming the first feed. */
export function robotsTxt({ feeds }: RenderContext): string {
  // The API answers with personal pages (confirm, unsubscribe); nothing there is for crawlers.
  return `User-agent: *\nDisallow: /${API_PREFIX}\n\n# Feeds: ${feeds[0]?.url ?? ''}\n`;
}

/** One `digests/<slug>/index.html` per digest (the permalinks; an update: those its scope names). */
export function digestPages({ digests, site, feeds, only }: RenderContext): RenderedFile[] {
  const seen = new Set<string>();
  const written = only ? digests.filter((digest) => only.digests.has(digest.id)) : digests;
  return written.map((digest) => {
    const path = `${digestPath(digest)}index.html`;
    // Two digests on one path would make the output depend on order; slugs carry an id hash, so this is a bug upstream.
    if (seen.has(path)) throw new Error(`two digests share the slug ${digest.slug}`);
    seen.add(path);
    return { path, body: digestPage(digest, site, feeds) };
  });
}

/** A button that performs the page's action with a POST (e.g. the unsubscribe confirmation). */
export interface MessagePageAction {
  /** Absolute URL the form posts to. */
  url: string;
  /** Button text. */
  label: string;
  method: 'post';
  /** Hidden fields sent with the form, e.g. `{ 'List-Unsubscribe': 'One-Click' }`. */
  fields?: Record<string, string>;
}

/** The manage page's form: how often editions come and, for daily and weekly ones, when. */
export interface PreferenceForm {
  /** Absolute URL the form posts to (the signed manage link). */
  url: string;
  /** The cadences the operator enabled, in the order offered. */
  cadences: readonly Cadence[];
  /** The choice in force, selected when the page opens. */
  current: CadencePreference;
  /** IANA time zones offered, sorted; must include `current.timeZone`. */
  timeZones: readonly string[];
  /** The subscriber never chose a zone: the page's script may select the browser's instead of the default. */
  suggestBrowserZone: boolean;
}

/** What a message page says. All plain text; escaped here. */
export interface MessagePageContent {
  title: string;
  message: string;
  action?: MessagePageAction;
  /** More buttons after `action`, each its own form. */
  actions?: MessagePageAction[];
  /** The manage page's choices, after the message. */
  preferences?: PreferenceForm;
  /** A link after the buttons, e.g. back to the manage page after a refused change. */
  link?: { url: string; label: string };
}

/** One button as its own POST form, with its hidden fields in a stable order. */
function actionForm(action: MessagePageAction): SafeHtml {
  const fields = action.fields ? Object.entries(action.fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : [];
  return html`<form method="post" action="${action.url}">
${fields.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">\n`)}<button type="submit">${oneLine(action.label)}</button>
</form>
`;
}

/** Options of a `<select>`, the one whose value is `selected` marked so. */
function options(choices: readonly (readonly [value: string, label: string])[], selected: string): SafeHtml {
  return html`${choices.map(
    ([value, label]) => html`<option value="${value}"${value === selected ? trusted(' selected') : ''}>${label}</option>\n`,
  )}`;
}

/**
 * The time zone list: zones without a region (`UTC`) first, then one group per region, each zone
 * labelled by its place (`America/Argentina/Buenos_Aires` → "Argentina / Buenos Aires").
 */
function timeZoneOptions(zones: readonly string[], selected: string): SafeHtml {
  const regions = new Map<string, [string, string][]>();
  for (const zone of zones) {
    const slash = zone.indexOf('/');
    const region = slash < 0 ? '' : zone.slice(0, slash);
    const place = (slash < 0 ? zone : zone.slice(slash + 1)).replaceAll('_', ' ').replaceAll('/', ' / ');
    regions.set(region, [...(regions.get(region) ?? []), [zone, place]]);
  }
  const ungrouped = regions.get('') ?? [];
  regions.delete('');
  return html`${options(ungrouped, selected)}${[...regions].map(
    ([region, places]) => html`<optgroup label="${region}">\n${options(places, selected)}</optgroup>\n`,
  )}`;
}

/**
 * The manage form: one radio per enabled cadence, then the hour (daily, weekly), the weekday (weekly)
 * and the time zone, each shown only when an enabled cadence uses it. Without JavaScript everything
 * works; the site's style hides the fields the checked cadence does not use, and its script may select
 * the browser's time zone when the subscriber never chose one (`data-browser-zone`).
 */
function preferenceForm(form: PreferenceForm): SafeHtml {
  const { current } = form;
  const timed = form.cadences.some((cadence) => cadence !== 'instant');
  const hours = Array.from({ length: 24 }, (_, hour) => [String(hour), clockHour(hour)] as const);
  // Monday first, as most of the world's calendars start the week.
  const days = [1, 2, 3, 4, 5, 6, 0].map((day) => [String(day), WEEKDAYS[day]!] as const);
  const cadence =
    form.cadences.length > 1
      ? html`<fieldset><legend>How often</legend>
${form.cadences.map(
  (choice) =>
    html`<label><input type="radio" name="cadence" value="${choice}"${choice === current.cadence ? trusted(' checked') : ''}> ${CADENCE_CHOICES[choice]}</label>\n`,
)}</fieldset>
`
      : html`<input type="hidden" name="cadence" value="${form.cadences[0] ?? current.cadence}">\n`;
  return html`<form method="post" action="${form.url}" class="prefs">
${cadence}${
    timed
      ? html`<div class="timed"><label for="prefs-hour">Time of day</label>
<select id="prefs-hour" name="hour">
${options(hours, String(current.hour))}</select></div>
`
      : ''
  }${
    form.cadences.includes('weekly')
      ? html`<div class="weekly"><label for="prefs-weekday">Day of the week</label>
<select id="prefs-weekday" name="weekday">
${options(days, String(current.weekday))}</select></div>
`
      : ''
  }${
    timed
      ? html`<div class="timed"><label for="prefs-zone">Time zone</label>
<select id="prefs-zone" name="timeZone"${form.suggestBrowserZone ? trusted(' data-browser-zone') : ''}>
${timeZoneOptions(form.timeZones, current.timeZone)}</select></div>
`
      : ''
  }<button type="submit">Save</button>
</form>
`;
}

/**
 * A message page of the subscription API ("unsubscribe?" with a one-button POST form, errors, the
 * manage form): the HTML document, not indexed. Callers go through `renderMessagePage` in
 * ./outputs.ts, which checks the settings.
 */
export function messagePage(site: SiteConfig, feeds: readonly FeedLink[], content: MessagePageContent): string {
  const actions = [...(content.action ? [content.action] : []), ...(content.actions ?? [])];
  const main = html`<h1>${oneLine(content.title)}</h1>
<p>${content.message}</p>
${content.preferences ? preferenceForm(content.preferences) : ''}${actions.map(actionForm)}${
    content.link ? html`<p><a href="${content.link.url}">${oneLine(content.link.label)}</a></p>\n` : ''
  }<p><a href="${site.baseUrl}">Go to the latest digest</a></p>`;
  return page(site, feeds, {
    title: `${oneLine(content.title)} · ${oneLine(site.title)}`,
    description: oneLine(content.title),
    main,
    noindex: true,
  });
}
