import { createHash } from 'node:crypto';
import { memoryIo } from '../fakes/memory-io.js';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishCommand } from '../../functions/cli/commands/publish.js';
import { runGazette } from '../../functions/cli/gazette.js';
import { EXIT_CODES } from '../../functions/cli/cli-errors.js';
import { localLayout } from '../../functions/adapters/local/layout.js';
import { openLocalState } from '../../functions/adapters/local/local-state.js';

/** The durable content of the state database: archive, ledger, keys and subscribers (not the lease, which every run takes). */
function stateContent(outDir: string): unknown {
  const state = openLocalState(localLayout(outDir), { readOnly: true });
  try {
    return ['digests', 'deliveries', 'keyrings', 'subscribers'].map((table) =>
      state.db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all(),
    );
  } finally {
    state.close();
  }
}

const repoRoot = join(import.meta.dirname, '../..');

/** sha256 of every file under `root`, by relative path. */
async function hashTree(root: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    hashes[path.slice(root.length + 1)] = createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  }
  return hashes;
}

async function emlFiles(outbox: string): Promise<string[]> {
  try {
    return (await readdir(outbox)).filter((name) => name.endsWith('.eml')).sort();
  } catch {
    return [];
  }
}

interface JsonFeed {
  version: string;
  items: { id: string; title: string; date_published: string; date_modified?: string }[];
}

let work: string;
let seeds: string;
let out: string;
let subscribers: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'gazette-cli-'));
  seeds = join(work, 'seeds');
  out = join(work, 'out');
  subscribers = join(work, 'subscribers.json');
  await cp(join(repoRoot, 'seeds'), seeds, { recursive: true });
  await writeFile(
    subscribers,
    JSON.stringify([
      { email: 'Reader@Example.com', status: 'confirmed' },
      { email: 'second@example.org', status: 'confirmed' },
      { email: 'pending@example.net', status: 'pending' },
      { email: 'gone@example.com', status: 'unsubscribed' },
    ]),
  );
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function publish(now: string, ...extra: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo();
  const code = await publishCommand(['--seeds', seeds, '--out', out, '--subscribers', subscribers, '--now', now, ...extra], io);
  return { code, out: io.out(), err: io.err() };
}

async function jsonFeed(): Promise<JsonFeed> {
  return JSON.parse(await readFile(join(out, 'site/feeds/feed.json'), 'utf8')) as JsonFeed;
}

describe('gazette publish on the seed', () => {
  it('publishes the site, three parseable feeds and one email per confirmed subscriber', async () => {
    const run = await publish('2025-05-09T12:00:00Z');
    expect(run.err).toBe('');
    expect(run.code).toBe(EXIT_CODES.ok);
    expect(run.out).toMatch(/^New digest: Chinese President Xi Jinping/m);
    expect(run.out).toMatch(/Key points:\n {4}- /);
    expect(run.out).toContain('Digests: 1 new, 0 updated, 0 unchanged (1 in the archive)');
    expect(run.out).toContain('Mail:    2 sent, 0 already sent');
    expect(run.out).toContain(join(out, 'site/feeds/rss.xml'));

    const index = await readFile(join(out, 'site/index.html'), 'utf8');
    expect(index).toContain('Chinese President Xi Jinping');
    const xml = new XMLParser({ ignoreAttributes: false });
    const rss = xml.parse(await readFile(join(out, 'site/feeds/rss.xml'), 'utf8'));
    expect(rss.rss.channel.item.title).toMatch(/^Chinese President Xi Jinping/);
    const atom = xml.parse(await readFile(join(out, 'site/feeds/atom.xml'), 'utf8'));
    expect(atom.feed.entry.title['#text'] ?? atom.feed.entry.title).toMatch(/^Chinese President Xi Jinping/);
    const feed = await jsonFeed();
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.items).toHaveLength(1);
    const digestPage = new URL(feed.items[0]!.id).pathname.slice(1);
    expect(await readFile(join(out, 'site', digestPage, 'index.html'), 'utf8')).toContain('<html');

    const mails = await emlFiles(join(out, 'outbox'));
    expect(mails).toHaveLength(2);
    const recipients = [];
    for (const name of mails) {
      const mail = await simpleParser(await readFile(join(out, 'outbox', name)));
      recipients.push(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined);
      // One edition: the publication, the day and the lead headline.
      expect(mail.subject).toMatch(/^Gazette · 9 May: Chinese President Xi Jinping/);
      // mailparser folds List-* headers into `list`; the raw header lines show the real field.
      const oneClick = mail.headerLines.filter((header) => header.key === 'list-unsubscribe-post');
      expect(oneClick.map((header) => header.line)).toEqual(['List-Unsubscribe-Post: List-Unsubscribe=One-Click']);
    }
    // The domain is lower-cased, the local part kept as written (it may be case-sensitive).
    expect(recipients.sort()).toEqual(['Reader@example.com', 'second@example.org']);
  });

  it('changes no byte and writes no email on a second run', async () => {
    expect((await publish('2025-05-09T12:00:00Z')).code).toBe(EXIT_CODES.ok);
    const siteBefore = await hashTree(join(out, 'site'));
    const outboxBefore = await emlFiles(join(out, 'outbox'));
    const stateBefore = stateContent(out);

    const again = await publish('2025-05-09T13:00:00Z');
    expect(again.code).toBe(EXIT_CODES.ok);
    expect(again.out).toContain('Digests: 0 new, 0 updated, 1 unchanged (1 in the archive)');
    expect(again.out).toContain('Mail:    0 sent');
    expect(again.out).not.toMatch(/New digest|Updated digest/);
    expect(await hashTree(join(out, 'site'))).toEqual(siteBefore);
    expect(await emlFiles(join(out, 'outbox'))).toEqual(outboxBefore);
    expect(stateContent(out)).toEqual(stateBefore);
  });

  it('keeps the token keys across runs (unsubscribe links stay valid)', async () => {
    await publish('2025-05-09T12:00:00Z');
    const keys = JSON.stringify((stateContent(out) as unknown[])[2]);
    await writeFile(join(seeds, 'new.txt'), 'A second article arrives with news of its own. It has two sentences.');
    await publish('2025-05-10T12:00:00Z');
    expect(JSON.stringify((stateContent(out) as unknown[])[2])).toBe(keys);
  });
});

