/**
 * `gazette deliveries --in-doubt`: the (delivery, subscriber) pairs of the local state that were claimed
 * but have no message id. A run that crashed between claiming and recording leaves them: the mail may or
 * may not have left, so Gazette never sends them again by itself (at most once); an operator can look
 * in the outbox and decide.
 */
import { openLocalState } from '../../adapters/local/local-state.js';
import { localLayout } from '../../adapters/local/layout.js';
import { SqliteLedger } from '../../adapters/local/sqlite-ledger.js';
import { ConfigError } from '../../core/errors.js';
import { EXIT_CODES, reportError, type CommandIo, type ExitCode } from '../cli-errors.js';
import { parseFlags } from '../flag-values.js';
import { DEFAULTS } from '../setting-flags.js';

/** Help text of `gazette deliveries`. */
export const DELIVERIES_USAGE = `usage: gazette deliveries --in-doubt [--out DIR]

Lists the deliveries of the local state that were claimed but never recorded as sent (a run stopped
between the two): the mail may or may not have left, so they are never sent again by themselves.

  --in-doubt   list the pairs in doubt (delivery id, subscriber id, when claimed)
  --out DIR    output folder holding state/                        default: ${DEFAULTS.out}
  -h, --help   this text
`;

/** Runs `gazette deliveries`; writes nothing. */
export async function deliveriesCommand(args: string[], io: CommandIo): Promise<ExitCode> {
  try {
    const { values } = parseFlags({
      args,
      strict: true,
      allowPositionals: false,
      options: { 'in-doubt': { type: 'boolean' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      io.stdout.write(DELIVERIES_USAGE);
      return EXIT_CODES.ok;
    }
    if (!values['in-doubt']) throw new ConfigError('say what to list: --in-doubt');
    const state = openLocalState(localLayout(values.out ?? DEFAULTS.out), { readOnly: true });
    try {
      const pairs = await new SqliteLedger(state).inDoubt();
      if (pairs.length === 0) io.stdout.write('No deliveries in doubt.\n');
      for (const pair of pairs) io.stdout.write(`${pair.claimedAt}  ${pair.deliveryId}  ${pair.subscriberId}\n`);
      return EXIT_CODES.ok;
    } finally {
      state.close();
    }
  } catch (error) {
    return reportError(io, 'deliveries', error, false);
  }
}
