/**
 * The imports the Lambda bundles replace (BUNDLE_ALIASES) change nothing the functions do: the
 * full-text extractor, the article parser and feed autodiscovery, bundled the way the functions are,
 * give the unbundled results on pages with style elements, tables and selectors, and the aliased
 * packages are not in the bundles at all.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { extractFullText } from '../../functions/adapters/http/full-text.js';
import { parseArticle } from '../../functions/core/articles/parse.js';
import { discoverFeeds } from '../../functions/core/sources/discover.js';
import { parseFeed } from '../../functions/core/sources/parse-feed.js';
import { sharedPath } from '../../bench/lib/shared-dir.js';
import { feedCorpusFiles } from '../../bench/lib/feed-corpus.js';
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
    expect(bundledInputs.some((input) => input.includes('node_modules/dom-serializer/'))).toBe(false);

    const page = readFileSync('tests/fixtures/articles/page.html', 'utf8');
    expect(page).toContain('<style>');
    const bundled = (await import(pathToFileURL(outfile).href)) as { extractFullText: typeof extractFullText };
    const expected = extractFullText(page, PAGE_URL);
    expect(expected?.html).toContain('<p>');
    expect(bundled.extractFullText(page, PAGE_URL)).toEqual(expected);
  });

  it('leave article parsing and feed autodiscovery giving the unbundled results', async () => {
    const outfile = join(outDir, 'parsers.mjs');
    const result = await build({
      ...LAMBDA_LIKE,
      stdin: {
        contents:
          "export { parseArticle } from './functions/core/articles/parse.ts'; export { discoverFeeds } from './functions/core/sources/discover.ts';",
        resolveDir: PROJECT_ROOT,
        loader: 'ts',
      },
      outfile,
    });
    const bundledInputs = Object.keys(result.metafile!.inputs);
    expect(bundledInputs.some((input) => input.includes('node_modules/dom-serializer/'))).toBe(false);
    const bundled = (await import(pathToFileURL(outfile).href)) as {
      parseArticle: typeof parseArticle;
      discoverFeeds: typeof discoverFeeds;
    };

    const page = readFileSync('tests/fixtures/articles/page.html');
    const raw = { source: 'page.html', format: 'html' as const, bytes: page };
    expect(parseArticle(raw).text).not.toBe('');
    expect(bundled.parseArticle(raw)).toEqual(parseArticle(raw));
    const table = new TextEncoder().encode(
      '<main><h2>Results</h2><table><tr><th>Party</th><th>Seats</th></tr><tr><td>Blue</td><td>12</td></tr></table><p>Turnout &amp; more.</p></main>',
    );
    const tableRaw = { source: 'table.html', format: 'html' as const, bytes: table };
    expect(bundled.parseArticle(tableRaw)).toEqual(parseArticle(tableRaw));

    const homepage =
      '<html><head><base href="https://blog.example.org/sub/"><link rel="alternate" type="application/rss+xml" title="RSS" href="feed.xml"><link rel="alternate stylesheet" type="application/atom+xml" href="/atom"></head><body></body></html>';
    expect(discoverFeeds(homepage, PAGE_URL)).toHaveLength(2);
    expect(bundled.discoverFeeds(homepage, PAGE_URL)).toEqual(discoverFeeds(homepage, PAGE_URL));
  });

  it('leave the feed parser giving the unbundled result for every real feed, with entities decoded', async () => {
    const outfile = join(outDir, 'feeds.mjs');
    const result = await build({ ...LAMBDA_LIKE, entryPoints: ['functions/core/sources/parse-feed.ts'], outfile });
    expect(Object.keys(result.metafile!.inputs).some((input) => input.includes('node_modules/html-entities/'))).toBe(false);
    const bundled = (await import(pathToFileURL(outfile).href)) as { parseFeed: typeof parseFeed };

    const now = new Date('2026-01-01T00:00:00Z');
    const corpus = sharedPath('feeds');
    const files = feedCorpusFiles(corpus);
    expect(files.length).toBeGreaterThanOrEqual(45);
    for (const file of files) {
      const body = readFileSync(join(corpus, file));
      const url = `https://feeds.example.com/${file}`;
      expect(bundled.parseFeed(body, undefined, url, now), file).toEqual(parseFeed(body, undefined, url, now));
    }
    const entities = new TextEncoder().encode(
      '<rss version="2.0"><channel><title>T &amp;amp; co</title><link>https://e.example/</link><item><title>Caf&amp;eacute; &amp;hellip; &amp;#8364;5 &amp;copy 2026 &amp;bogus;</title><link>https://e.example/1</link><guid>1</guid></item></channel></rss>',
    );
    const parsed = bundled.parseFeed(entities, 'application/rss+xml', 'https://e.example/feed', now);
    expect(parsed).toEqual(parseFeed(entities, 'application/rss+xml', 'https://e.example/feed', now));
    expect('items' in parsed && parsed.items[0]?.title).toBe('Café … €5 © 2026 &bogus;');
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
