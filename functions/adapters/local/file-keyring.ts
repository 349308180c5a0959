/**
 * The token keyring of local runs, in the local state database (`keyrings` row `token`): created once
 * with a random secret and reused after, so unsubscribe links in earlier outbox mails keep working
 * across runs. Same JSON format as the Secrets Manager secret (see ENV.tokenSecretArn).
 */
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../../core/errors.js';
import { parseKeyring, type TokenKeyring } from '../../core/tokens.js';
import type { LocalState } from './local-state.js';

/** A fresh keyring with one 256-bit random secret under key id `k1`. */
export function generateKeyring(): TokenKeyring {
  return { currentKeyId: 'k1', secrets: { k1: randomBytes(32).toString('base64url') } };
}

/**
 * Reads the keyring. When there is none: with `create`, stores a generated one with `INSERT OR IGNORE`
 * and reads back what is stored, so two first runs at once end with the same keys; without (a dry run),
 * returns a throw-away one. A malformed stored keyring is a `ConfigError`, never silently replaced
 * (that would break every link already mailed).
 */
export async function loadOrCreateKeyring(
  state: LocalState,
  options: { create: boolean },
): Promise<{ keyring: TokenKeyring; created: boolean }> {
  const read = state.db.prepare<[], { body: string }>("SELECT body FROM keyrings WHERE name = 'token'");
  const origin = `${state.path} (token keys)`;
  const existing = read.get();
  if (existing) return { keyring: parseKeyring(existing.body, origin), created: false };
  const generated = generateKeyring();
  if (!options.create) return { keyring: generated, created: false };
  const insert = state.db.prepare("INSERT OR IGNORE INTO keyrings (name, body) VALUES ('token', ?)");
  const { created, body } = state.immediate(() => {
    const changes = insert.run(JSON.stringify({ currentKeyId: generated.currentKeyId, ...generated.secrets })).changes;
    return { created: changes === 1, body: read.get()?.body ?? '' };
  });
  return { keyring: parseKeyring(body, origin), created };
}

/** At least this many characters, like every other secret Gazette reads. */
const MIN_SUBSCRIBER_ID_KEY_CHARS = 16;

/**
 * Reads the subscriber id key of local runs (`keyrings` row `subscriber-id`: the key itself). A state
 * made before ids were keyed has none; with `create` one is generated and stored once (`INSERT OR
 * IGNORE`, read back, so concurrent first runs agree), without (a dry run, a read-only listing) a
 * throw-away one is returned. Records stored before keep their old ids (see `storedSubscriberId`).
 */
export async function loadOrCreateSubscriberIdKey(state: LocalState, options: { create: boolean }): Promise<string> {
  const read = state.db.prepare<[], { body: string }>("SELECT body FROM keyrings WHERE name = 'subscriber-id'");
  const existing = read.get()?.body;
  const key =
    existing ??
    (options.create
      ? state.immediate(() => {
          state.db.prepare("INSERT OR IGNORE INTO keyrings (name, body) VALUES ('subscriber-id', ?)").run(generateSubscriberIdKey());
          return read.get()?.body ?? '';
        })
      : generateSubscriberIdKey());
  if (key.length < MIN_SUBSCRIBER_ID_KEY_CHARS) throw new ConfigError(`${state.path} (subscriber id key): too short`);
  return key;
}

/** A fresh 256-bit subscriber id key. */
export function generateSubscriberIdKey(): string {
  return randomBytes(32).toString('base64url');
}
