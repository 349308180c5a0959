/**
 * The one settings schema seen from its three sources: CLI flags (`gazette publish`), the Lambda
 * environment (functions/shared/env.ts) and the CDK context (infra/config.ts). Same input, same
 * settings; a value one source refuses, every source refuses.
 */
import { describe, expect, it } from 'vitest';
import { parsePublishOptions, type PublishOptions } from '../../functions/cli/commands/publish.js';
import { checkedLanguage } from '../../functions/core/render/links.js';
import { buildMailConfig } from '../../functions/core/settings.js';
import { ENV } from '../../functions/shared/env-names.js';
import { loadPublisherEnv, loadSubscriptionEnv } from '../../functions/shared/env.js';
import { loadSettings } from '../../infra/config.js';
import { site } from './render-fixtures.js';

const SETTINGS = {
  baseUrl: 'https://news.example.com/',
  siteTitle: 'Example News',
  siteDescription: 'The day in five minutes.',
  language: 'de-CH',
  feedLength: '12',
  senderEmail: 'digest@News.Example.com',
  senderName: 'Example Desk',
  postalAddress: 'Example News AG, Bahnhofstrasse 1, 8001 Zürich',
  editionMaxItems: '15',
};

/** The same settings as `gazette publish` flags. */
function flags(overrides: Partial<typeof SETTINGS> = {}): string[] {
  const s = { ...SETTINGS, ...overrides };
  return [
    ...['--base-url', s.baseUrl, '--title', s.siteTitle, '--description', s.siteDescription],
    ...['--language', s.language, '--feed-length', s.feedLength, '--from', `${s.senderName} <${s.senderEmail}>`],
    ...['--postal-address', s.postalAddress, '--edition-max-items', s.editionMaxItems],
  ];
}

/** The same settings as the variables infra sets on the functions (plus what they need besides). */
function variables(overrides: Partial<typeof SETTINGS> = {}): Record<string, string> {
  const s = { ...SETTINGS, ...overrides };
  return {
    [ENV.siteBaseUrl]: s.baseUrl,
    [ENV.siteTitle]: s.siteTitle,
    [ENV.siteDescription]: s.siteDescription,
    [ENV.siteLanguage]: s.language,
    [ENV.feedLength]: s.feedLength,
    [ENV.senderAddress]: s.senderEmail,
    [ENV.senderName]: s.senderName,
    [ENV.postalAddress]: s.postalAddress,
    [ENV.editionMaxItems]: s.editionMaxItems,
    [ENV.sesConfigurationSet]: 'gazette-events',
    [ENV.siteBucket]: 'site-bucket',
    [ENV.subscribersTable]: 'subscribers',
    [ENV.deliveriesTable]: 'deliveries',
    [ENV.stateTable]: 'state',
    [ENV.seedsDir]: '/var/task/seeds',
    [ENV.tokenSecretArn]: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:tokens-AbCdEf',
    [ENV.originVerifySecretArn]: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:origin-AbCdEf',
    [ENV.subscriberIdSecretArn]: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:subscriber-id-AbCdEf',
  };
}

function cliOptions(args: string[]): PublishOptions {
  const options = parsePublishOptions(args);
  if (options === 'help') throw new Error('unexpected --help');
  return options;
}

/** Whether a source takes a value or refuses it. */
function outcome(read: () => unknown): 'accepted' | 'refused' {
  try {
    read();
    return 'accepted';
  } catch {
    return 'refused';
  }
}

