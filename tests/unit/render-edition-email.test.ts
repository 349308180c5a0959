import { HtmlValidate } from 'html-validate';
import { simpleParser, type ParsedMail } from 'mailparser';
import { parse as parseHtml, type HTMLElement } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import type { Edition } from '../../functions/core/editions/edition.js';
import { InvalidAddressError } from '../../functions/core/errors.js';
import {
  EDITION_HTML_BUDGET,
  MAX_HTML_BYTES,
  RenderError,
  editionEmailParts,
  editionMail,
  editionPreheader,
  editionSubject,
  renderEditionEmail,
  type EditionEmailInput,
} from '../../functions/core/render/index.js';
import {
  feedDigest,
  hostileDigest,
  longDigests,
  mail,
  seedDigest,
  seedEdition,
  singleEdition,
  site,
  syntheticDigests,
} from './render-fixtures.js';
import { expectWireFormat, headerCount, headerFields } from './mail-helpers.js';
import { expectGolden } from './render-golden.js';

const subscriberId = '0123456789abcdef0123456789abcdef';
const unsubscribeUrl = 'https://gazette.example.com/api/unsubscribe?token=v1.k1.c3Vic2NyaWJlcg.sig-_abc';
const manageUrl = 'https://gazette.example.com/api/manage?token=v1.k1.bWFuYWdl.sig-_def';
const date = new Date('2025-12-01T07:00:05.000Z');
const postalMail = { ...mail, postalAddress: 'Gazette Ltd, 1 Example Street, Springfield 12345' };
const editionPage = `${site.baseUrl}editions/${seedEdition.period}/`;

function input(overrides: Partial<EditionEmailInput> = {}): EditionEmailInput {
  return {
    edition: seedEdition,
    subscriberId,
    to: 'reader@example.net',
    site,
    mail: postalMail,
    unsubscribeUrl,
    manageUrl,
    date,
    ...overrides,
  };
}

async function parsed(overrides: Partial<EditionEmailInput> = {}): Promise<{ mail: ParsedMail; html: HTMLElement; raw: Buffer }> {
  const raw = renderEditionEmail(input(overrides)).raw;
  const message = await simpleParser(raw);
  return { mail: message, html: parseHtml(String(message.html)), raw };
}

function edition(digests = seedEdition.digests, overrides: Partial<Edition> = {}): Edition {
  return { ...seedEdition, digests, ...overrides };
}

/** Items shown in the HTML, by their anchor ids. */
function items(html: HTMLElement): HTMLElement[] {
  return html.querySelectorAll('div[id^=item-]');
}

describe('editionSubject and editionPreheader', () => {
  it('name the publication, the day and the lead headline, with "and N more" only when there are more', () => {
    expect(editionSubject(seedEdition, site)).toBe(`Gazette · 1 Dec: ${seedDigest.headline}, and 4 more`);
    expect(editionSubject(singleEdition, site)).toBe(`Gazette · 1 Dec: ${seedDigest.headline}`);
    expect(editionSubject(singleEdition, site, { test: true })).toBe(`[Test] Gazette · 1 Dec: ${seedDigest.headline}`);
  });

  it('use the day written in the edition date, not the UTC day', () => {
    // 07:00 in Tokyo on 1 December is 22:00 UTC on 30 November.
    expect(editionSubject(edition([seedDigest], { date: '2025-12-01T07:00:00+09:00' }), site)).toMatch(/^Gazette · 1 Dec: /);
    expect(() => editionSubject(edition([seedDigest], { date: 'yesterday' }), site)).toThrow(RenderError);
  });

  it('the preheader tells what else is inside, never the subject again', () => {
    expect(editionPreheader(seedEdition)).toBe(
      `Also inside: ${feedDigest.headline} · Central bank holds rates steady as inflation cools · and 2 more`,
    );
    expect(editionPreheader(singleEdition)).toBe(seedDigest.summary[0]);
    for (const each of [seedEdition, singleEdition]) expect(editionPreheader(each)).not.toBe(editionSubject(each, site));
  });

  it('refuse an empty edition: an empty period sends nothing', () => {
    expect(() => editionSubject(edition([]), site)).toThrow(RenderError);
    expect(() => renderEditionEmail(input({ edition: edition([]) }))).toThrow(RenderError);
  });
});

