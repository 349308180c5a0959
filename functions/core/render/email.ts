/**
 * What every mail Gazette sends shares (the header checks, the bulk-mail List-* fields, the inline
 * styles and the size limit), and the double-opt-in confirmation (a transactional mail to one
 * address). The edition email, the one bulk mail, is in ./edition-email.ts and builds on these parts.
 * Pure: the date and every URL come in; the bytes depend on nothing else.
 */
import type { MailConfig, OutgoingMail, SiteConfig } from '../model.js';
import { InvalidAddressError } from '../errors.js';
import { checkedBaseUrl, checkedLanguage } from './links.js';
import { buildMessage } from './mime.js';
import { RenderError, html, oneLine, trusted, type HtmlValue, type SafeHtml } from './text.js';

/** Gmail clips HTML bodies beyond 102 KB; stay well clear. */
export const MAX_HTML_BYTES = 100 * 1024;

/** Input of {@link renderConfirmationEmail}. */
export interface ConfirmationEmailInput {
  /** The address to confirm: the only subscriber-supplied value that reaches the mail. */
  to: string;
  /** Link carrying the signed confirm token. */
  confirmUrl: string;
  site: SiteConfig;
  mail: MailConfig;
  date: Date;
  /** Message-ID without angle brackets, chosen by the caller (e.g. derived from the token). */
  messageId: string;
}

/**
 * A mailbox that is safe to hand to a header: one `@`, no whitespace, controls, quotes, brackets,
 * commas or semicolons (each of which could add a recipient or a header). Real validation
 * (lengths, IDN) happens at subscription time; this is the last line of defence.
 */
const SAFE_MAILBOX = /^[^\s\u0000-\u001f\u007f<>()[\]\\,;:"@]+@[^\s\u0000-\u001f\u007f<>()[\]\\,;:"@]+$/u;

/** The recipient address if it is one plain mailbox; throws `InvalidAddressError` otherwise. */
export function checkedRecipient(address: string): string {
  if (!SAFE_MAILBOX.test(address)) throw new InvalidAddressError('recipient is not a single plain mailbox');
  return address;
}

export function checkedConfigMailbox(address: string, what: string): string {
  if (!SAFE_MAILBOX.test(address) || /[^\x21-\x7e]/.test(address))
    throw new RenderError(`${what} is not a plain ASCII mailbox: ${JSON.stringify(address)}`);
  return address;
}

/** An http(s) URL for a header or link: absolute, normalised, no characters that end a `<…>` list entry. */
export function checkedLinkUrl(url: string, what: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RenderError(`${what} is not a URL`);
  }
  if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || /[^\x21-\x7e]|[<>,]/.test(parsed.href)) {
    throw new RenderError(`${what} must be an http(s) URL without spaces, commas or angle brackets`);
  }
  return parsed.href;
}

/** The lower-cased domain of an address (the right-hand side of every Message-ID we make). */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * The bulk-mail header fields, the same on every list mail: `List-Id`, exactly one `List-Unsubscribe`
 * carrying only the one-click https URL, and one `List-Unsubscribe-Post` (RFC 8058). No `mailto:`
 * target: RFC 8058 one-click needs only the https URI, Gmail's and Yahoo's bulk-sender rules ask for
 * exactly that, and a mailto to the sender would land in a mailbox no code reads (SES receiving needs
 * MX records and runs in few regions), so a reader using it would stay subscribed.
 * Checks the list id; `unsubscribeUrl` must already be checked.
 */
export function listHeaders(mail: MailConfig, unsubscribeUrl: string): [string, string][] {
  if (!/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/.test(mail.listId)) {
    throw new RenderError(`mail listId is not a dot-atom: ${JSON.stringify(mail.listId)}`);
  }
  return [
    ['List-Id', `<${mail.listId}>`],
    ['List-Unsubscribe', `<${unsubscribeUrl}>`],
    ['List-Unsubscribe-Post', 'List-Unsubscribe=One-Click'],
  ];
}

/* ---------- HTML layout: tables and inline styles, because mail clients ignore most of CSS ---------- */

/** Inline style pieces shared by every mail (clients ignore most of CSS, so styles are inline). */
export const FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
export const TEXT = `${FONT};font-size:16px;line-height:1.55;color:#1d2125`;
export const MUTED = `${FONT};font-size:14px;line-height:1.5;color:#4d5560`;
export const LINK = 'color:#0a58ca';

