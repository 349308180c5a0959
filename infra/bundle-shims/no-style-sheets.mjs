/**
 * Stands in for `cssomnom/parse` in the Lambda bundles (see BUNDLE_ALIASES in infra/bundling.ts).
 * linkedom imports that CSS parser only to build `HTMLStyleElement.sheet` on first read; the full-text
 * extractor (Readability over linkedom) never reads a style sheet. Reading `.sheet` in a bundle is
 * therefore a bug, and says so.
 */
export function parse() {
  throw new Error('style sheets are not parsed in the Gazette Lambda bundles (cssomnom is aliased out; see infra/bundling.ts)');
}
