/**
 * The Lambda bundles hold zod/mini and none of classic zod (one `import … from 'zod'` anywhere in a
 * handler's imports would bring back all of it, ~445 KiB with every locale), and the bundled schemas
 * still speak English and throw errors named `ZodError` (what functions/core/zod.ts configures). The
 * bundled code runs in a Node process of its own: zod keeps its configuration on globalThis, so in
 * this process the test's own imports would configure it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/constructs/gazette-function.js';
import { LAMBDA_LIKE } from '../support/lambda-bundle.js';

const outDir = mkdtempSync(join(tmpdir(), 'gazette-zod-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const HANDLERS = readdirSync(join(PROJECT_ROOT, 'functions/handlers')).filter((name) => name.endsWith('.ts'));

/** The zod files a bundle of `entry` takes code from, relative to the package. */
async function zodFilesIn(entry: string): Promise<string[]> {
  const result = await build({ ...LAMBDA_LIKE, entryPoints: [entry], outfile: join(outDir, 'unused.mjs'), write: false });
  const output = Object.values(result.metafile!.outputs)[0]!;
  return Object.entries(output.inputs)
    .filter(([path, input]) => path.includes('node_modules/zod/') && input.bytesInOutput > 0)
    .map(([path]) => path.slice(path.indexOf('node_modules/zod/') + 'node_modules/zod/'.length));
}

describe('zod in the Lambda bundles', () => {
  it('finds every handler', () => {
    expect(HANDLERS).toEqual(expect.arrayContaining(['publish.ts', 'sender.ts', 'subscription-api.ts', 'ses-events.ts']));
  });

  it.each(HANDLERS)('%s bundles zod/mini with the English locale only, and no classic zod', async (handler) => {
    const files = await zodFilesIn(`functions/handlers/${handler}`);
    expect(files).toContain('v4/mini/schemas.js');
    expect(files.filter((file) => file.includes('/classic/'))).toEqual([]);
    expect(files.filter((file) => file.includes('locales/') && !file.endsWith('/index.js'))).toEqual(['v4/locales/en.js']);
  });

  it('bundled, reports issues in English and throws a ZodError', async () => {
    const outfile = join(outDir, 'schemas.mjs');
    await build({
      ...LAMBDA_LIKE,
      stdin: {
        contents: [
          "export { parseJsonFeed } from './functions/core/sources/json-feed.ts';",
          "export { parseSesNotification } from './functions/adapters/aws/ses-notification.ts';",
        ].join('\n'),
        resolveDir: PROJECT_ROOT,
        loader: 'ts',
      },
      outfile,
    });
    const script = `
      const { parseJsonFeed, parseSesNotification } = await import(${JSON.stringify(pathToFileURL(outfile).href)});
      const feed = parseJsonFeed('{"hello": "world"}', 'https://example.com/feed.json', new Date());
      let thrown;
      try { parseSesNotification(42); } catch (error) { thrown = { name: error.name, isError: error instanceof Error, message: error.message }; }
      console.log(JSON.stringify({ feed, thrown }));`;
    const answer = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as {
      feed: { error?: string };
      thrown?: { name: string; isError: boolean; message: string };
    };
    expect(answer.feed.error).toBe('not a JSON Feed: version Invalid input: expected string, received undefined');
    expect(answer.thrown).toMatchObject({ name: 'ZodError', isError: true });
    expect(JSON.parse(answer.thrown!.message)).toEqual([
      { expected: 'object', code: 'invalid_type', path: [], message: 'Invalid input: expected object, received number' },
    ]);
  });
});