describe('renderEditionEmail', () => {
  const rendered = renderEditionEmail(input());

  it('matches the golden message for a five-digest daily edition', () => {
    expectGolden('edition-email.eml', rendered.raw);
  });

  it('is multipart/alternative (text, then HTML) with the list headers the digest email carries, once each', async () => {
    const fields = headerFields(rendered.raw);
    const count = (key: string) => fields.filter((field) => field.key === key).length;
    for (const key of ['from', 'to', 'date', 'subject', 'message-id', 'list-id', 'list-unsubscribe', 'list-unsubscribe-post'])
      expect(count(key), key).toBe(1);
    expect(fields.find((f) => f.key === 'list-unsubscribe')?.value).toBe(`<${unsubscribeUrl}>`);
    expect(fields.find((f) => f.key === 'list-unsubscribe-post')?.value).toBe('List-Unsubscribe=One-Click');
    expect(fields.find((f) => f.key === 'content-type')?.value).toMatch(/^multipart\/alternative; boundary="[^"]+"$/);
    const partTypes = rendered.raw
      .toString('latin1')
      .split('\r\n')
      .filter((line) => /^Content-Type: text\//.test(line));
    expect(partTypes).toEqual(['Content-Type: text/plain; charset=utf-8', 'Content-Type: text/html; charset=utf-8']);
    const text = rendered.raw.toString('latin1');
    expect(text).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
    for (const line of text.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
    const message = await simpleParser(rendered.raw);
    expect(message.subject).toBe(editionSubject(seedEdition, site));
    expect(message.messageId).toBe(`<edition.daily.2025-12-01-0700-daily.${subscriberId}@gazette.example.com>`);
    expect(rendered.messageId).toBe(`edition.daily.2025-12-01-0700-daily.${subscriberId}@gazette.example.com`);
  });

  it('opens with the publication and the date, then a table of contents, then every digest in order', async () => {
    const { html } = await parsed();
    expect(html.querySelector('h1')?.textContent).toBe('Gazette');
    expect(html.querySelector('h1 + p')?.textContent).toBe('Monday, 1 December 2025 · 5 digests');
    const toc = html.querySelectorAll('ol a').map((a) => [a.getAttribute('href'), a.textContent]);
    expect(toc).toEqual(seedEdition.digests.map((digest, index) => [`#item-${index + 1}`, digest.headline]));
    expect(items(html).map((item) => item.querySelector('h2')?.textContent)).toEqual(seedEdition.digests.map((d) => d.headline));
    const library = items(html)[1]!;
    expect(library.querySelector('h2 a')?.getAttribute('href')).toBe(`${site.baseUrl}digests/${feedDigest.slug}/`);
    expect(library.querySelector('p')?.textContent).toBe('From Example City News · 1 min read');
    expect(library.querySelector('p a')?.getAttribute('href')).toBe('https://news.example.org/');
    expect(library.querySelectorAll('li').map((li) => li.textContent)).toEqual(feedDigest.keyPoints);
    expect(library.querySelectorAll('a').map((a) => a.textContent)).toContain('Original article');
    // The preheader is hidden text at the very top, and it is not the subject.
    expect(html.querySelector('body > div')?.getAttribute('style')).toContain('display:none');
    expect(html.querySelector('body > div')?.textContent).toContain(editionPreheader(seedEdition));
  });

  it('has a "Read on the web" button and a footer with the reason, manage link, one-click unsubscribe and postal address', async () => {
    const { html, mail: message } = await parsed();
    const links = html.querySelectorAll('a').map((a) => [a.textContent, a.getAttribute('href')]);
    expect(links).toContainEqual(['Read on the web', editionPage]);
    expect(html.querySelector('a.btn')?.getAttribute('style')).toMatch(/background:#0a58ca;color:#ffffff/);
    expect(links).toContainEqual(['Manage your subscription', manageUrl]);
    expect(links).toContainEqual(['Unsubscribe', unsubscribeUrl]);
    const footer = html.querySelector('td.muted')!.textContent;
    expect(footer).toContain('You get the daily edition of Gazette because you subscribed at gazette.example.com.');
    expect(footer).toContain('Gazette Ltd, 1 Example Street, Springfield 12345');
    expect(message.text).toContain(`Unsubscribe with one click: ${unsubscribeUrl}`);
    expect(message.text).toContain(`Manage your subscription (how often you get it): ${manageUrl}`);
    expect(message.text).toContain('Gazette · Gazette Ltd, 1 Example Street, Springfield 12345');
    expect(message.text).toContain(`Read on the web: ${editionPage}`);
  });

  it('prints no address line without the postalAddress setting', async () => {
    const { html, mail: message } = await parsed({ mail });
    expect(html.textContent).not.toContain('Example Street');
    expect(message.text?.trimEnd().split('\n').at(-1)).toBe(`Unsubscribe with one click: ${unsubscribeUrl}`);
  });

  it('the text part reads like the HTML: contents, each digest with source, summary, key points and links', async () => {
    const { mail: message } = await parsed();
    const text = message.text!;
    expect(text.startsWith('Gazette · Monday, 1 December 2025\n=================================\n')).toBe(true);
    expect(text).toContain(`In this edition:\n  1. ${seedDigest.headline}\n  2. ${feedDigest.headline}\n`);
    expect(text).toContain(
      `2. ${feedDigest.headline}\nFrom Example City News · 1 min read\n\n${feedDigest.summary.join(' ')}\n\n  * ${feedDigest.keyPoints[0]}`,
    );
    expect(text).toContain(`Read the digest: ${site.baseUrl}digests/${feedDigest.slug}/\nOriginal article: ${feedDigest.sourceUrl}`);
    for (const digest of seedEdition.digests) expect(text).toContain(digest.headline);
  });

  it('leaves the table of contents out for three digests or fewer', async () => {
    const { html, mail: message } = await parsed({ edition: edition(seedEdition.digests.slice(0, 3)) });
    expect(html.querySelector('ol')).toBeNull();
    expect(message.text).not.toContain('In this edition:');
    expect(items(html)).toHaveLength(3);
  });

  it('is valid HTML with a 600 px column, dark-mode styles and nothing loaded from elsewhere', async () => {
    const { mail: message, html } = await parsed();
    const source = String(message.html);
    const validator = new HtmlValidate({
      extends: ['html-validate:recommended'],
      // Mail layout needs what the web has moved past: presentational table attributes and inline styles.
      rules: { 'long-title': 'off', 'no-inline-style': 'off', 'no-deprecated-attr': 'off', 'prefer-native-element': 'off' },
    });
    const report = await validator.validateString(source);
    expect(report.results.flatMap((result) => result.messages.map((m) => `${m.ruleId} @${m.line}: ${m.message}`))).toEqual([]);
    expect(source).toContain('max-width:600px');
    expect(source).toContain('prefers-color-scheme:dark');
    expect(html.querySelector('meta[name=color-scheme]')?.getAttribute('content')).toBe('light dark');
    expect(html.querySelectorAll('script, img, link[rel=stylesheet], iframe')).toHaveLength(0);
  });

  it('a test send is marked "[Test]" and has its own Message-ID; the parts give the same bytes as the one-call form', async () => {
    const test = await simpleParser(renderEditionEmail(input({ test: true })).raw);
    expect(test.subject).toBe(`[Test] ${editionSubject(seedEdition, site)}`);
    expect(test.messageId).toBe(`<edition.daily.2025-12-01-0700-daily.test.${subscriberId}@gazette.example.com>`);
    const parts = editionEmailParts(seedEdition, { unsubscribeUrl, manageUrl }, site, postalMail);
    expect(editionMail(parts, { to: 'reader@example.net', subscriberId, date }).raw.equals(rendered.raw)).toBe(true);
  });

  it('is deterministic, and keeps hostile text out of headers and markup', async () => {
    expect(renderEditionEmail(input()).raw.equals(rendered.raw)).toBe(true);
    const { mail: message, html, raw } = await parsed({ edition: edition([hostileDigest, seedDigest]) });
    expect(message.subject).toBe(
      'Gazette · 1 Dec: Breaking: <script>alert(1)</script> ]]> &amp; & 🚀 مرحبا שלום Bcc: victim@example.com, and 1 more',
    );
    expect(message.headers.has('bcc')).toBe(false);
    expect(headerFields(raw).filter((f) => f.key === 'subject')).toHaveLength(1);
    expect(html.querySelectorAll('script, img, b')).toHaveLength(0);
    expect(String(message.html)).not.toContain('javascript:');
    expect(items(html)[0]?.querySelector('h2')?.textContent).toBe(
      message.subject!.slice('Gazette · 1 Dec: '.length, -', and 1 more'.length),
    );
  });

  it('keeps CRLF line endings, lines of at most 998 octets and a 7-bit wire format, hostile text included', () => {
    expectWireFormat(rendered.raw);
    expectWireFormat(renderEditionEmail(input({ edition: edition([hostileDigest, seedDigest]) })).raw);
  });

  it('has From, To, Date and MIME-Version once each, and one List-Unsubscribe and List-Id as a mail client reads them', async () => {
    const message = await simpleParser(rendered.raw);
    expect(message.from?.value).toEqual([{ address: mail.fromAddress, name: mail.fromName }]);
    expect((message.to as ParsedMail['from'])?.value).toEqual([{ address: 'reader@example.net', name: '' }]);
    expect(message.date?.toISOString()).toBe(date.toISOString());
    expect(rendered.to).toBe('reader@example.net');
    expect(headerCount(rendered.raw, 'MIME-Version')).toBe(1);
    expect(headerFields(rendered.raw).find((f) => f.key === 'list-id')?.value).toBe(`<${mail.listId}>`);
    expect(message.headerLines.filter((line) => line.key === 'list-unsubscribe')).toHaveLength(1);
  });

  it('keeps hostile text as text in the text part, with no control characters and no injected header', async () => {
    const { mail: message } = await parsed({ edition: edition([hostileDigest]) });
    expect(message.text).toContain('<img src=x onerror=alert(1)>');
    expect(message.text).not.toMatch(/[\u0000\u0007]/);
    expect(message.headers.has('x-injected')).toBe(false);
  });

  it('sanitises the sender name into one line', async () => {
    const { mail: message } = await parsed({ mail: { ...postalMail, fromName: 'Gazette\r\nBcc: x@example.com' } });
    expect(message.from?.value[0]?.name).toBe('Gazette Bcc: x@example.com');
    expect(message.headers.has('bcc')).toBe(false);
  });

  it('refuses a bad recipient, subscriber id, link or list setting', () => {
    for (const to of ['a@example.com, b@example.com', 'a@example.com\r\nBcc: b@example.com', 'Name <a@example.com>', 'no-at-sign', ''])
      expect(() => renderEditionEmail(input({ to })), to).toThrow(InvalidAddressError);
    expect(() => renderEditionEmail(input({ mail: { ...mail, fromAddress: 'x@y.z\r\nBcc: q@r.s' } }))).toThrow(RenderError);
    expect(() => renderEditionEmail(input({ mail: { ...mail, listId: 'a b\r\nX: y' } }))).toThrow(RenderError);
    expect(() => renderEditionEmail(input({ subscriberId: 'id\r\nX: y' }))).toThrow(RenderError);
    expect(() => renderEditionEmail(input({ manageUrl: 'javascript:alert(1)' }))).toThrow(RenderError);
    expect(() => renderEditionEmail(input({ unsubscribeUrl: 'https://x.example/a,b' }))).toThrow(RenderError);
    expect(() => renderEditionEmail(input({ mail: { ...mail, listId: 'a b' } }))).toThrow(RenderError);
    expect(() => renderEditionEmail(input({ edition: edition(seedEdition.digests, { period: '../x' }) }))).toThrow(RenderError);
  });
});

describe('renderEditionEmail with many digests', () => {
  it('shows editionMaxItems digests (default 20) and sums up the rest as "and N more" linking to the edition page', async () => {
    const digests = syntheticDigests(25);
    const { html, mail: message } = await parsed({ edition: edition(digests), mail });
    expect(items(html)).toHaveLength(20);
    const more = html.querySelectorAll('a').find((a) => a.textContent === 'And 5 more digests in this edition');
    expect(more?.getAttribute('href')).toBe(editionPage);
    expect(message.text).toContain(`And 5 more digests in this edition: ${editionPage}`);
    expect(message.subject).toMatch(/, and 24 more$/);
    const capped = await parsed({ edition: edition(digests), mail: { ...mail, editionMaxItems: 3 } });
    expect(items(capped.html)).toHaveLength(3);
    expect(capped.html.querySelectorAll('ol li')).toHaveLength(3);
  });

  it('keeps 60 long digests under the clipping limit: key points go first, from the last item up, the lead keeps its own', () => {
    const long = edition(longDigests(60));
    const byDefault = editionEmailParts(long, { unsubscribeUrl, manageUrl }, site, mail);
    expect(Buffer.byteLength(byDefault.html)).toBeLessThanOrEqual(MAX_HTML_BYTES);
    expect(byDefault.layout.shown).toHaveLength(20);
    expect(byDefault.layout.more).toBe(40);

    const all = editionEmailParts(long, { unsubscribeUrl, manageUrl }, site, { ...mail, editionMaxItems: 60 });
    // Shortening starts at the budget, a margin under the hard limit and Gmail's 102 KB clip.
    expect(Buffer.byteLength(all.html)).toBeLessThanOrEqual(EDITION_HTML_BUDGET);
    expect(EDITION_HTML_BUDGET).toBeLessThan(MAX_HTML_BYTES);
    expect(all.layout.shown).toHaveLength(60);
    expect(all.layout.more).toBe(0);
    const details = all.layout.shown.map((item) => item.detail);
    expect(details[0]).toBe('full');
    // Shortened only where needed, and never a later item fuller than an earlier one (lead aside).
    const rank = { full: 0, 'no-key-points': 1, 'first-sentence': 2, headline: 3 } as const;
    const ranks = details.slice(1).map((detail) => rank[detail]);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(details).toContain('headline');
    // What the layout says is what the HTML shows: one key-point list per full item.
    const document = parseHtml(all.html);
    expect(items(document)).toHaveLength(60);
    expect(items(document).filter((item) => item.querySelector('ul')).length).toBe(details.filter((detail) => detail === 'full').length);
    expect(items(document).at(-1)?.querySelector('h2')?.textContent).toBe(long.digests[59]!.headline);
  });

  it('moves the tail into "and N more" when even headlines do not fit', () => {
    const parts = editionEmailParts(edition(longDigests(100)), { unsubscribeUrl, manageUrl }, site, { ...mail, editionMaxItems: 100 });
    expect(Buffer.byteLength(parts.html)).toBeLessThanOrEqual(EDITION_HTML_BUDGET);
    expect(parts.layout.more).toBeGreaterThan(0);
    expect(parts.layout.shown.length + parts.layout.more).toBe(100);
    expect(parts.html).toContain(`And ${parts.layout.more} more digests in this edition`);
  });
});
