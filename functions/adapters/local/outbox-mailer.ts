/**
 * "Sends" mail by writing each message as an `.eml` file into an outbox folder (`out/outbox/`), which
 * any mail client opens. Used by `npm start`, where there is no mail service.
 */
import { join } from 'node:path';
import type { OutgoingMail } from '../../core/model.js';
import type { Mailer, SendOutcome } from '../../core/publish/ports.js';
import { writeFileAtomic } from './atomic-file.js';

/** A Message-ID made safe as a file name: anything but letters, digits, `.`, `_`, `-`, `@` becomes `_`. */
export function outboxFileName(messageId: string): string {
  const safe = messageId
    .replace(/[^A-Za-z0-9._@-]/gu, '_')
    .replace(/^\.+/u, '_')
    .slice(0, 200);
  return `${safe || 'message'}.eml`;
}

/** The `Mailer` port over a folder of `.eml` files. */
export class OutboxMailer implements Mailer {
  /** Paths of the files this instance wrote, in order, for the CLI's summary. */
  readonly written: string[] = [];

  constructor(
    /** Folder the messages go to. */
    readonly dir: string,
  ) {}

  /** Writes the raw message to `<dir>/<safe message id>.eml` atomically and returns its Message-ID. */
  async send(mail: OutgoingMail): Promise<SendOutcome> {
    const path = join(this.dir, outboxFileName(mail.messageId));
    try {
      await writeFileAtomic(path, mail.raw);
    } catch (error) {
      // A full disk or a folder we may not write: the message certainly was not written (the write is
      // atomic), and no other will be, so the run stops and every claim is released.
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
        return { kind: 'rejected-sender', detail: `${this.dir}: cannot write the outbox (${code})` };
      }
      throw error;
    }
    this.written.push(path);
    return { kind: 'sent', messageId: mail.messageId };
  }

  /** A folder has no sending limit. */
  async maxSendRate(): Promise<number> {
    return Number.POSITIVE_INFINITY;
  }
}
