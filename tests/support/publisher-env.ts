/**
 * The publisher's environment as infra would set it, pointed at the emulators, with the inline secrets
 * of the tests (there is no Secrets Manager emulator): shared by the integration harness and the
 * benchmarks that run the real handler.
 */
import { emulatorEnvironment, type EmulatorEndpoints, type GazetteResourceNames } from '../../functions/dev/local-aws/emulators.js';
import { LOCAL_ENV } from '../../functions/shared/env.js';
import { ENV } from '../../functions/shared/env-names.js';

/** The keyring the tests sign unsubscribe links with (inline: there is no Secrets Manager emulator). */
export const TEST_KEYRING_JSON = JSON.stringify({ currentKeyId: 'k1', k1: 'integration-test-secret-0123456789' });

/** The subscriber id key of the integration and e2e tests (inline, as `npm run dev` passes it). */
export const TEST_SUBSCRIBER_ID_KEY = 'integration-subscriber-id-key-0123456789abcdef';

/** The origin-verify value of the tests (inline: no CloudFront, no Secrets Manager). */
export const TEST_ORIGIN_VERIFY = 'origin-verify-test-value-0123456789abcdef';

/** Environment variables as infra would set them, pointed at the emulators. */
export function publisherVariables(endpoints: EmulatorEndpoints, names: GazetteResourceNames): Record<string, string> {
  return {
    ...emulatorEnvironment(endpoints, names),
    AWS_REGION: 'eu-west-1',
    [ENV.siteBaseUrl]: 'https://news.example.com/',
    [ENV.siteTitle]: 'Gazette Integration',
    [ENV.siteDescription]: 'Digests published by the integration tests',
    [ENV.siteLanguage]: 'en',
    [ENV.feedLength]: '20',
    [ENV.senderAddress]: 'news@example.com',
    [ENV.senderName]: 'Gazette',
    [ENV.sesConfigurationSet]: 'gazette-events',
    [LOCAL_ENV.tokenKeyringJson]: TEST_KEYRING_JSON,
    [LOCAL_ENV.originVerifySecret]: TEST_ORIGIN_VERIFY,
    [LOCAL_ENV.subscriberIdKey]: TEST_SUBSCRIBER_ID_KEY,
  };
}
