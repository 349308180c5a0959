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
import { editionHeader } from '../editions/editions-of.js';
import type { Edition, EditionHeader } from '../editions/edition.js';
import type { ArchiveEntry, Digest, SiteConfig, SiteFile } from '../model.js';
import { archiveEntry } from '../publish/digest.js';
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

/** What a listing (the archive pages, the index's list) shows of a digest: part of its archive entry. */
export type ListingEntry = Pick<ArchiveEntry, 'id' | 'slug' | 'headline' | 'lead' | 'published' | 'sourceUrl' | 'provenance' | 'editions'>;

/** The pages of the pattern outputs an update writes (see {@link renderSiteUpdate}). */
export interface RenderScope {
  /** Digest pages, by digest id. */
  digests: ReadonlySet<string>;
  /** Edition pages, by edition id. */
  editions: ReadonlySet<string>;
  /** Numbered archive pages. */
  archivePages: ReadonlySet<number>;
}

/** What every renderer is given. */
export interface RenderContext {
  /** Every digest on the site as listings show it, newest first: the archive pages, the index's list and count. */
  entries: readonly ListingEntry[];
  /**
   * Digests in full, newest first: every one in a whole-site render; in an update, at least the newest
   * `feedLength` (feeds, the index) and those whose pages it writes.
   */
  digests: readonly Digest[];
  /**
   * Editions with their digests in full (any order; renderers sort). Empty before the first edition.
   * Every one in a whole-site render; in an update, those whose pages it writes and the latest.
   */
  editions: readonly Edition[];
  /** Every edition on the site by id, without its digests: what a listing links to. */
  editionsById: ReadonlyMap<string, EditionHeader>;
  /** Set in an update: the pages of the pattern outputs to write; absent, all of them. */
  only?: RenderScope;
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

/**
 * When an update (a run that changed some digests, not the whole site) renders an output: `listing`,
 * every update (its content follows every change: index, archive, feeds); `pages`, the pages the update's
 * scope names; `whole-site`, never (it depends on the settings and the renderer alone, which a change of
 * makes the next run render the whole site).
 */
export type UpdateRule = 'listing' | 'pages' | 'whole-site';

interface OutputCommon {
  contentType: string;
  cacheControl: string;
  stage: PublishStage;
  update: UpdateRule;
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

const listing = { cacheControl: CACHE_CONTROL.listing, stage: PUBLISH_STAGES.listings, update: 'listing' } as const;
const fixed = { cacheControl: CACHE_CONTROL.listing, stage: PUBLISH_STAGES.listings, update: 'whole-site' } as const;
const feed = { cacheControl: CACHE_CONTROL.listing, stage: PUBLISH_STAGES.feeds, update: 'listing' } as const;

/** The registry. Feeds appear in pages in this order. */
export const OUTPUTS = {
  digestPages: {
    pattern: 'digests/*',
    contentType: CONTENT_TYPES.html,
    // A digest page only changes when its article is edited.
    cacheControl: CACHE_CONTROL.page,
    stage: PUBLISH_STAGES.permalinks,
    update: 'pages',
    render: digestPages,
  },
  editionPages: {
    pattern: 'editions/*',
    contentType: CONTENT_TYPES.html,
    // An edition page changes only when one of its digests is edited.
    cacheControl: CACHE_CONTROL.page,
    stage: PUBLISH_STAGES.permalinks,
    update: 'pages',
    render: editionPages,
  },
  favicon: {
    path: 'favicon.svg',
    contentType: CONTENT_TYPES.svg,
    cacheControl: CACHE_CONTROL.page,
    stage: PUBLISH_STAGES.permalinks,
    update: 'whole-site',
    render: faviconSvg,
  },
  index: { path: 'index.html', contentType: CONTENT_TYPES.html, ...listing, render: indexPage },
  archive: { path: 'archive/index.html', contentType: CONTENT_TYPES.html, ...listing, render: archivePage },
  // The numbered pages (`archive/page/1/` holds the oldest digests); the newest are on `archive/`.
  archivePages: { pattern: 'archive/page/*', contentType: CONTENT_TYPES.html, ...listing, update: 'pages', render: archivePages },
  notFound: { path: '404.html', contentType: CONTENT_TYPES.html, ...fixed, render: notFoundPage },
  robots: { path: 'robots.txt', contentType: CONTENT_TYPES.text, ...fixed, render: robotsTxt },
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

/** What the renderers need besides the data itself, for one render. */
type RenderData = Pick<RenderContext, 'entries' | 'digests' | 'editions' | 'editionsById' | 'only'>;

/**
 * The whole site's render data: `digests` (newest first) and the editions published so far, each
 * listing entry naming the editions (of these) that list its digest.
 */
export function wholeSiteData(digests: readonly Digest[], allEditions: readonly Edition[] = []): RenderData {
  const editions = currentEditions(allEditions, digests);
  const editionIds = new Map<string, string[]>();
  for (const edition of editions)
    for (const digest of edition.digests) editionIds.set(digest.id, [...(editionIds.get(digest.id) ?? []), edition.id]);
  const entries = digests.map((digest) => ({ ...archiveEntry(digest), editions: editionIds.get(digest.id) ?? [] }));
  const editionsById = new Map(editions.map(({ digests: _, ...header }) => [header.id as string, header]));
  return { entries, digests, editions, editionsById };
}

function renderEntries(entries: readonly (readonly [OutputName, Output])[], data: RenderData, site: SiteConfig): SiteFile[] {
  checkedBaseUrl(site);
  checkedLanguage(site);
  const feeds = feedLinks(site);
  const memo = new Map<symbol, unknown>();
  const files: SiteFile[] = [];
  for (const [name, output] of entries) {
    if (data.only && output.update === 'whole-site') continue;
    const served = { contentType: output.contentType, cacheControl: output.cacheControl };
    if (!isPattern(output)) {
      const body = output.render({ ...data, site, feeds, memo, selfUrl: `${site.baseUrl}${output.path}` });
      files.push({ path: output.path, body: Buffer.from(body, 'utf8'), ...served });
      continue;
    }
    const prefix = output.pattern.slice(0, -1);
    for (const file of output.render({ ...data, site, feeds, memo, selfUrl: site.baseUrl })) {
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
  return renderEntries(ENTRIES, wholeSiteData(digests, editions), site);
}

/** What a run that changed some digests renders from (see {@link renderSiteUpdate}). */
export interface SiteUpdate {
  /** Every digest on the site (none unpublished) as the archive's index holds it, newest first. */
  entries: readonly ArchiveEntry[];
  /** The digests in full, newest first: at least the newest `feedLength` and those whose pages are written. */
  digests: readonly Digest[];
  /** Editions in full: those whose pages are written and the latest one on the site. */
  editions: readonly Edition[];
  /** The digest, edition and archive pages to write. */
  only: RenderScope;
}

/**
 * Renders what an update changes, sorted by path: the pages its scope names and every `listing`
 * output (index, archive front page, feeds), never the `whole-site` ones. The bytes are those
 * {@link renderOutputs} would give for the whole archive. Pure.
 */
export function renderSiteUpdate(update: SiteUpdate, site: SiteConfig): SiteFile[] {
  const editionsById = new Map<string, EditionHeader>();
  for (const entry of update.entries) {
    for (const id of entry.editions ?? []) {
      const header = editionsById.has(id) ? undefined : editionHeader(id, site.timeZone);
      if (header) editionsById.set(id, header);
    }
  }
  return renderEntries(ENTRIES, { ...update, editionsById }, site);
}

/**
 * The web pages only (every output that is not a feed), sorted by path: `index.html`,
 * `archive/index.html` and `archive/page/<n>/index.html`, one `digests/<slug>/index.html` per digest,
 * one `editions/<period>/index.html` per edition, `favicon.svg`, `404.html`, `robots.txt`.
 */
export function renderSite(digests: readonly Digest[], site: SiteConfig, editions: readonly Edition[] = []): SiteFile[] {
  return renderEntries(
    ENTRIES.filter(([, output]) => !output.feed),
    wholeSiteData(digests, editions),
    site,
  );
}

/**
 * The feeds only, sorted by path, from the newest `site.feedLength` digests. Throws `RenderError` for
 * an empty list: an empty feed must never replace a good one.
 */
export function renderFeeds(digests: readonly Digest[], site: SiteConfig): SiteFile[] {
  return renderEntries(
    ENTRIES.filter(([, output]) => output.feed),
    wholeSiteData(digests),
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
