/**
 * Bundling facts shared by the CDK functions and bench/cold-start.ts. Side-effect free and free of
 * aws-cdk-lib, so the benchmark can build exactly what gets deployed without loading the CDK.
 */
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

/**
 * Imports esbuild replaces in every Lambda bundle (its `alias` option), each with what it costs:
 * - `cssomnom/parse` (195 KiB): linkedom's CSS parser, needed only for `HTMLStyleElement.sheet`,
 *   which the full-text extractor never reads;
 * - `dom-serializer` (~80 KiB with the old copy of `entities` it pins): reached only through domutils'
 *   `getOuterHTML`, which neither linkedom's selectors nor its parser call;
 * - `html-entities` (34 KiB): the feed parser's entity decoder, answered by `entities`, which the
 *   bundle holds anyway.
 * The first two shims throw if anything ever calls them; tests/infra/bundle-aliases.test.ts checks
 * that the bundled parsers give the unbundled results.
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  'cssomnom/parse': fileURLToPath(new URL('./bundle-shims/no-style-sheets.mjs', import.meta.url)),
  'dom-serializer': fileURLToPath(new URL('./bundle-shims/no-dom-serializer.mjs', import.meta.url)),
  'html-entities': fileURLToPath(new URL('./bundle-shims/html-entities-by-entities.mjs', import.meta.url)),
};

/**
 * Banner for every ESM bundle: esbuild's ESM output cannot `require()` Node built-ins from the CommonJS
 * packages it bundles (nodemailer, parts of the SDK); a module-scoped `require` made by createRequire
 * fixes that.
 */
export const ESM_REQUIRE_SHIM =
  "import { createRequire as gazetteCreateRequire } from 'node:module'; const require = gazetteCreateRequire(import.meta.url);";

/**
 * The shell command that copies a bundled folder (the seed articles) next to the bundle: regular files
 * at its top level only. `cp -R` would carry symbolic links into the Lambda, where one pointing at
 * `/etc/passwd` or `../../.env` would be published and mailed; `find -type f` does not follow links and
 * skips FIFOs and devices, and the article folder is not recursive anyway.
 */
export function copyRegularFilesCommand(fromDir: string, toDir: string): string {
  const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;
  return `mkdir -p ${quote(toDir)} && find ${quote(fromDir)} -maxdepth 1 -type f -exec cp -p {} ${quote(toDir)}/ \\;`;
}

/**
 * The esbuild options of a Lambda bundle, for the code that runs esbuild itself (bench/cold-start.ts,
 * the bundle tests): ESM for Node, every dependency inside, the shim and the aliases. The CDK functions
 * pass the same through NodejsFunction's own props (infra/constructs/gazette-function.ts).
 */
export const LAMBDA_BUNDLE_OPTIONS: Readonly<BuildOptions> = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_SHIM },
  alias: { ...BUNDLE_ALIASES },
  external: [],
};
