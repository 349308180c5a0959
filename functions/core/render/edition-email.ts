/**
 * The edition email: every digest of an edition in one message, laid out like a newsletter people are
 * glad to open (publication and date on top, a table of contents for long editions, one clear block per
 * digest, a "Read on the web" button, a footer that says why the reader gets it and how to change that).
 *
 * Pure: the edition, the recipient's links and the settings come in; the bytes depend on nothing else.
 * Per recipient only the links (and the To header) differ: {@link editionEmailParts} builds the parts
 * (what `gazette preview` writes as .html), {@link editionMail} turns them into the raw message for one
 * address, and {@link renderEditionEmail} does both for one subscriber.
 */
import { createHash } from 'node:crypto';
import type { Edition } from '../editions/edition.js';
import type { Digest, MailConfig, OutgoingMail, SiteConfig } from '../model.js';
import { SETTING_DEFAULTS } from '../settings.js';
import { digestSource, readingTime, sourceLink, summaryText } from './digest-content.js';
import {
  FONT,
  LINK,
  MAX_HTML_BYTES,
  MUTED,
  TEXT,
  checkedConfigMailbox,
  checkedLinkUrl,
  checkedRecipient,
  domainOf,
  listHeaders,
} from './email.js';
import { checkedBaseUrl, checkedLanguage, digestUrl, editionUrl } from './links.js';
import { buildMessage, type MessageParts } from './mime.js';
import { RenderError, calendarDay, html, longDay, oneLine, shortDay, trusted, type SafeHtml } from './text.js';

/**
 * Where shortening starts: 90 KiB, a margin under the hard {@link MAX_HTML_BYTES} (100 KiB) and Gmail's
 * 102 KB clip, because clients and forwarding add markup of their own and the clip is not measured the
 * same way everywhere.
 */
export const EDITION_HTML_BUDGET = 90 * 1024;

/** The links that differ per recipient, each carrying the subscriber's signed token. */
export interface RecipientLinks {
  /** One-click unsubscribe (RFC 8058 POST target and the visible link), as the digest email uses it. */
  unsubscribeUrl: string;
  /** The signed page where the subscriber changes cadence (or unsubscribes). */
  manageUrl: string;
}

/** How much of a digest an edition email shows; lower levels are used only to stay under the size limit. */
export type ItemDetail = 'full' | 'no-key-points' | 'first-sentence' | 'headline';

const DETAILS: readonly ItemDetail[] = ['full', 'no-key-points', 'first-sentence', 'headline'];

/** Everything of an edition email except the recipient: what {@link editionMail} needs, plus what preview shows. */
export interface EditionEmailParts {
  subject: string;
  /** The hidden preview line inbox lists show after the subject; never the subject again. */
  preheader: string;
  text: string;
  html: string;
  from: { name: string; address: string };
  /** List-Id, List-Unsubscribe, List-Unsubscribe-Post, in that order. */
  headers: [string, string][];
  /** Left part of every copy's Message-ID, derived from the edition id. */
  messageIdPrefix: string;
  /** Digests shown (each with the detail it got) and how many went into "and N more". */
  layout: { shown: { id: string; detail: ItemDetail }[]; more: number };
}

/** A digest as the email shows it. */
interface Item {
  digest: Digest;
  index: number;
  detail: ItemDetail;
}

/** What every part of the layout needs. */
interface Frame {
  edition: Edition;
  site: SiteConfig;
  siteTitle: string;
  pageUrl: string;
  dayLong: string;
  links: RecipientLinks;
  postalAddress: string | undefined;
  total: number;
}

function checkedEdition(edition: Edition): void {
  if (edition.digests.length === 0)
    throw new RenderError(`edition ${JSON.stringify(edition.id)} has no digests: an empty period sends nothing`);
}

/**
 * "Gazette · 1 Dec: Xi and Putin hold talks in Moscow, and 4 more" (one digest: no "and"); a test
 * send starts with "[Test] ". The day is the one written in `edition.date`.
 */
export function editionSubject(edition: Edition, site: Pick<SiteConfig, 'title'>, options: { test?: boolean } = {}): string {
  checkedEdition(edition);
  const lead = oneLine(edition.digests[0]!.headline);
  const others = edition.digests.length - 1;
  const day = shortDay(calendarDay(edition.date, `edition ${edition.id} date`));
  const subject = `${oneLine(site.title)} · ${day}: ${lead}${others > 0 ? `, and ${others} more` : ''}`;
  return options.test ? `[Test] ${subject}` : subject;
}

