/**
 * Bytes of a feed to text. The order of evidence, most reliable first:
 * 1. a byte order mark (UTF-8, UTF-16 LE/BE): it cannot be there by accident;
 * 2. the XML declaration's `encoding`: written by the program that wrote the bytes;
 * 3. the HTTP `charset`: often a server-wide default that knows nothing about this file;
 * 4. UTF-8.
 * A body that claims UTF-8 (or claims nothing) but is not valid UTF-8 is read as Windows-1252, the
 * encoding such feeds turn out to be in practice (and a superset of ISO-8859-1's printable range).
 * Pure: TextDecoder only.
 */
import { TextDecoder } from 'node:util';

/** The text of `body` and the encoding it was read in. */
export interface DecodedText {
  text: string;
  encoding: string;
}

/** The charset parameter of a Content-Type header (`text/xml; charset="ISO-8859-1"` → `iso-8859-1`). */
export function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase();
}

function bomEncoding(body: Uint8Array): string | undefined {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** UTF-16 without a BOM still starts with `<?` (or `<`), one zero byte beside each ASCII byte. */
function bomlessUtf16(body: Uint8Array): string | undefined {
  if (body[0] === 0x3c && body[1] === 0x00 && body[2] !== 0x00) return 'utf-16le';
  if (body[0] === 0x00 && body[1] === 0x3c) return 'utf-16be';
  return undefined;
}

/** The `encoding` of an XML declaration, read from the first bytes as ASCII. */
function declaredEncoding(body: Uint8Array): string | undefined {
  const head = Buffer.from(body.subarray(0, 512)).toString('latin1');
  const match = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  return match?.[1]?.toLowerCase();
}

function decoderFor(label: string, fatal: boolean): TextDecoder | undefined {
  try {
    return new TextDecoder(label, { fatal, ignoreBOM: false });
  } catch {
    return undefined; // a label TextDecoder does not know: fall through to the next piece of evidence
  }
}

/**
 * Windows-1252's printable characters at 0x80–0x9F (undefined positions stay as they are). Node 20's
 * TextDecoder decodes the `windows-1252` label as ISO-8859-1, leaving these as C1 control characters,
 * so curly quotes and dashes from such feeds are mapped here.
 */
const WINDOWS_1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

function fixWindows1252(text: string): string {
  return text.replace(/[\u0080-\u009f]/g, (char) => WINDOWS_1252_HIGH[char.charCodeAt(0) - 0x80] ?? char);
}

function decodeWith(decoder: TextDecoder, body: Uint8Array): DecodedText {
  const text = decoder.decode(body);
  return { text: decoder.encoding === 'windows-1252' ? fixWindows1252(text) : text, encoding: decoder.encoding };
}

/** The text of a feed body, decoded per the evidence above. Never throws. */
export function decodeFeedBytes(body: Uint8Array, contentType: string | undefined): DecodedText {
  const bom = bomEncoding(body) ?? bomlessUtf16(body);
  if (bom) return { text: new TextDecoder(bom).decode(body), encoding: bom };
  const candidates = [declaredEncoding(body), charsetOf(contentType)].filter(
    (label): label is string => !!label && !!decoderFor(label, false),
  );
  const label = candidates[0] ?? 'utf-8';
  const decoder = decoderFor(label, false) as TextDecoder;
  if (decoder.encoding !== 'utf-8') return decodeWith(decoder, body);
  try {
    return decodeWith(decoderFor('utf-8', true) as TextDecoder, body);
  } catch {
    return decodeWith(new TextDecoder('windows-1252'), body);
  }
}
