/**
 * Shared helpers of the subscription unit tests: a recording mailer, a plain confirmation renderer whose
 * output the tests parse back, and a keyring.
 */
import type { MailConfig, OutgoingMail, SiteConfig } from '../../functions/core/model.js';
import { buildMailConfig } from '../../functions/core/settings.js';
import type { FailedSend, Mailer, SendOutcome } from '../../functions/core/publish/ports.js';
import type { ConfirmationMailRenderer } from '../../functions/core/subscriptions/ports.js';
import type { TokenKeyring } from '../../functions/core/tokens.js';

export const SITE: SiteConfig = {
  baseUrl: 'https://news.example.org/',
  title: 'Test Gazette',
  description: 'Digests for tests',
  language: 'en',
  authorName: 'Gazette',
  feedLength: 10,
};

export const MAIL: MailConfig = buildMailConfig({ senderEmail: 'news@example.org', senderName: 'Test Gazette' });

/** The subscriber id key of the unit tests. */
export const ID_KEY = 'unit-test-subscriber-id-key-0123456789abcdef';

export const KEYRING: TokenKeyring = { currentKeyId: 'k2', secrets: { k2: 'second-secret-0123456789', k1: 'first-secret-0123456789' } };

/** A renderer that puts the link on its own line, so tests can find it the way a reader would. */
export const plainConfirmation: ConfirmationMailRenderer = ({ to, confirmUrl, messageId }) => ({
  to,
  messageId,
  raw: Buffer.from(`To: ${to}\r\nSubject: Confirm\r\n\r\nConfirm here:\r\n${confirmUrl}\r\n`),
});

/** Records every message; can be told to answer the next sends with a given outcome (or throw an Error). */
export class RecordingMailer implements Pick<Mailer, 'send'> {
  readonly sent: OutgoingMail[] = [];
  failures: (FailedSend | Error)[] = [];

  async send(mail: OutgoingMail): Promise<SendOutcome> {
    const failure = this.failures.shift();
    if (failure instanceof Error) throw failure;
    if (failure) return failure;
    this.sent.push(mail);
    return { kind: 'sent', messageId: `ses-${this.sent.length}` };
  }

  /** The confirm URL of the n-th sent message, parsed back from its body. */
  confirmUrl(index = 0): URL {
    const raw = this.sent[index]?.raw.toString('utf8') ?? '';
    const match = /^(https:\/\/\S+)$/m.exec(raw);
    if (!match?.[1]) throw new Error(`message ${index} has no link`);
    return new URL(match[1]);
  }

  /** The token of the n-th sent message's confirm link. */
  confirmToken(index = 0): string {
    const token = this.confirmUrl(index).searchParams.get('token');
    if (!token) throw new Error(`message ${index} has no token`);
    return token;
  }
}
