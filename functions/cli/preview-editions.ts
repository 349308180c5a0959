/**
 * The part of `gazette preview` and `gazette send-test` that is the same locally and on a deployed
 * stack: rendering the next edition of each enabled cadence from an archive's digests, writing the
 * previews, and sending test copies through a `Mailer` (the outbox, or SES). Only where the digests,
 * the keys and the mailer come from differs (functions/cli/commands/preview.ts, operator/stack-preview.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Edition } from '../core/editions/edition.js';
import type { EditionDefaults } from '../core/editions/plan.js';
import { nextEdition } from '../core/editions/preview.js';
import { GazetteError } from '../core/errors.js';
import type { Digest, MailConfig, OutgoingMail, SiteConfig } from '../core/model.js';
import type { Mailer } from '../core/publish/ports.js';
import { editionEmailParts, editionMail } from '../core/render/edition-email.js';
import { manageUrl, unsubscribeUrl } from '../core/subscriptions/links.js';
import type { TokenKeyring } from '../core/tokens.js';
import { EXIT_CODES, terminalSafe, type CommandIo, type ExitCode } from './cli-errors.js';

/** Who a preview copy is addressed to: nobody real, so its links unsubscribe nobody. */
export const PREVIEW_SUBSCRIBER = 'preview';

/** Where a preview addressed to nobody goes. */
export const PREVIEW_ADDRESS = `${PREVIEW_SUBSCRIBER}@example.invalid`;

/** What the next editions are rendered from. */
export interface PreviewSource {
  digests: readonly Digest[];
  keyring: TokenKeyring;
  site: SiteConfig;
  mail: MailConfig;
  editions: EditionDefaults;
  now: Date;
}

/** One cadence's next edition, rendered. */
export interface RenderedEdition {
  edition: Edition;
  mail: OutgoingMail;
  html: string;
}

/** Renders the next edition of every enabled cadence for `to` (`test` marks the subject "[Test]"). */
export function renderNextEditions(source: PreviewSource, to: string, test: boolean): RenderedEdition[] {
  const { keyring, now, site } = source;
  const links = {
    unsubscribeUrl: unsubscribeUrl(site, keyring, PREVIEW_SUBSCRIBER, now),
    manageUrl: manageUrl(site, keyring, PREVIEW_SUBSCRIBER, now),
  };
  return source.editions.cadences.flatMap((cadence) => {
    const edition = nextEdition(source.digests, cadence, now, source.editions);
    if (!edition) return [];
    const parts = editionEmailParts(edition, links, site, source.mail);
    return [{ edition, html: parts.html, mail: editionMail(parts, { to, subscriberId: PREVIEW_SUBSCRIBER, date: now, test }) }];
  });
}

/** Writes `folder/<cadence>.eml` and `.html` for each edition and says so. */
export async function writePreviews(rendered: readonly RenderedEdition[], folder: string, io: CommandIo): Promise<void> {
  if (rendered.length === 0) io.stdout.write("Nothing new: every cadence's next edition is empty, so none would be sent.\n");
  await mkdir(folder, { recursive: true });
  for (const { edition, mail, html } of rendered) {
    await writeFile(join(folder, `${edition.cadence}.eml`), mail.raw);
    await writeFile(join(folder, `${edition.cadence}.html`), html);
    io.stdout.write(`${edition.cadence}: ${edition.digests.length} digest(s) -> ${join(folder, `${edition.cadence}.eml`)} (.html)\n`);
  }
}

/**
 * Sends each rendered edition to its one address and says where it went (`where` names it: the outbox
 * file, the SES MessageId). A refused address is a clear error naming the SES sandbox when that is the
 * cause; a stop on quota or throttling is exit 75.
 */
export async function sendTests(
  rendered: readonly RenderedEdition[],
  mailer: Mailer,
  io: CommandIo,
  where: (messageId: string) => string,
): Promise<ExitCode> {
  if (rendered.length === 0) io.stdout.write('Nothing new: no edition to send.\n');
  for (const { edition, mail } of rendered) {
    const outcome = await mailer.send(mail);
    const detail = outcome.kind === 'sent' ? '' : terminalSafe(outcome.detail);
    switch (outcome.kind) {
      case 'sent':
        io.stdout.write(`${edition.cadence}: test sent to ${mail.to} (${where(outcome.messageId)})\n`);
        continue;
      case 'rejected-recipient':
        io.stderr.write(`gazette send-test: ${refusedRecipientLine(mail.to, detail)}\n`);
        return EXIT_CODES.partial;
      case 'quota':
      case 'throttled':
        io.stderr.write(`gazette send-test: SES is not sending now (${detail}); try again later\n`);
        return EXIT_CODES.tryAgainLater;
      default:
        throw new GazetteError(`${edition.cadence}: SES refused the sender: ${detail}`);
    }
  }
  return EXIT_CODES.ok;
}

/** Why `to` got nothing, with what to do when it is the sandbox's unverified address. */
function refusedRecipientLine(to: string, detail: string): string {
  if (/not verified/i.test(detail)) {
    return (
      `SES refused ${to}: the account is in the SES sandbox, which only mails verified addresses (${detail}). ` +
      `Verify it (aws sesv2 create-email-identity --email-identity ${to}, then open the link SES mails) or request production access.`
    );
  }
  return `SES refused ${to}: ${detail}`;
}
