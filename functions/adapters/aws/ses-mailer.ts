/**
 * Sends rendered digests through Amazon SES (v1 `SendRawEmail`, so our own MIME message with its
 * List-Unsubscribe headers goes out byte for byte) via the configuration set that reports bounces and
 * complaints. SES's expected errors become send outcomes (see {@link sendOutcomeOf}) so the use case can
 * pace, stop or skip; anything else is thrown.
 *
 * Give this adapter an `SESClient` built with `maxAttempts: 1` (see functions/shared/aws-clients.ts):
 * the use case already retries throttling with exponential backoff and jitter.
 */
import { GetSendQuotaCommand, type SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import type { OutgoingMail } from '../../core/model.js';
import type { FailedSend, Mailer, SendOutcome } from '../../core/publish/ports.js';

/** Which configuration set and sender identity the mailer uses. */
export interface SesMailerOptions {
  configurationSet: string;
  /** The verified sender; also the envelope sender (`Source`). */
  fromAddress: string;
}

/** `Mailer` over SES v1. */
export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESClient,
    private readonly options: SesMailerOptions,
  ) {}

  /** Sends one message to its one recipient; `sent` carries the SES MessageId. */
  async send(mail: OutgoingMail): Promise<SendOutcome> {
    let result;
    try {
      result = await this.ses.send(
        new SendRawEmailCommand({
          RawMessage: { Data: mail.raw },
          Source: this.options.fromAddress,
          Destinations: [mail.to],
          ConfigurationSetName: this.options.configurationSet,
        }),
      );
    } catch (error) {
      const outcome = sendOutcomeOf(error, this.options.fromAddress);
      if (outcome) return outcome;
      throw error;
    }
    if (!result.MessageId) throw new Error('SES accepted the message but returned no MessageId');
    return { kind: 'sent', messageId: result.MessageId };
  }

  /**
   * `MaxSendRate` from `GetSendQuota`. Not cached here: the use case asks once per run, and a warm
   * container must notice a raised limit (SES grants increases while the account is in use).
   */
  async maxSendRate(): Promise<number> {
    const quota = await this.ses.send(new GetSendQuotaCommand({}));
    return quota.MaxSendRate && quota.MaxSendRate > 0 ? quota.MaxSendRate : Infinity;
  }

  /** `Max24HourSend` from `GetSendQuota`: messages allowed in 24 hours (200 in the sandbox); `Infinity` if unset. */
  async dailyQuota(): Promise<number> {
    const quota = await this.ses.send(new GetSendQuotaCommand({}));
    return quota.Max24HourSend && quota.Max24HourSend > 0 ? quota.Max24HourSend : Infinity;
  }
}

/** Error codes that are about the sender, the account or the configuration set, never a recipient. */
const SENDER_SIDE_CODES = new Set([
  'AccountSendingPausedException',
  'MailFromDomainNotVerifiedException',
  'MailFromDomainNotVerified',
  'ConfigurationSetDoesNotExistException',
  'ConfigurationSetDoesNotExist',
  'ConfigurationSetSendingPausedException',
  // The role may not send (a broken deploy): SES refused before accepting anything, so nothing left.
  'AccessDenied',
  'AccessDeniedException',
]);

/**
 * The send outcome an SES error stands for, or undefined for an unexpected one (network, a bug), which
 * the caller throws. `MessageRejected` is sender-side when it names the sender: "Email address is not
 * verified. The following identities failed the check in region …: news@example.com" right after a
 * deploy refuses every message, and marking each recipient failed would burn the digest for the whole
 * list. In the sandbox the same text names an unverified *recipient*, which refuses that one only.
 */
export function sendOutcomeOf(error: unknown, fromAddress: string): FailedSend | undefined {
  if (!(error instanceof Error)) return undefined;
  const { name: code, message: detail } = error;
  // SES reports both limits with the code "Throttling"; only the message tells them apart.
  if (/daily message quota exceeded/i.test(detail)) return { kind: 'quota', detail };
  if (code === 'Throttling' || code === 'ThrottlingException' || /maximum sending rate exceeded/i.test(detail)) {
    return { kind: 'throttled', detail };
  }
  if (SENDER_SIDE_CODES.has(code)) return { kind: 'rejected-sender', detail };
  if (code === 'MessageRejected')
    return namesSender(detail, fromAddress) ? { kind: 'rejected-sender', detail } : { kind: 'rejected-recipient', detail };
  if (code === 'InvalidParameterValue' && /address/i.test(detail)) return { kind: 'rejected-recipient', detail };
  return undefined;
}

/**
 * Whether an SES message names the sender's address, or its domain as an identity of its own (not as
 * the domain of some recipient's address), among the identities that failed.
 */
function namesSender(detail: string, fromAddress: string): boolean {
  const text = detail.toLowerCase();
  const address = fromAddress.toLowerCase();
  const domain = address.slice(address.lastIndexOf('@') + 1);
  return text.includes(address) || new RegExp(`(^|[\\s,:])${domain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(text);
}
