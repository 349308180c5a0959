/**
 * Email address rules for the list (at most 254 octets, a local part of at most 64, one `@`, the domain
 * lower-cased and IDN-normalised): what we accept, how we store it, and the stable subscriber id
 * derived from it.
 *
 * We accept the practical subset of RFC 5321/5322 that real mailboxes use and SES can deliver to:
 * a dot-atom local part in ASCII (no quoted strings, no comments, no SMTPUTF8 local parts — SES does
 * not send to those) and a DNS host name as domain. Internationalised domains are converted to ASCII
 * punycode with node's `url.domainToASCII` (the WHATWG/UTS #46 algorithm, which also maps full-width
 * and upper-case characters), so `Bücher.DE` and `xn--bcher-kva.de` are the same address.
 */
import { createHash, createHmac } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { InvalidAddressError } from '../errors.js';
import type { SubscriptionStore } from './ports.js';

/** RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets, so 254 for the address. */
export const MAX_ADDRESS_OCTETS = 254;
/** RFC 5321 §4.5.3.1.1. */
export const MAX_LOCAL_PART_OCTETS = 64;
/** RFC 1035: 253 characters in the textual form of a name, 63 per label. */
const MAX_DOMAIN_OCTETS = 253;
const MAX_LABEL_OCTETS = 63;
/**
 * Inputs longer than this are refused before any Unicode processing, so a hostile multi-megabyte
 * "address" costs nothing. Twice the address limit leaves room for surrounding spaces and for the few
 * characters IDN mapping deletes (soft hyphens and the like).
 */
const MAX_INPUT_CHARS = 512;

/** RFC 5322 `atext`: the characters allowed in a dot-atom besides the dots. */
const ATEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+$/;
/** One DNS label after punycode: letters, digits, hyphens, not starting or ending with a hyphen. */
const LABEL = /^(?!-)[a-z0-9-]+(?<!-)$/;
/** Control characters (C0, DEL, C1) and the Unicode line/paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** Any whitespace, including the Unicode spaces `trim` would leave inside the string. */
const WHITESPACE = /\s/;

function reject(reason: string): never {
  throw new InvalidAddressError(reason);
}

/**
 * Validates an address typed by a person and returns its normalised form: trimmed, the domain
 * lower-cased and converted to ASCII punycode, the local part kept exactly as given (some mail systems
 * still treat it case-sensitively, so we send to what the person typed).
 *
 * Throws `InvalidAddressError` (whose message is generic; `reason` is for logs and tests) when the
 * address has control characters or spaces, is over 254 octets, has a local part over 64 octets, has
 * not exactly one `@`, has an empty or malformed part, or has a domain that is not a valid host name.
 */
export function normaliseAddress(input: string): string {
  if (typeof input !== 'string') reject('not a string');
  if (input.length > MAX_INPUT_CHARS) reject('too long');
  // Control characters are refused before trimming: "a@b.com\r\n" is a header-injection attempt, not a typo.
  if (CONTROL.test(input)) reject('control character');
  const trimmed = input.trim();
  if (trimmed.length === 0) reject('empty');
  if (WHITESPACE.test(trimmed)) reject('whitespace');

  const parts = trimmed.split('@');
  if (parts.length !== 2) reject('not exactly one @');
  const [local, rawDomain] = parts as [string, string];
  if (local.length === 0) reject('empty local part');
  if (rawDomain.length === 0) reject('empty domain');

  if (Buffer.byteLength(local, 'utf8') > MAX_LOCAL_PART_OCTETS) reject('local part too long');
  // A dot-atom: atext runs separated by single dots, no leading or trailing dot.
  if (!local.split('.').every((atom) => ATEXT.test(atom))) reject('malformed local part');

  // domainToASCII lower-cases, applies UTS #46 mapping and punycode; it answers '' for what it refuses.
  const domain = domainToASCII(rawDomain.toLowerCase());
  if (domain.length === 0) reject('malformed domain');
  if (domain.length > MAX_DOMAIN_OCTETS) reject('domain too long');
  const labels = domain.split('.');
  if (labels.length < 2) reject('domain without a dot');
  for (const label of labels) {
    if (label.length === 0) reject('empty domain label');
    if (label.length > MAX_LABEL_OCTETS) reject('domain label too long');
    if (!LABEL.test(label)) reject('malformed domain label');
  }
  // An all-numeric last label means an IP address written as a name; mail to bare IPs is not a list member.
  if (/^[0-9]+$/.test(labels[labels.length - 1] as string)) reject('numeric top-level domain');

  const address = `${local}@${domain}`;
  if (Buffer.byteLength(address, 'utf8') > MAX_ADDRESS_OCTETS) reject('address too long');
  return address;
}

/**
 * The subscriber id for a normalised address: the first 32 hex characters (128 bits) of an HMAC-SHA256,
 * keyed with the subscriber id key, of the WHOLE address lower-cased. The id ignores
 * local-part case on purpose: `Ann@x.org` and `ann@x.org` are one person in practice, and two rows for
 * them would mean two digests and a way around the per-address cooldown. The stored `email` keeps the
 * case the person last typed.
 *
 * Keyed because ids travel in tokens, links and logs: with a bare hash anyone holding a list of
 * addresses could tell from an id who is on the list. The key is a secret of its own, not a token key:
 * it never rotates (every stored id, token and ledger entry depends on it), while token keys do.
 */
export function subscriberIdFor(normalised: string, idKey: string): string {
  return createHmac('sha256', idKey).update(`gazette:subscriber-id:${normalised.toLowerCase()}`, 'utf8').digest('hex').slice(0, 32);
}

/**
 * The id records had before ids were keyed: a bare SHA-256 of the address lower-cased. Only ever read
 * (see `storedSubscriberId`); no new record gets one.
 */
export function legacySubscriberIdFor(normalised: string): string {
  return createHash('sha256').update(normalised.toLowerCase(), 'utf8').digest('hex').slice(0, 32);
}

/**
 * The id `normalised` is stored under: its keyed id; else, for a record stored before ids were keyed,
 * its legacy id; a new address gets its keyed id.
 *
 * Old records are read where they are and never moved: the delivery ledger and every link already
 * mailed (unsubscribe links never expire) name the old id, and moving the record would let a digest
 * still being mailed reach that person twice. Token links carry the id itself, so they need no lookup.
 */
export async function storedSubscriberId(store: Pick<SubscriptionStore, 'get'>, normalised: string, idKey: string): Promise<string> {
  const id = subscriberIdFor(normalised, idKey);
  if ((await store.get(id)) !== undefined) return id;
  const legacy = legacySubscriberIdFor(normalised);
  return (await store.get(legacy)) !== undefined ? legacy : id;
}
