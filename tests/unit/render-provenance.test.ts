/**
 * A digest made from a feed item names its source feed and links the original article in every channel:
 * the page, the three feeds and the email (read back with mailparser). The RSS and Atom `<source>`
 * elements are also schema-checked in feed-validity.test.ts; here the JSON Feed extension is checked
 * against the JSON Feed 1.1 schema.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { simpleParser } from 'mailparser';
import { HtmlValidate } from 'html-validate';
import { parse as parseHtml } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import type { Digest, SiteFile } from '../../functions/core/model.js';
import { renderEditionEmail, renderFeeds, renderSite } from '../../functions/core/render/index.js';
import { mail, olderDigest, seedDigest, singleEdition, site } from './render-fixtures.js';

/** olderDigest links its article; seedDigest does not. */
const fromFeed: Digest = { ...olderDigest, provenance: { title: 'Example <News> & Co', url: 'https://news.example.org/' } };
const linklessFromFeed: Digest = { ...seedDigest, provenance: { title: 'Link-less Blog', url: 'https://blog.example.net/' } };

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;
const validateJsonFeed = addFormats(new Ajv({ allErrors: true, strict: true, strictRequired: false })).compile(
  JSON.parse(readFileSync(new URL('../fixtures/jsonfeed-1.1.schema.json', import.meta.url), 'utf8')),
);

function body(files: SiteFile[], path: string): string {
  const found = files.find((file) => file.path === path);
  if (!found) throw new Error(`no ${path}`);
  return found.body.toString('utf8');
}

describe('provenance of feed-item digests', () => {
  it('the digest page names the feed, links it and links the original article, and stays valid HTML', async () => {
    const files = renderSite([fromFeed, linklessFromFeed], site);
    const page = parseHtml(body(files, `digests/${fromFeed.slug}/index.html`));
    const links = page.querySelectorAll('a').map((a) => [a.textContent, a.getAttribute('href')]);
    expect(links).toContainEqual(['Example <News> & Co', 'https://news.example.org/']);
    expect(links).toContainEqual(['Read the original article', olderDigest.sourceUrl]);
    const linklessPage = parseHtml(body(files, `digests/${linklessFromFeed.slug}/index.html`));
    // The page's source line names the feed when the item has no link of its own.
    expect(linklessPage.querySelector('article')!.textContent).toContain('From Link-less Blog');
    const report = await new HtmlValidate({ extends: ['html-validate:recommended'], rules: { 'long-title': 'off' } }).validateString(
      body(files, `digests/${fromFeed.slug}/index.html`),
    );
    expect(report.valid, JSON.stringify(report.results)).toBe(true);
  });

  it('JSON Feed carries it as the _gazette.source extension and stays valid JSON Feed 1.1', () => {
    const feed = JSON.parse(body(renderFeeds([fromFeed, seedDigestWithoutProvenance()], site), 'feeds/feed.json'));
    expect(validateJsonFeed(feed), JSON.stringify(validateJsonFeed.errors)).toBe(true);
    expect(feed.items[0]._gazette).toEqual({ source: { title: 'Example <News> & Co', url: 'https://news.example.org/' } });
    expect(feed.items[0].external_url).toBe(olderDigest.sourceUrl);
    expect(feed.items[1]).not.toHaveProperty('_gazette');
  });

  it('the edition email names the feed in both parts, next to the original article', async () => {
    const message = renderEditionEmail({
      edition: { ...singleEdition, digests: [fromFeed] },
      subscriberId: '0123456789abcdef0123456789abcdef',
      to: 'reader@example.net',
      site,
      mail,
      unsubscribeUrl: 'https://gazette.example.com/api/unsubscribe?token=t',
      manageUrl: 'https://gazette.example.com/api/manage?token=t',
      date: new Date('2025-05-08T13:00:00.000Z'),
    });
    const parsed = await simpleParser(message.raw);
    expect(parsed.text).toContain(`Original article: ${olderDigest.sourceUrl}`);
    expect(parsed.text).toContain('From Example <News> & Co · ');
    const links = parseHtml(String(parsed.html))
      .querySelectorAll('a')
      .map((a) => [a.textContent, a.getAttribute('href')]);
    expect(links).toContainEqual(['Original article', olderDigest.sourceUrl]);
    expect(links).toContainEqual(['Example <News> & Co', 'https://news.example.org/']);
  });
});

function seedDigestWithoutProvenance(): Digest {
  return { ...seedDigest };
}
