import { appendFile, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/core/errors.js';
import { deliveryIdForDigest } from '../../functions/core/publish/delivery.js';
import type { Digest, SiteFile } from '../../functions/core/model.js';
import { MAX_ARTICLE_BYTES } from '../../functions/core/articles/parse.js';
import { signToken, verifyToken } from '../../functions/core/tokens.js';
import { FolderArticleSource } from '../../functions/adapters/local/folder-article-source.js';
import { FolderSitePublisher } from '../../functions/adapters/local/folder-site-publisher.js';
import { OutboxMailer, outboxFileName } from '../../functions/adapters/local/outbox-mailer.js';
import { SqliteArchive } from '../../functions/adapters/local/sqlite-archive.js';
import { SqliteLedger } from '../../functions/adapters/local/sqlite-ledger.js';
import { SqliteRunLease } from '../../functions/adapters/local/sqlite-run-lease.js';
import { loadOrCreateKeyring } from '../../functions/adapters/local/file-keyring.js';
import { writeFileAtomic } from '../../functions/adapters/local/atomic-file.js';
import { localLayout, type LocalLayout } from '../../functions/adapters/local/layout.js';
import { openLocalState, type LocalState } from '../../functions/adapters/local/local-state.js';

let dir: string;
let layout: LocalLayout;
let state: LocalState;
let warnings: string[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gazette-local-'));
  // The database lives beside `dir`, so folder tests still see only what they wrote.
  layout = localLayout(`${dir}-out`);
  state = openLocalState(layout);
  warnings = [];
});
afterEach(async () => {
  state.close();
  await rm(dir, { recursive: true, force: true });
  await rm(`${dir}-out`, { recursive: true, force: true });
});

