/**
 * Which files a run that changed some digests must render, from the archive's entries before and after
 * the run: the changed digests' pages, the pages of every edition they are in, the numbered archive
 * pages whose digests changed (pages are counted from the oldest, so a new digest touches only the
 * last one or two), and the listings (index, archive front page, feeds), which the renderer writes on
 * every update. Pure: the use case fetches the digests named in `needed` and renders.
 */
import { editionHeader } from '../editions/editions-of.js';
import type { ArchiveEntry, Digest, SiteConfig } from '../model.js';
import type { RenderScope } from '../render/outputs.js';
import { archivePageCount, archivePageSignature } from '../render/site.js';
import { archiveEntry, sortNewestFirst } from './digest.js';

/** What to render for an update, and which digests it needs in full. */
export interface SiteChangePlan {
  /** Every digest on the site after the run, newest first. */
  entries: ArchiveEntry[];
  only: RenderScope;
  /** Editions to build in full: those whose pages are written, and the latest one (the index leads with it). */
  editions: Set<string>;
  /** Digests the render needs in full: the newest `feedLength`, the changed ones, every member of `editions`. */
  needed: Set<string>;
}

/** The digests on the site (none unpublished), newest first. */
function onSite(entries: Iterable<ArchiveEntry>): ArchiveEntry[] {
  return sortNewestFirst([...entries].filter((entry) => entry.unpublishedAt === undefined));
}

/**
 * Plans the update from `before` (every stored entry before the run, tombstones included) and the
 * digests the run stored (`changed`, as stored).
 */
export function planSiteChanges(before: ReadonlyMap<string, ArchiveEntry>, changed: Iterable<Digest>, site: SiteConfig): SiteChangePlan {
  const after = new Map(before);
  const digests = new Set<string>();
  const editions = new Set<string>();
  for (const digest of changed) {
    // The editions it was in before count too: an edit shows on every edition page that lists it.
    for (const id of [...(before.get(digest.id)?.editions ?? []), ...(digest.editions ?? [])]) editions.add(id);
    after.set(digest.id, archiveEntry(digest));
    if (digest.unpublishedAt === undefined) digests.add(digest.id);
  }
  const old = onSite(before.values());
  const entries = onSite(after.values());
  const archivePages = new Set<number>();
  for (let page = 1; page <= archivePageCount(entries.length); page += 1) {
    if (archivePageSignature(entries, page) !== archivePageSignature(old, page)) archivePages.add(page);
  }
  const latest = latestEdition(entries, site);
  const built = new Set(latest === undefined ? editions : [...editions, latest]);
  const needed = new Set([...entries.slice(0, site.feedLength).map((entry) => entry.id), ...digests]);
  for (const entry of entries) if (entry.editions?.some((id) => built.has(id))) needed.add(entry.id);
  return { entries, only: { digests, editions, archivePages }, editions: built, needed };
}

/** The id of the edition that closed last among those the site's digests are in. */
function latestEdition(entries: readonly ArchiveEntry[], site: SiteConfig): string | undefined {
  let latest: { id: string; at: number } | undefined;
  const seen = new Set<string>();
  for (const entry of entries) {
    for (const id of entry.editions ?? []) {
      if (seen.has(id)) continue;
      seen.add(id);
      const header = editionHeader(id, site.timeZone);
      if (!header) continue;
      const at = Date.parse(header.date);
      if (!latest || at > latest.at || (at === latest.at && id < latest.id)) latest = { id, at };
    }
  }
  return latest?.id;
}
