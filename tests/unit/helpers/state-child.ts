/**
 * A separate OS process for the cross-process tests of the local state (tests/unit/local-state-processes.test.ts):
 * `claim OUT N` claims pairs d1/s0…s(N-1) and prints how many it got; `keyring OUT` creates or reads the
 * token keys and prints the secret; `lease OUT` takes the run lease, prints "held" and waits to be killed.
 */
import { loadOrCreateKeyring } from '../../../functions/adapters/local/file-keyring.js';
import { localLayout } from '../../../functions/adapters/local/layout.js';
import { openLocalState } from '../../../functions/adapters/local/local-state.js';
import { SqliteLedger } from '../../../functions/adapters/local/sqlite-ledger.js';
import { SqliteRunLease } from '../../../functions/adapters/local/sqlite-run-lease.js';
import { deliveryIdForDigest } from '../../../functions/core/publish/delivery.js';

const [action, out = '', count = '0'] = process.argv.slice(2);
const state = openLocalState(localLayout(out));
if (action === 'claim') {
  const ledger = new SqliteLedger(state);
  const claimed = await Promise.all(
    Array.from({ length: Number(count) }, (_, i) => ledger.claim(deliveryIdForDigest('d1'), `s${i}`, new Date())),
  );
  process.stdout.write(`${claimed.filter((outcome) => outcome === 'claimed').length}\n`);
  state.close();
} else if (action === 'keyring') {
  const { keyring } = await loadOrCreateKeyring(state, { create: true });
  process.stdout.write(`${keyring.secrets[keyring.currentKeyId]}\n`);
  state.close();
} else if (action === 'lease') {
  await new SqliteRunLease(state).acquire('killed-run', new Date(), 15 * 60_000);
  process.stdout.write('held\n');
  setInterval(() => undefined, 60_000);
}
