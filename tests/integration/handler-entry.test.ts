/**
 * The Lambda entry point itself (`handler`, which reads process.env at cold start), not the factory:
 * a missing variable fails with its name, and a complete environment publishes.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ConfigError } from '../../functions/core/errors.js';
import { parseKeyring } from '../../functions/core/tokens.js';
import { handler } from '../../functions/handlers/publish.js';
import { createAwsClients, destroyAwsClients } from '../../functions/shared/aws-clients.js';
import { ENV } from '../../functions/shared/env-names.js';
import { loadPublisherEnv } from '../../functions/shared/env.js';
import { provisionGazette, uniqueResourceNames } from '../../functions/dev/local-aws/emulators.js';
import { publisherVariables } from './harness.js';

const saved = { ...process.env };
afterAll(() => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
});

describe('publish handler entry point', () => {
  it('fails the cold start naming a missing or malformed variable', async () => {
    const variables = publisherVariables(inject('emulators'), uniqueResourceNames('entry'));
    Object.assign(process.env, { ...variables, [ENV.siteBucket]: '', [ENV.siteBaseUrl]: 'https://news.example.com/?edition=1' });
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';

    const failure = handler({}, { awsRequestId: randomUUID() });
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow(/GAZETTE_SITE_BUCKET: required.*GAZETTE_SITE_BASE_URL: must not have a query or fragment/);
  });

  it('requires the token secret ARN (or locally the inline keyring) and rejects a keyring without its current key', () => {
    const variables = publisherVariables(inject('emulators'), uniqueResourceNames('entry'));
    expect(() => loadPublisherEnv({ ...variables, [ENV.tokenSecretArn]: undefined, GAZETTE_TOKEN_KEYRING_JSON: undefined })).toThrow(
      /GAZETTE_TOKEN_SECRET_ARN: required/,
    );
    const secret = 'a-secret-that-must-never-be-logged';
    const parse = () => parseKeyring(JSON.stringify({ currentKeyId: 'k2', k1: secret }), 'GAZETTE_TOKEN_KEYRING_JSON');
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(/GAZETTE_TOKEN_KEYRING_JSON: .*currentKeyId "k2"/);
    expect(parse).not.toThrow(new RegExp(secret));
  });

  it('builds everything from process.env once and publishes on the scheduled event', async () => {
    const endpoints = inject('emulators');
    const names = uniqueResourceNames('entry');
    const clients = createAwsClients({ region: 'eu-west-1', endpoints });
    await provisionGazette(clients, names);
    destroyAwsClients(clients);
    Object.assign(process.env, publisherVariables(endpoints, names), {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });

    const summary = await handler({ scheduledAt: new Date().toISOString() }, { awsRequestId: 'request-1' });

    expect(summary).toMatchObject({ runId: 'request-1', digests: 1, created: 1, articleErrors: 0 });
    expect(summary.filesWritten).toBeGreaterThan(0);
    // Warm invocation: same containers, same clients; nothing new to do.
    expect(await handler({ scheduledAt: new Date().toISOString() }, { awsRequestId: 'request-2' })).toMatchObject({
      created: 0,
      filesWritten: 0,
    });
  });

  it('rejects an event whose scheduledAt is not a timestamp', async () => {
    await expect(handler({ scheduledAt: 'tomorrow morning' }, { awsRequestId: randomUUID() })).rejects.toThrow();
  });
});
