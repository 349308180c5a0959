/**
 * The pure parts of the AWS side: SES errors as send outcomes, the publisher's env schema, the keyring format.
 * (The adapters' I/O is covered against the emulators in tests/integration.)
 */
import { describe, expect, it } from 'vitest';
import { sendOutcomeOf } from '../../functions/adapters/aws/ses-mailer.js';
import { parseKeyring } from '../../functions/core/tokens.js';
import { ConfigError } from '../../functions/core/errors.js';
import { SETTING_DEFAULTS } from '../../functions/core/settings.js';
import { ENV } from '../../functions/shared/env-names.js';
import { loadPublisherEnv } from '../../functions/shared/env.js';

function sesError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe('sendOutcomeOf (SES errors as send outcomes)', () => {
  const SENDER = 'news@example.com';

  it.each([
    ['Throttling', 'Maximum sending rate exceeded.', 'throttled'],
    ['ThrottlingException', 'Rate exceeded', 'throttled'],
    ['Throttling', 'Daily message quota exceeded.', 'quota'],
    ['AccountSendingPausedException', 'Sending is paused for this account.', 'rejected-sender'],
    ['ConfigurationSetDoesNotExistException', 'Configuration set <gazette> does not exist.', 'rejected-sender'],
    ['ConfigurationSetSendingPausedException', 'Sending is paused for this configuration set.', 'rejected-sender'],
    ['MailFromDomainNotVerifiedException', 'MAIL FROM domain not verified', 'rejected-sender'],
    ['AccessDenied', 'User is not authorized to perform ses:SendRawEmail', 'rejected-sender'],
    // Right after a deploy: the sender identity is not verified yet, so every message would be refused.
    [
      'MessageRejected',
      'Email address is not verified. The following identities failed the check in region US-EAST-1: news@example.com',
      'rejected-sender',
    ],
    [
      'MessageRejected',
      'Email address is not verified. The following identities failed the check in region US-EAST-1: example.com',
      'rejected-sender',
    ],
    // In the sandbox, the same text names an unverified recipient: only that one is refused.
    [
      'MessageRejected',
      'Email address is not verified. The following identities failed the check in region US-EAST-1: reader@example.com',
      'rejected-recipient',
    ],
    ['MessageRejected', 'Address blacklisted.', 'rejected-recipient'],
    ['InvalidParameterValue', 'Missing final @domain in address', 'rejected-recipient'],
  ])('%s "%s" is %s', (name, message, kind) => {
    expect(sendOutcomeOf(sesError(name, message), SENDER)).toEqual({ kind, detail: message });
  });

  it('leaves network errors and bugs to be thrown', () => {
    for (const error of [sesError('TimeoutError', 'socket hang up'), new TypeError('x is undefined'), 'a string']) {
      expect(sendOutcomeOf(error, SENDER)).toBeUndefined();
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

  it('reads the seeds folder when infra bundles one, and none with publishSeeds off', () => {
    expect(loadPublisherEnv({ ...COMPLETE, [ENV.seedsDir]: '/var/task/seeds' }).seedsDir).toBe('/var/task/seeds');
    expect(loadPublisherEnv(COMPLETE).seedsDir).toBeUndefined();
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
