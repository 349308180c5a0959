import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localLayout } from '../../functions/adapters/local/layout.js';
import { openLocalState } from '../../functions/adapters/local/local-state.js';
import { SqliteLedger } from '../../functions/adapters/local/sqlite-ledger.js';
import { runGazette } from '../../functions/cli/gazette.js';
import { deliveryIdForDigest } from '../../functions/core/publish/delivery.js';
import { EXIT_CODES } from '../../functions/cli/cli-errors.js';
import { memoryIo } from '../fakes/memory-io.js';

let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'gazette-deliveries-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('gazette deliveries --in-doubt', () => {
  it('lists the pairs claimed but never recorded as sent, and only those', async () => {
    const state = openLocalState(localLayout(out));
    const ledger = new SqliteLedger(state);
    const at = new Date('2026-12-01T07:00:00Z');
    await ledger.claim(deliveryIdForDigest('digest-a'), 'sub-1', at);
    await ledger.markSent(deliveryIdForDigest('digest-a'), 'sub-1', 'msg-1', at);
    // The run died here: claimed, never sent nor released.
    await ledger.claim(deliveryIdForDigest('digest-a'), 'sub-2', new Date('2026-12-01T07:00:05Z'));
    state.close();

    const io = memoryIo();
    expect(await runGazette(['deliveries', '--in-doubt', '--out', out], io)).toBe(EXIT_CODES.ok);
    expect(io.out()).toBe('2026-12-01T07:00:05.000Z  digest-a  sub-2\n');
  });

  it('says so when nothing is in doubt, and asks what to list without --in-doubt', async () => {
    const io = memoryIo();
    expect(await runGazette(['deliveries', '--in-doubt', '--out', out], io)).toBe(EXIT_CODES.ok);
    expect(io.out()).toBe('No deliveries in doubt.\n');
    const bare = memoryIo();
    expect(await runGazette(['deliveries', '--out', out], bare)).toBe(EXIT_CODES.usage);
    expect(bare.err()).toContain('--in-doubt');
  });
});
