/**
 * Names of Gazette's own CloudWatch metrics, shared by the handlers that emit them and the alarms in
 * infra. Side-effect free and free of Powertools, so infra can import it.
 */
import { CONFIRMATION_CAP_REACHED } from '../core/subscriptions/subscribe.js';

/** Namespace of every Gazette metric in CloudWatch. */
export const METRICS_NAMESPACE = 'Gazette';

/** The `service` dimension of each function's metrics (also its logger's service name). */
export const SERVICES = {
  publisher: 'publisher',
  subscriptionApi: 'subscription-api',
  confirmationSender: 'confirmation-sender',
  sesEvents: 'ses-events',
  sender: 'sender',
} as const;

/** Metrics of sign-ups, emitted by the confirmation sender (service `confirmation-sender`). */
export const SUBSCRIPTION_API_METRICS = {
  /** A confirmation job found the cap on confirmation mails reached (the mail was not sent). */
  confirmationCapReached: CONFIRMATION_CAP_REACHED,
} as const;

/** Metrics the publisher emits once per run. */
export const PUBLISHER_METRICS = {
  digestsPublished: 'DigestsPublished',
  mailsSent: 'MailsSent',
  /** Recipients the mail service refused for good. */
  mailsFailed: 'MailsFailed',
  mailsDeferred: 'MailsDeferred',
  /** Pairs whose send ended in an unknown way (claimed, never recorded): an operator should look. */
  mailsInDoubt: 'MailsInDoubt',
  /** 1 when a run stopped because the mail service refused the sender or the account. */
  senderRejected: 'SenderRejected',
} as const;

/**
 * Metrics the sender function emits once per batch: the publisher's mail counts under the sender's
 * `service` dimension, since with the send queue the mail goes out here.
 */
export const SENDER_METRICS = {
  mailsSent: PUBLISHER_METRICS.mailsSent,
  mailsFailed: PUBLISHER_METRICS.mailsFailed,
  mailsDeferred: PUBLISHER_METRICS.mailsDeferred,
  senderRejected: PUBLISHER_METRICS.senderRejected,
} as const;
