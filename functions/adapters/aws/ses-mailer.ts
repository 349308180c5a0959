/**
 * Sends rendered digests through Amazon SES (v1 `SendRawEmail`, so our own MIME message with its
 * List-Unsubscribe headers goes out byte for byte) via the configuration set that reports bounces and
 * complaints. SES errors are mapped to the core's domain errors so the use case can pace, stop or skip.
 *
 * Give this adapter an `SESClient` built with `maxAttempts: 1` (see functions/shared/aws-clients.ts):
 * the use case already retries throttling with exponential backoff and jitter.
 */
import { GetSendQuotaCommand, type SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { QuotaExceededError, RecipientRejectedError, ThrottledError } from '../../core/errors.js';
import type { OutgoingMail } from '../../core/model.js';
import type { Mailer } from '../../core/publish/ports.js';

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

  /** Sends one message to its one recipient; returns the SES MessageId. */
  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    try {
      const result = await this.ses.send(
        new SendRawEmailCommand({
          RawMessage: { Data: mail.raw },
          Source: this.options.fromAddress,
          Destinations: [mail.to],
          ConfigurationSetName: this.options.configurationSet,
        }),
      );
      if (!result.MessageId) throw new Error('SES accepted the message but returned no MessageId');
      return { messageId: result.MessageId };
    } catch (error) {
      throw mapSesError(error);
    }
  }

  /**
   * `MaxSendRate` from `GetSendQuota`. Not cached here: the use case asks once per run, and a warm
   * container must notice a raised limit (SES grants increases while the account is in use).
   */
  async maxSendRate(): Promise<number> {
    const quota = await this.ses.send(new GetSendQuotaCommand({}));
    return quota.MaxSendRate && quota.MaxSendRate > 0 ? quota.MaxSendRate : Infinity;
  }
}

/**
 * Maps an SES error to a domain error: quota and sending-pause stop the run, throttling is retried,
 * a refused recipient or message is skipped; anything else (bad configuration, network) passes through.
 */
export function mapSesError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const code = error.name;
  const message = error.message;
  // SES reports both limits with the code "Throttling"; only the message tells them apart.
  if (/daily message quota exceeded/i.test(message)) return new QuotaExceededError(message, { cause: error });
  if (code === 'AccountSendingPausedException') return new QuotaExceededError(message, { cause: error });
  if (code === 'Throttling' || code === 'ThrottlingException' || /maximum sending rate exceeded/i.test(message)) {
    return new ThrottledError(message, { cause: error });
  }
  if (code === 'MessageRejected' || code === 'MailFromDomainNotVerifiedException' || code === 'MailFromDomainNotVerified') {
    return new RecipientRejectedError(message, { cause: error });
  }
  if (code === 'InvalidParameterValue' && /address/i.test(message)) return new RecipientRejectedError(message, { cause: error });
  return error;
}
