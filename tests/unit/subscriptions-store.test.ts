import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FileSubscribers,
  MemoryFeedbackLedger,
  MemoryRateLimiter,
  MemoryRollingCounter,
  MemorySubscribers,
} from '../../functions/adapters/local/file-subscribers.js';
import { ConfigError } from '../../functions/core/errors.js';
import { subscriberIdFor } from '../../functions/core/subscriptions/address.js';
import { describeSubscriptionStore } from './subscriptions-store-contract.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gazette-store-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describeSubscriptionStore('memory', async () => ({
  store: new MemorySubscribers(),
  ledger: new MemoryFeedbackLedger(),
  limiter: new MemoryRateLimiter(),
  counter: new MemoryRollingCounter(),
}));
describeSubscriptionStore('JSON file', async () => ({
  store: new FileSubscribers(join(await tempDir(), 'nested', 'subscribers.json')),
  ledger: new MemoryFeedbackLedger(),
  limiter: new MemoryRateLimiter(),
  counter: new MemoryRollingCounter(),
}));

describe('FileSubscribers', () => {
  it('reads hand-written rows, derives ids, skips bad rows with a warning', async () => {
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
    const store = new FileSubscribers(file, (message) => warnings.push(message));
    expect(await store.listConfirmed()).toEqual([
      { id: subscriberIdFor('reader@example.com'), email: 'Reader@example.com', status: 'confirmed' },
    ]);
    expect(warnings).toEqual([
      `${file}: row 2 skipped: invalid address (not exactly one @)`,
      `${file}: row 3 skipped: needs "email" and a "status" of pending, confirmed, unsubscribed, bounced, complained`,
    ]);
  });

  it('answers an empty list for a missing file and a ConfigError for a malformed one', async () => {
    const dir = await tempDir();
    expect(await new FileSubscribers(join(dir, 'none.json')).listConfirmed()).toEqual([]);
    await writeFile(join(dir, 'bad.json'), '{"email": "a@b.c"}');
    await expect(new FileSubscribers(join(dir, 'bad.json')).listAll()).rejects.toBeInstanceOf(ConfigError);
    await writeFile(join(dir, 'broken.json'), '[{');
    await expect(new FileSubscribers(join(dir, 'broken.json')).listAll()).rejects.toBeInstanceOf(ConfigError);
  });

  it('writes valid JSON sorted by id, leaves no temporary files, and a second instance sees the change', async () => {
    const dir = await tempDir();
    const file = join(dir, 'subscribers.json');
    const store = new FileSubscribers(file);
    await Promise.all(
      ['b@example.org', 'a@example.org', 'c@example.org'].map((email) =>
        store.reserveConfirmation(subscriberIdFor(email), email, new Date(0), new Date(-1)),
      ),
    );
    const rows = JSON.parse(await readFile(file, 'utf8')) as { id: string }[];
    expect(rows.map((row) => row.id)).toEqual(rows.map((row) => row.id).sort());
    expect(rows).toHaveLength(3);
    expect(await readdir(dir)).toEqual(['subscribers.json']);
    expect(await new FileSubscribers(file).listAll()).toHaveLength(3);
  });

  it('batch applies every change to one copy and writes the file only at the end; a failed batch writes nothing', async () => {
    const dir = await tempDir();
    const file = join(dir, 'subscribers.json');
    const store = new FileSubscribers(file);
    const emails = ['a@example.org', 'b@example.org', 'c@example.org'];
    const reserved = await store.batch(async (batched) => {
      const answers = [];
      for (const email of emails) answers.push(await batched.reserveConfirmation(subscriberIdFor(email), email, new Date(0), new Date(-1)));
      // Inside the batch the changes exist only in the copy.
      expect(await readdir(dir)).toEqual([]);
      return answers;
    });
    expect(reserved).toEqual([true, true, true]);
    expect((await new FileSubscribers(file).listAll()).map((record) => record.email)).toEqual(
      [...emails].sort((a, b) => (subscriberIdFor(a) < subscriberIdFor(b) ? -1 : 1)),
    );

    const before = await readFile(file, 'utf8');
    await expect(
      store.batch(async (batched) => {
        await batched.remove(subscriberIdFor('a@example.org'));
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('the memory store hands out copies, so callers cannot change stored records', async () => {
    const store = new MemorySubscribers();
    const id = subscriberIdFor('a@example.org');
    await store.reserveConfirmation(id, 'a@example.org', new Date(0), new Date(-1));
    const record = await store.get(id);
    if (record) record.status = 'confirmed';
    expect((await store.get(id))?.status).toBe('pending');
  });
});