/** Clients that support it (Apple Mail, iOS, Outlook.com) switch to dark colours; the rest keep light ones. */
const EMAIL_HEAD_STYLE = `
:root{color-scheme:light dark;supported-color-schemes:light dark}
@media (prefers-color-scheme:dark){
.bg{background:#131517!important}
.card{background:#1d2024!important;border-color:#353a40!important}
.text,.text p,.text li,.text h1,.text h2{color:#e8e8e6!important}
.muted,.muted p{color:#b4bac2!important}
a{color:#8cb4ff!important}
}
@media (max-width:620px){.pad{padding:18px!important}}
`.trim();

function emailDocument(options: { lang: string; title: string; preheader: string; body: SafeHtml; footer: SafeHtml }): string {
  return html`<!DOCTYPE html>
<html lang="${options.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>${options.title}</title>
<style>${trusted(EMAIL_HEAD_STYLE)}</style>
</head>
<body class="bg" style="margin:0;padding:0;background:#f1f3f5">
<div style="display:none;max-height:0;overflow:hidden">${options.preheader}</div>
<table role="presentation" class="bg" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f1f3f5">
<tr><td align="center" style="padding:24px 12px">
<table role="presentation" class="card" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;background:#ffffff;border:1px solid #d9dce0;border-radius:8px">
<tr><td class="pad text" style="padding:28px;${TEXT}">
${options.body}
</td></tr>
<tr><td class="pad muted" style="padding:0 28px 28px;${MUTED}">
${options.footer}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`.value;
}

function paragraph(content: HtmlValue, style = `margin:0 0 16px;${TEXT}`): SafeHtml {
  return html`<p style="${style}">${content}</p>`;
}

function link(href: string, text: string): SafeHtml {
  return html`<a href="${href}" style="${LINK}">${text}</a>`;
}

/**
 * The double-opt-in mail: one link to confirm, a note to ignore it otherwise. Not a bulk mail, so no
 * List-* headers. The address is the only subscriber-supplied value in it (and only in `To`).
 */
export function renderConfirmationEmail(input: ConfirmationEmailInput): OutgoingMail {
  const { site, mail } = input;
  checkedBaseUrl(site);
  checkedLanguage(site);
  const to = checkedRecipient(input.to);
  const fromAddress = checkedConfigMailbox(mail.fromAddress, 'mail fromAddress');
  const confirmUrl = checkedLinkUrl(input.confirmUrl, 'confirm URL');
  if (!/^[^\s<>@\u0000-\u001f\u007f]+@[^\s<>@\u0000-\u001f\u007f]+$/.test(input.messageId) || /[^\x21-\x7e]/.test(input.messageId)) {
    throw new RenderError('confirmation messageId must look like local@domain, printable ASCII, without brackets');
  }
  const siteTitle = oneLine(site.title);
  const subject = `Confirm your subscription to ${siteTitle}`;
  const text = [
    subject,
    '',
    `Someone, hopefully you, asked to receive ${siteTitle} digests by email at this address.`,
    'To confirm, open this link:',
    '',
    confirmUrl,
    '',
    'If you did not ask for this, ignore this email: you will not hear from us again.',
    '',
    '-- ',
    `${siteTitle} (${site.baseUrl})`,
    '',
  ].join('\n');
  const body = html`<p style="margin:0 0 8px;${MUTED}">${siteTitle}</p>
<h1 style="margin:0 0 16px;${FONT};font-size:24px;line-height:1.25;color:#1d2125">Confirm your subscription</h1>
${paragraph(`Someone, hopefully you, asked to receive ${siteTitle} digests by email at this address.`)}
<p style="margin:24px 0"><a href="${confirmUrl}" style="${FONT};font-size:16px;font-weight:600;background:#0a58ca;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;display:inline-block">Confirm my subscription</a></p>
${paragraph(html`Or paste this link into your browser: ${link(confirmUrl, confirmUrl)}`, `margin:0 0 16px;${MUTED};word-break:break-all`)}`;
  const footer = paragraph('If you did not ask for this, ignore this email: you will not hear from us again.', `margin:0;${MUTED}`);
  const htmlBody = emailDocument({
    lang: site.language,
    title: subject,
    preheader: 'One click to confirm your subscription.',
    body,
    footer,
  });
  const raw = buildMessage({
    from: { name: oneLine(mail.fromName), address: fromAddress },
    to,
    subject,
    date: input.date,
    messageId: input.messageId,
    headers: [],
    text,
    html: htmlBody,
  });
  return { to, raw, messageId: input.messageId };
}
