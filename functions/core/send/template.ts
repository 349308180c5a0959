/**
 * A delivery's mail rendered once, personalised per recipient. A renderer that builds its message parts
 * from a recipient's address, id and links (the edition email's, see `editionTemplate` in
 * core/publish/deliver-edition.ts) is run with placeholder values; the result is cut at the placeholders into a
 * template that is plain JSON, so it can travel in a queue message, and each recipient's mail is the
 * template with their values put back: the same bytes the renderer makes for them, without rendering
 * the content again.
 */
import { GazetteError } from '../errors.js';
import type { OutgoingMail } from '../model.js';
import { checkedLinkUrl, checkedRecipient } from '../render/email.js';
import { buildMessage, type MessageParts } from '../render/mime.js';
import { RenderError, escapeText } from '../render/text.js';

/** What differs from one recipient of a delivery to the next. */
export interface RecipientParts {
  /** The confirmed address. */
  to: string;
  /** Opaque subscriber id (URL-safe); part of the Message-ID. */
  subscriberId: string;
  /** One-click unsubscribe URL carrying the subscriber's signed token. */
  unsubscribeUrl: string;
  /** The signed page where the subscriber changes cadence and time. */
  manageUrl: string;
}

/** A recipient-specific value in a template. */
export type Slot = keyof RecipientParts;

/** Literal text, or the place of a recipient's value. */
export type Piece = string | { slot: Slot };

/** A rendered mail with its recipient's values left open; JSON-serialisable. */
export interface MailTemplate {
  from: { name: string; address: string };
  to: Piece[];
  subject: Piece[];
  /** The Date header, ISO 8601 (the run's clock). */
  date: string;
  messageId: Piece[];
  headers: [string, Piece[]][];
  text: Piece[];
  /** HTML body: a slot here is filled with the HTML-escaped value. */
  html: Piece[];
}

/** Two sets of placeholders: content that happens to contain one shows up as a difference between the renders. */
const PLACEHOLDERS: [RecipientParts, RecipientParts] = [
  {
    to: 'recipient-a@placeholder.invalid',
    subscriberId: 'placeholderSubscriberA',
    unsubscribeUrl: 'https://placeholder-a.invalid/u',
    manageUrl: 'https://placeholder-a.invalid/m',
  },
  {
    to: 'recipient-b@placeholder.invalid',
    subscriberId: 'placeholderSubscriberB',
    unsubscribeUrl: 'https://placeholder-b.invalid/u',
    manageUrl: 'https://placeholder-b.invalid/m',
  },
];
const SLOTS: Slot[] = ['unsubscribeUrl', 'manageUrl', 'subscriberId', 'to'];

/**
 * Renders once (twice, to check) with placeholder recipient parts and returns the template. Throws
 * `RenderError` when the renderer does, or when the content itself contains a placeholder (the two
 * renders then cut differently), so a template can never leak one recipient's slot into literal text.
 */
export function mailTemplateOf(render: (recipient: RecipientParts) => MessageParts): MailTemplate {
  const [first, second] = PLACEHOLDERS.map((placeholders) => templateFrom(render(placeholders), placeholders));
  if (JSON.stringify(first) !== JSON.stringify(second))
    throw new RenderError(
      'two renders of the mail differ: its content contains a recipient placeholder, or the renderer is not deterministic',
    );
  return first!;
}

function templateFrom(parts: MessageParts, placeholders: RecipientParts): MailTemplate {
  const cut = (value: string, escape: (text: string) => string = (text) => text): Piece[] => {
    let pieces: Piece[] = [value];
    for (const slot of SLOTS) {
      const marker = escape(placeholders[slot]);
      pieces = pieces.flatMap((piece) => (typeof piece === 'string' ? splitAt(piece, marker, slot) : [piece]));
    }
    return pieces.filter((piece) => piece !== '');
  };
  return {
    from: parts.from,
    to: cut(parts.to),
    subject: cut(parts.subject),
    date: parts.date.toISOString(),
    messageId: cut(parts.messageId),
    headers: parts.headers.map(([name, value]) => [name, cut(value)]),
    text: cut(parts.text),
    html: cut(parts.html, escapeText),
  };
}

function splitAt(text: string, marker: string, slot: Slot): Piece[] {
  const out: Piece[] = [];
  text.split(marker).forEach((literal, index) => {
    if (index > 0) out.push({ slot });
    out.push(literal);
  });
  return out;
}

/** The recipient's values, checked the way the renderer checks them (they bypass it here). */
function checkedRecipientParts(recipient: RecipientParts): RecipientParts {
  if (!/^[A-Za-z0-9_-]+$/.test(recipient.subscriberId)) throw new RenderError('subscriber id must be URL-safe characters only');
  return {
    to: checkedRecipient(recipient.to),
    subscriberId: recipient.subscriberId,
    unsubscribeUrl: checkedLinkUrl(recipient.unsubscribeUrl, 'unsubscribe URL'),
    manageUrl: checkedLinkUrl(recipient.manageUrl, 'manage URL'),
  };
}

/**
 * One recipient's mail from the template. Throws `InvalidAddressError` for an address that is not one
 * plain mailbox (one failed recipient, never a failed run), `RenderError` for a malformed template.
 */
export function personalise(template: MailTemplate, recipient: RecipientParts): OutgoingMail {
  const values = checkedRecipientParts(recipient);
  const fill = (pieces: Piece[], escape: (text: string) => string = (text) => text): string =>
    pieces.map((piece) => (typeof piece === 'string' ? piece : escape(values[piece.slot]))).join('');
  const date = new Date(template.date);
  if (Number.isNaN(date.getTime())) throw new RenderError('mail template has no valid date');
  const parts: MessageParts = {
    from: template.from,
    to: fill(template.to),
    subject: fill(template.subject),
    date,
    messageId: fill(template.messageId),
    headers: template.headers.map(([name, value]) => [name, fill(value)]),
    text: fill(template.text),
    html: fill(template.html, escapeText),
  };
  return { to: parts.to, raw: buildMessage(parts), messageId: parts.messageId };
}

/** A template that is not the shape {@link mailTemplateOf} makes (a corrupt or foreign queue message). */
export class MalformedTemplateError extends GazetteError {}

/** Checks the shape of a template read back from JSON (a queue message); throws `MalformedTemplateError`. */
export function checkedTemplate(value: unknown): MailTemplate {
  const isPieces = (pieces: unknown): pieces is Piece[] =>
    Array.isArray(pieces) &&
    pieces.every(
      (piece) =>
        typeof piece === 'string' || (typeof piece === 'object' && piece !== null && SLOTS.includes((piece as { slot: Slot }).slot)),
    );
  const t = value as MailTemplate;
  const ok =
    typeof t === 'object' &&
    t !== null &&
    typeof t.from?.name === 'string' &&
    typeof t.from?.address === 'string' &&
    typeof t.date === 'string' &&
    [t.to, t.subject, t.messageId, t.text, t.html].every(isPieces) &&
    Array.isArray(t.headers) &&
    t.headers.every((header) => Array.isArray(header) && typeof header[0] === 'string' && isPieces(header[1]));
  if (!ok) throw new MalformedTemplateError('mail template has an unexpected shape');
  return t;
}
