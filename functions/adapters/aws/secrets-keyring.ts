/**
 * Loads the HMAC keyring for subscriber tokens and the subscriber id key: from Secrets Manager on AWS (once per cold start; the
 * caller keeps the result), or from inline JSON in local runs, which have no Secrets Manager emulator.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { TokenKeyring } from '../../core/tokens.js';
import { type KeyringSource, SUBSCRIBER_ID_KEY_VALUE, type SubscriberIdKeySource } from '../../shared/env.js';

// `{"currentKeyId":"k1","k1":"<secret>","k0":"<older>"}`: every key but currentKeyId is a key id.
const keyringJson = z
  .object({ currentKeyId: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/) })
  .catchall(z.string().min(16, 'secret too short (at least 16 characters)'));

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

/** Reads the keyring from its source; call once per cold start and keep the result. */
export async function loadKeyring(source: KeyringSource, secrets: SecretsManagerClient): Promise<TokenKeyring> {
  if (source.kind === 'inline') return parseKeyring(source.json, 'GAZETTE_TOKEN_KEYRING_JSON');
  const result = await secrets.send(new GetSecretValueCommand({ SecretId: source.secretArn }));
  if (!result.SecretString) throw new ConfigError(`secret ${source.secretArn} has no string value`);
  return parseKeyring(result.SecretString, `secret ${source.secretArn}`);
}

/** Reads the subscriber id key from its source (once per cold start); never logs it. */
export async function loadSubscriberIdKey(source: SubscriberIdKeySource, secrets: SecretsManagerClient): Promise<string> {
  if (source.kind === 'inline') return source.value;
  const result = await secrets.send(new GetSecretValueCommand({ SecretId: source.secretArn }));
  if (!result.SecretString) throw new ConfigError(`secret ${source.secretArn} has no string value`);
  const parsed = SUBSCRIBER_ID_KEY_VALUE.safeParse(result.SecretString);
  if (!parsed.success)
    throw new ConfigError(`secret ${source.secretArn}: subscriber id key ${parsed.error.issues[0]?.message ?? 'is malformed'}`);
  return parsed.data;
}
