import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidAddressError } from '../../functions/core/errors.js';
import { legacySubscriberIdFor, normaliseAddress, subscriberIdFor } from '../../functions/core/subscriptions/address.js';

/** Runs normaliseAddress and returns the rejection reason, failing the test if it did not throw. */
function reasonFor(input: string): string {
  try {
    normaliseAddress(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidAddressError);
    // The message is generic: it must never echo the address or the reason to a subscriber.
    expect((error as Error).message).toBe('invalid email address');
    return (error as InvalidAddressError).reason;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe('normaliseAddress', () => {
  it('trims surrounding space and keeps the local part as typed', () => {
    expect(normaliseAddress('  Ann.Lee+news@example.org  ')).toBe('Ann.Lee+news@example.org');
  });

  it('lower-cases the domain', () => {
    expect(normaliseAddress('ann@EXAMPLE.Org')).toBe('ann@example.org');
  });

  it('converts an internationalised domain to ASCII punycode', () => {
    expect(normaliseAddress('kim@Bücher.DE')).toBe('kim@xn--bcher-kva.de');
    expect(normaliseAddress('kim@xn--bcher-kva.de')).toBe('kim@xn--bcher-kva.de');
    expect(normaliseAddress('kim@例え.テスト')).toBe('kim@xn--r8jz45g.xn--zckzah');
    // Full-width letters are mapped by UTS #46, not rejected.
    expect(normaliseAddress('kim@ＥＸＡＭＰＬＥ.com')).toBe('kim@example.com');
  });

  it('accepts exactly 64 octets of local part and 254 octets of address', () => {
    const local = 'a'.repeat(64);
    expect(normaliseAddress(`${local}@example.org`)).toBe(`${local}@example.org`);
    // 64 + 1 + 189 = 254: labels of 63, 63, 59 and "org" → 63+1+63+1+57+1+3 = 189.
    const domain = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.org`;
    const address = `${local}@${domain}`;
    expect(Buffer.byteLength(address)).toBe(254);
    expect(normaliseAddress(address)).toBe(address);
  });

  it('rejects 65 octets of local part and 255 octets of address', () => {
    expect(reasonFor(`${'a'.repeat(65)}@example.org`)).toBe('local part too long');
    const domain = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.org`;
    expect(reasonFor(`${'a'.repeat(64)}@${domain}`)).toBe('address too long');
  });

  it('measures the limit after punycode, in octets', () => {
    // 60 × "ü" is 60 characters (under 63) but 66 once punycoded: the label must be measured after.
    expect(reasonFor(`ann@${'ü'.repeat(60)}.de`)).toBe('domain label too long');
  });

  it('rejects CR, LF, NUL and other control characters anywhere, even at the ends', () => {
    expect(reasonFor('ann@example.org\r\nBcc: all@example.org')).toBe('control character');
    expect(reasonFor('ann@example.org\n')).toBe('control character');
    expect(reasonFor('ann\u0000@example.org')).toBe('control character');
    expect(reasonFor('ann@exa\u0085mple.org')).toBe('control character');
    expect(reasonFor('ann@example.org\u2028')).toBe('control character');
  });

  it('rejects anything but exactly one @', () => {
    expect(reasonFor('ann.example.org')).toBe('not exactly one @');
    expect(reasonFor('ann@@example.org')).toBe('not exactly one @');
    expect(reasonFor('ann@bob@example.org')).toBe('not exactly one @');
    expect(reasonFor('"ann@bob"@example.org')).toBe('not exactly one @');
  });

  it('rejects empty parts, inner spaces and malformed local parts', () => {
    expect(reasonFor('')).toBe('empty');
    expect(reasonFor('   ')).toBe('empty');
    expect(reasonFor('@example.org')).toBe('empty local part');
    expect(reasonFor('ann@')).toBe('empty domain');
    expect(reasonFor('ann lee@example.org')).toBe('whitespace');
    expect(reasonFor('ann@exa mple.org')).toBe('whitespace');
    expect(reasonFor('.ann@example.org')).toBe('malformed local part');
    expect(reasonFor('ann.@example.org')).toBe('malformed local part');
    expect(reasonFor('an..n@example.org')).toBe('malformed local part');
    expect(reasonFor('ann<x>@example.org')).toBe('malformed local part');
    expect(reasonFor('añn@example.org')).toBe('malformed local part');
  });

  it('rejects bad domain labels', () => {
    expect(reasonFor('ann@localhost')).toBe('domain without a dot');
    expect(reasonFor('ann@example..org')).toBe('empty domain label');
    expect(reasonFor('ann@example.org.')).toBe('empty domain label');
    expect(reasonFor('ann@-example.org')).toBe('malformed domain label');
    expect(reasonFor('ann@example-.org')).toBe('malformed domain label');
    expect(reasonFor('ann@ex_ample.org')).toBe('malformed domain label');
    expect(reasonFor(`ann@${'x'.repeat(64)}.org`)).toBe('domain label too long');
    expect(reasonFor('ann@[127.0.0.1]')).toBe('malformed domain');
    expect(reasonFor('ann@127.0.0.1')).toBe('numeric top-level domain');
  });

  it('refuses huge inputs before doing any work', () => {
    expect(reasonFor(`${'a'.repeat(100_000)}@example.org`)).toBe('too long');
  });
});

describe('subscriberIdFor', () => {
  const KEY = 'unit-test-subscriber-id-key-0123456789abcdef';

  it('is the first 32 hex characters of an HMAC-SHA256 of the lower-cased address, not its bare SHA-256', () => {
    const expected = createHmac('sha256', KEY).update('gazette:subscriber-id:ann@example.org').digest('hex').slice(0, 32);
    expect(subscriberIdFor('ann@example.org', KEY)).toBe(expected);
    expect(subscriberIdFor('ann@example.org', KEY)).toMatch(/^[0-9a-f]{32}$/);
    // Anyone with a list of addresses could compute a bare hash and recognise the id; not this one.
    const bare = createHash('sha256').update('ann@example.org').digest('hex').slice(0, 32);
    expect(subscriberIdFor('ann@example.org', KEY)).not.toBe(bare);
    expect(legacySubscriberIdFor('ann@example.org')).toBe(bare);
  });

  it('differs with a different key', () => {
    expect(subscriberIdFor('ann@example.org', `${KEY}-other`)).not.toBe(subscriberIdFor('ann@example.org', KEY));
  });

  it('gives one id for every spelling of one address', () => {
    const id = subscriberIdFor(normaliseAddress('ann@example.org'), KEY);
    expect(subscriberIdFor(normaliseAddress(' Ann@EXAMPLE.org '), KEY)).toBe(id);
    expect(subscriberIdFor(normaliseAddress('kim@Bücher.de'), KEY)).toBe(subscriberIdFor(normaliseAddress('KIM@xn--bcher-kva.DE'), KEY));
    expect(subscriberIdFor('bob@example.org', KEY)).not.toBe(id);
  });
});
