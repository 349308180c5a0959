/**
 * The SES events Lambda: the configuration set publishes bounce and complaint events to SNS, SNS
 * invokes this function. Each record's message is one SES notification (JSON), read by the SES adapter;
 * the core decides what it means (functions/core/subscriptions/feedback.ts). A record that fails makes the invocation fail, so
 * Lambda retries it and finally parks it in the dead-letter queue; the de-duplication makes retries safe.
 */
import type { SNSEvent } from 'aws-lambda';
import { awsFeedbackDeps } from '../composition/aws.js';
import type { Clock } from '../core/publish/ports.js';
import { parseSesNotification } from '../adapters/aws/ses-notification.js';
import { type FeedbackDeps, type FeedbackResult, recordFeedback } from '../core/subscriptions/feedback.js';
import { createDynamoClients, createSecretsClient } from '../shared/aws-clients.js';
import { loadSubscriberIdKey } from '../adapters/aws/secrets-keyring.js';
import { loadSesEventsEnv } from '../shared/env.js';
import { coreLog, createLogger } from '../adapters/aws/powertools.js';
import { SERVICES } from '../shared/metric-names.js';

/** A handler bound to its deps; answers one result per SNS record. */
export type SesEventsHandler = (event: SNSEvent) => Promise<FeedbackResult[]>;

/** Builds the handler over ready deps (tests pass memory adapters or emulator-backed ones). */
export function createSesEventsHandler(deps: FeedbackDeps, clock: Clock = { now: () => new Date() }): SesEventsHandler {
  return async (event) => {
    const results: FeedbackResult[] = [];
    // One at a time: SNS sends one record per invocation today, and order keeps a complaint after its bounce.
    for (const record of event.Records) {
      results.push(await recordFeedback(deps, parseSesNotification(JSON.parse(record.Sns.Message) as unknown), clock.now()));
    }
    return results;
  };
}

let coldStart: Promise<SesEventsHandler> | undefined;

/** The Lambda entry point: environment, clients and the subscriber id key once per container. */
export const handler: SesEventsHandler = async (event) => {
  coldStart ??= (async () => {
    const env = loadSesEventsEnv(process.env);
    const options = { region: env.region, endpoints: env.endpoints };
    const clients = createDynamoClients(options);
    const logger = createLogger(SERVICES.sesEvents);
    const idKey = await loadSubscriberIdKey(env.subscriberIdKey, createSecretsClient(options));
    return createSesEventsHandler(awsFeedbackDeps(env, clients, idKey, coreLog(logger)));
  })().catch((error: unknown) => {
    // A failed cold start (the secret unreadable) is retried by the next invocation, not kept.
    coldStart = undefined;
    throw error;
  });
  return (await coldStart)(event);
};
