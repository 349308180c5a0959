/**
 * A fingerprint of how the site looks: the site settings and the bytes the renderers make of a small
 * fixed archive. A run that finds the site rendered with the same fingerprint renders only what its
 * changes touch; a new renderer (a template edited in a deploy) or new settings (title, base URL, time
 * zone) change the fingerprint, and the next run renders the whole site once. No version number to
 * bump: the renderers' own output is the version. A change that the fixture does not exercise shows on
 * the pages it touches from the next time they are rendered.
 */
import { createHash } from 'node:crypto';
import { editionDeliveryId, type Edition } from '../editions/edition.js';
import type { ArchiveEntry, Digest, SiteConfig } from '../model.js';
import { archiveEntry } from '../publish/digest.js';
import { ARCHIVE_PAGE_SIZE } from './links.js';
import { renderOutputs, renderSiteUpdate } from './outputs.js';
import { INDEX_EDITION_ITEMS, INDEX_LIST_LENGTH } from './site.js';

/** A digest with every optional part a page can show (author, source, feed, an edit, key points). */
const FIXTURE: Digest = {
  id: 'https://fixture.example/a',
  slug: 'fixture-a-00000001',
  headline: 'A fixture headline & "quotes"',
  summary: ['The first sentence of the fixture.', 'The second one.'],
  keyPoints: ['A key point.'],
  keywords: ['fixture', 'render'],
  sourceUrl: 'https://fixture.example/a?ref=feed',
  sourceName: 'fixture.md',
  provenance: { title: 'Fixture Feed', url: 'https://fixture.example/' },
  author: 'Ada Fixture',
  published: '2025-01-01T07:00:00.000Z',
  updated: '2025-01-02T07:00:00.000Z',
  firstSeen: '2025-01-01T07:00:00.000Z',
  mailStatus: 'pending',
  contentHash: 'fixture',
  editions: [editionDeliveryId('daily', '2025-01-02-0700-daily')],
  articleWords: 400,
  articleReadingMinutes: 2,
  digestReadingMinutes: 1,
};

const fingerprints = new Map<string, string>();

/** The fingerprint of the renderers with `site` (hex; computed once per settings in a process). */
export function siteFingerprint(site: SiteConfig): string {
  const settings = JSON.stringify(site, Object.keys(site).sort());
  const known = fingerprints.get(settings);
  if (known) return known;
  const plain: Digest = { ...FIXTURE, id: 'path:fixture.txt', slug: 'fixture-b-00000002', sourceUrl: undefined, provenance: undefined };
  const digests = [FIXTURE, plain];
  const edition: Edition = {
    id: FIXTURE.editions![0]! as Edition['id'],
    cadence: 'daily',
    period: '2025-01-02-0700-daily',
    date: '2025-01-02T07:00:00+00:00',
    digests,
  };
  const hash = createHash('sha256')
    .update(settings)
    .update(JSON.stringify([ARCHIVE_PAGE_SIZE, INDEX_LIST_LENGTH, INDEX_EDITION_ITEMS]));
  for (const file of renderOutputs(digests, site, [edition])) hash.update(file.path).update(file.body);
  // The numbered archive pages and their pager need more digests than fit on one page.
  const entries: ArchiveEntry[] = Array.from({ length: ARCHIVE_PAGE_SIZE + 1 }, (_, index) => ({
    ...archiveEntry(FIXTURE),
    id: `fixture:${index}`,
    slug: `fixture-${index}`,
  }));
  const pages = renderSiteUpdate(
    { entries, digests, editions: [], only: { digests: new Set(), editions: new Set(), archivePages: new Set([1, 2]) } },
    site,
  );
  for (const file of pages) hash.update(file.path).update(file.body);
  const fingerprint = hash.digest('hex');
  fingerprints.set(settings, fingerprint);
  return fingerprint;
}