/**
 * The preview line: for one digest its first summary sentence, for more the next headlines, which
 * tell a reader what else is inside without repeating the subject.
 */
export function editionPreheader(edition: Edition): string {
  checkedEdition(edition);
  const [lead, ...rest] = edition.digests;
  if (rest.length === 0) return oneLine(lead!.summary[0] ?? '') || summaryText(lead!);
  const named = rest.slice(0, 2).map((digest) => oneLine(digest.headline));
  const unnamed = rest.length - named.length;
  return `Also inside: ${named.join(' · ')}${unnamed > 0 ? ` · and ${unnamed} more` : ''}`;
}

function cadenceReason(edition: Edition, siteTitle: string): string {
  const what = {
    instant: `an email whenever ${siteTitle} publishes new digests`,
    daily: `the daily edition of ${siteTitle}`,
    weekly: `the weekly edition of ${siteTitle}`,
  };
  return `You get ${what[edition.cadence]} because you subscribed at`;
}

/* ---------- HTML ---------- */

const HEADING = `${FONT};color:#1d2125`;

/** Dark colours for clients that support it (Apple Mail, iOS, Outlook.com); the rest keep the light ones. */
const EDITION_HEAD_STYLE = `
:root{color-scheme:light dark;supported-color-schemes:light dark}
@media (prefers-color-scheme:dark){
.bg{background:#131517!important}
.card{background:#1d2024!important;border-color:#353a40!important}
.rule{border-color:#353a40!important}
.text,.text p,.text li,.text h1,.text h2,.hl{color:#e8e8e6!important}
.muted,.muted p,.text .muted{color:#b4bac2!important}
a{color:#8cb4ff!important}
a.hl{color:#e8e8e6!important}
a.btn{background:#8cb4ff!important;color:#131517!important}
}
@media (max-width:620px){.pad{padding-left:18px!important;padding-right:18px!important}h1{font-size:24px!important}}
`.trim();

/** A run of invisible characters after the preheader, so clients do not pad the preview with body text. */
const PREHEADER_PADDING = trusted('&#847;&zwnj;&nbsp;'.repeat(40));

/** A link; `className` lets the dark-mode style sheet recolour it (headlines keep the text colour). */
function link(href: string, text: string, style = LINK, className?: string): SafeHtml {
  return className
    ? html`<a class="${className}" href="${href}" style="${style}">${text}</a>`
    : html`<a href="${href}" style="${style}">${text}</a>`;
}

/** Headline-coloured link: no underline needed, it is the only content of its heading. */
const HEADLINE_LINK = 'color:#1d2125;text-decoration:none';

function itemMeta(digest: Digest): SafeHtml {
  const source = digestSource(digest);
  return html`<p class="muted" style="margin:0 0 6px;${MUTED}">${source ? html`From ${link(source.url, source.label)} · ` : ''}${readingTime(digest)}</p>`;
}

function itemBody(digest: Digest, detail: ItemDetail): SafeHtml {
  if (detail === 'headline') return html``;
  const summary = detail === 'first-sentence' ? oneLine(digest.summary[0] ?? '') : summaryText(digest);
  const keyPoints = detail === 'full' ? digest.keyPoints.map((point) => oneLine(point)).filter(Boolean) : [];
  return html`${summary ? html`<p dir="auto" style="margin:0 0 12px;${TEXT}">${summary}</p>\n` : ''}${
    keyPoints.length > 0
      ? html`<ul style="margin:0 0 12px;padding-left:22px;${TEXT}">${keyPoints.map((point) => html`<li dir="auto" style="margin:0 0 4px">${point}</li>`)}</ul>\n`
      : ''
  }`;
}

function itemHtml(frame: Frame, item: Item): SafeHtml {
  const { digest, index } = item;
  const permalink = digestUrl(frame.site, digest);
  const original = sourceLink(digest);
  const size = index === 0 ? 22 : 19;
  const border = index === 0 ? '' : 'border-top:1px solid #d9dce0;';
  return html`<div id="item-${index + 1}" class="rule" style="${border}padding:${index === 0 ? '4px' : '20px'} 0 8px">
<h2 dir="auto" style="margin:0 0 6px;${HEADING};font-size:${size}px;line-height:1.3">${link(permalink, oneLine(digest.headline), HEADLINE_LINK, 'hl')}</h2>
${itemMeta(digest)}
${itemBody(digest, item.detail)}<p class="muted" style="margin:0 0 12px;${MUTED}">${link(permalink, 'Read the digest')}${original ? html` · ${link(original, 'Original article')}` : ''}</p>
</div>`;
}

