/**
 * `gazette preview` and `gazette send-test`: the next edition of each enabled cadence, written to files
 * or sent to one address marked "[Test]". Both read the local state from an in-memory copy (as a dry
 * run does), so no cursor, claim, ledger entry or digest can change, whatever happens.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrCreateKeyring } from '../../adapters/local/file-keyring.js';
import { localLayout } from '../../adapters/local/layout.js';
import { openLocalState } from '../../adapters/local/local-state.js';
import { OutboxMailer } from '../../adapters/local/outbox-mailer.js';
import { SqliteArchive } from '../../adapters/local/sqlite-archive.js';
import type { Edition } from '../../core/editions/edition.js';
import { nextEdition } from '../../core/editions/preview.js';
import { ConfigError } from '../../core/errors.js';
import type { OutgoingMail } from '../../core/model.js';
import { editionEmailParts, editionMail } from '../../core/render/edition-email.js';
import { normaliseAddress } from '../../core/subscriptions/address.js';
import { manageUrl, unsubscribeUrl } from '../../core/subscriptions/links.js';
import { EXIT_CODES, reportError, type CommandIo, type ExitCode } from '../../shared/cli-errors.js';
import { parsePublishOptions, type PublishOptions } from './publish.js';

/** Help text of both commands. */
export const PREVIEW_USAGE = `usage: gazette preview [publish options]
       gazette send-test --to ADDRESS [publish options]

preview     writes the next edition of each enabled cadence to OUT/preview/<cadence>.eml and .html
send-test   sends those editions to ADDRESS, subject marked "[Test]" (locally: into OUT/outbox/)

Neither sends to subscribers nor moves any cursor, claim or ledger entry. The publish options
(--out, --base-url, --from, --cadences, --time-zone, --now, …) set the site, sender and cadences.
`;

/** Who a preview copy is addressed to: nobody real, so its links unsubscribe nobody. */
const PREVIEW_SUBSCRIBER = 'preview';

interface Rendered {
  edition: Edition;
  mail: OutgoingMail;
  html: string;
}

/** Renders the next edition of every enabled cadence for `to` (`test` marks the subject). */
async function renderNext(options: PublishOptions, to: string, test: boolean): Promise<Rendered[]> {
  const state = openLocalState(localLayout(options.outDir), { readOnly: true });
  try {
    const digests = await new SqliteArchive(state).list();
    const { keyring } = await loadOrCreateKeyring(state, { create: false });
    const now = options.now ?? new Date();
    const links = {
      unsubscribeUrl: unsubscribeUrl(options.site, keyring, PREVIEW_SUBSCRIBER, now),
      manageUrl: manageUrl(options.site, keyring, PREVIEW_SUBSCRIBER, now),
    };
    return options.editions.cadences.flatMap((cadence) => {
      const edition = nextEdition(digests, cadence, now, options.editions);
      if (!edition) return [];
      const parts = editionEmailParts(edition, links, options.site, options.mail);
      return [{ edition, html: parts.html, mail: editionMail(parts, { to, subscriberId: PREVIEW_SUBSCRIBER, date: now, test }) }];
    });
  } finally {
    state.close();
  }
}

function parse(args: string[], withTo: boolean): { options: PublishOptions; to?: string } | 'help' {
  let values;
  let rest: string[] = [];
  try {
    const parsed = parseArgs({
      args,
      strict: false,
      allowPositionals: true,
      options: { to: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    values = parsed.values;
    // Everything but --to goes to the publish options parser, which refuses what it does not know.
    for (let index = 0; index < args.length; index += 1) {
      if (args[index] === '--to') index += 1;
      else if (!args[index]!.startsWith('--to=')) rest.push(args[index]!);
    }
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  if (values.help) return 'help';
  const options = parsePublishOptions(rest);
  if (options === 'help') return 'help';
  if (!withTo) return { options };
  if (typeof values.to !== 'string') throw new ConfigError('send-test needs --to ADDRESS');
  return { options, to: normaliseAddress(values.to) };
}

/** `gazette preview`: writes OUT/preview/<cadence>.eml and .html. */
export async function previewCommand(args: string[], io: CommandIo): Promise<ExitCode> {
  try {
    const parsed = parse(args, false);
    if (parsed === 'help') {
      io.stdout.write(PREVIEW_USAGE);
      return EXIT_CODES.ok;
    }
    const folder = join(parsed.options.outDir, 'preview');
    const rendered = await renderNext(parsed.options, `${PREVIEW_SUBSCRIBER}@example.invalid`, false);
    if (rendered.length === 0) io.stdout.write("Nothing new: every cadence's next edition is empty, so none would be sent.\n");
    await mkdir(folder, { recursive: true });
    for (const { edition, mail, html } of rendered) {
      await writeFile(join(folder, `${edition.cadence}.eml`), mail.raw);
      await writeFile(join(folder, `${edition.cadence}.html`), html);
      io.stdout.write(`${edition.cadence}: ${edition.digests.length} digest(s) -> ${join(folder, `${edition.cadence}.eml`)} (.html)\n`);
    }
    return EXIT_CODES.ok;
  } catch (error) {
    return reportError(io, 'preview', error, args.includes('--verbose'));
  }
}

/** `gazette send-test --to ADDRESS`: the next editions to one address, locally into the outbox. */
export async function sendTestCommand(args: string[], io: CommandIo): Promise<ExitCode> {
  try {
    const parsed = parse(args, true);
    if (parsed === 'help') {
      io.stdout.write(PREVIEW_USAGE);
      return EXIT_CODES.ok;
    }
    const rendered = await renderNext(parsed.options, parsed.to!, true);
    if (rendered.length === 0) io.stdout.write('Nothing new: no edition to send.\n');
    const mailer = new OutboxMailer(localLayout(parsed.options.outDir).outbox);
    for (const { edition, mail } of rendered) {
      const outcome = await mailer.send(mail);
      if (outcome.kind !== 'sent') throw new Error(`${edition.cadence}: not sent (${outcome.kind}: ${outcome.detail})`);
      io.stdout.write(`${edition.cadence}: test sent to ${parsed.to} (${mailer.written.at(-1)})\n`);
    }
    return EXIT_CODES.ok;
  } catch (error) {
    return reportError(io, 'send-test', error, args.includes('--verbose'));
  }
}