/** Every file under `root`, relative, sorted: to prove no temporary files are left behind. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
    .sort();
}

const siteFile = (path: string, body: string): SiteFile => ({
  path,
  body: Buffer.from(body),
  contentType: 'text/html; charset=utf-8',
  cacheControl: 'max-age=300',
});

function digest(id: string, contentHash: string): Digest {
  return {
    id,
    slug: id,
    headline: `Headline ${id}`,
    summary: ['One.'],
    keyPoints: [],
    keywords: [],
    sourceName: `${id}.txt`,
    published: '2025-05-09T00:00:00.000Z',
    updated: '2025-05-09T00:00:00.000Z',
    firstSeen: '2025-05-09T00:00:00.000Z',
    mailStatus: 'pending',
    contentHash,
    articleWords: 10,
    articleReadingMinutes: 1,
    digestReadingMinutes: 1,
  };
}

describe('FolderArticleSource', () => {
  it('lists non-hidden files sorted by name, with their format and bytes, skipping folders and dotfiles; a link is a refusal', async () => {
    await writeFile(join(dir, 'b.md'), '# B');
    await writeFile(join(dir, 'a.txt'), 'A text');
    await writeFile(join(dir, 'C.html'), '<p>C</p>');
    await writeFile(join(dir, 'notes.pdf'), 'not an article');
    await writeFile(join(dir, '.DS_Store'), 'junk');
    await mkdir(join(dir, 'sub.md'));
    await symlink(join(dir, 'missing.txt'), join(dir, 'dangling.txt'));
    const articles = await new FolderArticleSource(dir).list();
    // Unsupported types and links are listed, as refusals, so the run reports them by name.
    expect(articles.map((article) => ('format' in article ? [article.source, article.format] : [article.source, article.refusal]))).toEqual(
      [
        ['C.html', 'html'],
        ['a.txt', 'text'],
        ['b.md', 'markdown'],
        ['dangling.txt', expect.stringContaining('a symbolic link')],
        ['notes.pdf', 'unsupported file type .pdf (expected .txt, .md or .html)'],
      ],
    );
    expect(articles[1]).toEqual({ source: 'a.txt', format: 'text', bytes: expect.any(Uint8Array) });
    expect(Buffer.from((articles[1] as { bytes: Uint8Array }).bytes).toString('utf8')).toBe('A text');
  });

  it('reads no more than the size limit plus one byte of a huge file', async () => {
    await writeFile(join(dir, 'huge.txt'), Buffer.alloc(MAX_ARTICLE_BYTES * 3, 0x61));
    const [article] = await new FolderArticleSource(dir).list();
    expect(article && 'bytes' in article ? article.bytes.length : undefined).toBe(MAX_ARTICLE_BYTES + 1);
  });

  it('names a missing folder in a ConfigError', async () => {
    await expect(new FolderArticleSource(join(dir, 'nope')).list()).rejects.toThrow(ConfigError);
    await expect(new FolderArticleSource(join(dir, 'nope')).list()).rejects.toThrow(/article folder not found: .*nope/);
  });
});

describe('FolderSitePublisher', () => {
  it('writes in the output registry stages (permalinks, listings, feeds), then skips identical bytes and rewrites changed ones', async () => {
    const site = new FolderSitePublisher(join(dir, 'site'));
    const files = [siteFile('feeds/rss.xml', '<rss/>'), siteFile('index.html', 'home'), siteFile('digests/a/index.html', 'a')];
    const first = await site.publish(files);
    expect(first.written).toEqual(['digests/a/index.html', 'index.html', 'feeds/rss.xml']);
    expect(first.unchanged).toEqual([]);
    const before = await stat(join(dir, 'site/index.html'));

    const second = await site.publish(files);
    expect(second.written).toEqual([]);
    expect(second.unchanged).toEqual(['digests/a/index.html', 'index.html', 'feeds/rss.xml']);
    expect((await stat(join(dir, 'site/index.html'))).mtimeMs).toBe(before.mtimeMs);

    const third = await site.publish([siteFile('index.html', 'home v2'), siteFile('feeds/rss.xml', '<rss/>')]);
    expect(third).toEqual({ written: ['index.html'], unchanged: ['feeds/rss.xml'] });
    expect(await readFile(join(dir, 'site/index.html'), 'utf8')).toBe('home v2');
    expect(await filesUnder(join(dir, 'site'))).toEqual(['digests/a/index.html', 'feeds/rss.xml', 'index.html']);
  });

  it.each(['../escape.html', '/etc/passwd', 'a/../../b', 'a//b', 'a\\b', ''])(
    'refuses the unsafe path %j and writes nothing',
    async (path) => {
      const site = new FolderSitePublisher(join(dir, 'site'));
      await expect(site.publish([siteFile('index.html', 'x'), siteFile(path, 'x')])).rejects.toThrow(/unsafe site path/);
      expect(await readdir(dir)).toEqual([]);
    },
  );
});

describe('OutboxMailer', () => {
  it('writes each message to <message id>.eml and returns the message id', async () => {
    const outbox = new OutboxMailer(join(dir, 'outbox'));
    const raw = Buffer.from('Subject: hi\r\n\r\nbody\r\n');
    const result = await outbox.send({ to: 'ann@example.org', raw, messageId: 'abc.123@gazette.local' });
    expect(result).toEqual({ kind: 'sent', messageId: 'abc.123@gazette.local' });
    expect(await readFile(join(dir, 'outbox/abc.123@gazette.local.eml'))).toEqual(raw);
    expect(outbox.written).toEqual([join(dir, 'outbox/abc.123@gazette.local.eml')]);
    expect(await outbox.maxSendRate()).toBe(Number.POSITIVE_INFINITY);
  });

  it('makes hostile message ids safe file names', () => {
    expect(outboxFileName('../../etc/passwd')).toBe('__.._etc_passwd.eml');
    expect(outboxFileName('a/b\\c\r\nd<e>')).toBe('a_b_c__d_e_.eml');
    expect(outboxFileName('')).toBe('message.eml');
  });
});

describe('SqliteArchive', () => {
  it('stores new digests, updates with the expected hash, and refuses conflicting writes', async () => {
    const archive = new SqliteArchive(state);
    expect(await archive.list()).toEqual([]);
    await archive.put(digest('b', 'h1'), undefined);
    await archive.put(digest('a', 'h1'), undefined);
    expect(await archive.put(digest('a', 'h2'), undefined)).toBe('conflict');
    expect(await archive.put(digest('a', 'h2'), 'wrong')).toBe('conflict');
    expect(await archive.put(digest('new', 'h1'), 'h0')).toBe('conflict');
    expect(await archive.put(digest('a', 'h2'), 'h1')).toBe('stored');
    state.close();
    state = openLocalState(layout);
    const reread = await new SqliteArchive(state).list();
    expect(reread.map((stored) => [stored.id, stored.contentHash])).toEqual([
      ['a', 'h2'],
      ['b', 'h1'],
    ]);
    expect(await filesUnder(join(`${dir}-out`, 'state'))).toEqual(['gazette.sqlite', 'gazette.sqlite-shm', 'gazette.sqlite-wal']);
  });

  it('lets exactly one of two concurrent first writes win', async () => {
    const archive = new SqliteArchive(state);
    const results = await Promise.all([archive.put(digest('x', 'one'), undefined), archive.put(digest('x', 'two'), undefined)]);
    expect(results).toEqual(['stored', 'conflict']);
    expect((await archive.list()).map((stored) => stored.contentHash)).toEqual(['one']);
  });

  it('reports a JSON-valid but malformed row by id and skips it; the next put of that id repairs it', async () => {
    const archive = new SqliteArchive(state, (message) => warnings.push(message));
    await archive.put(digest('a', 'h1'), undefined);
    state.db.prepare('INSERT INTO digests (id, content_hash, body) VALUES (?, ?, ?)').run('b', 'h1', '{"id":"b","contentHash":"h1"}');
    state.db.prepare('INSERT INTO digests (id, content_hash, body) VALUES (?, ?, ?)').run('c', null, '{not json');
    expect((await archive.list()).map((stored) => stored.id)).toEqual(['a']);
    expect(warnings).toEqual([
      expect.stringMatching(/archive row "b" skipped: slug: /),
      expect.stringMatching(/archive row "c" skipped: not valid JSON/),
    ]);
    await archive.put(digest('b', 'h2'), undefined);
    expect((await archive.list()).map((stored) => stored.id)).toEqual(['a', 'b']);
  });
});

describe('SqliteLedger', () => {
  // One digest's delivery id is its digest id; tests use short ones.
  const d1 = deliveryIdForDigest('d1');
  const d = deliveryIdForDigest('d');
  it('claims each pair once, across instances, and records sends and failures', async () => {
    const at = new Date('2025-05-09T10:00:00Z');
    const ledger = new SqliteLedger(state);
    expect(await ledger.claim(d1, 's1', at)).toBe('claimed');
    expect(await ledger.claim(d1, 's1', at)).toBe('already-claimed');
    const other = openLocalState(layout);
    expect(await new SqliteLedger(other).claim(d1, 's1', at)).toBe('already-claimed');
    await ledger.markSent(d1, 's1', 'mid-1', at);
    expect(await ledger.claim(d1, 's2', at)).toBe('claimed');
    await ledger.markFailed(d1, 's2', 'rejected', at);
    const records = await new SqliteLedger(other).records();
    other.close();
    expect(records['d1']?.['s1']).toMatchObject({ status: 'sent', messageId: 'mid-1', sentAt: at.toISOString() });
    expect(records['d1']?.['s2']).toMatchObject({ status: 'failed', reason: 'rejected' });
  });

  it('releases only unsent claims, so the next run can try again', async () => {
    const ledger = new SqliteLedger(state);
    const at = new Date('2025-05-09T10:00:00Z');
    await ledger.claim(d1, 's1', at);
    await ledger.claim(d1, 's2', at);
    await ledger.markSent(d1, 's2', 'mid', at);
    await ledger.release(d1, 's1');
    await ledger.release(d1, 's2');
    expect(await ledger.claim(d1, 's1', at)).toBe('claimed');
    expect(await ledger.claim(d1, 's2', at)).toBe('already-claimed');
  });

  it('lists pairs in doubt: claimed with no message id', async () => {
    const ledger = new SqliteLedger(state);
    await ledger.claim(d1, 's1', new Date('2025-05-09T10:00:01Z'));
    await ledger.claim(d1, 's2', new Date('2025-05-09T10:00:00Z'));
    await ledger.claim(d1, 's3', new Date('2025-05-09T10:00:00Z'));
    await ledger.markSent(d1, 's3', 'mid', new Date('2025-05-09T10:00:02Z'));
    expect(await ledger.inDoubt()).toEqual([
      { deliveryId: 'd1', subscriberId: 's2', claimedAt: '2025-05-09T10:00:00.000Z' },
      { deliveryId: 'd1', subscriberId: 's1', claimedAt: '2025-05-09T10:00:01.000Z' },
    ]);
  });

  it('gives exactly one of many concurrent claims of a pair', async () => {
    const ledger = new SqliteLedger(state);
    const at = new Date('2025-05-09T10:00:00Z');
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => ledger.claim(d, '__proto__', at)));
    expect(outcomes.filter((outcome) => outcome === 'claimed')).toHaveLength(1);
  });

  it('refuses to mark a pair that was never claimed', async () => {
    const ledger = new SqliteLedger(state);
    await expect(ledger.markSent(d, 's', 'm', new Date(0))).rejects.toThrow(/no claim/);
  });
});

describe('SqliteRunLease', () => {
  it('keeps a second owner out until the lease is released or expires', async () => {
    const now = new Date('2025-05-09T10:00:00Z');
    const a = new SqliteRunLease(state);
    const b = new SqliteRunLease(state);
    expect(await a.acquire('run-a', now, 60_000)).toBe(true);
    expect(await b.acquire('run-b', now, 60_000)).toBe(false);
    await b.release('run-b');
    expect(await b.acquire('run-b', new Date(now.getTime() + 30_000), 60_000)).toBe(false);
    expect(await b.acquire('run-b', new Date(now.getTime() + 60_001), 60_000)).toBe(true);
    await a.release('run-a'); // no longer the holder: must not free b's lease
    expect(await a.acquire('run-a', new Date(now.getTime() + 60_002), 60_000)).toBe(false);
    await b.release('run-b');
    expect(await a.acquire('run-a', new Date(now.getTime() + 60_003), 60_000)).toBe(true);
  });

  it('treats a lease whose holder pid is gone as free at once, but not one held on another host', async () => {
    const now = new Date('2025-05-09T10:00:00Z');
    const dead = new SqliteRunLease(state, { pid: 999_999_999, host: 'here' }, () => false);
    expect(await dead.acquire('killed-run', now, 15 * 60_000)).toBe(true);
    expect(await new SqliteRunLease(state, { pid: 1, host: 'here' }, () => false).acquire('next-run', now, 60_000)).toBe(true);
    const remote = new SqliteRunLease(state, { pid: 999_999_999, host: 'elsewhere' }, () => false);
    expect(await remote.acquire('remote-run', new Date(now.getTime() + 60_001), 60_000)).toBe(true);
    expect(await new SqliteRunLease(state, { pid: 1, host: 'here' }, () => false).acquire('next-run', now, 60_000)).toBe(false);
  });
});

describe('loadOrCreateKeyring', () => {
  it('creates a keyring once (owner-only database) and reuses it, so old tokens still verify', async () => {
    const first = await loadOrCreateKeyring(state, { create: true });
    expect(first.created).toBe(true);
    expect((await stat(layout.database)).mode & 0o777).toBe(0o600);
    const token = signToken('unsubscribe', 'sub-1', first.keyring, new Date('2025-01-01T00:00:00Z'));
    state.close();
    state = openLocalState(layout);
    const second = await loadOrCreateKeyring(state, { create: true });
    expect(second.created).toBe(false);
    expect(verifyToken(token, 'unsubscribe', second.keyring, new Date('2026-01-01T00:00:00Z')).subscriberId).toBe('sub-1');
  });

  it('stores nothing without create, and names a malformed stored keyring', async () => {
    expect((await loadOrCreateKeyring(state, { create: false })).keyring.currentKeyId).toBe('k1');
    expect(state.db.prepare('SELECT COUNT(*) AS n FROM keyrings').get()).toEqual({ n: 0 });
    state.db.prepare("INSERT INTO keyrings (name, body) VALUES ('token', ?)").run('{"currentKeyId":"k1"}');
    await expect(loadOrCreateKeyring(state, { create: true })).rejects.toThrow(/gazette\.sqlite \(token keys\)/);
  });
});
