/**
 * `gazette preview --stack NAME` and `gazette send-test --to ADDRESS --stack NAME`: the deployed
 * stack's next editions, rendered from its archive with its settings and keys exactly as its publisher
 * would, written to local files or sent through SES marked "[Test]". The archive is only read: no
 * cursor, claim or ledger entry changes.
 */
import { join } from 'node:path';
import { DynamoArchive } from '../../adapters/aws/dynamodb-archive.js';
import { loadKeyring } from '../../adapters/aws/secrets-keyring.js';
import { SesMailer } from '../../adapters/aws/ses-mailer.js';
import { ConfigError } from '../../core/errors.js';
import { normaliseAddress } from '../../core/subscriptions/address.js';
import { createAwsClients, destroyAwsClients } from '../../shared/aws-clients.js';
import { EXIT_CODES, reportError, type CommandIo, type ExitCode } from '../cli-errors.js';
import { fixedNow } from '../flag-values.js';
import { PREVIEW_ADDRESS, renderNextEditions, sendTests, writePreviews } from '../preview-editions.js';
import { deployedPublisherEnv, openStack, parseStackArgs, STACK_FLAGS_USAGE, type ShellEnvironment } from './deployed-stack.js';

/** Help text of both commands with `--stack`. */
export const STACK_PREVIEW_USAGE = `usage: gazette preview --stack NAME [--out DIR] [--now ISO]
       gazette send-test --to ADDRESS --stack NAME [--now ISO]

The deployed stack's next edition of each enabled cadence, from its archive and with its settings:
preview writes them to DIR/preview/<cadence>.eml and .html (default DIR: out); send-test sends them
through SES to ADDRESS, subject marked "[Test]". Nothing on the stack changes. In the SES sandbox
ADDRESS must be a verified identity.

  --to ADDRESS         send-test: who gets the test copies
  --out DIR            preview: where the files go                      default: out
  --now ISO            render as of this time (e.g. 2026-12-01T07:00:00Z)
${STACK_FLAGS_USAGE}
`;

/** Runs `preview --stack` or `send-test --stack`; `env` is the shell's. */
export async function stackPreviewCommand(
  mode: 'preview' | 'send-test',
  args: string[],
  io: CommandIo,
  env: ShellEnvironment = process.env,
): Promise<ExitCode> {
  try {
    const { values } = parseStackArgs(args, { to: { type: 'string' }, out: { type: 'string' }, now: { type: 'string' } }, 0);
    if (values.help) {
      io.stdout.write(STACK_PREVIEW_USAGE);
      return EXIT_CODES.ok;
    }
    if (mode === 'send-test' && values.to === undefined) throw new ConfigError('send-test needs --to ADDRESS');
    if (mode === 'preview' && values.to !== undefined) throw new ConfigError('preview sends nothing: --to is for send-test');
    const to = mode === 'send-test' ? normaliseAddress(values.to!) : PREVIEW_ADDRESS;
    const now = values.now === undefined ? new Date() : fixedNow(values.now);

    const stack = await openStack(values, env);
    const publisher = await deployedPublisherEnv(stack);
    const clients = createAwsClients(stack.clientOptions);
    try {
      const [digests, keyring] = await Promise.all([
        new DynamoArchive(clients.doc, publisher.tables.state).list(),
        loadKeyring(publisher.keyring, clients.secrets),
      ]);
      const source = { digests, keyring, site: publisher.site, mail: publisher.mail, editions: publisher.editions, now };
      const rendered = renderNextEditions(source, to, mode === 'send-test');
      if (mode === 'preview') {
        await writePreviews(rendered, join(values.out ?? 'out', 'preview'), io);
        return EXIT_CODES.ok;
      }
      // Through the stack's configuration set, as every mail it sends: a bounce of the test is seen too.
      const mailer = new SesMailer(clients.ses, {
        configurationSet: publisher.sesConfigurationSet,
        fromAddress: publisher.mail.fromAddress,
      });
      return await sendTests(rendered, mailer, io, (messageId) => `SES message ${messageId}`);
    } finally {
      destroyAwsClients(clients);
    }
  } catch (error) {
    return reportError(io, mode, error, args.includes('--verbose'));
  }
}
