/**
 * Lambda cold-start cost of the three handlers, as deployed: each is bundled with esbuild the way
 * infra/constructs/gazette-function.ts has NodejsFunction do it (ESM, platform node, minified, every
 * dependency including the AWS SDK inside, the createRequire banner, an external source map), then
 * imported by a fresh `node` process with an empty environment. The baseline is bare `node -e 0`,
 * started alternately with the bundles (round-robin) so machine noise hits every column alike.
 *
 * The deployed target is node24; this machine runs Node 20, so the bundles target node20 here. Loading
 * a bundle only evaluates module scope: the handlers validate env and build clients on first invocation,
 * which is why no environment is needed. Prints, never fails on a time.
 */
import { LAMBDA_BUNDLE_OPTIONS } from '../infra/bundling.js';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { formatBytes, formatMs, formatRatio, median, msSince } from './lib/measure.js';

const HANDLERS = [
  { name: 'publish', entry: 'functions/handlers/publish.ts' },
  { name: 'subscription-api', entry: 'functions/handlers/subscription-api.ts' },
  { name: 'ses-events', entry: 'functions/handlers/ses-events.ts' },
] as const;

/** The repository root (as PROJECT_ROOT in gazette-function.ts, without loading aws-cdk-lib here). */
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Node processes started per variant (the brief: 10 each, alternating). */
const ROUNDS = 10;
/** Node's major version here: the bundles target it instead of the deployed node24. */
const LOCAL_TARGET = `node${process.versions.node.split('.')[0]}`;

interface Bundle {
  name: string;
  file: string;
  bytes: number;
  gzipBytes: number;
  mapBytes: number;
  metafile: Metafile;
}

/** Bundles one entry (a handler, or a bench script) like NodejsFunction's local esbuild run (see aws-lambda-nodejs bundling args). */
export async function bundleEntry(name: string, entry: string, outDir: string): Promise<Bundle> {
  const file = join(outDir, name, 'index.mjs');
  const result = await build({
    ...LAMBDA_BUNDLE_OPTIONS,
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entry],
    outfile: file,
    target: LOCAL_TARGET,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    metafile: true,
    logLevel: 'error',
  });
  const code = await readFile(file);
  return {
    name,
    file,
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    mapBytes: (await stat(`${file}.map`)).size,
    metafile: result.metafile,
  };
}

