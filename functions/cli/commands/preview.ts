/**
 * `gazette preview` and `gazette send-test`: the next edition of each enabled cadence, written to files
 * or sent to one address marked "[Test]". Both read the local state from an in-memory copy (as a dry
 * run does), so no cursor, claim, ledger entry or digest can change, whatever happens.
 */
import { join } from 'node:path';
import { loadOrCreateKeyring } from '../../adapters/local/file-keyring.js';
import { localLayout } from '../../adapters/local/layout.js';
import { openLocalState } from '../../adapters/local/local-state.js';
import { OutboxMailer } from '../../adapters/local/outbox-mailer.js';
import { SqliteArchive } from '../../adapters/local/sqlite-archive.js';
import { ConfigError } from '../../core/errors.js';
import { normaliseAddress } from '../../core/subscriptions/address.js';
import { EXIT_CODES, reportError, type CommandIo, type ExitCode } from '../cli-errors.js';
import { parsePublishOptions, type PublishOptions } from './publish.js';
import { namesStack, parseFlags } from '../flag-values.js';
import { PREVIEW_ADDRESS, renderNextEditions, sendTests, writePreviews, type RenderedEdition } from '../preview-editions.js';

/** Help text of both commands. */
export const PREVIEW_USAGE = `usage: gazette preview [publish options]
       gazette send-test --to ADDRESS [publish options]

preview     writes the next edition of each enabled cadence to OUT/preview/<cadence>.eml and .html
send-test   sends those editions to ADDRESS, subject marked "[Test]" (locally: into OUT/outbox/)

Neither sends to subscribers nor moves any cursor, claim or ledger entry. The publish options
(--out, --base-url, --from, --cadences, --time-zone, --now, …) set the site, sender and cadences.
With --stack NAME both work on the deployed stack instead ("gazette send-test --stack NAME --help").
`;

/** The next editions from the local state, read from an in-memory copy (nothing can move). */
async function renderNext(options: PublishOptions, to: string, test: boolean): Promise<RenderedEdition[]> {
  const state = openLocalState(localLayout(options.outDir), { readOnly: true });
  try {
    const digests = await new SqliteArchive(state).list();
    const { keyring } = await loadOrCreateKeyring(state, { create: false });
    const now = options.now ?? new Date();
    return renderNextEditions({ digests, keyring, site: options.site, mail: options.mail, editions: options.editions, now }, to, test);
  } finally {
    state.close();
  }
}

function parse(args: string[], withTo: boolean): { options: PublishOptions; to?: string } | 'help' {
  const { values } = parseFlags({
    args,
    strict: false,
    allowPositionals: true,
    options: { to: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  // Everything but --to goes to the publish options parser, which refuses what it does not know.
  const rest: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    if (args[index] === '--to') index += 1;
    else if (!args[index]!.startsWith('--to=')) rest.push(args[index]!);
  }
  if (values.help) return 'help';
  const options = parsePublishOptions(rest);
  if (options === 'help') return 'help';
  if (!withTo) return { options };
  if (typeof values.to !== 'string') throw new ConfigError('send-test needs --to ADDRESS');
  return { options, to: normaliseAddress(values.to) };
}

/** `gazette preview`: writes OUT/preview/<cadence>.eml and .html (with `--stack`, the deployed stack's). */
export async function previewCommand(args: string[], io: CommandIo): Promise<ExitCode> {
  // The AWS clients load only for a stack.
  if (namesStack(args)) return (await import('../operator/stack-preview.js')).stackPreviewCommand('preview', args, io);
  try {
    const parsed = parse(args, false);
    if (parsed === 'help') {
      io.stdout.write(PREVIEW_USAGE);
      return EXIT_CODES.ok;
    }
    const rendered = await renderNext(parsed.options, PREVIEW_ADDRESS, false);
    await writePreviews(rendered, join(parsed.options.outDir, 'preview'), io);
    return EXIT_CODES.ok;
  } catch (error) {
    return reportError(io, 'preview', error, args.includes('--verbose'));
  }
}

/** `gazette send-test --to ADDRESS`: the next editions to one address, locally into the outbox (with `--stack`, through SES). */
export async function sendTestCommand(args: string[], io: CommandIo): Promise<ExitCode> {
  if (namesStack(args)) return (await import('../operator/stack-preview.js')).stackPreviewCommand('send-test', args, io);
  try {
    const parsed = parse(args, true);
    if (parsed === 'help') {
      io.stdout.write(PREVIEW_USAGE);
      return EXIT_CODES.ok;
    }
    const rendered = await renderNext(parsed.options, parsed.to!, true);
    const mailer = new OutboxMailer(localLayout(parsed.options.outDir).outbox);
    return await sendTests(rendered, mailer, io, () => mailer.written.at(-1) ?? '');
  } catch (error) {
    return reportError(io, 'send-test', error, args.includes('--verbose'));
  }
}
