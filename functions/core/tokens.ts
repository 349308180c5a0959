/**
 * Signed, purpose-bound tokens for the links in our emails (confirm, unsubscribe).
 *
 * A token is `<keyId>.<payload>.<mac>`, all base64url: the payload names the purpose, the subscriber and
 * the issue time; the MAC is HMAC-SHA256 over `gazette:<purpose>:<keyId>:<payload>`, so a confirm token
 * can never stand in for an unsubscribe token (or the reverse) and a key can rotate without breaking old
 * links (the key id selects the secret). node:crypto is the library made for this; there is no format
 * to parse, so a JWT library would only add surface.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from './zod.js';
import { ConfigError, InvalidTokenError } from './errors.js';

/** What a token allows. */
/** What a token allows: `manage` opens the page where a subscriber changes cadence (never expires). */
export type TokenPurpose = 'confirm' | 'unsubscribe' | 'manage';

/** The HMAC secrets by key id, and which one signs new tokens. */
export interface TokenKeyring {
  /** Key id used to sign new tokens. */
  currentKeyId: string;
  /** Every key still accepted, by id (include retired keys until their links no longer matter). */
  secrets: Readonly<Record<string, string>>;
}

/** What a valid token says. */
export interface VerifiedToken {
  purpose: TokenPurpose;
  subscriberId: string;
  issuedAt: Date;
}

/** Confirm links expire after 72 hours; unsubscribe links never do (a years-old mail must still let a reader leave). */
export const CONFIRM_TOKEN_MAX_AGE_MS = 72 * 60 * 60 * 1000;

const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Decodes base64url only in its canonical form: the alphabet without padding, and a last character
 * whose unused bits are zero. Node's decoder is lenient (it skips `!`, `=` and spaces, and maps several
 * last characters to the same bytes), so many spellings of one token would verify; one spelling each
 * keeps tokens comparable as strings and leaves nothing for a fuzzer to find.
 */
function decodeCanonicalBase64url(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

function mac(purpose: TokenPurpose, keyId: string, payload: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(`gazette:${purpose}:${keyId}:${payload}`).digest();
}

/** The secret of the current key; throws when the keyring has no usable current key. */
export function currentSecret(keyring: TokenKeyring): string {
  const keyId = keyring.currentKeyId;
  const secret = keyring.secrets[keyId];
  if (!secret || !KEY_ID_PATTERN.test(keyId)) throw new Error(`token keyring has no usable current key "${keyId}"`);
  return secret;
}

/** Signs a token for `purpose` and `subscriberId`, issued at `issuedAt`. */
export function signToken(purpose: TokenPurpose, subscriberId: string, keyring: TokenKeyring, issuedAt: Date): string {
  const keyId = keyring.currentKeyId;
  const secret = currentSecret(keyring);
  const payload = Buffer.from(JSON.stringify({ s: subscriberId, t: Math.floor(issuedAt.getTime() / 1000) })).toString('base64url');
  return `${keyId}.${payload}.${mac(purpose, keyId, payload, secret).toString('base64url')}`;
}

/**
 * Checks a token for `purpose` and returns what it says. Throws `InvalidTokenError` when it is
 * malformed, signed with an unknown key, forged, for another purpose, or (confirm only) older than 72 h.
 */
export function verifyToken(token: string, purpose: TokenPurpose, keyring: TokenKeyring, now: Date): VerifiedToken {
  const parts = token.split('.');
  if (parts.length !== 3) throw new InvalidTokenError('malformed');
  const [keyId, payload, signature] = parts as [string, string, string];
  const secret = Object.hasOwn(keyring.secrets, keyId) ? keyring.secrets[keyId] : undefined;
  if (!secret) throw new InvalidTokenError('unknown key id');
  const expected = mac(purpose, keyId, payload, secret);
  const given = decodeCanonicalBase64url(signature);
  const payloadBytes = decodeCanonicalBase64url(payload);
  if (given === undefined || payloadBytes === undefined) throw new InvalidTokenError('not canonical base64url');
  // Lengths first: timingSafeEqual throws on unequal lengths, and length is not secret.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidTokenError('bad signature');
  let claims: unknown;
  try {
    claims = JSON.parse(payloadBytes.toString('utf8'));
  } catch {
    throw new InvalidTokenError('malformed payload');
  }
  const { s, t } = (claims ?? {}) as { s?: unknown; t?: unknown };
  if (typeof s !== 'string' || s.length === 0 || typeof t !== 'number' || !Number.isFinite(t)) {
    throw new InvalidTokenError('malformed payload');
  }
  const issuedAt = new Date(t * 1000);
  if (purpose === 'confirm' && now.getTime() - issuedAt.getTime() > CONFIRM_TOKEN_MAX_AGE_MS) {
    throw new InvalidTokenError('expired');
  }
  return { purpose, subscriberId: s, issuedAt };
}

// `{"currentKeyId":"k1","k1":"<secret>","k0":"<older>"}`: every key but currentKeyId is a key id.
const keyringJson = z.catchall(
  z.object({ currentKeyId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,32}$/)) }),
  z.string().check(z.minLength(16, 'secret too short (at least 16 characters)')),
);

/** Parses the keyring JSON; `origin` names where it came from in the error (never the secret itself). */
export function parseKeyring(json: string, origin: string): TokenKeyring {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ConfigError(`${origin}: token keyring is not valid JSON`);
  }
  const parsed = keyringJson.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${origin}: token keyring ${issue ? `${issue.path.join('.') || 'value'}: ${issue.message}` : 'is malformed'}`);
  }
  const { currentKeyId, ...secrets } = parsed.data;
  if (!secrets[currentKeyId]) throw new ConfigError(`${origin}: token keyring has no secret for currentKeyId "${currentKeyId}"`);
  return { currentKeyId, secrets };
}
