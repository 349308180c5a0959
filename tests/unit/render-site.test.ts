import { HtmlValidate } from 'html-validate';
import { parse as parseHtml, type HTMLElement } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import type { Digest, SiteFile } from '../../functions/core/model.js';
import { XMLValidator } from 'fast-xml-parser';
import { RenderError, SITE_CONTENT_SECURITY_POLICY, renderMessagePage, renderSite } from '../../functions/core/render/index.js';
import { SITE_CSS, SITE_SCRIPT } from '../../functions/core/render/assets.js';
import { OUTPUTS, feedLinks, renderEditionPage, wholeSiteData, type RenderContext } from '../../functions/core/render/outputs.js';
import type { Edition } from '../../functions/core/editions/edition.js';
import {
  feedDigest,
  hostileDigest,
  olderDigest,
  seedDigest,
  seedEdition,
  singleEdition,
  site,
  syntheticDigests,
} from './render-fixtures.js';
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
  expect(document.querySelectorAll('script').map((s) => s.textContent)).toEqual([SITE_SCRIPT]);
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
  // The box is part of the page's content, not greyed out in the footer.
  expect(document.querySelector('main form[data-subscribe]')).toBeTruthy();
  expect(document.querySelector('footer form')).toBeNull();
  expect(document.querySelector('link[rel=icon]')?.getAttribute('href')).toBe(`${site.baseUrl}favicon.svg`);
  expect(document.querySelector('meta[name="twitter:card"]')?.getAttribute('content')).toBe('summary');
  expect(document.querySelector('meta[property="og:title"]')?.getAttribute('content')).toBe(document.querySelector('title')?.textContent);
}

