/**
 * `gazette unpublish ID`: takes a digest off the site for good. The archive keeps it as a tombstone
 * (`unpublishedAt`), so the article still sitting in the source folder or inbox never brings it back
 * and it is never mailed; its page is deleted here, and {@link republishSite} (which the command runs
 * at once) leaves it out of the listings, the feeds and every edition page.
 */
import { editionsOf } from '../editions/editions-of.js';
import { ConfigError, GazetteError } from '../errors.js';
import type { Digest, SiteConfig } from '../model.js';
import { digestPath } from '../render/links.js';
import { siteFingerprint } from '../render/fingerprint.js';
import { renderOutputs } from '../render/outputs.js';
import { sortNewestFirst } from './digest.js';
import type { Archive, Clock, PublishResult, SitePublisher } from './ports.js';

/** What unpublishing needs. */
export interface UnpublishDeps {
  clock: Clock;
  archive: Archive;
  site: SitePublisher;
}

/** No digest has that id or slug: a wrong argument (exit 2), like a bad flag. */
export class UnknownDigestError extends ConfigError {
  override name = 'UnknownDigestError';
}

/**
 * Marks the digest with id (or slug) `idOrSlug` unpublished and deletes its page. Unpublishing again
 * changes nothing. Throws `UnknownDigestError` when no digest matches.
 */
export async function unpublishDigest(deps: UnpublishDeps, idOrSlug: string): Promise<{ digest: Digest; already: boolean }> {
  const digests = await deps.archive.list();
  const digest = digests.find((candidate) => candidate.id === idOrSlug) ?? digests.find((candidate) => candidate.slug === idOrSlug);
  if (!digest) throw new UnknownDigestError(`no digest has the id or slug ${JSON.stringify(idOrSlug)}`);
  if (digest.unpublishedAt !== undefined) return { digest, already: true };
  const tombstone: Digest = { ...digest, unpublishedAt: deps.clock.now().toISOString() };
  // From here the site lags the archive until `republishSite` has run: a publisher run meanwhile renders it whole.
  await deps.site.writeMark(undefined);
  if ((await deps.archive.put(tombstone, digest.contentHash)) === 'conflict')
    throw new GazetteError(`digest ${digest.id} changed while unpublishing it; run the command again`);
  await deps.site.remove([`${digestPath(digest)}index.html`]);
  return { digest: tombstone, already: false };
}

/**
 * Renders the whole site from the archive alone (no articles read, nothing mailed) and publishes what
 * changed: the listings, feeds and edition pages without the unpublished digests, then the site's mark.
 * With none left it writes nothing, so a good feed is never replaced by an empty one.
 */
export async function republishSite(deps: Pick<UnpublishDeps, 'archive' | 'site'>, site: SiteConfig): Promise<PublishResult> {
  const digests = sortNewestFirst((await deps.archive.list()).filter((digest) => digest.unpublishedAt === undefined));
  if (digests.length === 0) return { written: [], unchanged: [] };
  const result = await deps.site.publish(renderOutputs(digests, site, editionsOf(digests, site.timeZone)));
  // The whole site now shows the archive: the next publisher run may render only what it changes.
  await deps.site.writeMark({ renderedWith: siteFingerprint(site), published: digests.length });
  return result;
}
