/**
 * The edition email's words that the core decides (subject, preheader, what fits) and a plain
 * renderer of the email itself. The designed renderer of the edition-design branch replaces
 * {@link renderEditionEmail}'s layout; the subject, preheader and fitting rules stay here, so every
 * renderer and test agrees on them.
 */
import type { Digest, MailConfig, OutgoingMail, SiteConfig } from '../model.js';
import { digestPlainText, summaryText } from '../render/digest-content.js';
import { checkedConfigMailbox, checkedLinkUrl, checkedRecipient, MAX_HTML_BYTES } from '../render/email.js';
import { checkedBaseUrl, checkedLanguage, digestUrl, editionUrl } from '../render/links.js';
import { buildMessage } from '../render/mime.js';
import { html, oneLine, RenderError, type SafeHtml } from '../render/text.js';
import type { Edition } from './edition.js';

/** Digests an edition email shows in full when no cap is given (the `editionMaxItems` setting's default). */
export const DEFAULT_EDITION_MAX_ITEMS = 20;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "1 Dec": the calendar date written in the edition's date (its site-time-zone offset), by hand, not ICU. */
export function editionDay(edition: Pick<Edition, 'date'>): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(edition.date);
  if (!match) throw new RenderError(`edition date is not ISO 8601: ${JSON.stringify(edition.date)}`);
  return `${Number(match[3])} ${MONTHS[Number(match[2]) - 1]}`;
}

/** "Gazette · 1 Dec: Xi and Putin hold talks in Moscow, and 4 more" (`[Test] ` first for a test send). */
export function editionSubject(edition: Edition, site: Pick<SiteConfig, 'title'>, options: { test?: boolean } = {}): string {
  const lead = edition.digests[0];
  if (!lead) throw new RenderError(`edition ${edition.id} has no digests`);
  const more = edition.digests.length - 1;
  const subject = `${oneLine(site.title)} · ${editionDay(edition)}: ${oneLine(lead.headline)}${more > 0 ? `, and ${more} more` : ''}`;
  return options.test ? `[Test] ${subject}` : subject;
}

/**
 * The inbox preview line: the other headlines when there are several, the lead's summary when it is
 * alone. Never the subject again (clients show both side by side).
 */
export function editionPreheader(edition: Edition): string {
  const [lead, ...rest] = edition.digests;
  if (!lead) throw new RenderError(`edition ${edition.id} has no digests`);
  const text = rest.length > 0 ? `Also: ${rest.map((digest) => oneLine(digest.headline)).join(' · ')}` : summaryText(lead);
  const preheader = text.length > 200 ? `${text.slice(0, 199).replace(/\s+\S*$/, '')}…` : text;
  return preheader.length > 0 ? preheader : `${edition.digests.length} new in this edition`;
}

/** How much of each item an email shows: everything, then less, as the HTML nears Gmail's clip. */
export type ItemDetail = 'full' | 'summary' | 'headline';
const DETAILS: readonly ItemDetail[] = ['full', 'summary', 'headline'];

/** Input of {@link renderEditionEmail}. */
export interface EditionEmailInput {
  /** This subscriber's copy of the edition (its digests are what the copy carries). */
  edition: Edition;
  subscriberId: string;
  to: string;
  site: SiteConfig;
  mail: MailConfig;
  unsubscribeUrl: string;
  /** Signed link to the page where the subscriber changes cadence. */
  manageUrl: string;
  /** The Date header (the run's clock). */
  date: Date;
  /** Digests shown in full; the rest are "and N more" (default: the `editionMaxItems` setting's). */
  maxItems?: number;
  /** A test send: subject marked "[Test]", Message-ID of its own. */
  test?: boolean;
}

function itemHtml(digest: Digest, site: SiteConfig, detail: ItemDetail): SafeHtml {
  const permalink = digestUrl(site, digest);
  const points = detail === 'full' ? digest.keyPoints.map((point) => oneLine(point)).filter(Boolean) : [];
  const summary = detail === 'headline' ? '' : detail === 'full' ? summaryText(digest) : oneLine(digest.summary[0] ?? '');
  return html`<h2 style="margin:24px 0 8px;font-size:20px;line-height:1.3"><a href="${permalink}">${oneLine(digest.headline)}</a></h2>
${summary ? html`<p style="margin:0 0 12px">${summary}</p>` : ''}${points.length > 0 ? html`<ul>${points.map((point) => html`<li>${point}</li>`)}</ul>` : ''}`;
}

function itemText(digest: Digest, site: SiteConfig, detail: ItemDetail): string {
  const body = detail === 'full' ? digestPlainText(digest) : detail === 'summary' ? oneLine(digest.summary[0] ?? '') : '';
  return [oneLine(digest.headline), ...(body ? [body] : []), digestUrl(site, digest), ''].join('\n');
}

