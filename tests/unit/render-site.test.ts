import { HtmlValidate } from 'html-validate';
import { parse as parseHtml, type HTMLElement } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import type { SiteFile } from '../../functions/core/model.js';
import { SITE_CONTENT_SECURITY_POLICY, renderMessagePage, renderSite } from '../../functions/core/render/index.js';
import { SITE_CSS, SUBSCRIBE_SCRIPT } from '../../functions/core/render/assets.js';
import { hostileDigest, olderDigest, seedDigest, site, syntheticDigests } from './render-fixtures.js';
import { expectGolden } from './render-golden.js';

const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: {
    // Digest headlines are up to 90 characters plus the site name; a long <title> is content, not an error.
    'long-title': 'off',
  },
});

async function expectValidHtml(markup: string): Promise<void> {
  const report = await validator.validateString(markup);
  const messages = report.results.flatMap((result) => result.messages.map((m) => `${m.ruleId} @${m.line}:${m.column} ${m.message}`));
  expect(messages).toEqual([]);
}

function page(files: SiteFile[], path: string): { text: string; document: HTMLElement } {
  const found = files.find((f) => f.path === path);
  if (!found) throw new Error(`no ${path}`);
  const text = found.body.toString('utf8');
  return { text, document: parseHtml(text) };
}