function tableOfContents(frame: Frame, items: readonly Item[]): SafeHtml {
  if (frame.total <= 3) return html``;
  return html`<div class="rule" style="margin:0 0 8px;padding:0 0 12px;border-bottom:1px solid #d9dce0">
<p class="muted" style="margin:0 0 6px;${MUTED};font-weight:600">In this edition</p>
<ol style="margin:0;padding-left:22px;${TEXT}">${items.map((item) => html`<li dir="auto" style="margin:0 0 4px">${link(`#item-${item.index + 1}`, oneLine(item.digest.headline))}</li>`)}</ol>
</div>
`;
}

function moreAndButton(frame: Frame, more: number): SafeHtml {
  const moreLine =
    more > 0
      ? html`<p style="margin:8px 0 0;${TEXT}">${link(frame.pageUrl, `And ${more} more ${more === 1 ? 'digest' : 'digests'} in this edition`)}</p>\n`
      : '';
  return html`${moreLine}<p style="margin:20px 0 4px"><a class="btn" href="${frame.pageUrl}" style="${FONT};font-size:16px;font-weight:600;background:#0a58ca;color:#ffffff;text-decoration:none;padding:12px 22px;border-radius:6px;display:inline-block">Read on the web</a></p>`;
}

function footerHtml(frame: Frame): SafeHtml {
  const style = `margin:0 0 8px;${MUTED}`;
  return html`<p style="${style}">${cadenceReason(frame.edition, frame.siteTitle)} ${link(frame.site.baseUrl, new URL(frame.site.baseUrl).host)}.</p>
<p style="${style}">${link(frame.links.manageUrl, 'Manage your subscription')} (how often you get it) · ${link(frame.links.unsubscribeUrl, 'Unsubscribe')} with one click, no login needed.</p>
${frame.postalAddress ? html`<p style="margin:0;${MUTED}">${frame.siteTitle} · ${frame.postalAddress}</p>` : ''}`;
}

function documentHtml(frame: Frame, subject: string, preheader: string, items: readonly Item[], more: number): string {
  return html`<!DOCTYPE html>
<html lang="${frame.site.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>${subject}</title>
<style>${trusted(EDITION_HEAD_STYLE)}</style>
</head>
<body class="bg" style="margin:0;padding:0;background:#f1f3f5">
<div style="display:none;max-height:0;overflow:hidden">${preheader}${PREHEADER_PADDING}</div>
<table role="presentation" class="bg" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f1f3f5">
<tbody><tr><td align="center" style="padding:24px 8px">
<table role="presentation" class="card" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;background:#ffffff;border:1px solid #d9dce0;border-radius:8px">
<tbody><tr><td class="pad text" style="padding:24px 28px 16px;border-bottom:3px solid #0a58ca;${TEXT}">
<h1 style="margin:0;${HEADING};font-size:28px;line-height:1.2">${link(frame.site.baseUrl, frame.siteTitle, HEADLINE_LINK, 'hl')}</h1>
<p class="muted" style="margin:4px 0 0;${MUTED}">${frame.dayLong} · ${frame.total} ${frame.total === 1 ? 'digest' : 'digests'}</p>
</td></tr>
<tr><td class="pad text" style="padding:20px 28px 8px;${TEXT}">
${tableOfContents(frame, items)}${items.map((item) => html`${itemHtml(frame, item)}\n`)}${moreAndButton(frame, more)}
</td></tr>
<tr><td class="pad muted rule" style="padding:20px 28px 24px;border-top:1px solid #d9dce0;${MUTED}">
${footerHtml(frame)}
</td></tr></tbody>
</table>
</td></tr></tbody>
</table>
</body>
</html>
`.value;
}

/* ---------- text ---------- */

function itemText(frame: Frame, item: Item): string {
  const { digest } = item;
  const source = digestSource(digest);
  const original = sourceLink(digest);
  const lines = [`${item.index + 1}. ${oneLine(digest.headline)}`, `${source ? `From ${source.label} · ` : ''}${readingTime(digest)}`, ''];
  if (item.detail !== 'headline') {
    const summary = item.detail === 'first-sentence' ? oneLine(digest.summary[0] ?? '') : summaryText(digest);
    if (summary) lines.push(summary, '');
  }
  const keyPoints = item.detail === 'full' ? digest.keyPoints.map((point) => oneLine(point)).filter(Boolean) : [];
  if (keyPoints.length > 0) lines.push(...keyPoints.map((point) => `  * ${point}`), '');
  lines.push(`Read the digest: ${digestUrl(frame.site, digest)}`);
  if (original) lines.push(`Original article: ${original}`);
  return lines.join('\n');
}

