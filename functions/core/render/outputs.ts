/**
 * The output registry: every file kind the site publishes, declared once — where it lives, how it is
 * served (content type, Cache-Control), when it is published (its stage) and what renders it. The
 * publishers (folder, S3), the local site server, the pages' feed links and autodiscovery, and the
 * stack's outputs and bucket permissions all iterate this list, so a new format is one entry here plus
 * its renderer file.
 *
 * Renderers never import this module (it imports them); what they need from it arrives in the
 * {@link RenderContext}.
 */
import type { Edition } from '../editions/edition.js';
import type { Digest, SiteConfig, SiteFile } from '../model.js';
import { atomFeed, jsonFeed, rssFeed } from './feeds.js';
import { CACHE_CONTROL, CONTENT_TYPES, checkedBaseUrl, checkedLanguage } from './links.js';
import {
  archivePage,
  archivePages,
  digestPages,
  editionPage,
  editionPages,
  faviconSvg,
  indexPage,
  messagePage,
  notFoundPage,
  robotsTxt,
  type MessagePageContent,
} from './site.js';

/**
 * Publish order, lowest first; each stage is complete before the next starts, so nothing ever links to
 * a file not yet there: digest permalinks, then the pages listing them, then the feeds.
 */
export const PUBLISH_STAGES = { permalinks: 0, listings: 1, feeds: 2 } as const;

/** One of {@link PUBLISH_STAGES}. */
export type PublishStage = (typeof PUBLISH_STAGES)[keyof typeof PUBLISH_STAGES];

/** A feed as pages and other feeds link to it. */
export interface FeedLink {
  /** Registry name, e.g. `rss`. */
  name: string;
  /** Absolute URL. */
  url: string;
  /** Media type without parameters, for `<link rel="alternate" type>`. */
  type: string;
  /** Short name, e.g. `RSS` (autodiscovery titles, the footer). */
  label: string;
  /** Navigation text, e.g. `RSS feed`. */
  linkText: string;
  /** The format and version, e.g. `RSS 2.0 feed` (the stack output's description). */
  description: string;
}

/** What every renderer is given. */
export interface RenderContext {
  /** Newest first. */
  digests: readonly Digest[];
  /** Every edition published so far (any order; renderers sort). Empty before the first edition. */
  editions: readonly Edition[];
  site: SiteConfig;
  /** Every feed of the registry, in registry order. */
  feeds: readonly FeedLink[];
  /** Absolute URL of the single-path output being rendered (a feed's self link); the base URL for patterns. */
  selfUrl: string;
  /** Work shared by several renderers within one render (the feeds' entries), keyed by the renderer's own symbol. */
  memo: Map<symbol, unknown>;
}

/** A rendered file of a pattern output, before the registry adds how it is served. */
export interface RenderedFile {
  path: string;
  body: string;
}

interface OutputCommon {
  contentType: string;
  cacheControl: string;
  stage: PublishStage;
  /** Present for feeds: how pages name them, and the stack output that prints the URL. */
  feed?: { label: string; linkText: string; description: string };
}

/** An output at one fixed path. */
export interface SingleOutput extends OutputCommon {
  path: string;
  render(context: RenderContext): string;
}

/** An output of many files under one folder, e.g. one page per digest. */
export interface PatternOutput extends OutputCommon {
  /** `folder/*`: every rendered path must start with `folder/`. */
  pattern: `${string}/*`;
  render(context: RenderContext): RenderedFile[];
}

/** A registry entry. */
export type Output = SingleOutput | PatternOutput;

const listing = { cacheControl: CACHE_CONTROL.listing, stage: PUBLISH_STAGES.listings } as const;
const feed = { cacheControl: CACHE_CONTROL.listing, stage: PUBLISH_STAGES.feeds } as const;

