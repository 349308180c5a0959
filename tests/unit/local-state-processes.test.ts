/**
 * Issue 8 item 9, reproduced with real OS processes sharing one state database: double claims, two
 * overlapping publish runs, a killed run's lease, two first runs creating keys, and the one-time import
 * of the JSON state of earlier versions.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localLayout } from '../../functions/adapters/local/layout.js';
import { openLocalState } from '../../functions/adapters/local/local-state.js';
import { SqliteArchive } from '../../functions/adapters/local/sqlite-archive.js';
import { SqliteLedger } from '../../functions/adapters/local/sqlite-ledger.js';
import { deliveryIdForDigest } from '../../functions/core/publish/delivery.js';
import { SqliteRunLease } from '../../functions/adapters/local/sqlite-run-lease.js';

const repoRoot = join(import.meta.dirname, '../..');
// `node --import tsx`, not the tsx binary: that wraps a second node process, and killing the wrapper
// would leave the real lease holder running.
const node = (script: string, args: string[]): [string, string[]] => [process.execPath, ['--import', 'tsx', script, ...args]];
const child = join(import.meta.dirname, 'helpers/state-child.ts');

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'gazette-procs-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Runs `tsx script args…` as a child process; resolves with its stdout once it exits 0. */
function run(script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(...node(script, args), { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.on('exit', (code) => (code === 0 || code === 3 ? resolve(out) : reject(new Error(`exit ${code}: ${err}`))));
  });
}

describe('local state across processes', () => {
  it('two processes claiming the same 300 pairs claim each exactly once (3 trials)', { timeout: 60_000 }, async () => {
    const doubles: number[] = [];
    for (let trial = 0; trial < 3; trial += 1) {
      const out = join(work, `trial-${trial}`);
      const counts = await Promise.all([run(child, ['claim', out, '300']), run(child, ['claim', out, '300'])]);
      doubles.push(counts.reduce((sum, count) => sum + Number(count), 0) - 300);
    }
    expect(doubles).toEqual([0, 0, 0]);
  });

  it('two first runs at once end with one keyring', { timeout: 30_000 }, async () => {
    const out = join(work, 'out');
    const secrets = await Promise.all([run(child, ['keyring', out]), run(child, ['keyring', out])]);
    expect(secrets[0]).toMatch(/^\S{20,}\n$/);
    expect(secrets[1]).toBe(secrets[0]);
  });

  it('a killed run (pid gone) does not block the next run', { timeout: 30_000 }, async () => {
    const out = join(work, 'out');
    const proc = spawn(...node(child, ['lease', out]), { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => proc.stdout.once('data', () => resolve()));
    const state = openLocalState(localLayout(out));
    try {
      expect(await new SqliteRunLease(state).acquire('next-run', new Date(), 60_000)).toBe(false);
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGKILL');
      await exited;
      expect(await new SqliteRunLease(state).acquire('next-run', new Date(), 60_000)).toBe(true);
    } finally {
      state.close();
    }
  });

  it('two publish runs overlapping after the lease expired send no duplicate', { timeout: 90_000 }, async () => {
    const seeds = join(work, 'seeds');
    const out = join(work, 'out');
    const subscribers = join(work, 'subscribers.json');
    await cp(join(repoRoot, 'seeds'), seeds, { recursive: true });
    const emails = Array.from({ length: 150 }, (_, i) => `reader${i}@example.org`);
    await writeFile(subscribers, JSON.stringify(emails.map((email) => ({ email, status: 'confirmed' }))));
    const args = (now: string): string[] => ['publish', '--seeds', seeds, '--out', out, '--subscribers', subscribers, '--now', now];
    const gazette = join(repoRoot, 'functions/cli/gazette.ts');
    // The second run's clock is 20 minutes later: the first run's 15-minute lease looks expired to it.
    // Whichever takes the lease first decides: when the later-clock run is first, the other finds an
    // unexpired lease and rightly answers 75 (try again later). Either way nobody gets two copies.
    const busyIsFine = (error: unknown): string => {
      if (/exit 75: .*another run holds the lease/.test(String(error))) return 'lease-busy';
      throw error;
    };
    const outcomes = await Promise.all([
      run(gazette, args('2025-05-09T12:00:00Z')).catch(busyIsFine),
      run(gazette, args('2025-05-09T12:20:00Z')).catch(busyIsFine),
    ]);
    expect(outcomes.filter((outcome) => outcome !== 'lease-busy').length).toBeGreaterThanOrEqual(1);
    const files = (await readdir(join(out, 'outbox'))).filter((name) => name.endsWith('.eml'));
    const recipients = await Promise.all(
      files.map(async (name) => {
        const mail = await simpleParser(await readFile(join(out, 'outbox', name)));
        return mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined;
      }),
    );
    const digestMails = recipients.length;
    expect(new Set(recipients).size).toBe(digestMails);
    expect(digestMails).toBe(emails.length);
  });
});

describe('the JSON state of earlier versions', () => {
  it('is imported once and renamed, so an upgrade re-sends nothing', async () => {
    const out = join(work, 'out');
    const layout = localLayout(out);
    await mkdir(join(out, 'state'), { recursive: true });
    const lines = [
      { digestId: 'd1', subscriberId: 's1', change: 'claimed', at: '2025-05-09T10:00:00.000Z' },
      { digestId: 'd1', subscriberId: 's1', change: 'sent', at: '2025-05-09T10:00:01.000Z', messageId: 'm1' },
      { digestId: 'd1', subscriberId: 's2', change: 'claimed', at: '2025-05-09T10:00:00.000Z' },
    ];
    await writeFile(layout.legacy.ledger, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
    await writeFile(layout.legacy.archive, '{"id":"bad","contentHash":"h"}\n');
    await writeFile(layout.legacy.keys, JSON.stringify({ currentKeyId: 'k1', k1: 'a-secret-of-enough-length-123' }));
    for (let open = 0; open < 2; open += 1) {
      const warnings: string[] = [];
      const state = openLocalState(layout);
      const ledger = new SqliteLedger(state);
      // The legacy journal's digestId is the delivery id of that digest's mail: no migration of ids.
      expect(await ledger.claim(deliveryIdForDigest('d1'), 's1', new Date())).toBe('already-claimed');
      expect(await ledger.inDoubt()).toEqual([{ deliveryId: 'd1', subscriberId: 's2', claimedAt: '2025-05-09T10:00:00.000Z' }]);
      expect(await new SqliteArchive(state, (message) => warnings.push(message)).list()).toEqual([]);
      expect(warnings).toEqual([expect.stringMatching(/archive row "bad" skipped/)]);
      expect(state.db.prepare('SELECT COUNT(*) AS n FROM deliveries').get()).toEqual({ n: 2 });
      state.close();
    }
    expect((await readdir(join(out, 'state'))).sort()).toEqual([
      'archive.jsonl.imported',
      'deliveries.jsonl.imported',
      'gazette.sqlite',
      'token-keys.json.imported',
    ]);
  });
});
