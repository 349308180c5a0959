/**
 * The imports the Lambda bundles replace (BUNDLE_ALIASES) change nothing the functions do: the
 * full-text extractor, bundled the way the functions are, finds the same article in a page with a
 * style element as the unbundled code, and the aliased package is not in the bundle at all.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { extractFullText } from '../../functions/adapters/http/full-text.js';
import { PROJECT_ROOT } from '../../infra/constructs/gazette-function.js';
import { LAMBDA_LIKE } from '../support/lambda-bundle.js';

const outDir = mkdtempSync(join(tmpdir(), 'gazette-aliases-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const PAGE_URL = 'https://news.example.com/2025/rail-line';

describe('bundle aliases', () => {
  it('leave the full-text extractor finding the same article, without cssomnom in the bundle', async () => {
    const outfile = join(outDir, 'full-text.mjs');
    const result = await build({ ...LAMBDA_LIKE, entryPoints: ['functions/adapters/http/full-text.ts'], outfile });
    const bundledInputs = Object.keys(result.metafile!.inputs);
    expect(bundledInputs.some((input) => input.includes('node_modules/linkedom/'))).toBe(true);
    expect(bundledInputs.some((input) => input.includes('node_modules/cssomnom/'))).toBe(false);

    const page = readFileSync('tests/fixtures/articles/page.html', 'utf8');
    expect(page).toContain('<style>');
    const bundled = (await import(pathToFileURL(outfile).href)) as { extractFullText: typeof extractFullText };
    const expected = extractFullText(page, PAGE_URL);
    expect(expected?.html).toContain('<p>');
    expect(bundled.extractFullText(page, PAGE_URL)).toEqual(expected);
  });

  it('make reading a style sheet in a bundle fail loudly rather than return nothing', async () => {
    const outfile = join(outDir, 'sheet.mjs');
    await build({
      ...LAMBDA_LIKE,
      stdin: {
        contents:
          "import { DOMParser } from 'linkedom'; export const read = () => new DOMParser().parseFromString('<style>p { color: red }</style>', 'text/html').querySelector('style').sheet;",
        resolveDir: PROJECT_ROOT,
        loader: 'js',
      },
      outfile,
    });
    const { read } = (await import(pathToFileURL(outfile).href)) as { read: () => unknown };
    expect(read).toThrow('style sheets are not parsed in the Gazette Lambda bundles');
  });
});