describe('gazette publish with changes', () => {
  it('publishes the good articles when one is bad, names the bad file, and exits 3', async () => {
    await writeFile(join(seeds, 'empty.txt'), '');
    await writeFile(join(seeds, 'binary.txt'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]));
    await writeFile(
      join(seeds, 'good.md'),
      '---\nid: good-1\ntitle: Bridge opens to traffic\n---\nThe new bridge opened to traffic on Monday. Commuters saved twenty minutes.\n',
    );
    const run = await publish('2025-05-09T12:00:00Z');
    expect(run.code).toBe(EXIT_CODES.partial);
    expect(run.err).toMatch(/^article error: empty\.txt: empty article$/m);
    expect(run.err).toMatch(/^article error: binary\.txt: binary content/m);
    expect(run.out).toContain('Errors:  2 article(s) skipped');
    expect(run.out).toContain('Digests: 2 new');
    expect((await jsonFeed()).items.map((item) => item.title)).toContain('Bridge opens to traffic');
    // Two new digests, one edition: one email per confirmed reader, not one per digest.
    expect(await emlFiles(join(out, 'outbox'))).toHaveLength(2);
  });

  it('updates the same digest when a stable-id article is edited, and sends no new email', async () => {
    const story = (text: string): string => `---\nid: story-1\ntitle: Library plans approved\n---\n${text}\n`;
    await rm(join(seeds, '000_89c895b2b4859281.txt'));
    await writeFile(join(seeds, 'story.md'), story('The council approved the library plans on Monday. Building starts in spring.'));
    expect((await publish('2025-05-09T12:00:00Z')).code).toBe(EXIT_CODES.ok);
    const first = await jsonFeed();
    const mailsBefore = await emlFiles(join(out, 'outbox'));
    expect(mailsBefore).toHaveLength(2);

    await writeFile(
      join(seeds, 'story.md'),
      story('The council approved the library plans on Monday. Building starts in early summer now.'),
    );
    const run = await publish('2025-05-10T08:00:00Z');
    expect(run.code).toBe(EXIT_CODES.ok);
    expect(run.out).toMatch(/^Updated digest: Library plans approved/m);
    expect(run.out).toContain('Digests: 0 new, 1 updated, 0 unchanged (1 in the archive)');
    const second = await jsonFeed();
    expect(second.items).toHaveLength(1);
    expect(second.items[0]!.id).toBe(first.items[0]!.id);
    expect(second.items[0]!.date_published).toBe(first.items[0]!.date_published);
    expect(Date.parse(second.items[0]!.date_modified ?? '')).toBe(Date.parse('2025-05-10T08:00:00Z'));
    expect(await emlFiles(join(out, 'outbox'))).toEqual(mailsBefore);
  });

  it('publishes a new article as a new digest with one email per subscriber', async () => {
    await publish('2025-05-09T12:00:00Z');
    const before = await emlFiles(join(out, 'outbox'));
    await writeFile(join(seeds, '001_new.txt'), 'The harbour reopened after the storm. Ferries run again from Tuesday.');
    const run = await publish('2025-05-10T12:00:00Z');
    expect(run.code).toBe(EXIT_CODES.ok);
    expect(run.out).toContain('Digests: 1 new, 0 updated, 1 unchanged (2 in the archive)');
    expect(run.out).toContain('Mail:    2 sent');
    const after = await emlFiles(join(out, 'outbox'));
    expect(after).toHaveLength(before.length + 2);
    expect((await jsonFeed()).items).toHaveLength(2);
  });
});

