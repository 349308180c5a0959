import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SITE_REQUEST_FUNCTION_FILE, siteRequestFunctionSource } from '../../infra/constructs/site.js';

interface ViewerRequest {
  uri: string;
  method: string;
  querystring: Record<string, unknown>;
  headers: Record<string, unknown>;
}

// The deployed source, run as CloudFront would: a script whose top-level `handler` gets the event.
const source = siteRequestFunctionSource();
const handler = new Function(`${source}\nreturn handler;`)() as (event: { request: ViewerRequest }) => ViewerRequest | ViewerResponse;

interface ViewerResponse {
  statusCode: number;
  statusDescription: string;
}

const answerFor = (uri: string): ViewerRequest | ViewerResponse =>
  handler({ request: { uri, method: 'GET', querystring: {}, headers: {} } });
const requestFor = (uri: string): ViewerRequest => answerFor(uri) as ViewerRequest;

describe('site viewer-request function (index documents)', () => {
  it.each([
    ['/digests/2025-01-02-rates-hold/', '/digests/2025-01-02-rates-hold/index.html'],
    ['/digests/2025-01-02-rates-hold', '/digests/2025-01-02-rates-hold/index.html'],
    ['/archive/', '/archive/index.html'],
    ['/archive', '/archive/index.html'],
    ['/archive/page/2/', '/archive/page/2/index.html'],
    ['/editions/2025-12-01-0700-daily/', '/editions/2025-12-01-0700-daily/index.html'],
    ['/editions/2025-12-01-0700-daily', '/editions/2025-12-01-0700-daily/index.html'],
    ['/', '/index.html'],
  ])('maps %s to %s', (uri, expected) => {
    expect(requestFor(uri).uri).toBe(expected);
  });

  it.each(['/index.html', '/feeds/rss.xml', '/feeds/feed.json', '/robots.txt', '/digests/a-b/index.html', '/favicon.svg'])(
    'leaves the file path %s unchanged',
    (uri) => {
      expect(requestFor(uri).uri).toBe(uri);
    },
  );

  it('keeps the rest of the request as it came', () => {
    const request = handler({
      request: { uri: '/digests/x', method: 'HEAD', querystring: { a: { value: '1' } }, headers: { host: { value: 'h' } } },
    });
    expect(request).toEqual({
      uri: '/digests/x/index.html',
      method: 'HEAD',
      querystring: { a: { value: '1' } },
      headers: { host: { value: 'h' } },
    });
  });

  it.each([
    '/inbox/article.md',
    '/inbox/',
    '/inbox',
    '/state/ledger.jsonl',
    '/digests/../inbox/a.md',
    '/feeds/./../inbox/a.md',
    '/secret.txt',
    '/editions/../inbox/a.md',
    '/archive/pages/2/',
  ])("refuses %s, which is not one of the site's keys, with a 404 before the origin is asked", (uri) => {
    expect(answerFor(uri)).toEqual({ statusCode: 404, statusDescription: 'Not Found' });
  });

  it('is the file in the repository with the site keys filled in', () => {
    expect(readFileSync(SITE_REQUEST_FUNCTION_FILE, 'utf8')).toContain('/* SITE_OBJECT_KEYS */ []');
    expect(source).toContain('"feeds/rss.xml"');
  });

  it('uses only syntax the cloudfront-js runtime accepts (no modules, no arrow functions, no let/const)', () => {
    expect(source).not.toMatch(/\b(import|export|require)\b|=>|\b(let|const)\s/);
  });
});
