/**
 * Raw RFC 5322 messages from nodemailer's MailComposer, built synchronously and deterministically.
 *
 * MailComposer does the real work (address and header encoding, RFC 2047 words, folding, the MIME
 * tree, quoted-printable); its own `build()` is stream-based and asynchronous, while the renderers
 * are pure synchronous functions. So we compile the tree with MailComposer and write it out the way
 * `MimeNode#stream` does: headers, the body encoded by nodemailer's own `qp` encoder, child parts
 * between boundaries. tests/unit/render-email.test.ts checks the bytes equal `build()`'s.
 */
import { createHash } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import type MimeNode from 'nodemailer/lib/mime-node';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';

/** What a message is made of; every value already sanitised by the caller. */
export interface MessageParts {
  from: { name: string; address: string };
  to: string;
  subject: string;
  date: Date;
  /** Without angle brackets. */
  messageId: string;
  /** Extra header fields in order; each written once. */
  headers: [string, string][];
  /** Plain-text body; line breaks are normalised to CRLF here. */
  text: string;
  /** HTML body; line breaks are normalised to CRLF here. */
  html: string;
}

/** RFC 5322 wants CRLF everywhere; nodemailer passes body line breaks through as given. */
function crlf(value: string): string {
  return value.replace(/\r\n|\r|\n/g, '\r\n');
}

/**
 * The MailComposer options for `parts`. Exported for the test that compares our serialisation with
 * nodemailer's asynchronous `build()`.
 */
export function composerOptions(parts: MessageParts): ConstructorParameters<typeof MailComposer>[0] {
  const text = crlf(parts.text);
  const html = crlf(parts.html);
  return {
    from: { name: parts.from.name, address: parts.from.address },
    to: parts.to,
    subject: parts.subject,
    date: parts.date,
    messageId: `<${parts.messageId}>`,
    // nodemailer draws the boundary from random bytes unless given one. A hash of the bodies is
    // deterministic, and unlike a constant it cannot be planted in an article to split the message:
    // the content would have to contain its own hash.
    baseBoundary: createHash('sha256').update(text).update('\u0000').update(html).digest('hex').slice(0, 24),
    boundaryPrefix: '--_Gz',
    headers: parts.headers.map(([key, value]) => ({ key, value })),
    // Text first, HTML last (multipart/alternative order = preference). Quoted-printable for both:
    // readable in the raw message, and wrapped at 76 columns, far below the 998-octet line limit.
    text: { content: text, contentTransferEncoding: 'quoted-printable' },
    html: { content: html, contentTransferEncoding: 'quoted-printable' },
    // Content is inline strings only; forbid the composer from ever reading files or URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

function serialise(node: MimeNode): string {
  // buildHeaders also settles the node's transfer encoding, multipart kind and boundary.
  let out = `${node.buildHeaders()}\r\n\r\n`;
  const content = node.content;
  if (typeof content === 'string' || Buffer.isBuffer(content)) {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const encoding = node.getTransferEncoding();
    if (encoding !== 'quoted-printable') throw new Error(`unexpected transfer encoding ${String(encoding)}`);
    out += qpWrap(qpEncode(bytes), 76);
  } else if (content !== undefined && content !== null && (content as unknown) !== false) {
    throw new Error('only inline string content can be serialised synchronously');
  }
  if (node.multipart && node.boundary) {
    node.childNodes.forEach((child, index) => {
      out += `${index > 0 ? '\r\n' : ''}--${node.boundary}\r\n${serialise(child)}`;
    });
    out += `\r\n--${node.boundary}--\r\n`;
  }
  return out;
}

/** The complete message (CRLF line endings, ending in CRLF) as bytes. */
export function buildMessage(parts: MessageParts): Buffer {
  const root = new MailComposer(composerOptions(parts)).compile();
  let raw = serialise(root);
  if (!raw.endsWith('\r\n')) raw += '\r\n';
  return Buffer.from(raw, 'ascii');
}