describe('one settings schema, three sources', () => {
  it('builds the same mail settings from the CLI flags and from the Lambda environment', () => {
    const cli = cliOptions(flags()).mail;
    expect(loadPublisherEnv(variables()).mail).toEqual(cli);
    expect(loadSubscriptionEnv(variables()).mail).toEqual(cli);
    // The one List-Id, whoever sends: the sender's domain.
    expect(cli).toEqual({
      fromName: 'Example Desk',
      fromAddress: 'digest@News.Example.com',
      listId: 'gazette.news.example.com',
      postalAddress: 'Example News AG, Bahnhofstrasse 1, 8001 Zürich',
      editionMaxItems: 15,
    });
    expect(
      buildMailConfig({
        senderEmail: SETTINGS.senderEmail,
        senderName: SETTINGS.senderName,
        postalAddress: SETTINGS.postalAddress,
        editionMaxItems: Number(SETTINGS.editionMaxItems),
      }),
    ).toEqual(cli);
  });

  it('builds the same site settings from the CLI flags and from the Lambda environment', () => {
    const cli = cliOptions(flags()).site;
    expect(loadPublisherEnv(variables()).site).toEqual(cli);
    expect(loadSubscriptionEnv(variables()).site).toEqual(cli);
    expect(cli).toMatchObject({ language: 'de-CH', feedLength: 12, authorName: 'Example Desk' });
  });

  it('normalises the base URL the same way everywhere (links are appended to it)', () => {
    const given = 'https://news.example.com/digest';
    expect(cliOptions(flags({ baseUrl: given })).site.baseUrl).toBe('https://news.example.com/digest/');
    expect(loadPublisherEnv(variables({ baseUrl: given })).site.baseUrl).toBe('https://news.example.com/digest/');
  });

  it.each([
    ['en', 'accepted'],
    ['de-CH', 'accepted'],
    ['zh-Hant-TW', 'accepted'],
    ['sr-Latn', 'accepted'],
    // Three rules used to disagree on tags like this one (the environment's regex refused it).
    ['en-US-u-ca-buddhist', 'accepted'],
    ['english please', 'refused'],
    ['en_US', 'refused'],
    ['"en"', 'refused'],
    ['e', 'refused'],
    ['en-', 'refused'],
  ])('judges the language tag %j the same from flags, environment, CDK context and the renderers (%s)', (language, expected) => {
    expect(outcome(() => cliOptions(flags({ language })))).toBe(expected);
    expect(outcome(() => loadPublisherEnv(variables({ language })))).toBe(expected);
    expect(outcome(() => loadSettings({ 'gazette:senderEmail': 'news@example.com', 'gazette:language': language }))).toBe(expected);
    expect(outcome(() => checkedLanguage({ ...site, language }))).toBe(expected);
  });

  it.each([
    ['0', 'refused'],
    ['1', 'accepted'],
    ['500', 'accepted'],
    ['501', 'refused'],
    ['ten', 'refused'],
    ['2.5', 'refused'],
  ])('judges the feed length %s the same from flags, environment and CDK context (%s)', (feedLength, expected) => {
    expect(outcome(() => cliOptions(flags({ feedLength })))).toBe(expected);
    expect(outcome(() => loadPublisherEnv(variables({ feedLength })))).toBe(expected);
    expect(outcome(() => loadSettings({ 'gazette:senderEmail': 'news@example.com', 'gazette:feedLength': feedLength }))).toBe(expected);
  });

  it.each([
    ['editionMaxItems', '0', 'refused'],
    ['editionMaxItems', '100', 'accepted'],
    ['editionMaxItems', '101', 'refused'],
    ['postalAddress', '1 Main St, Springfield', 'accepted'],
    ['postalAddress', '1 Main St\nBcc: x@example.com', 'refused'],
    ['postalAddress', 'x'.repeat(301), 'refused'],
  ] as const)('judges %s %j the same from flags, environment and CDK context (%s)', (key, value, expected) => {
    expect(outcome(() => cliOptions(flags({ [key]: value })))).toBe(expected);
    expect(outcome(() => loadPublisherEnv(variables({ [key]: value })))).toBe(expected);
    expect(outcome(() => loadSettings({ 'gazette:senderEmail': 'news@example.com', [`gazette:${key}`]: value }))).toBe(expected);
  });

  it('leaves the postal address out of the mail settings when none is given, and the cap at its default', () => {
    // flags() ends with the two edition flags; without them:
    const mail = cliOptions(flags().slice(0, -4)).mail;
    expect(mail).not.toHaveProperty('postalAddress');
    expect(mail.editionMaxItems).toBe(20);
  });

  it('names the flag, the variable or the context key that is wrong', () => {
    expect(() => cliOptions(flags({ feedLength: '501' }))).toThrow('--feed-length must be a whole number from 1 to 500 (got "501")');
    expect(() => loadPublisherEnv(variables({ feedLength: '501' }))).toThrow(/GAZETTE_FEED_LENGTH: must be a whole number from 1 to 500/);
    expect(() => loadSettings({ 'gazette:senderEmail': 'news@example.com', 'gazette:feedLength': '501' })).toThrow(
      'gazette:feedLength must be a whole number from 1 to 500 (got "501")',
    );
    expect(() => cliOptions(flags({ language: 'english please' }))).toThrow(
      '--language must be a BCP 47 language tag like en or de-CH (got "english please")',
    );
    expect(() => cliOptions(flags({ senderEmail: 'digest@@example.com' }))).toThrow(/^--from must be/);
    expect(() => cliOptions(flags({ editionMaxItems: '0' }))).toThrow('--edition-max-items must be a whole number from 1 to 100 (got "0")');
    expect(() => loadPublisherEnv(variables({ editionMaxItems: '0' }))).toThrow(/GAZETTE_EDITION_MAX_ITEMS: must be a whole number/);
  });
});
