/**
 * Bundling facts shared by the CDK functions and bench/cold-start.ts. Side-effect free and free of
 * aws-cdk-lib, so the benchmark can build exactly what gets deployed without loading the CDK.
 */

/**
 * Banner for every ESM bundle: esbuild's ESM output cannot `require()` Node built-ins from the CommonJS
 * packages it bundles (nodemailer, parts of the SDK); a module-scoped `require` made by createRequire
 * fixes that.
 */
export const ESM_REQUIRE_SHIM =
  "import { createRequire as gazetteCreateRequire } from 'node:module'; const require = gazetteCreateRequire(import.meta.url);";
