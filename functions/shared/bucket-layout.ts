/**
 * Where things live in the site bucket besides the site itself (whose keys the output registry owns,
 * functions/core/render/outputs.ts). Side-effect free: the stack grants the publisher exactly these
 * prefixes and keys, and the adapters read and write them, from this one module.
 */

/** Where operators drop articles (`aws s3 cp story.md s3://BUCKET/inbox/`) for the next run. */
export const INBOX_PREFIX = 'inbox/';

/**
 * Where an inbox article goes once the run has dealt with it (its digest stored, or unchanged), under
 * the same name, so the next run lists only what is new. An article that failed stays in the inbox.
 */
export const PROCESSED_PREFIX = 'processed/';

/**
 * The site mark (core `SiteMark`: what the site was last rendered from), beside the site but at no key
 * of the output registry, so CloudFront never serves it.
 */
export const SITE_MARK_KEY = 'state/site-mark.json';
