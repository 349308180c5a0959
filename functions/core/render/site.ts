/**
 * The static web archive: the index, one page per digest, a full archive list, a 404 page and
 * robots.txt, plus the message pages the subscription API answers with. Every page is plain HTML5
 * with the inline style and script from ./assets.ts, readable without JavaScript, and carries the
 * subscribe form.
 */
import { editionsOf } from '../editions/editions-of.js';
import type { Edition } from '../editions/edition.js';
import type { Digest, SiteConfig } from '../model.js';
import { API_PREFIX } from '../subscriptions/links.js';
import { SITE_CSS, SUBSCRIBE_SCRIPT } from './assets.js';
import { categoryTerms, digestHtmlFragment, readingLine, sourceLink, summaryText } from './digest-content.js';
import { digestPath, digestUrl, editionPath, editionUrl, subscribeUrl } from './links.js';
import type { FeedLink, RenderContext, RenderedFile } from './outputs.js';
import { displayDate, html, oneLine, parseInstant, trusted, type SafeHtml } from './text.js';

/** How many earlier digests the index lists; the archive page lists them all. */
export const INDEX_LIST_LENGTH = 20;

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
}

function subscribeForm(site: SiteConfig): SafeHtml {
  return html`<section class="subscribe" aria-labelledby="subscribe-title">
<h2 id="subscribe-title">Get each digest by email</h2>
<form method="post" action="${subscribeUrl(site)}" data-subscribe>
<div class="field"><label for="subscribe-email">Email address</label>
<input id="subscribe-email" type="email" name="email" required maxlength="254" autocomplete="email" inputmode="email" spellcheck="false"></div>
<div class="hp" aria-hidden="true"><label for="subscribe-website">Website (leave empty)</label>
<input id="subscribe-website" type="text" name="website" value="" tabindex="-1" autocomplete="off"></div>
<button type="submit">Subscribe</button>
<p class="status" role="status" aria-live="polite"></p>
</form>
<p class="fine">We send one email to confirm the address first. Every digest has a one-click unsubscribe link.</p>
</section>`;
}

function feedNav(feeds: readonly FeedLink[]): SafeHtml {
  return html`${feeds.map((feed) => html`<li><a href="${feed.url}">${feed.linkText}</a></li>`)}`;
}

/** The shared document: head with autodiscovery links, skip link, header/nav, main, footer with the form. */
function page(site: SiteConfig, feeds: readonly FeedLink[], options: PageOptions): string {
  const siteTitle = oneLine(site.title);
  const document = html`<!DOCTYPE html>
<html lang="${site.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title}</title>
<meta name="description" content="${options.description}">
<meta name="color-scheme" content="light dark">
${options.noindex ? html`<meta name="robots" content="noindex">\n` : ''}${options.canonical ? html`<link rel="canonical" href="${options.canonical}">\n` : ''}${feeds.map((feed, index) => html`${index > 0 ? '\n' : ''}<link rel="alternate" type="${feed.type}" title="${siteTitle} (${feed.label})" href="${feed.url}">`)}
<style>${trusted(SITE_CSS)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site"><div class="wrap">
<p class="site-name"><a href="${site.baseUrl}">${siteTitle}</a></p>
<p class="tagline">${oneLine(site.description)}</p>
<nav aria-label="Site"><ul><li><a href="${site.baseUrl}">Latest</a></li><li><a href="${site.baseUrl}archive/">Archive</a></li>${feedNav(feeds)}</ul></nav>
</div></header>
<main id="main" tabindex="-1"><div class="wrap">
${options.main}
</div></main>
<footer class="site"><div class="wrap">
${subscribeForm(site)}
<p>${siteTitle}${feeds.map((feed) => html` · <a href="${feed.url}">${feed.label}</a>`)}</p>
</div></footer>
<script>${trusted(SUBSCRIBE_SCRIPT)}</script>
</body>
</html>
`;
  return document.value;
}

function timeElement(iso: string, what: string): SafeHtml {
  const date = parseInstant(iso, what);
  return html`<time datetime="${date.toISOString()}">${displayDate(date)}</time>`;
}

/** "Published 8 May 2025 · updated 9 May 2025 · 1 min read · …" */
function metaLine(digest: Digest): SafeHtml {
  const edited = digest.updated !== digest.published;
  return html`<p class="meta">Published ${timeElement(digest.published, `digest ${digest.id} published`)}${
    edited ? html` · updated ${timeElement(digest.updated, `digest ${digest.id} updated`)}` : ''
  } · ${readingLine(digest)}</p>`;
}

