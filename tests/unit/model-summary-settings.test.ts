/**
 * The summariser settings through all three sources: CLI flags, the publisher's Lambda environment and
 * (in tests/infra/config.test.ts) the CDK context — one schema, the same rules everywhere.
 */
import { describe, expect, it } from 'vitest';
import { parsePublishOptions } from '../../functions/cli/commands/publish.js';
import { ConfigError } from '../../functions/core/errors.js';
import { settingsSchema } from '../../functions/core/settings.js';
import { ENV } from '../../functions/shared/env-names.js';
import { loadPublisherEnv, LOCAL_ENV } from '../../functions/shared/env.js';

const PUBLISHER_ENV = {
  AWS_REGION: 'eu-west-1',
  [ENV.siteBucket]: 'bucket',
  [ENV.siteBaseUrl]: 'https://news.example.com/',
  [ENV.siteTitle]: 'Gazette',
  [ENV.senderAddress]: 'news@example.com',
  [ENV.senderName]: 'Gazette',
  [ENV.sesConfigurationSet]: 'events',
  [ENV.subscribersTable]: 'subscribers',
  [ENV.deliveriesTable]: 'deliveries',
  [ENV.stateTable]: 'state',
  [ENV.seedsDir]: '/var/task/seeds',
  [LOCAL_ENV.tokenKeyringJson]: '{"currentKeyId":"k1","k1":"secret-0123456789abcdef"}',
};

describe('summariser settings', () => {
  it('default to the extractive summariser everywhere', () => {
    const options = parsePublishOptions([]);
    expect(options !== 'help' && options.summarizer).toEqual({ kind: 'extractive' });
    expect(loadPublisherEnv(PUBLISHER_ENV).summarizer).toEqual({ kind: 'extractive' });
  });

  it('choose Bedrock with a model and a daily budget from flags and from the environment alike', () => {
    const options = parsePublishOptions([
      '--summarizer',
      'bedrock',
      '--bedrock-model',
      'anthropic.claude-3-haiku-20240307-v1:0',
      '--bedrock-daily-tokens',
      '50000',
    ]);
    const expected = { kind: 'bedrock', modelId: 'anthropic.claude-3-haiku-20240307-v1:0', dailyTokenBudget: 50_000 };
    expect(options !== 'help' && options.summarizer).toEqual(expected);
    const env = loadPublisherEnv({
      ...PUBLISHER_ENV,
      [ENV.summarizer]: 'bedrock',
      [ENV.bedrockModelId]: 'anthropic.claude-3-haiku-20240307-v1:0',
      [ENV.bedrockDailyTokenBudget]: '50000',
    });
    expect(env.summarizer).toEqual(expected);
    expect(loadPublisherEnv({ ...PUBLISHER_ENV, [ENV.summarizer]: 'bedrock' }).summarizer).toEqual({
      kind: 'bedrock',
      modelId: 'amazon.nova-micro-v1:0',
      dailyTokenBudget: 250_000,
    });
  });

  it.each([
    [['--summarizer', 'gpt'], '--summarizer must be one of extractive, bedrock'],
    [['--bedrock-model', 'us.amazon.nova-micro-v1:0'], '--bedrock-model must be a foundation-model id, not an inference profile'],
    [['--bedrock-model', 'Nova Micro'], '--bedrock-model must be a Bedrock model id like amazon.nova-micro-v1:0'],
    [['--bedrock-daily-tokens', '10'], '--bedrock-daily-tokens must be a whole number from 1000'],
  ])('refuse %j naming the flag', (args, message) => {
    expect(() => parsePublishOptions(args)).toThrow(ConfigError);
    expect(() => parsePublishOptions(args)).toThrow(message);
  });

  it('refuse a bad value in the environment, naming the variable', () => {
    expect(() => loadPublisherEnv({ ...PUBLISHER_ENV, [ENV.bedrockModelId]: 'global.anthropic.claude-haiku-4-5-20251001-v1:0' })).toThrow(
      `${ENV.bedrockModelId}: must be a foundation-model id`,
    );
  });

  it('accept the model ids the README names', () => {
    for (const id of [
      'amazon.nova-micro-v1:0',
      'amazon.nova-lite-v1:0',
      'anthropic.claude-3-haiku-20240307-v1:0',
      'anthropic.claude-3-5-haiku-20241022-v1:0',
    ]) {
      expect(settingsSchema.shape.bedrockModelId.parse(id)).toBe(id);
    }
  });
});