function documentText(frame: Frame, items: readonly Item[], more: number): string {
  const title = `${frame.siteTitle} · ${frame.dayLong}`;
  const parts = [`${title}\n${'='.repeat(Math.min(title.length, 72))}`];
  if (frame.total > 3)
    parts.push(['In this edition:', ...items.map((item) => `  ${item.index + 1}. ${oneLine(item.digest.headline)}`)].join('\n'));
  parts.push(items.map((item) => itemText(frame, item)).join('\n\n----\n\n'));
  if (more > 0) parts.push(`And ${more} more ${more === 1 ? 'digest' : 'digests'} in this edition: ${frame.pageUrl}`);
  parts.push(`Read on the web: ${frame.pageUrl}`);
  const footer = [
    '-- ',
    `${cadenceReason(frame.edition, frame.siteTitle)} ${frame.site.baseUrl}`,
    `Manage your subscription (how often you get it): ${frame.links.manageUrl}`,
    `Unsubscribe with one click: ${frame.links.unsubscribeUrl}`,
    ...(frame.postalAddress ? [`${frame.siteTitle} · ${frame.postalAddress}`] : []),
  ];
  return `${parts.join('\n\n')}\n\n${footer.join('\n')}\n`;
}

/* ---------- fitting under the clipping limit ---------- */

/**
 * The order items are shortened in, step by step: every item but the lead loses its key points (the
 * last first), then its summary beyond the first sentence, then its summary; only then the lead does.
 */
function shorteningSteps(count: number): { index: number; detail: ItemDetail }[] {
  const steps: { index: number; detail: ItemDetail }[] = [];
  for (const detail of DETAILS.slice(1)) for (let index = count - 1; index >= 1; index -= 1) steps.push({ index, detail });
  for (const detail of DETAILS.slice(1)) steps.push({ index: 0, detail });
  return steps;
}

/**
 * The detail of each shown item so the HTML stays within `budget` bytes ({@link shorteningSteps}).
 * The document is the frame plus one fragment per item, so each step is measured on its fragment
 * rather than by re-rendering everything; the caller checks the final document.
 */
function fitDetails(frame: Frame, digests: readonly Digest[], budget: number, render: (items: Item[]) => string): Item[] {
  const items: Item[] = digests.map((digest, index) => ({ digest, index, detail: 'full' }));
  const bytes = (item: Item): number => Buffer.byteLength(itemHtml(frame, item).value, 'utf8');
  let total = Buffer.byteLength(render(items), 'utf8');
  for (const step of shorteningSteps(items.length)) {
    if (total <= budget) break;
    const item = items[step.index]!;
    const before = bytes(item);
    item.detail = step.detail;
    total += bytes(item) - before;
  }
  return items;
}

/**
 * A Message-ID-safe form of the edition id: `edition:daily:2025-12-01-0700-daily` becomes
 * `edition.daily.2025-12-01-0700-daily`; anything that would still be unsafe becomes a hash of it.
 */
function messageIdPrefix(editionId: string): string {
  const dotted = editionId.replace(/:/g, '.');
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(dotted) && !dotted.includes('..')) return dotted;
  return `edition.${createHash('sha256').update(editionId, 'utf8').digest('hex').slice(0, 24)}`;
}

/**
 * The edition email for one recipient's links: subject ({@link editionSubject}), preheader
 * ({@link editionPreheader}), text and HTML parts and the list headers the digest email carries.
 * At most `mail.editionMaxItems` digests in full (default 20), the rest as "and N more" linking to the
 * edition page; items are shortened until the HTML fits {@link EDITION_HTML_BUDGET} (it never exceeds
 * {@link MAX_HTML_BYTES}). Throws `RenderError`
 * for an empty edition, bad settings or links.
 */