function keywordList(digest: Digest): SafeHtml {
  const terms = categoryTerms(digest);
  if (terms.length === 0) return html``;
  return html`<h2>Keywords</h2><ul class="tags">${terms.map((term) => html`<li dir="auto">${term}</li>`)}</ul>`;
}

/** The digest as an `<article>`; `headingLevel` is 1 on its own page and 2 on the index. */
function digestArticle(site: SiteConfig, digest: Digest, headingLevel: 1 | 2): SafeHtml {
  const headline = oneLine(digest.headline);
  const heading =
    headingLevel === 1
      ? html`<h1 dir="auto">${headline}</h1>`
      : html`<h2 dir="auto"><a href="${digestUrl(site, digest)}">${headline}</a></h2>`;
  const author = oneLine(digest.author ?? '');
  const source = sourceLink(digest);
  const parts: SafeHtml[] = [
    heading,
    metaLine(digest),
    ...(author ? [html`<p class="meta" dir="auto">By ${author}</p>`] : []),
    digestHtmlFragment(digest, { sectionHeadingLevel: headingLevel === 1 ? 2 : 3, readingTime: false }),
    ...(source ? [html`<p><a href="${source}" rel="noopener noreferrer">Read the original article</a></p>`] : []),
    ...(headingLevel === 1 ? [keywordList(digest)] : []),
  ];
  return html`<article>\n${parts.map((part, index) => html`${index > 0 ? '\n' : ''}${part}`)}\n</article>`;
}

/** One digest in a list; `headingLevel` keeps the outline unbroken (h2 under the archive's h1, h3 under "Earlier digests"). */
function listItem(site: SiteConfig, digest: Digest, headingLevel: 2 | 3): SafeHtml {
  const first = oneLine(digest.summary[0] ?? '');
  const open = trusted(`<h${headingLevel} dir="auto">`);
  const close = trusted(`</h${headingLevel}>`);
  return html`<li>${open}<a href="${digestUrl(site, digest)}">${oneLine(digest.headline)}</a>${close}
<p class="meta">${timeElement(digest.published, `digest ${digest.id} published`)}</p>${first ? html`\n<p dir="auto">${first}</p>` : ''}</li>`;
}

/** `index.html`: the latest digest in full, then the {@link INDEX_LIST_LENGTH} before it. */
export function indexPage({ digests, site, feeds }: RenderContext): string {
  const [latest, ...earlier] = digests;
  const listed = earlier.slice(0, INDEX_LIST_LENGTH);
  const main = html`<h1>${oneLine(site.title)}</h1>
${
  latest
    ? html`<section aria-labelledby="latest-title"><p class="meta" id="latest-title">Latest digest</p>
${digestArticle(site, latest, 2)}
</section>`
    : html`<p>No digests yet. Subscribe below to get the first one by email.</p>`
}
${
  listed.length > 0
    ? html`<section aria-labelledby="earlier-title"><h2 id="earlier-title">Earlier digests</h2>
<ul class="archive">
${listed.map((digest) => html`${listItem(site, digest, 3)}\n`)}</ul>
${earlier.length > listed.length ? html`<p><a href="${site.baseUrl}archive/">All ${digests.length} digests</a></p>` : ''}</section>`
    : ''
}`;
  return page(site, feeds, { title: oneLine(site.title), description: oneLine(site.description), canonical: site.baseUrl, main });
}

/** "Edition of 1 December 2025 (daily, 3 digests)", linked to its page. */
function editionListItem(site: SiteConfig, edition: Edition): SafeHtml {
  const count = edition.digests.length;
  return html`<li><a href="${editionUrl(site, edition)}">${editionTitle(edition)}</a> <span class="meta">(${edition.cadence}, ${count} ${count === 1 ? 'digest' : 'digests'})</span></li>`;
}

function editionTitle(edition: Edition): string {
  return `Edition of ${displayDate(parseInstant(edition.date.slice(0, 10), `edition ${edition.id} date`))}`;
}

