import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MemoryFeedbackLedger,
  MemoryRateLimiter,
  MemoryRollingCounter,
  MemorySubscribers,
  SqliteSubscribers,
} from '../../functions/adapters/local/local-subscriptions.js';
import { localLayout } from '../../functions/adapters/local/layout.js';
import { openLocalState, type LocalState } from '../../functions/adapters/local/local-state.js';
import { ConfigError } from '../../functions/core/errors.js';
import { legacySubscriberIdFor, subscriberIdFor } from '../../functions/core/subscriptions/address.js';
import { ID_KEY } from './subscriptions-helpers.js';
import { describeSubscriptionStore } from './subscriptions-store-contract.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gazette-store-'));
  dirs.push(dir);
  return dir;
}
const states: LocalState[] = [];
const stateDirs = new Map<LocalState, string>();
/** A fresh state database in its own temporary output folder. */
async function tempState(): Promise<LocalState> {
  const out = await tempDir();
  const state = openLocalState(localLayout(out));
  states.push(state);
  stateDirs.set(state, out);
  return state;
}
afterAll(async () => {
  for (const state of states) state.close();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describeSubscriptionStore('memory', async () => ({
  store: new MemorySubscribers(),
  ledger: new MemoryFeedbackLedger(),
  limiter: new MemoryRateLimiter(),
  counter: new MemoryRollingCounter(),
}));
describeSubscriptionStore('SQLite', async () => ({
  store: new SqliteSubscribers(await tempState()),
  ledger: new MemoryFeedbackLedger(),
  limiter: new MemoryRateLimiter(),
  counter: new MemoryRollingCounter(),
}));

describe('SqliteSubscribers', () => {
  it('seeds from hand-written rows, derives ids, skips bad rows with a warning', async () => {
    const dir = await tempDir();
    const file = join(dir, 'subscribers.json');
    await writeFile(
      file,
      JSON.stringify([
        { email: 'Reader@EXAMPLE.com', status: 'confirmed', id: 'forged-id' },
        { email: 'x', status: 'confirmed' },
        { email: 'y@example.com', status: 'maybe' },
        { email: 'p@example.com', status: 'pending' },
      ]),
    );
    const warnings: string[] = [];
    const store = new SqliteSubscribers(await tempState(), { seedFile: file, warn: (message) => warnings.push(message), idKey: ID_KEY });
    expect(await store.listConfirmed()).toEqual([
      { id: subscriberIdFor('reader@example.com', ID_KEY), email: 'Reader@example.com', status: 'confirmed' },
    ]);
    expect(warnings).toEqual([
      `${file}: row 2 skipped: invalid address (not exactly one @)`,
      `${file}: row 3 skipped: needs "email" and a "status" of pending, confirmed, unsubscribed, bounced, complained`,
    ]);
  });

  it('answers an empty list for a missing seed file and a ConfigError for a malformed one', async () => {
    const dir = await tempDir();
    const state = await tempState();
    expect(await new SqliteSubscribers(state, { seedFile: join(dir, 'none.json'), idKey: ID_KEY }).listConfirmed()).toEqual([]);
    await writeFile(join(dir, 'bad.json'), '{"email": "a@b.c"}');
    await expect(new SqliteSubscribers(state, { seedFile: join(dir, 'bad.json'), idKey: ID_KEY }).listAll()).rejects.toBeInstanceOf(
      ConfigError,
    );
    await writeFile(join(dir, 'broken.json'), '[{');
    await expect(new SqliteSubscribers(state, { seedFile: join(dir, 'broken.json'), idKey: ID_KEY }).listAll()).rejects.toBeInstanceOf(
      ConfigError,
    );
  });

  it('never writes the seed file: changes go to the database, a second connection sees them, a removal sticks', async () => {
    const dir = await tempDir();
    const file = join(dir, 'subscribers.json');
    await writeFile(file, JSON.stringify([{ email: 'seed@example.org', status: 'confirmed' }]));
    const before = await readFile(file);
    const state = await tempState();
    const store = new SqliteSubscribers(state, { seedFile: file, idKey: ID_KEY });
    await Promise.all(
      ['b@example.org', 'a@example.org', 'c@example.org'].map((email) =>
        store.reserveConfirmation(subscriberIdFor(email, ID_KEY), email, new Date(0), new Date(-1)),
      ),
    );
    expect(await store.remove(subscriberIdFor('seed@example.org', ID_KEY))).toBe(true);
    expect(await readFile(file)).toEqual(before);
    expect(await readdir(dir)).toEqual(['subscribers.json']);
    const other = openLocalState(localLayout(stateDirs.get(state) ?? ''));
    const again = await new SqliteSubscribers(other, { seedFile: file, idKey: ID_KEY }).listAll();
    other.close();
    expect(again.map((record) => record.id)).toEqual(again.map((record) => record.id).sort());
    expect(again.map((record) => record.email).sort()).toEqual(['a@example.org', 'b@example.org', 'c@example.org']);
  });

  it('does not copy a seed row again under its keyed id when it was copied (or removed) under its old bare-hash id', async () => {
    const dir = await tempDir();
    const file = join(dir, 'subscribers.json');
    await writeFile(
      file,
      JSON.stringify([
        { email: 'kept@example.org', status: 'confirmed' },
        { email: 'removed@example.org', status: 'confirmed' },
        { email: 'new@example.org', status: 'confirmed' },
      ]),
    );
    const state = await tempState();
    // What a state written before keyed ids holds: both rows copied under their old ids, one removed since.
    const mark = state.db.prepare('INSERT INTO subscriber_seeds (source, id) VALUES (?, ?)');
    for (const email of ['kept@example.org', 'removed@example.org']) mark.run(resolve(file), legacySubscriberIdFor(email));
    const kept = { id: legacySubscriberIdFor('kept@example.org'), email: 'kept@example.org', status: 'confirmed' };
    state.db.prepare('INSERT INTO subscribers (id, status, record) VALUES (?, ?, ?)').run(kept.id, kept.status, JSON.stringify(kept));

    const listed = await new SqliteSubscribers(state, { seedFile: file, idKey: ID_KEY }).listAll();
    expect(listed.map((record) => [record.email, record.id])).toEqual(
      [
        ['kept@example.org', legacySubscriberIdFor('kept@example.org')],
        ['new@example.org', subscriberIdFor('new@example.org', ID_KEY)],
      ].sort((x, y) => (x[1]! < y[1]! ? -1 : 1)),
    );
  });

  it('batch writes the changes in one transaction at the end; a failed batch writes nothing', async () => {
    const state = await tempState();
    const store = new SqliteSubscribers(state);
    const emails = ['a@example.org', 'b@example.org', 'c@example.org'];
    const reserved = await store.batch(async (batched) => {
      const answers = [];
      for (const email of emails)
        answers.push(await batched.reserveConfirmation(subscriberIdFor(email, ID_KEY), email, new Date(0), new Date(-1)));
      // Inside the batch the changes exist only in the copy.
      expect(await store.listAll()).toEqual([]);
      return answers;
    });
    expect(reserved).toEqual([true, true, true]);
    expect((await store.listAll()).map((record) => record.email)).toEqual(
      [...emails].sort((a, b) => (subscriberIdFor(a, ID_KEY) < subscriberIdFor(b, ID_KEY) ? -1 : 1)),
    );

    const before = await store.listAll();
    await expect(
      store.batch(async (batched) => {
        await batched.remove(subscriberIdFor('a@example.org', ID_KEY));
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(await store.listAll()).toEqual(before);
  });
});
