/**
 * esbuild options that bundle the way the Lambda functions are bundled (infra/constructs/gazette-function.ts):
 * ESM for Node, every dependency inside, the bundle aliases applied. For tests that check what a bundle
 * holds or how bundled code behaves.
 */
import type { BuildOptions } from 'esbuild';
import { BUNDLE_ALIASES, ESM_REQUIRE_SHIM } from '../../infra/bundling.js';
import { PROJECT_ROOT } from '../../infra/constructs/gazette-function.js';

export const LAMBDA_LIKE: BuildOptions = {
  absWorkingDir: PROJECT_ROOT,
  bundle: true,
  platform: 'node',
  format: 'esm',
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_SHIM },
  alias: { ...BUNDLE_ALIASES },
  external: [],
  metafile: true,
  logLevel: 'error',
};
