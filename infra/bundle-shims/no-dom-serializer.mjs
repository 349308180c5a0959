/**
 * Stands in for `dom-serializer` in the Lambda bundles (see BUNDLE_ALIASES in infra/bundling.ts).
 * Two copies of domutils import it for their `getOuterHTML`: the one css-select keeps as its default
 * adapter (linkedom passes its own) and the one htmlparser2 re-exports (linkedom uses only its parser).
 * Nothing Gazette runs serialises through them: linkedom writes its own HTML. A call is a bug, and says so.
 */
export function render() {
  throw new Error('dom-serializer is not in the Gazette Lambda bundles (aliased out; see infra/bundling.ts)');
}
export default render;
