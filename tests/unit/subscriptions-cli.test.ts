import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { SqliteSubscribers } from '../../functions/adapters/local/local-subscriptions.js';
import { localLayout } from '../../functions/adapters/local/layout.js';
import { openLocalState } from '../../functions/adapters/local/local-state.js';
import type { SubscriberRecord } from '../../functions/core/subscriptions/ports.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LOCAL_ENV } from '../../functions/shared/env.js';
import { ENV } from '../../functions/shared/env-names.js';
import { subscriberIdFor } from '../../functions/core/subscriptions/address.js';
import { loadOrCreateSubscriberIdKey } from '../../functions/adapters/local/file-keyring.js';
import { subscribersCommand } from '../../functions/cli/commands/subscribers.js';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gazette-subscribers-'));
  file = join(dir, 'subscribers.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the command with in-memory streams; returns the exit code and what it wrote. */
async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await subscribersCommand([...args, '--file', file, '--out', outFor(file)], { stdin: new PassThrough(), stdout, stderr });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** Each seed file gets its own list (database) in the test, so a second file starts a fresh list. */
function outFor(seed: string): string {
  return `${seed}-out`;
}

/** The subscriber id key the command created in the test's database. */
async function storedIdKey(): Promise<string> {
  const state = openLocalState(localLayout(outFor(file)), { readOnly: true });
  try {
    return await loadOrCreateSubscriberIdKey(state, { create: false });
  } finally {
    state.close();
  }
}

/** The list as stored in the database (the seed file itself is never written). */
async function stored(): Promise<SubscriberRecord[]> {
  const state = openLocalState(localLayout(outFor(file)), { readOnly: true });
  try {
    return await new SqliteSubscribers(state).listAll();
  } finally {
    state.close();
  }
}

describe('gazette subscribers', () => {
  it('add needs a consent note, then stores the address as confirmed with it', async () => {
    const refused = await run('add', 'ann@example.org');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('consent note is required');
    const added = await run('add', 'Ann@Example.ORG', '--note', 'consent: paper form 2025-02-28');
    expect(added).toMatchObject({ code: 0, stdout: 'Ann@example.org: added as confirmed\n' });
    expect(await stored()).toEqual([
      expect.objectContaining({
        id: subscriberIdFor('ann@example.org', await storedIdKey()),
        email: 'Ann@example.org',
        status: 'confirmed',
        consentNote: 'consent: paper form 2025-02-28',
        source: 'operator',
      }),
    ]);
  });

  it('add refuses a malformed address with exit code 2 and writes nothing', async () => {
    const result = await run('add', 'ann@@example.org', '--note', 'consent: x');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('gazette subscribers: invalid email address (not exactly one @)\n');
    expect(await stored()).toEqual([]);
    await expect(readFile(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reads a hand-written file like subscribers.example.json and lists statuses with counts', async () => {
    await writeFile(
      file,
      JSON.stringify([
        { email: 'reader@example.com', status: 'confirmed' },
        { email: 'not.yet@example.net', status: 'pending' },
        { email: 'gone@example.com', status: 'unsubscribed' },
        { email: 'broken', status: 'confirmed' },
      ]),
    );
    const result = await run('list');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^confirmed\s+reader@example\.com/);
    expect(lines[1]).toMatch(/^pending\s+not\.yet@example\.net/);
    expect(lines[2]).toMatch(/^unsubscribed\s+gone@example\.com/);
    expect(lines.at(-1)).toBe('3 subscriber(s): 1 confirmed, 1 pending, 1 unsubscribed, 0 bounced, 0 complained');
    expect(result.stderr).toContain('row 4 skipped: invalid address');
    const json = (await run('list', '--json')).stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { status: string });
    expect(json.map((row) => row.status)).toEqual(['confirmed', 'pending', 'unsubscribed']);
  });

  it('imports a spreadsheet CSV (BOM, quotes, commas in notes), reporting bad rows by line with exit 3', async () => {
    await writeFile(file, JSON.stringify([{ email: 'gone@example.com', status: 'unsubscribed' }]));
    const csv = join(dir, 'list.csv');
    await writeFile(
      csv,
      '\uFEFFEmail,Note\r\nann@example.org,"consent: fair, stand 4"\r\nnot-an-address,\r\ngone@example.com,\r\n"bob@example.org",\r\n',
    );
    const result = await run('import', csv, '--note', 'consent: imported 2025-02');
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(`gazette subscribers: ${csv}:3: invalid address (not exactly one @)\n`);
    expect(result.stdout).toBe('2 added, 0 confirmed, 1 unchanged, 1 rejected\n');
    const byEmail = Object.fromEntries((await stored()).map((row) => [row.email, row]));
    expect(byEmail['ann@example.org']).toMatchObject({ status: 'confirmed', consentNote: 'consent: fair, stand 4' });
    expect(byEmail['bob@example.org']).toMatchObject({ status: 'confirmed', consentNote: 'consent: imported 2025-02' });
    expect(byEmail['gone@example.com']).toMatchObject({ status: 'unsubscribed' });
  });

  it('refuses a CSV without an email column', async () => {
    const csv = join(dir, 'bad.csv');
    await writeFile(csv, 'address\nann@example.org\n');
    const result = await run('import', csv, '--note', 'consent: x');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"email"');
  });

  it('exports CSV that parses back, defuses formula cells, and re-imports to the same list', async () => {
    await run('add', 'ann@example.org', '--note', '=HYPERLINK("http://evil.example","click")');
    await run('add', 'bob@example.org', '--note', 'consent: "quoted", with comma');
    const exported = await run('export');
    expect(exported.code).toBe(0);
    const idKey = await storedIdKey();
    const rows = parseCsv(exported.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => [row.email, row.status])).toEqual(
      [
        ['ann@example.org', 'confirmed'],
        ['bob@example.org', 'confirmed'],
      ].sort((a, b) => subscriberIdFor(a[0] as string, idKey).localeCompare(subscriberIdFor(b[0] as string, idKey))),
    );
    const ann = rows.find((row) => row.email === 'ann@example.org');
    expect(ann?.consentNote).toBe('\'=HYPERLINK("http://evil.example","click")');
    expect(rows.find((row) => row.email === 'bob@example.org')?.consentNote).toBe('consent: "quoted", with comma');

    // Round trip into an empty list: the notes come back exactly.
    const csv = join(dir, 'export.csv');
    await writeFile(csv, exported.stdout.replace(/^id,email,status,source,consentNote/, 'id,email,status,source,note'));
    const previous = file;
    file = join(dir, 'second.json');
    expect((await run('import', csv)).code).toBe(0);
    const notes = (await stored()).map((row) => row.consentNote).sort();
    file = previous;
    expect(notes).toEqual(['=HYPERLINK("http://evil.example","click")', 'consent: "quoted", with comma']);
  });

  it('removes an address by any spelling and says when there was nothing to remove', async () => {
    await run('add', 'ann@example.org', '--note', 'consent: x');
    expect(await run('remove', 'ANN@example.org')).toMatchObject({ code: 0, stdout: 'ann@example.org: removed (was confirmed)\n' });
    expect(await stored()).toEqual([]);
    expect(await run('remove', 'ann@example.org')).toMatchObject({ code: 0, stdout: 'not on the list; nothing removed\n' });
  });

  it('rejects unknown actions, wrong argument counts and --file with --table', async () => {
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run('add')).code).toBe(2);
    expect((await run('list', '--table', 'x')).code).toBe(2);
    expect((await run('--help')).code).toBe(0);
  });

  it('with --table, add and remove need the subscriber id key and say how to give it', async () => {
    vi.stubEnv(ENV.subscriberIdSecretArn, '');
    vi.stubEnv(LOCAL_ENV.subscriberIdKey, '');
    try {
      for (const args of [
        ['add', 'ann@example.org', '--note', 'consent: phone'],
        ['remove', 'ann@example.org'],
      ]) {
        const stdout = new PassThrough();
        const stderr = new PassThrough();
        const err: Buffer[] = [];
        stderr.on('data', (chunk: Buffer) => err.push(chunk));
        const code = await subscribersCommand([...args, '--table', 'readers', '--endpoint', 'http://127.0.0.1:9'], {
          stdin: new PassThrough(),
          stdout,
          stderr,
        });
        expect(code).toBe(2);
        expect(Buffer.concat(err).toString('utf8')).toContain('--id-secret ARN');
      }
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
