/**
 * The pure parts of the AWS side: SES error mapping, the publisher's env schema, the keyring format.
 * (The adapters' I/O is covered against the emulators in tests/integration.)
 */
import { describe, expect, it } from 'vitest';
import { mapSesError } from '../../functions/adapters/aws/ses-mailer.js';
import { parseKeyring } from '../../functions/adapters/aws/secrets-keyring.js';
import { ConfigError, QuotaExceededError, RecipientRejectedError, ThrottledError } from '../../functions/core/errors.js';
import { SETTING_DEFAULTS } from '../../functions/core/settings.js';
import { ENV } from '../../functions/shared/env-names.js';
import { loadPublisherEnv } from '../../functions/shared/env.js';

function sesError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe('mapSesError', () => {
  it.each([
    ['Throttling', 'Maximum sending rate exceeded.', ThrottledError],
    ['ThrottlingException', 'Rate exceeded', ThrottledError],
    ['Throttling', 'Daily message quota exceeded.', QuotaExceededError],
    ['AccountSendingPausedException', 'Sending is paused for this account.', QuotaExceededError],
    ['MessageRejected', 'Email address is not verified.', RecipientRejectedError],
    ['MailFromDomainNotVerifiedException', 'MAIL FROM domain not verified', RecipientRejectedError],
    ['InvalidParameterValue', 'Missing final @domain in address', RecipientRejectedError],
  ])('%s "%s" becomes %s', (name, message, expected) => {
    const mapped = mapSesError(sesError(name, message));
    expect(mapped).toBeInstanceOf(expected);
    expect((mapped as Error).message).toBe(message);
    expect((mapped as Error).cause).toBeInstanceOf(Error);
  });

  it('passes configuration and network errors through unchanged', () => {
    for (const error of [sesError('ConfigurationSetDoesNotExistException', 'no such set'), sesError('TimeoutError', 'socket hang up')]) {
      expect(mapSesError(error)).toBe(error);
    }
  });
});

const COMPLETE: Record<string, string> = {
  [ENV.siteBucket]: 'site-bucket',
  [ENV.siteBaseUrl]: 'https://d111.cloudfront.net/',
  [ENV.siteTitle]: 'Gazette',
  [ENV.senderAddress]: 'news@Mail.Example.com',
  [ENV.senderName]: 'Gazette News',
  [ENV.sesConfigurationSet]: 'gazette-events',
  [ENV.subscribersTable]: 'subs',
  [ENV.deliveriesTable]: 'deliveries',
  [ENV.stateTable]: 'state',
  [ENV.seedsDir]: '/var/task/seeds',
  [ENV.tokenSecretArn]: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:tokens-AbCdEf',
};

describe('loadPublisherEnv', () => {
  it('reads what infra sets, with the documented defaults for the optional settings', () => {
    const env = loadPublisherEnv(COMPLETE);
    expect(env).toMatchObject({
      bucket: 'site-bucket',
      site: {
        baseUrl: 'https://d111.cloudfront.net/',
        title: 'Gazette',
        description: SETTING_DEFAULTS.siteDescription,
        language: 'en',
        feedLength: 50,
      },
      mail: { fromAddress: 'news@Mail.Example.com', fromName: 'Gazette News', listId: 'gazette.mail.example.com' },
      keyring: { kind: 'secret', secretArn: COMPLETE[ENV.tokenSecretArn] },
      endpoints: {},
    });
    expect(env.staleAfterMs).toBeUndefined();
    expect(loadPublisherEnv({ ...COMPLETE, [ENV.staleAfterMinutes]: '90' }).staleAfterMs).toBe(90 * 60_000);
  });

  it.each(Object.keys(COMPLETE))('fails naming %s when it is missing or empty', (name) => {
    expect(() => loadPublisherEnv({ ...COMPLETE, [name]: undefined })).toThrow(new RegExp(`${name}: required`));
    expect(() => loadPublisherEnv({ ...COMPLETE, [name]: '' })).toThrow(ConfigError);
  });

  it('names malformed values', () => {
    expect(() => loadPublisherEnv({ ...COMPLETE, [ENV.feedLength]: 'twenty' })).toThrow(/GAZETTE_FEED_LENGTH/);
    expect(() => loadPublisherEnv({ ...COMPLETE, [ENV.senderAddress]: 'not-an-address' })).toThrow(
      /GAZETTE_SENDER_ADDRESS: must be an email address/,
    );
    expect(() => loadPublisherEnv({ ...COMPLETE, [ENV.siteBaseUrl]: 'file:///tmp/' })).toThrow(
      /GAZETTE_SITE_BASE_URL: must be an http\(s\) URL/,
    );
  });

  it('prefers the deployed secret over a stray inline keyring', () => {
    expect(loadPublisherEnv({ ...COMPLETE, GAZETTE_TOKEN_KEYRING_JSON: '{}' }).keyring.kind).toBe('secret');
  });
});

describe('parseKeyring', () => {
  it('reads the current key id and every key', () => {
    const keyring = parseKeyring(JSON.stringify({ currentKeyId: 'k2', k2: 'new-secret-0123456789', k1: 'old-secret-0123456789' }), 'test');
    expect(keyring).toEqual({ currentKeyId: 'k2', secrets: { k2: 'new-secret-0123456789', k1: 'old-secret-0123456789' } });
  });

  it.each([
    ['not json', 'not valid JSON'],
    [JSON.stringify({ k1: 'secret-0123456789abc' }), 'currentKeyId'],
    [JSON.stringify({ currentKeyId: 'k1', k1: 'short' }), 'too short'],
    [JSON.stringify({ currentKeyId: 'k1', k0: 'secret-0123456789abc' }), 'no secret for currentKeyId'],
  ])('rejects %s', (json, reason) => {
    expect(() => parseKeyring(json, 'secret arn:x')).toThrow(ConfigError);
    expect(() => parseKeyring(json, 'secret arn:x')).toThrow(new RegExp(`secret arn:x: .*${reason}`));
  });
});
