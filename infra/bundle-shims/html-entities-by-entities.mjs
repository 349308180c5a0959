/**
 * Stands in for `html-entities` in the Lambda bundles (see BUNDLE_ALIASES in infra/bundling.ts): the
 * feed parser decodes item text with its `decode`, and the bundle already holds `entities`, which
 * htmlparser2 and the Markdown reader use, with the same HTML5 table. Its `decodeHTML` decodes the
 * way `decode` does by default (every named reference, numeric ones, and the legacy names browsers
 * accept without a semicolon in text).
 */
import { decodeHTML } from 'entities';

export function decode(text) {
  return text ? decodeHTML(text) : '';
}
