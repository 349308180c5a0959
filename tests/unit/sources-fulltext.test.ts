/**
 * Full text: article pages fetched from the loopback server through the real safeFetch, extracted with
 * Readability on linkedom, then read through the repo's HTML-to-text path as an `.html` article is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractFullText, needsFullText } from '../../functions/adapters/http/full-text.js';
import { safeFetch } from '../../functions/adapters/http/safe-fetch.js';
import { htmlParagraphs, parseHtml } from '../../functions/core/articles/html.js';
import { wordCount } from '../../functions/core/sources/full-text-rule.js';
import { articlePage, startFeedServer, type FeedServer } from '../support/feed-server.js';

let server: FeedServer;
beforeAll(async () => {
  server = await startFeedServer();
});
afterAll(async () => {
  await server.close();
});

const text = (html: string) => htmlParagraphs(parseHtml(html)).join('\n');

describe('extractFullText', () => {
  it('extracts the story of a fetched article page and leaves the page chrome behind', async () => {
    const page = await safeFetch(server.url('/articles/first.html'), { allowPrivateNetwork: true, accept: 'text/html' });
    if (page.kind !== 'ok') throw new Error(JSON.stringify(page));
    const extracted = extractFullText(page.body.toString('utf8'), page.url);
    expect(extracted?.title).toBe('The first story | Loopback News');
    const body = text(extracted?.html ?? '');
    expect(body).toContain('Paragraph 1 of the loopback article');
    expect(body).toContain('Paragraph 12 of the loopback article');
    for (const chrome of ['Most read', 'About', '© Loopback News', 'should never reach a digest', 'injected']) {
      expect(body).not.toContain(chrome);
    }
  });

  it('removes scripts, event handlers, styles and javascript: links, and makes links absolute', () => {
    const hostile = articlePage('Hostile').replace(
      '<h1>',
      `<p style="position:fixed">Read <a href="/related" onclick="steal()">related</a>, <a href="javascript:alert(1)">this</a>
       and <img src="/x.png" onerror="alert(2)"> <iframe src="https://ads.example/"></iframe> <svg><script>alert(3)</script></svg></p>
       <form action="https://evil.example/"><input name="q"></form><h1>`,
    );
    const extracted = extractFullText(hostile, 'https://news.example.com/2026/12/hostile.html');
    const html = extracted?.html ?? '';
    expect(html).toContain('href="https://news.example.com/related"');
    expect(html).toContain('src="https://news.example.com/x.png"');
    for (const unsafe of ['onclick', 'onerror', 'javascript:', '<script', '<iframe', '<svg', '<form', '<input', 'style=', 'alert(']) {
      expect(html.toLowerCase()).not.toContain(unsafe);
    }
    expect(text(html)).toContain('Paragraph 3 of the loopback article');
  });

  it('gives nothing for a page without an article, so the feed text is kept', () => {
    expect(extractFullText('<html><body><nav><a href="/">Home</a></nav></body></html>', 'https://x.example/')).toBeUndefined();
    expect(extractFullText('', 'https://x.example/')).toBeUndefined();
  });

  it('refuses a page with too many elements instead of spending minutes on it', () => {
    const huge = `<html><body><article>${'<p>x</p>'.repeat(70_000)}</article></body></html>`;
    expect(extractFullText(huge, 'https://x.example/')).toBeUndefined();
  });
});

describe('needsFullText', () => {
  const long = `<p>${'word '.repeat(200)}</p>`;
  const short = '<p>Only a teaser. <a href="/x">Read more</a></p><script>var lots = "of words that are not text at all"</script>';

  it('counts words of the readable text only', () => {
    expect(wordCount(long)).toBe(200);
    expect(wordCount(short)).toBe(5);
    expect(wordCount(undefined)).toBe(0);
  });

  it('auto: an excerpt, or text under the threshold', () => {
    const url = 'https://x.example/a';
    expect(needsFullText({ url, html: long, isExcerpt: false }, 'auto', 150)).toBe(false);
    expect(needsFullText({ url, html: long, isExcerpt: true }, 'auto', 150)).toBe(true);
    expect(needsFullText({ url, html: short, isExcerpt: false }, 'auto', 150)).toBe(true);
    expect(needsFullText({ url, isExcerpt: false }, 'auto', 150)).toBe(true);
  });

  it('always and never; and never without a link', () => {
    expect(needsFullText({ url: 'https://x.example/a', html: long, isExcerpt: false }, 'always', 150)).toBe(true);
    expect(needsFullText({ url: 'https://x.example/a', html: short, isExcerpt: true }, 'never', 150)).toBe(false);
    expect(needsFullText({ html: short, isExcerpt: true }, 'always', 150)).toBe(false);
  });
});