/** `archive/index.html`: every digest, newest first, then every edition. */
export function archivePage({ digests, site, feeds }: RenderContext): string {
  const editions = editionsOf(digests, site.timeZone);
  const main = html`<h1>All digests</h1>
<p>${digests.length} ${digests.length === 1 ? 'digest' : 'digests'}, newest first.</p>
<ul class="archive">
${digests.map((digest) => html`${listItem(site, digest, 2)}\n`)}</ul>${
    editions.length > 0
      ? html`\n<h2>Editions</h2>\n<ul class="editions">\n${editions.map((edition) => html`${editionListItem(site, edition)}\n`)}</ul>`
      : ''
  }`;
  return page(site, feeds, {
    title: `All digests · ${oneLine(site.title)}`,
    description: `Every digest published by ${oneLine(site.title)}.`,
    canonical: `${site.baseUrl}archive/`,
    main,
  });
}

function digestPage(digest: Digest, site: SiteConfig, feeds: readonly FeedLink[]): string {
  const main = html`${digestArticle(site, digest, 1)}
<p><a href="${site.baseUrl}">← All digests</a></p>`;
  return page(site, feeds, {
    title: `${oneLine(digest.headline)} · ${oneLine(site.title)}`,
    description: summaryText(digest),
    canonical: digestUrl(site, digest),
    main,
  });
}

/** `404.html`, which CloudFront and the local server answer unknown paths with. */
export function notFoundPage({ site, feeds }: RenderContext): string {
  const main = html`<h1>Page not found</h1>
<p>There is no page at this address. It may have moved, or the link may be mistyped.</p>
<p><a href="${site.baseUrl}">Go to the latest digest</a> or browse <a href="${site.baseUrl}archive/">all digests</a>.</p>`;
  return page(site, feeds, { title: `Page not found · ${oneLine(site.title)}`, description: oneLine(site.description), main });
}

/** `robots.txt`, naming the first feed. */
export function robotsTxt({ feeds }: RenderContext): string {
  // The API answers with personal pages (confirm, unsubscribe); nothing there is for crawlers.
  return `User-agent: *\nDisallow: /${API_PREFIX}\n\n# Feeds: ${feeds[0]?.url ?? ''}\n`;
}

/** One `digests/<slug>/index.html` per digest (the permalinks). */
export function digestPages({ digests, site, feeds }: RenderContext): RenderedFile[] {
  const seen = new Set<string>();
  return digests.map((digest) => {
    const path = `${digestPath(digest)}index.html`;
    // Two digests on one path would make the output depend on order; slugs carry an id hash, so this is a bug upstream.
    if (seen.has(path)) throw new Error(`two digests share the slug ${digest.slug}`);
    seen.add(path);
    return { path, body: digestPage(digest, site, feeds) };
  });
}

/** One `editions/<period>/index.html` per edition: its digests in reading order, each linked to its page. */
export function editionPages({ digests, site, feeds }: RenderContext): RenderedFile[] {
  return editionsOf(digests, site.timeZone).map((edition) => {
    const main = html`<h1>${editionTitle(edition)}</h1>
<p>${edition.digests.length} ${edition.digests.length === 1 ? 'digest' : 'digests'} in this ${edition.cadence} edition.</p>
<ul class="archive">
${edition.digests.map((digest) => html`${listItem(site, digest, 2)}\n`)}</ul>
<p><a href="${site.baseUrl}archive/">← All digests</a></p>`;
    return {
      path: `${editionPath(edition)}index.html`,
      body: page(site, feeds, {
        title: `${editionTitle(edition)} · ${oneLine(site.title)}`,
        description: `${edition.digests.length} digests from ${oneLine(site.title)}.`,
        canonical: editionUrl(site, edition),
        main,
      }),
    };
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

/** What a message page says. All plain text; escaped here. */
export interface MessagePageContent {
  title: string;
  message: string;
  action?: MessagePageAction;
}

/**
 * A message page of the subscription API ("unsubscribe?" with a one-button POST form, errors): the HTML
 * document, not indexed. Callers go through `renderMessagePage` in ./outputs.ts, which checks the settings.
 */
export function messagePage(site: SiteConfig, feeds: readonly FeedLink[], content: MessagePageContent): string {
  const action = content.action;
  const fields = action?.fields ? Object.entries(action.fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : [];
  const main = html`<h1>${oneLine(content.title)}</h1>
<p>${content.message}</p>
${
  action
    ? html`<form method="post" action="${action.url}">
${fields.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">\n`)}<button type="submit">${oneLine(action.label)}</button>
</form>
`
    : ''
}<p><a href="${site.baseUrl}">Go to the latest digest</a></p>`;
  return page(site, feeds, {
    title: `${oneLine(content.title)} · ${oneLine(site.title)}`,
    description: oneLine(content.title),
    main,
    noindex: true,
  });
}