describe('gazette publish: settings and failures', () => {
  it('writes nothing on a dry run', async () => {
    const run = await publish('2025-05-09T12:00:00Z', '--dry-run');
    expect(run.code).toBe(EXIT_CODES.ok);
    expect(run.out).toContain('Dry run: nothing was written or sent.');
    expect(run.out).toMatch(/^New digest: /m);
    // It reports what a real run would do, in words that do not claim it happened.
    expect(run.out).toMatch(/^Files: {3}\d+ would be written, 0 unchanged$/m);
    expect(run.out).toMatch(/^Mail: {4}2 would be sent, 0 already sent$/m);
    expect(run.out).not.toMatch(/\d+ written|\d+ sent,/);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });

  it('exits 75 without doing anything while another run holds the lease', async () => {
    // A lease from the JSON era (no pid recorded) is imported and honoured until it expires.
    await mkdir(join(out, 'state'), { recursive: true });
    await writeFile(join(out, 'state/lease.json'), JSON.stringify({ owner: 'other-run', expiresAt: '2099-01-01T00:00:00.000Z' }));
    const run = await publish('2025-05-09T12:00:00Z');
    expect(run.code).toBe(EXIT_CODES.tryAgainLater);
    expect(run.err).toMatch(/another run holds the lease in .*gazette\.sqlite/);
    await expect(readdir(join(out, 'site'))).rejects.toThrow(/ENOENT/);
  });

  it.each([
    [['--base-url', 'ftp://example.com/'], /--base-url must be an http\(s\) URL/],
    [['--now', 'yesterday'], /--now must be an ISO 8601 date-time/],
    [['--feed-length', '0'], /--feed-length must be a whole number/],
    [['--from', 'not an address'], /--from must be one address/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('exits 2 with one line for bad flags %j', async (flags, message) => {
    const io = memoryIo();
    const code = await publishCommand(['--seeds', seeds, '--out', out, ...flags], io);
    expect(code).toBe(EXIT_CODES.usage);
    expect(io.err().split('\n')[0]).toMatch(new RegExp(`^gazette publish: .*${message.source}`));
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });

  it('exits 2 naming a missing article folder', async () => {
    const io = memoryIo();
    const code = await publishCommand(['--seeds', join(work, 'nope'), '--out', out, '--subscribers', subscribers], io);
    expect(code).toBe(EXIT_CODES.usage);
    expect(io.err()).toMatch(/^gazette publish: article folder not found: .*nope\n$/);
  });

  it('exits 1 with one line (and the stack only with --verbose) on a corrupt ledger journal, never advising to delete it', async () => {
    await mkdir(join(out, 'state'), { recursive: true });
    await writeFile(join(out, 'state/deliveries.jsonl'), '{not json\n{"digestId":"d","subscriberId":"s","change":"claimed"}\n');
    const quiet = await publish('2025-05-09T12:00:00Z');
    expect(quiet.code).toBe(EXIT_CODES.failure);
    expect(quiet.err).toMatch(/^gazette publish: .*deliveries\.jsonl: line 1 is not a valid ledger entry.*keep the file.*\n$/);
    expect(quiet.err).not.toMatch(/delete/i);
    const verbose = await publish('2025-05-09T12:00:00Z', '--verbose');
    expect(verbose.code).toBe(EXIT_CODES.failure);
    expect(verbose.err).toMatch(/\n\s+at /);
  });
});

describe('gazette dispatch', () => {
  it('prints help with the exit codes, and refuses unknown commands with exit 2', async () => {
    const help = memoryIo();
    expect(await runGazette(['help'], help)).toBe(EXIT_CODES.ok);
    expect(help.out()).toMatch(/Exit codes:[\s\S]*75 {2}try again later/);
    const unknown = memoryIo();
    expect(await runGazette(['publsh'], unknown)).toBe(EXIT_CODES.usage);
    expect(unknown.err()).toMatch(/^gazette: unknown command "publsh"/);
  });

  it('dispatches subscribers', async () => {
    const io = memoryIo();
    expect(await runGazette(['subscribers', 'list', '--file', subscribers, '--out', out], io)).toBe(0);
    expect(io.out()).toMatch(/confirmed +Reader@example\.com/);
  });

  it('dispatches publish and summarize', async () => {
    const io = memoryIo();
    expect(
      await runGazette(['publish', '--seeds', seeds, '--out', out, '--subscribers', subscribers, '--now', '2025-05-09T12:00:00Z'], io),
    ).toBe(0);
    expect(io.out()).toContain('1 new');
    const summary = memoryIo();
    expect(await runGazette(['summarize', '--json', join(seeds, '000_89c895b2b4859281.txt')], summary)).toBe(0);
    expect(JSON.parse(summary.out()).title).toMatch(/^Chinese President/);
  });
});

describe('gazette publish and the subscribers file', () => {
  it('refuses to publish when the subscribers file does not exist, naming it, and marks nothing mailed', async () => {
    const missing = join(work, 'subscribers-typo.json');
    const io = memoryIo();
    const code = await publishCommand(['--seeds', seeds, '--out', out, '--subscribers', missing, '--now', '2025-05-09T12:00:00Z'], io);
    expect(code).toBe(EXIT_CODES.usage);
    expect(io.err()).toContain(`subscribers file not found: ${missing}`);
    // Nothing was archived, so the real list still gets the digest once the path is right.
    const fixed = await publish('2025-05-09T12:00:00Z');
    expect(fixed.code).toBe(EXIT_CODES.ok);
    expect(fixed.out).toContain('Mail:    2 sent');
  });

  it('--no-mail publishes the site and feeds without a subscribers file, and the digests are never mailed later', async () => {
    const io = memoryIo();
    const code = await publishCommand(
      ['--seeds', seeds, '--out', out, '--subscribers', join(work, 'none.json'), '--no-mail', '--now', '2025-05-09T12:00:00Z'],
      io,
    );
    expect(io.err()).toBe('');
    expect(code).toBe(EXIT_CODES.ok);
    expect(io.out()).toContain('Digests: 1 new');
    expect((await jsonFeed()).items).toHaveLength(1);
    expect(await emlFiles(join(out, 'outbox'))).toEqual([]);
    const later = await publish('2025-05-10T12:00:00Z');
    expect(later.out).toContain('Mail:    0 sent, 0 already sent');
    expect(await emlFiles(join(out, 'outbox'))).toEqual([]);
  });
});

describe('gazette publish with a send whose outcome is unknown', () => {
  it('counts and names the pair in doubt, keeps it claimed, exits 75, and gazette deliveries --in-doubt lists it', async () => {
    // An outbox that is a file, not a folder: the mailer throws an error it does not classify, so the
    // run cannot tell whether the message went out.
    await mkdir(out, { recursive: true });
    await writeFile(localLayout(out).outbox, 'not a folder');
    const run = await publish('2025-05-09T12:00:00Z');
    expect(run.code).toBe(EXIT_CODES.tryAgainLater);
    expect(run.out).toContain('Mail:    0 sent, 0 already sent, 1 in-doubt, 1 left for the next run (in-doubt)');
    const named = /^in-doubt: delivery (\S+) to subscriber (\S+): .*gazette deliveries --in-doubt\)$/mu.exec(run.err);
    expect(named).not.toBeNull();
    const [, deliveryId, subscriberId] = named!;

    const listing = memoryIo();
    expect(await runGazette(['deliveries', '--in-doubt', '--out', out], listing)).toBe(EXIT_CODES.ok);
    expect(listing.out()).toMatch(new RegExp(`^\\S+Z  ${deliveryId}  ${subscriberId}\\n$`, 'u'));

    // Once the outbox is usable the next run mails the other subscriber only: the pair in doubt is never re-sent.
    await rm(localLayout(out).outbox);
    const next = await publish('2025-05-09T12:05:00Z');
    expect(next.code).toBe(EXIT_CODES.ok);
    expect(next.out).toContain('Mail:    1 sent, 1 already sent');
    expect(await emlFiles(join(out, 'outbox'))).toHaveLength(1);
  });
});
