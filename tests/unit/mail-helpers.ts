/**
 * Reading raw messages back in the mail renderer tests: header fields as a mail server sees them and
 * the RFC 5322 transport rules every message must keep.
 */
import { expect } from 'vitest';

/** The header block (unfolded) of a raw message, field names lower-cased. */
export function headerFields(raw: Buffer): { key: string; value: string }[] {
  const head = raw.toString('latin1').split('\r\n\r\n')[0]!;
  return head
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')
    .map((line) => ({ key: line.slice(0, line.indexOf(':')).toLowerCase(), value: line.slice(line.indexOf(':') + 1).trim() }));
}

/** How many header fields named `key` (any case) the message has. */
export function headerCount(raw: Buffer, key: string): number {
  return headerFields(raw).filter((field) => field.key === key.toLowerCase()).length;
}

/** CRLF only, a final CRLF, lines of at most 998 octets, and 7-bit clean (every header and body encoded). */
export function expectWireFormat(raw: Buffer): void {
  const text = raw.toString('latin1');
  expect(text).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
  expect(text.endsWith('\r\n')).toBe(true);
  for (const line of text.split('\r\n')) expect(Buffer.byteLength(line, 'latin1')).toBeLessThanOrEqual(998);
  expect([...raw].every((byte) => byte < 0x80)).toBe(true);
}
