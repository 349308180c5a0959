/**
 * Loads the HMAC keyring for subscriber tokens and the subscriber id key: from Secrets Manager on AWS (once per cold start; the
 * caller keeps the result), or from inline JSON in local runs, which have no Secrets Manager emulator.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../../core/errors.js';
import { parseKeyring, type TokenKeyring } from '../../core/tokens.js';
import { type KeyringSource, SUBSCRIBER_ID_KEY_VALUE, type SubscriberIdKeySource } from '../../shared/env.js';

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