/** One timed process start; throws with its stderr when it fails, since a crashing import is a bug. */
function timeProcess(args: readonly string[]): number {
  const start = process.hrtime.bigint();
  // An empty environment: what a bundle does at import time must not depend on Lambda's variables.
  const child = spawnSync(process.execPath, args, { env: {}, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = msSince(start);
  if (child.status !== 0) throw new Error(`node ${args.join(' ')} exited ${child.status}: ${child.stderr.toString()}`);
  return ms;
}

/** Imports a bundle once in a child and checks that it exports a `handler` function and nothing ran it. */
function checkExportsHandler(bundle: Bundle): void {
  const script = `const m = await import(${JSON.stringify(pathToFileURL(bundle.file).href)}); if (typeof m.handler !== 'function') { console.error('no handler export'); process.exit(3); }`;
  timeProcess(['--input-type=module', '-e', script]);
}

/** Package (or project folder) an esbuild input path belongs to, for grouping the metafile. */
function ownerOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return input.split('/').slice(0, 2).join('/');
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** The `top` biggest contributors to the bundle's output, by package and by single file. */
function dominantInputs(bundle: Bundle, top: number): { packages: [string, number][]; files: [string, number][] } {
  const output = Object.values(bundle.metafile.outputs).find((candidate) => candidate.entryPoint !== undefined);
  if (!output) throw new Error(`${bundle.name}: metafile has no entry output`);
  const byPackage = new Map<string, number>();
  const files: [string, number][] = [];
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    byPackage.set(ownerOf(input), (byPackage.get(ownerOf(input)) ?? 0) + bytesInOutput);
    files.push([input, bytesInOutput]);
  }
  const biggest = (entries: [string, number][]) => entries.sort((a, b) => b[1] - a[1]).slice(0, top);
  return { packages: biggest([...byPackage]), files: biggest(files) };
}

/**
 * The publisher's bundle size, the summariser's share of it (its code and lexicon; wink's, should it come
 * back) and its import time against bare node (5 alternating runs).
 */
export async function publisherFootprint(): Promise<{
  bytes: number;
  gzipBytes: number;
  winkBytes: number;
  summarizerBytes: number;
  importMs: number;
  bareMs: number;
}> {
  const outDir = await mkdtemp(join(tmpdir(), 'gazette-footprint-'));
  try {
    const bundle = await bundleEntry(HANDLERS[0].name, HANDLERS[0].entry, outDir);
    checkExportsHandler(bundle);
    const output = Object.values(bundle.metafile.outputs).find((candidate) => candidate.entryPoint !== undefined)!;
    let winkBytes = 0;
    let summarizerBytes = 0;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (ownerOf(input).startsWith('wink-')) winkBytes += bytesInOutput;
      if (input.startsWith('functions/core/summarize/')) summarizerBytes += bytesInOutput;
    }
    const bare: number[] = [];
    const imported: number[] = [];
    timeProcess(['-e', '0']);
    for (let round = 0; round < 5; round += 1) {
      bare.push(timeProcess(['-e', '0']));
      imported.push(timeProcess([bundle.file]));
    }
    return {
      bytes: bundle.bytes,
      gzipBytes: bundle.gzipBytes,
      winkBytes,
      summarizerBytes,
      importMs: median(imported),
      bareMs: median(bare),
    };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/** Runs the benchmark and prints the size table, the import-time table and the publisher's top inputs. */
export async function run(): Promise<void> {
  const outDir = await mkdtemp(join(tmpdir(), 'gazette-cold-start-'));
  try {
    const bundles: Bundle[] = [];
    for (const handler of HANDLERS) bundles.push(await bundleEntry(handler.name, handler.entry, outDir));
    for (const bundle of bundles) checkExportsHandler(bundle);

    console.log(`esbuild ${LOCAL_TARGET} (deployed: node24), ESM, minified, SDK bundled, createRequire banner, external source map`);
    console.log('| handler | bundle | gzip | source map |');
    console.log('|---|---:|---:|---:|');
    for (const bundle of bundles) {
      console.log(`| ${bundle.name} | ${formatBytes(bundle.bytes)} | ${formatBytes(bundle.gzipBytes)} | ${formatBytes(bundle.mapBytes)} |`);
    }

    // Lambda runs with NODE_OPTIONS=--enable-source-maps (set in gazette-function.ts), which makes Node
    // read and parse the map at load: measured as its own column.
    const variants: { label: string; args: string[] }[] = [{ label: 'baseline', args: ['-e', '0'] }];
    for (const bundle of bundles) {
      variants.push({ label: bundle.name, args: [bundle.file] });
      variants.push({ label: `${bundle.name}+maps`, args: ['--enable-source-maps', bundle.file] });
    }
    const samples = new Map<string, number[]>(variants.map((variant) => [variant.label, []]));
    timeProcess(['-e', '0']); // warms the file cache for the node binary itself
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const variant of variants) samples.get(variant.label)!.push(timeProcess(variant.args));
    }
    const baseline = median(samples.get('baseline')!);
    console.log(
      `\nprocess start to exit, median of ${ROUNDS} alternating runs each; bare \`node -e 0\` = ${formatMs(baseline)} ms (no env set)`,
    );
    console.log('| handler | node + import ms | import cost ms | ratio to bare node | with --enable-source-maps ms | ratio |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const bundle of bundles) {
      const plain = median(samples.get(bundle.name)!);
      const withMaps = median(samples.get(`${bundle.name}+maps`)!);
      console.log(
        `| ${bundle.name} | ${formatMs(plain)} | ${formatMs(plain - baseline)} | ${formatRatio(plain / baseline)} | ${formatMs(withMaps)} | ${formatRatio(
          withMaps / baseline,
        )} |`,
      );
    }

    const publisher = bundles[0]!;
    const { packages, files } = dominantInputs(publisher, 5);
    console.log(`\npublish bundle: top 5 inputs by minified bytes in the output (esbuild metafile), of ${formatBytes(publisher.bytes)}`);
    console.log('| package | bytes | share |   | file | bytes |');
    console.log('|---|---:|---:|---|---|---:|');
    for (let index = 0; index < 5; index += 1) {
      const [pkg, pkgBytes] = packages[index] ?? ['', 0];
      const [file, fileBytes] = files[index] ?? ['', 0];
      console.log(
        `| ${pkg} | ${formatBytes(pkgBytes)} | ${((pkgBytes / publisher.bytes) * 100).toFixed(0)}% |   | ${file.replace(/^node_modules\//u, '')} | ${formatBytes(fileBytes)} |`,
      );
    }
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

// Allows `npx tsx bench/cold-start.ts` on its own as well as through bench/run.ts.
if (import.meta.url === `file://${process.argv[1]}`) await run();
