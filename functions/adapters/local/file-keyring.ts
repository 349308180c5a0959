/**
 * The token keyring of local runs (`out/state/token-keys.json`): created once with a random secret and
 * reused after, so unsubscribe links in earlier outbox mails keep working across runs. Same JSON format
 * as the Secrets Manager secret (see ENV.tokenSecretArn).
 */
import { randomBytes } from 'node:crypto';
import { parseKeyring } from '../aws/secrets-keyring.js';
import type { TokenKeyring } from '../../core/tokens.js';
import { readIfExists, writeJsonFile } from './atomic-file.js';

/** A fresh keyring with one 256-bit random secret under key id `k1`. */
export function generateKeyring(): TokenKeyring {
  return { currentKeyId: 'k1', secrets: { k1: randomBytes(32).toString('base64url') } };
}

/**
 * Reads the keyring at `path`. When there is none: with `create`, generates one and saves it (owner
 * read/write only); without (a dry run writes nothing), returns a throw-away one. A malformed file is
 * a `ConfigError` naming it, never silently replaced (that would break every link already mailed).
 */
export async function loadOrCreateKeyring(
  path: string,
  options: { create: boolean },
): Promise<{ keyring: TokenKeyring; created: boolean }> {
  const existing = await readIfExists(path);
  if (existing !== undefined) return { keyring: parseKeyring(existing.toString('utf8'), path), created: false };
  const keyring = generateKeyring();
  if (options.create) {
    await writeJsonFile(path, { currentKeyId: keyring.currentKeyId, ...keyring.secrets }, 0o600);
  }
  return { keyring, created: options.create };
}