function documentHtml(input: EditionEmailInput, shown: readonly Digest[], detail: ItemDetail, subject: string): string {
  const { edition, site } = input;
  const more = edition.digests.length - shown.length;
  const page = editionUrl(site, edition);
  return html`<!DOCTYPE html>
<html lang="${site.language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${subject}</title></head>
<body style="margin:0 auto;max-width:600px;padding:16px;font-family:sans-serif;font-size:16px;line-height:1.5">
<div style="display:none;max-height:0;overflow:hidden">${editionPreheader(edition)}</div>
<p>${oneLine(site.title)} · ${editionDay(edition)}</p>
${shown.map((digest) => itemHtml(digest, site, detail))}
${more > 0 ? html`<p><a href="${page}">And ${more} more</a> in this edition on the web.</p>` : ''}
<p><a href="${page}">Read this edition on the web</a></p>
<hr><p style="font-size:14px">You get this email because you subscribed to <a href="${site.baseUrl}">${oneLine(site.title)}</a>.
<a href="${input.manageUrl}">Change how often</a> · <a href="${input.unsubscribeUrl}">Unsubscribe</a> with one click.</p>
</body></html>
`.value;
}

/**
 * Chooses how many items to show and in how much detail so the HTML stays under {@link MAX_HTML_BYTES}:
 * at most `maxItems`, then less of each item, then fewer items (the rest join "and N more").
 */
export function fitEdition(input: EditionEmailInput, subject: string): { shown: Digest[]; detail: ItemDetail; htmlBody: string } {
  const maxItems = input.maxItems ?? DEFAULT_EDITION_MAX_ITEMS;
  for (let count = Math.min(maxItems, input.edition.digests.length); count >= 1; count = Math.floor(count * 0.75)) {
    const shown = input.edition.digests.slice(0, count);
    for (const detail of DETAILS) {
      const htmlBody = documentHtml(input, shown, detail, subject);
      if (Buffer.byteLength(htmlBody, 'utf8') <= MAX_HTML_BYTES) return { shown, detail, htmlBody };
    }
  }
  throw new RenderError(`edition ${input.edition.id} email HTML exceeds ${MAX_HTML_BYTES} bytes even with one headline`);
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * One subscriber's copy of an edition: multipart/alternative (text, then HTML), the same List-* headers
 * as every bulk mail, Message-ID `<period.subscriber@domain>` (`test-` first for a test send).
 */
export function renderEditionEmail(input: EditionEmailInput): OutgoingMail {
  const { edition, site, mail } = input;
  checkedBaseUrl(site);
  checkedLanguage(site);
  const to = checkedRecipient(input.to);
  const fromAddress = checkedConfigMailbox(mail.fromAddress, 'mail fromAddress');
  const unsubscribeMailbox = checkedConfigMailbox(mail.unsubscribeMailbox, 'mail unsubscribeMailbox');
  const unsubscribeUrl = checkedLinkUrl(input.unsubscribeUrl, 'unsubscribe URL');
  checkedLinkUrl(input.manageUrl, 'manage URL');
  if (!/^[A-Za-z0-9_-]+$/.test(input.subscriberId)) throw new RenderError('subscriber id must be URL-safe characters only');
  const subject = editionSubject(edition, site, { test: input.test ?? false });
  const { shown, detail, htmlBody } = fitEdition(input, subject);
  const more = edition.digests.length - shown.length;
  const page = editionUrl(site, edition);
  const text = [
    `${oneLine(site.title)} · ${editionDay(edition)}`,
    '',
    ...shown.map((digest) => itemText(digest, site, detail)),
    ...(more > 0 ? [`And ${more} more in this edition: ${page}`, ''] : []),
    `Read this edition on the web: ${page}`,
    '',
    '-- ',
    `You get this email because you subscribed to ${oneLine(site.title)} (${site.baseUrl}).`,
    `Change how often: ${input.manageUrl}`,
    `Unsubscribe: ${unsubscribeUrl}`,
    '',
  ].join('\n');
  const messageId = `${input.test ? 'test-' : ''}${edition.period}.${input.subscriberId}@${domainOf(fromAddress)}`;
  const raw = buildMessage({
    from: { name: oneLine(mail.fromName), address: fromAddress },
    to,
    subject,
    date: input.date,
    messageId,
    headers: [
      ['List-Id', `<${mail.listId}>`],
      ['List-Unsubscribe', `<${unsubscribeUrl}>, <mailto:${unsubscribeMailbox}?subject=unsubscribe>`],
      ['List-Unsubscribe-Post', 'List-Unsubscribe=One-Click'],
    ],
    text,
    html: htmlBody,
  });
  return { to, raw, messageId };
}
