/**
 * esbuild options that bundle the way the Lambda functions are bundled (infra/constructs/gazette-function.ts):
 * ESM for Node, every dependency inside, the bundle aliases applied. For tests that check what a bundle
 * holds or how bundled code behaves.
 */
import type { BuildOptions } from 'esbuild';
import { LAMBDA_BUNDLE_OPTIONS } from '../../infra/bundling.js';
import { PROJECT_ROOT } from '../../infra/constructs/gazette-function.js';

export const LAMBDA_LIKE: BuildOptions = {
  ...LAMBDA_BUNDLE_OPTIONS,
  absWorkingDir: PROJECT_ROOT,
  metafile: true,
  logLevel: 'error',
};
