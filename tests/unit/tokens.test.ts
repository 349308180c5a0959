import { describe, expect, it } from 'vitest';
import { InvalidTokenError } from '../../functions/core/errors.js';
import { signToken, verifyToken, type TokenKeyring } from '../../functions/core/tokens.js';

const KEYRING: TokenKeyring = { currentKeyId: 'k1', secrets: { k1: 'a secret long enough for HMAC-SHA256 tests' } };
const NOW = new Date('2026-12-01T07:00:00Z');
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Every other spelling of the last character that Node's lenient decoder maps to the same bytes. */
function sameBytesSpellings(part: string): string[] {
  const bytes = Buffer.from(part, 'base64url');
  return [...ALPHABET]
    .map((char) => `${part.slice(0, -1)}${char}`)
    .filter((spelling) => spelling !== part && Buffer.from(spelling, 'base64url').equals(bytes));
}

describe('tokens accept only canonical base64url', () => {
  const token = signToken('unsubscribe', 'sub-123', KEYRING, NOW);
  const [keyId, payload, mac] = token.split('.') as [string, string, string];

  it('verifies the token as signed', () => {
    expect(verifyToken(token, 'unsubscribe', KEYRING, NOW).subscriberId).toBe('sub-123');
  });

  it.each([
    ['a "!" inside the signature', `${keyId}.${payload}.${mac.slice(0, 5)}!${mac.slice(5)}`],
    ['padding after the signature', `${keyId}.${payload}.${mac}=`],
    ['a space inside the payload', `${keyId}.${payload.slice(0, 4)} ${payload.slice(4)}.${mac}`],
    ['standard base64 "+" and "/"', `${keyId}.${payload}.${mac.replace(/-/g, '+').replace(/_/g, '/')}`],
  ])('refuses %s, which the lenient decoder would accept', (_label, forged) => {
    // The forgery must decode to the same bytes, or the test would prove nothing about leniency.
    expect(forged).not.toBe(token);
    expect(() => verifyToken(forged, 'unsubscribe', KEYRING, NOW)).toThrow(InvalidTokenError);
  });

  it('refuses every non-canonical last character of the signature and of the payload', () => {
    const forgeries = [
      ...sameBytesSpellings(mac).map((spelling) => `${keyId}.${payload}.${spelling}`),
      ...sameBytesSpellings(payload).map((spelling) => `${keyId}.${spelling}.${mac}`),
    ];
    expect(forgeries.length).toBeGreaterThan(0);
    for (const forged of forgeries) expect(() => verifyToken(forged, 'unsubscribe', KEYRING, NOW)).toThrow(InvalidTokenError);
  });
});