describe('renderSite', () => {
  const digests = [seedDigest, olderDigest];
  const files = renderSite(digests, site);

  it('writes index, archive, one page per digest, the favicon, 404 and robots.txt, sorted, with types and cache times', () => {
    expect(files.map((f) => [f.path, f.contentType, f.cacheControl])).toEqual([
      ['404.html', 'text/html; charset=utf-8', 'public, max-age=900'],
      ['archive/index.html', 'text/html; charset=utf-8', 'public, max-age=900'],
      [`digests/${olderDigest.slug}/index.html`, 'text/html; charset=utf-8', 'public, max-age=3600'],
      [`digests/${seedDigest.slug}/index.html`, 'text/html; charset=utf-8', 'public, max-age=3600'],
      ['favicon.svg', 'image/svg+xml; charset=utf-8', 'public, max-age=3600'],
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

  it('a digest page has headline, dates, source, summary, key points, keywords, the reading time once and a back link to the archive', () => {
    const { document } = page(files, `digests/${olderDigest.slug}/index.html`);
    expect(document.querySelector('h1')?.textContent).toBe(olderDigest.headline);
    expect(document.querySelector('link[rel=canonical]')?.getAttribute('href')).toBe(`${site.baseUrl}digests/${olderDigest.slug}/`);
    expect(document.querySelectorAll('article time').map((t) => t.getAttribute('datetime'))).toEqual([olderDigest.published]);
    const paragraphs = document.querySelectorAll('article p[dir=auto]').filter((p) => !p.classList.contains('meta'));
    expect(paragraphs[0]?.textContent).toBe(olderDigest.summary.join(' '));
    expect(document.querySelector('article p.source')?.textContent).toBe('From news.example.org · By Ada Lovelace');
    expect(document.querySelector('article p.source a')?.getAttribute('href')).toBe(olderDigest.sourceUrl);
    expect(document.querySelectorAll('article h2').map((h) => h.textContent)).toEqual(['Key points', 'Keywords']);
    expect(document.querySelectorAll('ul.tags li').map((li) => li.textContent)).toEqual(olderDigest.keywords);
    expect(document.querySelector('a[rel="noopener noreferrer"]')?.getAttribute('href')).toBe(olderDigest.sourceUrl);
    expect(document.querySelector('article .meta')?.textContent).toBe('7 May 2025 · 1 min read');
    expect(document.querySelector('main')?.textContent.match(/min read/g)).toHaveLength(1);
    const back = document.querySelectorAll('main a').find((a) => a.textContent === '← All digests');
    expect(back?.getAttribute('href')).toBe(`${site.baseUrl}archive/`);
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

/** A render context for one registry entry, as renderOutputs builds it. */
function contextFor(digests: readonly Digest[], editions: readonly Edition[] = []): RenderContext {
  return { ...wholeSiteData(digests, editions), site, feeds: feedLinks(site), memo: new Map(), selfUrl: site.baseUrl };
}

describe('editions on the site', () => {
  const digests = [feedDigest, seedDigest, olderDigest, ...syntheticDigests(2)];
  const files = renderSite(digests, site, [seedEdition, singleEdition]);
  const editionPath = `editions/${seedEdition.period}/index.html`;

  it('writes one page per edition at editions/<period>/, served like a permalink', () => {
    const editions = files.filter((file) => file.path.startsWith('editions/'));
    expect(editions.map((file) => [file.path, file.contentType, file.cacheControl])).toEqual([
      [editionPath, 'text/html; charset=utf-8', 'public, max-age=3600'],
      [`editions/${singleEdition.period}/index.html`, 'text/html; charset=utf-8', 'public, max-age=3600'],
    ]);
    expect(OUTPUTS.editionPages.pattern).toBe('editions/*');
  });

  it('matches the golden edition page, which renderEditionPage renders alike', () => {
    const { text } = page(files, editionPath);
    expectGolden('edition-page.html', Buffer.from(text));
    expect(renderEditionPage(seedEdition, site)).toBe(text);
  });

  it('the edition page is valid, lists every digest in order under a table of contents, with its source and a way back', async () => {
    const { text, document } = page(files, editionPath);
    await expectValidHtml(text);
    expectPageBasics(text, document);
    expect(document.querySelector('h1')?.textContent).toBe('Monday, 1 December 2025');
    expect(document.querySelector('main > .wrap > p.meta')?.textContent).toBe('Daily edition of Gazette · 5 digests');
    const toc = document.querySelectorAll('nav.toc a').map((a) => [a.getAttribute('href'), a.textContent]);
    expect(toc).toEqual(seedEdition.digests.map((digest, index) => [`#item-${index + 1}`, digest.headline]));
    const articles = document.querySelectorAll('main article');
    expect(articles.map((article) => article.id)).toEqual(['item-1', 'item-2', 'item-3', 'item-4', 'item-5']);
    expect(articles.map((article) => article.querySelector('h2 a')?.textContent)).toEqual(
      seedEdition.digests.map((digest) => digest.headline),
    );
    const library = articles[1]!;
    expect(library.querySelector('p.source')?.textContent).toBe('From Example City News');
    expect(library.querySelector('p.source a')?.getAttribute('href')).toBe('https://news.example.org/');
    expect(library.querySelectorAll('h3').map((h) => h.textContent)).toEqual(['Key points']);
    expect(document.querySelector('link[rel=canonical]')?.getAttribute('href')).toBe(`${site.baseUrl}editions/${seedEdition.period}/`);
    expect(
      document
        .querySelectorAll('main a')
        .find((a) => a.textContent === '← All digests')
        ?.getAttribute('href'),
    ).toBe(`${site.baseUrl}archive/`);
  });

  it('a short edition has no table of contents', () => {
    expect(page(files, `editions/${singleEdition.period}/index.html`).document.querySelector('nav.toc')).toBeNull();
  });

  it('the index leads with the latest edition, after the subscribe box near the top', async () => {
    const { text, document } = page(files, 'index.html');
    await expectValidHtml(text);
    expectPageBasics(text, document);
    // The instant edition closed at 07:10, after the daily one at 07:00.
    expect(document.querySelector('#latest-title')?.textContent).toBe('Latest edition: Monday, 1 December 2025');
    const latest = document.querySelector('section[aria-labelledby=latest-title]');
    expect(latest?.querySelectorAll('h3 a').map((a) => a.textContent)).toEqual([seedDigest.headline]);
    expect(latest?.querySelector('p.meta a')?.getAttribute('href')).toBe(`${site.baseUrl}editions/${singleEdition.period}/`);
    expect(text.indexOf('data-subscribe')).toBeLessThan(text.indexOf('id="latest-title"'));
    const earlier = document.querySelectorAll('section[aria-labelledby=earlier-title] h3 a').map((a) => a.textContent);
    expect(earlier).toEqual([feedDigest.headline, olderDigest.headline, ...syntheticDigests(2).map((digest) => digest.headline)]);
  });

  it('edition pages show the current version of an edited digest and drop an unpublished one', () => {
    const edited = { ...feedDigest, headline: 'The city library opens on Sundays from July', updated: '2025-12-02T08:00:00.000Z' };
    const after = renderSite([edited, seedDigest], site, [seedEdition]);
    const articles = page(after, editionPath).document.querySelectorAll('main article');
    expect(articles.map((article) => article.querySelector('h2 a')?.textContent)).toEqual([seedDigest.headline, edited.headline]);
    // An edition whose digests were all unpublished has no page left to render.
    expect(renderSite([olderDigest], site, [singleEdition]).some((file) => file.path.startsWith('editions/'))).toBe(false);
  });

  it('the archive links each digest to the editions that carried it', () => {
    const { document } = page(files, 'archive/index.html');
    const item = document.querySelectorAll('ul.archive > li').find((li) => li.querySelector('h3 a')?.textContent === seedDigest.headline);
    expect(item?.querySelectorAll('p.meta a').map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['Edition, 1 Dec', `${site.baseUrl}editions/${singleEdition.period}/`],
      ['Daily edition, 1 Dec', `${site.baseUrl}editions/${seedEdition.period}/`],
    ]);
  });

  it('refuses an edition whose period could leave its folder', () => {
    expect(() => renderSite(digests, site, [{ ...seedEdition, period: '../index' }])).toThrow(RenderError);
  });
});

describe('the archive, paginated', () => {
  const many = syntheticDigests(10_000);
  const context = contextFor(many);
  const first = OUTPUTS.archive.render(context);
  const rest = OUTPUTS.archivePages.render(context);

  it('puts 10,000 digests on 200 numbered pages of 50, counted from the oldest, and the newest 50 on archive/', () => {
    expect(rest).toHaveLength(200);
    expect(rest[0]?.path).toBe('archive/page/1/index.html');
    expect(rest.at(-1)?.path).toBe('archive/page/200/index.html');
    const pages = rest.map((file) => parseHtml(file.body));
    expect(pages.map((document) => document.querySelectorAll('ul.archive > li').length)).toEqual(Array(200).fill(50));
    // Page 1 holds the oldest 50, page 200 the newest; within a page the newest comes first.
    const listed = [...pages].reverse().flatMap((document) => document.querySelectorAll('ul.archive h3 a').map((a) => a.textContent));
    expect(listed).toEqual(many.map((digest) => digest.headline));
    const front = parseHtml(first)
      .querySelectorAll('ul.archive h3 a')
      .map((a) => a.textContent);
    expect(front).toEqual(many.slice(0, 50).map((digest) => digest.headline));
    // Each page stays a light download.
    for (const text of [first, ...rest.map((file) => file.body)]) expect(Buffer.byteLength(text)).toBeLessThan(40 * 1024);
  });

  it('groups each page by month and links its neighbours, without the page count a new digest would change', async () => {
    const second = rest.find((file) => file.path === 'archive/page/2/index.html')!.body;
    await expectValidHtml(second);
    const document = parseHtml(second);
    expectPageBasics(second, document);
    expect(document.querySelector('link[rel=canonical]')?.getAttribute('href')).toBe(`${site.baseUrl}archive/page/2/`);
    expect(document.querySelectorAll('main h2').map((h) => h.textContent)).toContain('January 2025');
    expect(document.querySelector('nav.pager a[rel=prev]')?.getAttribute('href')).toBe(`${site.baseUrl}archive/page/3/`);
    expect(document.querySelector('nav.pager a[rel=next]')?.getAttribute('href')).toBe(`${site.baseUrl}archive/page/1/`);
    expect(document.querySelector('nav.pager span')?.textContent).toBe('Page 2');
    expect(document.querySelector('main > div > p')?.textContent).toBe('Digests 51 to 100, counted from the oldest; newest first.');
    expect(parseHtml(rest[0]!.body).querySelector('nav.pager a[rel=next]')).toBeNull();
    // The newest numbered page leads back to the front page, which leads to the pages before it.
    expect(parseHtml(rest.at(-1)!.body).querySelector('nav.pager a[rel=prev]')?.getAttribute('href')).toBe(`${site.baseUrl}archive/`);
    expect(parseHtml(first).querySelector('nav.pager a[rel=prev]')).toBeNull();
    expect(parseHtml(first).querySelector('nav.pager a[rel=next]')?.getAttribute('href')).toBe(`${site.baseUrl}archive/page/199/`);
  });

  it('changes only the front page and the newest numbered pages when a digest arrives', () => {
    const bytes = (files: { path: string; body: string }[]) => new Map(files.map((file) => [file.path, file.body]));
    const before = bytes(rest);
    for (const count of [10_001, 10_002]) {
      const grown = contextFor(syntheticDigests(count));
      const after = bytes(OUTPUTS.archivePages.render(grown));
      const changed = [...after].filter(([path, body]) => before.get(path) !== body).map(([path]) => path);
      // 10,001 opens page 201 and turns page 200's "Newer" link to it; 10,002 only fills page 201.
      expect(changed).toEqual(
        count === 10_001 ? ['archive/page/200/index.html', 'archive/page/201/index.html'] : ['archive/page/201/index.html'],
      );
      expect(OUTPUTS.archive.render(grown)).not.toBe(first);
      if (count === 10_001)
        for (const [path, body] of OUTPUTS.archivePages.render(grown).map((file) => [file.path, file.body])) before.set(path!, body!);
    }
  });

  it('is one page without a pager for a small archive, and the registry serves the numbered pages', () => {
    expect(OUTPUTS.archivePages.render(contextFor(syntheticDigests(50)))).toEqual([]);
    expect(parseHtml(OUTPUTS.archive.render(contextFor(syntheticDigests(50)))).querySelector('nav.pager')).toBeNull();
    expect(OUTPUTS.archivePages.render(contextFor(syntheticDigests(51))).map((file) => file.path)).toEqual([
      'archive/page/1/index.html',
      'archive/page/2/index.html',
    ]);
    expect(OUTPUTS.archivePages.pattern).toBe('archive/page/*');
  });
});

describe('social cards and the favicon', () => {
  const files = renderSite([olderDigest, seedDigest], site);

  it('a digest page is an Open Graph article with its URL, dates and summary', () => {
    const { document } = page(files, `digests/${olderDigest.slug}/index.html`);
    const meta = (key: string) => document.querySelector(`meta[property="${key}"], meta[name="${key}"]`)?.getAttribute('content');
    expect(meta('og:type')).toBe('article');
    expect(meta('og:url')).toBe(`${site.baseUrl}digests/${olderDigest.slug}/`);
    expect(meta('og:site_name')).toBe('Gazette');
    expect(meta('og:description')).toBe(olderDigest.summary.join(' '));
    expect(meta('article:published_time')).toBe(olderDigest.published);
    expect(meta('twitter:title')).toBe(`${olderDigest.headline} · Gazette`);
    expect(page(files, 'index.html').document.querySelector('meta[property="og:type"]')?.getAttribute('content')).toBe('website');
  });

  it('the favicon is a well-formed SVG made of shapes only', () => {
    const svg = files.find((file) => file.path === 'favicon.svg')!.body.toString('utf8');
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).not.toMatch(/<script|<text|href=|url\(/);
  });
});