/** The registry. Feeds appear in pages in this order. */
export const OUTPUTS = {
  digestPages: {
    pattern: 'digests/*',
    contentType: CONTENT_TYPES.html,
    // A digest page only changes when its article is edited.
    cacheControl: CACHE_CONTROL.page,
    stage: PUBLISH_STAGES.permalinks,
    render: digestPages,
  },
  editionPages: {
    pattern: 'editions/*',
    contentType: CONTENT_TYPES.html,
    // An edition page changes only when one of its digests is edited.
    cacheControl: CACHE_CONTROL.page,
    stage: PUBLISH_STAGES.permalinks,
    render: editionPages,
  },
  favicon: {
    path: 'favicon.svg',
    contentType: CONTENT_TYPES.svg,
    cacheControl: CACHE_CONTROL.page,
    stage: PUBLISH_STAGES.permalinks,
    render: faviconSvg,
  },
  index: { path: 'index.html', contentType: CONTENT_TYPES.html, ...listing, render: indexPage },
  archive: { path: 'archive/index.html', contentType: CONTENT_TYPES.html, ...listing, render: archivePage },
  // Pages 2… of the archive (`archive/page/2/`): the first lives at `archive/`.
  archivePages: { pattern: 'archive/page/*', contentType: CONTENT_TYPES.html, ...listing, render: archivePages },
  notFound: { path: '404.html', contentType: CONTENT_TYPES.html, ...listing, render: notFoundPage },
  robots: { path: 'robots.txt', contentType: CONTENT_TYPES.text, ...listing, render: robotsTxt },
  rss: {
    path: 'feeds/rss.xml',
    contentType: 'application/rss+xml; charset=utf-8',
    ...feed,
    feed: { label: 'RSS', linkText: 'RSS feed', description: 'RSS 2.0 feed' },
    render: rssFeed,
  },
  atom: {
    path: 'feeds/atom.xml',
    contentType: 'application/atom+xml; charset=utf-8',
    ...feed,
    feed: { label: 'Atom', linkText: 'Atom feed', description: 'Atom 1.0 feed' },
    render: atomFeed,
  },
  json: {
    path: 'feeds/feed.json',
    contentType: 'application/feed+json; charset=utf-8',
    ...feed,
    feed: { label: 'JSON Feed', linkText: 'JSON Feed', description: 'JSON Feed 1.1' },
    render: jsonFeed,
  },
} as const satisfies Record<string, Output>;

/** Name of a registry entry. */
export type OutputName = keyof typeof OUTPUTS;

const ENTRIES = Object.entries(OUTPUTS) as [OutputName, Output][];

function isPattern(output: Output): output is PatternOutput {
  return 'pattern' in output;
}

/** The entry's path, or its pattern (`digests/*`), in the form S3 ARNs and the CloudFront function use. */
export function outputKey(output: Output): string {
  return isPattern(output) ? output.pattern : output.path;
}

/** Every site object key or key pattern, for the bucket policy and the viewer-request function. */
export function siteObjectKeys(): string[] {
  return ENTRIES.map(([, output]) => outputKey(output));
}

/** The registry entry a site path belongs to; undefined for anything that is not the site's (inbox/, state/, …). */
export function outputFor(path: string): Output | undefined {
  return ENTRIES.find(([, output]) => (isPattern(output) ? path.startsWith(output.pattern.slice(0, -1)) : path === output.path))?.[1];
}

/** True when `path` is one of the site's own files. */
export function isSitePath(path: string): boolean {
  return outputFor(path) !== undefined;
}

/** The feeds, in registry order, as pages link to them. */
export function feedLinks(site: Pick<SiteConfig, 'baseUrl'>): FeedLink[] {
  return ENTRIES.flatMap(([name, output]) =>
    output.feed && !isPattern(output)
      ? [{ name, url: `${site.baseUrl}${output.path}`, type: mediaType(output.contentType), ...output.feed }]
      : [],
  );
}

/** Site-relative paths of the feeds, in registry order. */
export function feedPaths(): string[] {
  return ENTRIES.flatMap(([, output]) => (output.feed && !isPattern(output) ? [output.path] : []));
}

function mediaType(contentType: string): string {
  return contentType.split(';')[0]!.trim();
}

/**
 * Groups files by publish stage, lowest first (empty stages left out). Throws for a file that is no
 * registry output: a publisher must never write outside the site's own keys.
 */