/** Every structural promise each page makes: HTML5 head, landmarks, one h1, feeds, the subscribe form, no external requests. */
function expectPageBasics(text: string, document: HTMLElement): void {
  expect(text.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
  expect(document.querySelector('meta[charset]')?.getAttribute('charset')).toBe('utf-8');
  expect(document.querySelector('meta[name=viewport]')?.getAttribute('content')).toBe('width=device-width, initial-scale=1');
  expect(document.querySelectorAll('h1')).toHaveLength(1);
  for (const landmark of ['header', 'main', 'footer', 'nav']) expect(document.querySelectorAll(landmark).length).toBeGreaterThanOrEqual(1);
  expect(document.querySelector('a.skip')?.getAttribute('href')).toBe('#main');
  expect(document.querySelector('main')?.id).toBe('main');
  expect(document.querySelectorAll('link[rel=alternate]').map((l) => [l.getAttribute('type'), l.getAttribute('href')])).toEqual([
    ['application/rss+xml', `${site.baseUrl}feeds/rss.xml`],
    ['application/atom+xml', `${site.baseUrl}feeds/atom.xml`],
    ['application/feed+json', `${site.baseUrl}feeds/feed.json`],
  ]);
  // No external requests: no stylesheet or script files, no images, fonts or frames.
  expect(document.querySelectorAll('link[rel=stylesheet], script[src], img, iframe, object, embed, video, audio, source')).toHaveLength(0);
  expect(text).not.toMatch(/@import|url\(|@font-face/);
  expect(document.querySelectorAll('style').map((s) => s.textContent)).toEqual([SITE_CSS]);
  expect(document.querySelectorAll('script').map((s) => s.textContent)).toEqual([SUBSCRIBE_SCRIPT]);
  expect(text).toContain('prefers-color-scheme:dark');
  // Only the hashed <style> element carries CSS: a style attribute would be blocked by the CSP.
  expect(document.querySelectorAll('[style]')).toHaveLength(0);
  // The subscribe form works without JavaScript: a real POST form with a labelled email field and a honeypot.
  const form = document.querySelector('form[data-subscribe]');
  expect(form?.getAttribute('method')).toBe('post');
  expect(form?.getAttribute('action')).toBe(`${site.baseUrl}api/subscribe`);
  const email = form?.querySelector('input[name=email]');
  expect(email?.getAttribute('type')).toBe('email');
  expect(form?.querySelector(`label[for=${email?.id}]`)?.textContent).toBe('Email address');
  const honeypot = form?.querySelector('input[name=website]');
  expect(honeypot?.getAttribute('tabindex')).toBe('-1');
  expect(honeypot?.getAttribute('autocomplete')).toBe('off');
  expect(form?.querySelector(`label[for=${honeypot?.id}]`)?.textContent).toMatch(/leave empty/);
  expect(honeypot?.parentNode?.classList.contains('hp')).toBe(true);
  expect(form?.querySelector('[aria-live=polite]')).toBeTruthy();
  expect(form?.querySelector('button[type=submit]')).toBeTruthy();
}

describe('renderSite', () => {
  const digests = [seedDigest, olderDigest];
  const files = renderSite(digests, site);

  it('writes index, archive, one page per digest, 404 and robots.txt, sorted, with types and cache times', () => {
    expect(files.map((f) => [f.path, f.contentType, f.cacheControl])).toEqual([
      ['404.html', 'text/html; charset=utf-8', 'public, max-age=900'],
      ['archive/index.html', 'text/html; charset=utf-8', 'public, max-age=900'],
      [`digests/${olderDigest.slug}/index.html`, 'text/html; charset=utf-8', 'public, max-age=3600'],
      [`digests/${seedDigest.slug}/index.html`, 'text/html; charset=utf-8', 'public, max-age=3600'],
      ['index.html', 'text/html; charset=utf-8', 'public, max-age=900'],
      ['robots.txt', 'text/plain; charset=utf-8', 'public, max-age=900'],
    ]);
  });

  it('matches the golden index and digest page', () => {
    const seedOnly = renderSite([seedDigest], site);
    expectGolden('index.html', Buffer.from(page(seedOnly, 'index.html').text));
    expectGolden('digest-page.html', Buffer.from(page(seedOnly, `digests/${seedDigest.slug}/index.html`).text));
  });

  it('every HTML page is valid HTML5 (html-validate recommended rules) and keeps the structural promises', async () => {
    for (const file of files.filter((f) => f.path.endsWith('.html'))) {
      const { text, document } = page(files, file.path);
      await expectValidHtml(text);
      expectPageBasics(text, document);
    }
  });

  it('index shows the latest digest in full and lists the earlier ones with date, summary line and link', () => {
    const { document } = page(files, 'index.html');
    expect(document.querySelector('h1')?.textContent).toBe(site.title);
    const latest = document.querySelector('article');
    expect(latest?.querySelector('h2 a')?.getAttribute('href')).toBe(`${site.baseUrl}digests/${seedDigest.slug}/`);
    expect(latest?.querySelectorAll('li').map((li) => li.textContent)).toEqual(seedDigest.keyPoints);
    const earlier = document.querySelectorAll('ul.archive > li');
    expect(earlier).toHaveLength(1);
    expect(earlier[0]?.querySelector('h3 a')?.textContent).toBe(olderDigest.headline);
    expect(earlier[0]?.querySelector('time')?.getAttribute('datetime')).toBe(olderDigest.published);
    expect(earlier[0]?.querySelector('p:not(.meta)')?.textContent).toBe(olderDigest.summary[0]);
  });

  it('a digest page has headline, dates, summary, key points, source, keywords, reading times and a back link', () => {
    const { document } = page(files, `digests/${olderDigest.slug}/index.html`);
    expect(document.querySelector('h1')?.textContent).toBe(olderDigest.headline);
    expect(document.querySelector('link[rel=canonical]')?.getAttribute('href')).toBe(`${site.baseUrl}digests/${olderDigest.slug}/`);
    expect(document.querySelectorAll('article time').map((t) => t.getAttribute('datetime'))).toEqual([olderDigest.published]);
    const paragraphs = document.querySelectorAll('article p[dir=auto]').filter((p) => !p.classList.contains('meta'));
    expect(paragraphs[0]?.textContent).toBe(olderDigest.summary.join(' '));
    expect(document.querySelector('article p.meta[dir=auto]')?.textContent).toBe('By Ada Lovelace');
    expect(document.querySelectorAll('article h2').map((h) => h.textContent)).toEqual(['Key points', 'Keywords']);
    expect(document.querySelectorAll('ul.tags li').map((li) => li.textContent)).toEqual(olderDigest.keywords);
    expect(document.querySelector('a[rel="noopener noreferrer"]')?.getAttribute('href')).toBe(olderDigest.sourceUrl);
    expect(document.querySelector('.meta')?.textContent).toContain('1 min read · article 3 min, 642 words');
    expect(
      document.querySelectorAll('main a').some((a) => a.getAttribute('href') === site.baseUrl && a.textContent.includes('All digests')),
    ).toBe(true);
  });

  it('an edited digest shows both dates', () => {
    const edited = renderSite([{ ...seedDigest, updated: '2025-05-09T07:00:00.000Z' }], site);
    const { document } = page(edited, `digests/${seedDigest.slug}/index.html`);
    expect(document.querySelectorAll('article time').map((t) => [t.getAttribute('datetime'), t.textContent])).toEqual([
      ['2025-05-08T12:00:00.000Z', '8 May 2025'],
      ['2025-05-09T07:00:00.000Z', '9 May 2025'],
    ]);
  });

  it('caps the index list and puts every digest on the archive page', () => {
    const many = syntheticDigests(40);
    const big = renderSite(many, site);
    expect(page(big, 'index.html').document.querySelectorAll('ul.archive > li')).toHaveLength(20);
    expect(page(big, 'archive/index.html').document.querySelectorAll('ul.archive > li')).toHaveLength(40);
    expect(big.filter((f) => f.path.startsWith('digests/'))).toHaveLength(40);
  });

  it('renders an empty archive as a valid page instead of failing', async () => {
    const empty = renderSite([], site);
    await expectValidHtml(page(empty, 'index.html').text);
    expect(page(empty, 'index.html').text).toContain('No digests yet');
  });

  it('robots.txt keeps crawlers out of the API', () => {
    expect(files.find((f) => f.path === 'robots.txt')?.body.toString()).toContain('Disallow: /api/');
  });

  it('is deterministic: same input, same bytes', () => {
    const again = renderSite(structuredClone(digests), { ...site });
    expect(again.map((f) => f.body.toString('base64'))).toEqual(files.map((f) => f.body.toString('base64')));
  });

  it('the published CSP allows exactly the inline style and script the pages carry', () => {
    expect(SITE_CONTENT_SECURITY_POLICY).toMatch(/default-src 'none'/);
    expect(SITE_CONTENT_SECURITY_POLICY.match(/'sha256-[A-Za-z0-9+/=]+'/g)).toHaveLength(2);
  });
});

/** WCAG 2 contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, bl] = [1, 3, 5]
      .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}

describe('site colours', () => {
  it('meet WCAG AA (4.5:1) for text, muted text and links on page and panel, in light and dark schemes', () => {
    const schemes = [...SITE_CSS.matchAll(/:root\{([^}]*)\}/g)].map((match) =>
      Object.fromEntries([...match[1]!.matchAll(/--([a-z]+):(#[0-9a-f]{6})/g)].map((m) => [m[1]!, m[2]!])),
    );
    expect(schemes).toHaveLength(2);
    for (const colours of schemes) {
      for (const foreground of ['fg', 'muted', 'link']) {
        for (const background of ['bg', 'panel']) expect(contrast(colours[foreground]!, colours[background]!)).toBeGreaterThanOrEqual(4.5);
      }
      expect(contrast(colours.bg!, colours.link!)).toBeGreaterThanOrEqual(4.5); // button text on link-coloured button
    }
  });
});

describe('renderSite with hostile content', () => {
  const files = renderSite([hostileDigest, seedDigest], site);

  it('shows the text escaped: no element from data, text intact, still valid HTML', async () => {
    for (const path of ['index.html', `digests/${hostileDigest.slug}/index.html`, 'archive/index.html']) {
      const { text, document } = page(files, path);
      await expectValidHtml(text);
      expectPageBasics(text, document); // includes: the only <script> is our own
      expect(document.querySelectorAll('main img, main b, main script')).toHaveLength(0);
      expect(text).not.toContain('javascript:');
      expect(text).not.toMatch(/[\u0000\u0007]/);
    }
    const { document } = page(files, `digests/${hostileDigest.slug}/index.html`);
    expect(document.querySelector('h1')?.textContent).toBe(
      'Breaking: <script>alert(1)</script> ]]> &amp; & 🚀 مرحبا שלום Bcc: victim@example.com',
    );
    expect(document.querySelector('h1')?.getAttribute('dir')).toBe('auto');
    expect(document.querySelector('title')?.textContent).toContain('<script>alert(1)</script>');
    const keyPoints = document.querySelectorAll('article li[dir=auto]').filter((li) => !li.parentNode?.classList.contains('tags'));
    expect(keyPoints.map((li) => li.textContent)).toEqual(['<img src=x onerror=alert(1)>', 'CDATA ]]> end', 'Ampersand &lt; entity']);
    expect(document.querySelectorAll('ul.tags li').map((li) => li.textContent)).toEqual(['script>', 'a&b', 'quote"s', 'ünïcødé']);
  });
});

describe('renderMessagePage', () => {
  it('renders a message in the site look, valid, not indexed, with the subscribe form', async () => {
    const text = renderMessagePage(site, { title: 'Check your inbox', message: 'We sent a link to confirm your subscription.' });
    await expectValidHtml(text);
    const document = parseHtml(text);
    expectPageBasics(text, document);
    expect(document.querySelector('h1')?.textContent).toBe('Check your inbox');
    expect(document.querySelector('meta[name=robots]')?.getAttribute('content')).toBe('noindex');
  });

  it('the unsubscribe page is a POST form with one button and the one-click field', async () => {
    const url = 'https://gazette.example.com/api/unsubscribe?token=abc.def&x=1';
    const text = renderMessagePage(site, {
      title: 'Unsubscribe?',
      message: 'Press the button to stop receiving digests.',
      action: { url, label: 'Unsubscribe', method: 'post', fields: { 'List-Unsubscribe': 'One-Click' } },
    });
    await expectValidHtml(text);
    const form = parseHtml(text).querySelector('main form');
    expect(form?.getAttribute('method')).toBe('post');
    expect(form?.getAttribute('action')).toBe(url);
    expect(form?.querySelectorAll('button')).toHaveLength(1);
    expect(form?.querySelector('button')?.textContent).toBe('Unsubscribe');
    expect(form?.querySelector('input[type=hidden]')?.getAttribute('name')).toBe('List-Unsubscribe');
    expect(form?.querySelector('input[type=hidden]')?.getAttribute('value')).toBe('One-Click');
  });

  it('escapes whatever it is given', () => {
    const text = renderMessagePage(site, { title: '<script>x</script>', message: '"><img src=x>' });
    const document = parseHtml(text);
    expect(document.querySelectorAll('main img, main script')).toHaveLength(0);
    expect(document.querySelector('h1')?.textContent).toBe('<script>x</script>');
  });
});
