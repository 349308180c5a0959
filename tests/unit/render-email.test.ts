import { simpleParser, type ParsedMail } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { parse as parseHtml } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import { InvalidAddressError } from '../../functions/core/errors.js';
import { MAX_HTML_BYTES, RenderError, renderConfirmationEmail, renderDigestEmail } from '../../functions/core/render/index.js';
import { buildMessage, composerOptions, type MessageParts } from '../../functions/core/render/mime.js';
import { hostileDigest, mail, olderDigest, seedDigest, site } from './render-fixtures.js';
import { expectGolden } from './render-golden.js';

const subscriberId = '0123456789abcdef0123456789abcdef';
const unsubscribeUrl = 'https://gazette.example.com/api/unsubscribe?token=v1.k1.c3Vic2NyaWJlcg.sig-_abc';
const date = new Date('2025-05-08T13:00:00.000Z');

function digestMail(digest = seedDigest, to = 'reader@example.net') {
  return renderDigestEmail({ digest, subscriberId, to, site, mail, unsubscribeUrl, date });
}

/** The header block (unfolded) of a raw message. */
function headerFields(raw: Buffer): { key: string; value: string }[] {
  const head = raw.toString('latin1').split('\r\n\r\n')[0]!;
  return head
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')
    .map((line) => ({ key: line.slice(0, line.indexOf(':')).toLowerCase(), value: line.slice(line.indexOf(':') + 1).trim() }));
}

function count(raw: Buffer, key: string): number {
  return headerFields(raw).filter((field) => field.key === key.toLowerCase()).length;
}

/** RFC 5322 transport rules every raw message must keep. */
function expectWireFormat(raw: Buffer): void {
  const text = raw.toString('latin1');
  expect(text).not.toMatch(/\r(?!\n)|(?<!\r)\n/); // CRLF only
  expect(text.endsWith('\r\n')).toBe(true);
  for (const line of text.split('\r\n')) expect(Buffer.byteLength(line, 'latin1')).toBeLessThanOrEqual(998);
  expect([...raw].every((byte) => byte < 0x80)).toBe(true); // 7-bit clean: every header and body is encoded
}

