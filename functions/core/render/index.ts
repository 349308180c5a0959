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
  renderEditionPage,
  renderMessagePage,
  renderOutputs,
  renderSite,
  siteObjectKeys,
  type FeedLink,
  type Output,
  type OutputName,
} from './outputs.js';
export { INDEX_EDITION_ITEMS, INDEX_LIST_LENGTH, type MessagePageAction, type MessagePageContent } from './site.js';
export { renderConfirmationEmail, MAX_HTML_BYTES, type ConfirmationEmailInput } from './email.js';
export {
  EDITION_HTML_BUDGET,
  editionEmailParts,
  editionMail,
  editionPreheader,
  editionSubject,
  renderEditionEmail,
  type EditionEmailInput,
  type EditionEmailParts,
  type EditionRecipient,
  type ItemDetail,
  type RecipientLinks,
} from './edition-email.js';
export {
  ARCHIVE_PAGE_SIZE,
  CACHE_CONTROL,
  CONTENT_TYPES,
  archivePagePath,
  digestUrl,
  editionPath,
  editionUrl,
  subscribeUrl,
} from './links.js';
export { SITE_CONTENT_SECURITY_POLICY } from './assets.js';
export { RenderError } from './text.js';