export function editionEmailParts(edition: Edition, links: RecipientLinks, site: SiteConfig, mail: MailConfig): EditionEmailParts {
  checkedEdition(edition);
  checkedBaseUrl(site);
  checkedLanguage(site);
  const checkedLinks = {
    unsubscribeUrl: checkedLinkUrl(links.unsubscribeUrl, 'unsubscribe URL'),
    manageUrl: checkedLinkUrl(links.manageUrl, 'manage URL'),
  };
  const headers = listHeaders(mail, checkedLinks.unsubscribeUrl);
  const fromAddress = checkedConfigMailbox(mail.fromAddress, 'mail fromAddress');
  const maxItems = mail.editionMaxItems ?? SETTING_DEFAULTS.editionMaxItems;
  const frame: Frame = {
    edition,
    site,
    siteTitle: oneLine(site.title),
    pageUrl: editionUrl(site, edition),
    dayLong: longDay(calendarDay(edition.date, `edition ${edition.id} date`)),
    links: checkedLinks,
    postalAddress: mail.postalAddress ? oneLine(mail.postalAddress) : undefined,
    total: edition.digests.length,
  };
  const subject = editionSubject(edition, site);
  const preheader = editionPreheader(edition);
  let shown = edition.digests.slice(0, Math.max(1, maxItems));
  const render = (items: Item[]) => documentHtml(frame, subject, preheader, items, edition.digests.length - items.length);
  let items = fitDetails(frame, shown, EDITION_HTML_BUDGET, render);
  // Only headlines left and still too big (a very high cap): move the tail into "and N more".
  while (Buffer.byteLength(render(items), 'utf8') > EDITION_HTML_BUDGET && shown.length > 1) {
    shown = shown.slice(0, Math.ceil(shown.length * 0.8));
    items = fitDetails(frame, shown, EDITION_HTML_BUDGET, render);
  }
  const htmlBody = render(items);
  if (Buffer.byteLength(htmlBody, 'utf8') > MAX_HTML_BYTES)
    throw new RenderError(`edition ${edition.id} email HTML exceeds ${MAX_HTML_BYTES} bytes`);
  const more = edition.digests.length - items.length;
  return {
    subject,
    preheader,
    text: documentText(frame, items, more),
    html: htmlBody,
    from: { name: oneLine(mail.fromName), address: fromAddress },
    headers,
    messageIdPrefix: messageIdPrefix(edition.id),
    layout: { shown: items.map((item) => ({ id: item.digest.id, detail: item.detail })), more },
  };
}

/** The recipient side of an edition email. */
export interface EditionRecipient {
  /** The confirmed address. */
  to: string;
  /** Opaque subscriber id (URL-safe characters); part of the Message-ID. */
  subscriberId: string;
  /** The Date header (the run's clock). */
  date: Date;
  /** A test send (`gazette send-test`): subject marked "[Test]", Message-ID apart from real copies. */
  test?: boolean;
}

/**
 * The raw message of `parts` for one recipient, with a deterministic Message-ID
 * `<edition.<id>.<subscriberId>@sender-domain>` (one per edition and subscriber, so a retried send
 * is recognisably the same mail). Throws `InvalidAddressError` for a recipient that is not one plain
 * mailbox, `RenderError` for an unsafe subscriber id.
 */
export function editionMail(parts: EditionEmailParts, recipient: EditionRecipient): OutgoingMail {
  const message = editionMessageParts(parts, recipient);
  return { to: message.to, raw: buildMessage(message), messageId: message.messageId };
}

/**
 * The MIME parts of {@link editionMail} before they are built into bytes: what the sending engine's
 * `mailTemplateOf` cuts into a template shared by every recipient of the same digests. Same checks.
 */
export function editionMessageParts(parts: EditionEmailParts, recipient: EditionRecipient): MessageParts {
  const to = checkedRecipient(recipient.to);
  if (!/^[A-Za-z0-9_-]+$/.test(recipient.subscriberId)) throw new RenderError('subscriber id must be URL-safe characters only');
  const messageId = `${parts.messageIdPrefix}.${recipient.test ? 'test.' : ''}${recipient.subscriberId}@${domainOf(parts.from.address)}`;
  return {
    from: parts.from,
    to,
    subject: recipient.test ? `[Test] ${parts.subject}` : parts.subject,
    date: recipient.date,
    messageId,
    headers: parts.headers,
    text: parts.text,
    html: parts.html,
  };
}

/** Input of {@link renderEditionEmail}: one subscriber's copy of an edition. */
export interface EditionEmailInput extends RecipientLinks, EditionRecipient {
  edition: Edition;
  site: SiteConfig;
  mail: MailConfig;
}

/**
 * The edition email for one subscriber, ready for any mailer: {@link editionEmailParts} with their
 * links, then {@link editionMail}. Throws `InvalidAddressError` for a recipient that is not one plain
 * mailbox, `RenderError` for an empty edition or bad settings, links or subscriber id.
 */
export function renderEditionEmail(input: EditionEmailInput): OutgoingMail {
  const parts = editionEmailParts(
    input.edition,
    { unsubscribeUrl: input.unsubscribeUrl, manageUrl: input.manageUrl },
    input.site,
    input.mail,
  );
  return editionMail(parts, { to: input.to, subscriberId: input.subscriberId, date: input.date, test: input.test });
}
