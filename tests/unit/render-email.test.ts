import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { parse as parseHtml } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import { InvalidAddressError } from '../../functions/core/errors.js';
import { renderConfirmationEmail } from '../../functions/core/render/index.js';
import { buildMessage, composerOptions, type MessageParts } from '../../functions/core/render/mime.js';
import { mail, site } from './render-fixtures.js';
import { expectWireFormat, headerCount } from './mail-helpers.js';
import { expectGolden } from './render-golden.js';

const date = new Date('2025-05-08T13:00:00.000Z');

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
    expect(headerCount(rendered.raw, 'List-Unsubscribe')).toBe(0);
    expect(headerCount(rendered.raw, 'To')).toBe(1);
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