export function publishStages(files: readonly SiteFile[]): SiteFile[][] {
  const stages = new Map<PublishStage, SiteFile[]>();
  for (const file of files) {
    const output = outputFor(file.path);
    if (!output) throw new Error(`refusing to publish "${file.path}": no output in the registry has this path`);
    stages.set(output.stage, [...(stages.get(output.stage) ?? []), file]);
  }
  return [...stages.entries()].sort(([a], [b]) => a - b).map(([, batch]) => batch);
}

/**
 * The editions with each digest replaced by its current version in `digests` (an edited digest shows
 * its fix on every edition page, as on its own page); a digest no longer in the archive (unpublished)
 * is left out, and an edition left with none is not rendered.
 */
function currentEditions(editions: readonly Edition[], digests: readonly Digest[]): Edition[] {
  const current = new Map(digests.map((digest) => [digest.id, digest]));
  return editions
    .map((edition) => ({ ...edition, digests: edition.digests.flatMap((digest) => current.get(digest.id) ?? []) }))
    .filter((edition) => edition.digests.length > 0);
}

function renderEntries(
  entries: readonly (readonly [OutputName, Output])[],
  digests: readonly Digest[],
  site: SiteConfig,
  allEditions: readonly Edition[] = [],
): SiteFile[] {
  checkedBaseUrl(site);
  checkedLanguage(site);
  const feeds = feedLinks(site);
  const memo = new Map<symbol, unknown>();
  const editions = currentEditions(allEditions, digests);
  const files: SiteFile[] = [];
  for (const [name, output] of entries) {
    const served = { contentType: output.contentType, cacheControl: output.cacheControl };
    if (!isPattern(output)) {
      const body = output.render({ digests, editions, site, feeds, memo, selfUrl: `${site.baseUrl}${output.path}` });
      files.push({ path: output.path, body: Buffer.from(body, 'utf8'), ...served });
      continue;
    }
    const prefix = output.pattern.slice(0, -1);
    for (const file of output.render({ digests, editions, site, feeds, memo, selfUrl: site.baseUrl })) {
      // The renderer builds its paths itself (permalinks); one outside its pattern would escape the registry.
      if (!file.path.startsWith(prefix)) throw new Error(`output ${name} rendered ${file.path}, outside ${output.pattern}`);
      files.push({ path: file.path, body: Buffer.from(file.body, 'utf8'), ...served });
    }
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Renders every output of the registry for `digests` (newest first) and the editions published so far
 * (their pages, the index's lead, the archive's edition links), sorted by path. Pure.
 */
export function renderOutputs(digests: readonly Digest[], site: SiteConfig, editions: readonly Edition[] = []): SiteFile[] {
  return renderEntries(ENTRIES, digests, site, editions);
}

/**
 * The web pages only (every output that is not a feed), sorted by path: `index.html`,
 * `archive/index.html` and `archive/page/<n>/index.html`, one `digests/<slug>/index.html` per digest,
 * one `editions/<period>/index.html` per edition, `favicon.svg`, `404.html`, `robots.txt`.
 */
export function renderSite(digests: readonly Digest[], site: SiteConfig, editions: readonly Edition[] = []): SiteFile[] {
  return renderEntries(
    ENTRIES.filter(([, output]) => !output.feed),
    digests,
    site,
    editions,
  );
}

/**
 * The feeds only, sorted by path, from the newest `site.feedLength` digests. Throws `RenderError` for
 * an empty list: an empty feed must never replace a good one.
 */
export function renderFeeds(digests: readonly Digest[], site: SiteConfig): SiteFile[] {
  return renderEntries(
    ENTRIES.filter(([, output]) => output.feed),
    digests,
    site,
  );
}

/**
 * A page in the site's look for the subscription API's answers ("check your inbox", "confirm?", errors),
 * with the same feed links as every page. Serve it as `CONTENT_TYPES.html`; message pages are not indexed.
 */
export function renderMessagePage(site: SiteConfig, content: MessagePageContent): string {
  checkedBaseUrl(site);
  checkedLanguage(site);
  return messagePage(site, feedLinks(site), content);
}

/**
 * One edition's page on its own (what `editions/<period>/index.html` holds), for previews; the site
 * build renders every edition's page through the registry.
 */
export function renderEditionPage(edition: Edition, site: SiteConfig): string {
  checkedBaseUrl(site);
  checkedLanguage(site);
  return editionPage(edition, site, feedLinks(site));
}
