/**
 * The renderers: pure functions from digests and settings to feed files, site pages and raw mails.
 */
export {
  OUTPUTS,
  PUBLISH_STAGES,
  feedLinks,
  feedPaths,
  isSitePath,
  outputFor,
  publishStages,
  renderFeeds,
  renderMessagePage,
  renderOutputs,
  renderSite,
  siteObjectKeys,
  type FeedLink,
  type Output,
  type OutputName,
} from './outputs.js';
export { INDEX_LIST_LENGTH, type MessagePageAction, type MessagePageContent } from './site.js';
export { renderDigestEmail, renderConfirmationEmail, MAX_HTML_BYTES, type DigestEmailInput, type ConfirmationEmailInput } from './email.js';
export { CACHE_CONTROL, CONTENT_TYPES, digestUrl, subscribeUrl } from './links.js';
export { SITE_CONTENT_SECURITY_POLICY } from './assets.js';
export { RenderError } from './text.js';