describe('renderDigestEmail', () => {
  const rendered = digestMail();

  it('matches the golden message for the seed-like digest', () => {
    expectGolden('digest-email.eml', rendered.raw);
  });

  it('is multipart/alternative with text/plain first and text/html last, UTF-8', async () => {
    expect(headerFields(rendered.raw).find((f) => f.key === 'content-type')?.value).toMatch(/^multipart\/alternative; boundary="[^"]+"$/);
    const lines = rendered.raw.toString('latin1').split('\r\n');
    const partTypes = lines.filter((line) => /^Content-Type: text\//.test(line));
    expect(partTypes).toEqual(['Content-Type: text/plain; charset=utf-8', 'Content-Type: text/html; charset=utf-8']);
    const parsed = await simpleParser(rendered.raw);
    expect(parsed.text).toContain(seedDigest.summary[0]);
    expect(parsed.html).toContain('<h1');
  });

  it('keeps CRLF line endings, lines ≤ 998 octets and a 7-bit wire format', () => {
    expectWireFormat(rendered.raw);
  });

  it('has From, To, Date, a deterministic Message-ID and the headline as subject', async () => {
    const parsed = await simpleParser(rendered.raw);
    expect(parsed.from?.value).toEqual([{ address: mail.fromAddress, name: mail.fromName }]);
    expect((parsed.to as ParsedMail['from'])?.value).toEqual([{ address: 'reader@example.net', name: '' }]);
    expect(parsed.date?.toISOString()).toBe(date.toISOString());
    expect(parsed.subject).toBe(seedDigest.headline);
    expect(rendered.messageId).toBe(`${seedDigest.slug}.${subscriberId}@gazette.example.com`);
    expect(parsed.messageId).toBe(`<${rendered.messageId}>`);
    expect(rendered.to).toBe('reader@example.net');
  });

  it('has exactly one List-Unsubscribe (https one-click only), one List-Unsubscribe-Post and a List-Id', async () => {
    expect(count(rendered.raw, 'List-Unsubscribe')).toBe(1);
    expect(count(rendered.raw, 'List-Unsubscribe-Post')).toBe(1);
    expect(count(rendered.raw, 'List-Id')).toBe(1);
    for (const key of ['From', 'To', 'Date', 'Subject', 'Message-ID', 'MIME-Version']) expect(count(rendered.raw, key)).toBe(1);
    const fields = headerFields(rendered.raw);
    expect(fields.find((f) => f.key === 'list-unsubscribe')?.value).toBe(`<${unsubscribeUrl}>`);
    expect(fields.find((f) => f.key === 'list-unsubscribe-post')?.value).toBe('List-Unsubscribe=One-Click');
    expect(fields.find((f) => f.key === 'list-id')?.value).toBe(`<${mail.listId}>`);
    // No mailto target: nobody reads the sender's mailbox for unsubscribe requests.
    expect(rendered.raw.toString('latin1')).not.toContain('mailto:');
    const parsed = await simpleParser(rendered.raw);
    expect(parsed.headerLines.filter((line) => line.key === 'list-unsubscribe')).toHaveLength(1);
  });

  it('shows the unsubscribe link in both parts, and the permalink', async () => {
    const parsed = await simpleParser(rendered.raw);
    expect(parsed.text).toContain(`Unsubscribe: ${unsubscribeUrl}`);
    const document = parseHtml(String(parsed.html));
    const links = document.querySelectorAll('a').map((a) => [a.textContent, a.getAttribute('href')]);
    expect(links).toContainEqual(['Unsubscribe', unsubscribeUrl]);
    expect(links).toContainEqual(['Read on the web', `${site.baseUrl}digests/${seedDigest.slug}/`]);
    expect(parsed.text).toContain(`${site.baseUrl}digests/${seedDigest.slug}/`);
  });

  it('lays the HTML out in a ≤ 600 px table, well under the 102 KB clipping limit', async () => {
    const parsed = await simpleParser(rendered.raw);
    const htmlBody = String(parsed.html);
    expect(Buffer.byteLength(htmlBody)).toBeLessThan(MAX_HTML_BYTES);
    expect(htmlBody).toContain('max-width:600px');
    expect(htmlBody).toContain('prefers-color-scheme:dark');
    expect(parseHtml(htmlBody).querySelectorAll('script, link[rel=stylesheet], img')).toHaveLength(0);
  });

  it('links the original article only when it is an http(s) URL', async () => {
    const withSource = await simpleParser(digestMail(olderDigest).raw);
    expect(parseHtml(String(withSource.html)).querySelector('a[href^="https://news.example.org"]')?.textContent).toBe('Original article');
    const hostile = await simpleParser(digestMail(hostileDigest).raw);
    expect(String(hostile.html)).not.toContain('javascript:');
  });

  it('keeps hostile text out of headers and markup', async () => {
    const raw = digestMail(hostileDigest).raw;
    expectWireFormat(raw);
    const parsed = await simpleParser(raw);
    // The CR/LF in the headline is folded into a space: no Bcc header appears, the subject is one line.
    expect(parsed.subject).toBe('Breaking: <script>alert(1)</script> ]]> &amp; & 🚀 مرحبا שלום Bcc: victim@example.com');
    expect(parsed.headers.has('bcc')).toBe(false);
    expect(parsed.headers.has('x-injected')).toBe(false);
    expect(count(raw, 'Subject')).toBe(1);
    const document = parseHtml(String(parsed.html));
    expect(document.querySelectorAll('script, img, b')).toHaveLength(0);
    expect(document.querySelector('h1')?.textContent).toBe(parsed.subject);
    expect(parsed.text).toContain('<img src=x onerror=alert(1)>');
    expect(parsed.text).not.toMatch(/[\u0000\u0007]/);
  });

  it('refuses a recipient that would add a header or a second address', () => {
    for (const to of ['a@example.com, b@example.com', 'a@example.com\r\nBcc: b@example.com', 'Name <a@example.com>', 'no-at-sign', '']) {
      expect(() => digestMail(seedDigest, to)).toThrow(InvalidAddressError);
    }
  });

  it('refuses unsafe settings and URLs', () => {
    const base = { digest: seedDigest, subscriberId, to: 'reader@example.net', site, mail, unsubscribeUrl, date };
    expect(() => renderDigestEmail({ ...base, unsubscribeUrl: 'javascript:alert(1)' })).toThrow(RenderError);
    expect(() => renderDigestEmail({ ...base, mail: { ...mail, listId: 'a b\r\nX: y' } })).toThrow(RenderError);
    expect(() => renderDigestEmail({ ...base, mail: { ...mail, fromAddress: 'x@y.z\r\nBcc: q@r.s' } })).toThrow(RenderError);
    expect(() => renderDigestEmail({ ...base, subscriberId: 'id\r\nX: y' })).toThrow(RenderError);
  });

  it('sanitises the sender name', async () => {
    const raw = renderDigestEmail({
      digest: seedDigest,
      subscriberId,
      to: 'r@example.net',
      site,
      mail: { ...mail, fromName: 'Gazette\r\nBcc: x@example.com' },
      unsubscribeUrl,
      date,
    }).raw;
    const parsed = await simpleParser(raw);
    expect(parsed.from?.value[0]?.name).toBe('Gazette Bcc: x@example.com');
    expect(parsed.headers.has('bcc')).toBe(false);
  });

  it('is deterministic: same input, same bytes (boundaries included)', () => {
    expect(digestMail().raw.equals(rendered.raw)).toBe(true);
    expect(digestMail(hostileDigest).raw.equals(digestMail(hostileDigest).raw)).toBe(true);
  });
});

describe('buildMessage (synchronous MailComposer serialisation)', () => {
  const parts: MessageParts = {
    from: { name: 'Gazette', address: 'digest@gazette.example.com' },
    to: 'reader@example.net',
    subject: 'Ünïcødé 🚀 and a long subject line that nodemailer will have to fold into several encoded words',
    date,
    messageId: 'x.y@gazette.example.com',
    headers: [['List-Id', '<digest.gazette.example.com>']],
    text: `line one\nline two with trailing space \n${'long '.repeat(400)}\nمرحبا\n`,
    html: `<p>${'word '.repeat(3000)}</p>\n<p>שלום</p>`,
  };

  it('writes the same bytes as nodemailer’s own asynchronous build()', async () => {
    const ours = buildMessage(parts);
    const theirs = await new MailComposer(composerOptions(parts)).compile().build();
    expect(ours.toString('latin1')).toBe(theirs.toString('latin1'));
  });

  it('normalises bare LF and CR in bodies to CRLF', async () => {
    const raw = buildMessage({ ...parts, text: 'a\nb\rc\r\nd', html: '<p>a</p>\n<p>b</p>' });
    expectWireFormat(raw);
    const parsed = await simpleParser(raw);
    expect(parsed.text).toBe('a\nb\nc\nd');
  });
});

describe('renderConfirmationEmail', () => {
  const confirmUrl = 'https://gazette.example.com/api/confirm?token=v1.k1.Y29uZmlybQ.sig';
  const rendered = renderConfirmationEmail({
    to: 'new@example.net',
    confirmUrl,
    site,
    mail,
    date,
    messageId: 'confirm.abc123@gazette.example.com',
  });

  it('matches the golden message', () => {
    expectGolden('confirmation-email.eml', rendered.raw);
  });

  it('is a short double-opt-in mail: link in both parts, no list headers, clean wire format', async () => {
    expectWireFormat(rendered.raw);
    const parsed = await simpleParser(rendered.raw);
    expect(parsed.subject).toBe('Confirm your subscription to Gazette');
    expect(parsed.text).toContain(confirmUrl);
    expect(parsed.text).toMatch(/ignore this email/i);
    expect(
      parseHtml(String(parsed.html))
        .querySelectorAll('a')
        .map((a) => a.getAttribute('href')),
    ).toContain(confirmUrl);
    expect(parsed.messageId).toBe('<confirm.abc123@gazette.example.com>');
    expect(rendered.messageId).toBe('confirm.abc123@gazette.example.com');
    expect(count(rendered.raw, 'List-Unsubscribe')).toBe(0);
    expect(count(rendered.raw, 'To')).toBe(1);
    expect(parsed.date?.toISOString()).toBe(date.toISOString());
    // The address appears in To and nowhere in the bodies: nothing a subscriber typed is rendered.
    expect(parsed.text).not.toContain('new@example.net');
    expect(String(parsed.html)).not.toContain('new@example.net');
  });

  it('refuses a recipient that is not one plain mailbox', () => {
    expect(() => renderConfirmationEmail({ to: 'a@b.c, d@e.f', confirmUrl, site, mail, date, messageId: 'm@x.y' })).toThrow(
      InvalidAddressError,
    );
  });
});
