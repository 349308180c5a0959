import { appendFile, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchiveConflictError, ConfigError } from '../../functions/core/errors.js';
import type { Digest, SiteFile } from '../../functions/core/model.js';
import { MAX_ARTICLE_BYTES } from '../../functions/core/articles/parse.js';
import { signToken, verifyToken } from '../../functions/core/tokens.js';
import { FolderArticleSource } from '../../functions/adapters/local/folder-article-source.js';
import { FolderSitePublisher } from '../../functions/adapters/local/folder-site-publisher.js';
import { OutboxMailer, outboxFileName } from '../../functions/adapters/local/outbox-mailer.js';
import { JsonFileArchive } from '../../functions/adapters/local/json-file-archive.js';
import { JsonFileLedger } from '../../functions/adapters/local/json-file-ledger.js';
import { FileRunLease } from '../../functions/adapters/local/file-run-lease.js';
import { loadOrCreateKeyring } from '../../functions/adapters/local/file-keyring.js';
import { writeFileAtomic } from '../../functions/adapters/local/atomic-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gazette-local-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
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
  it('lists non-hidden files sorted by name, with their bytes, skipping folders and dotfiles; a link is a refusal', async () => {
    await writeFile(join(dir, 'b.md'), '# B');
    await writeFile(join(dir, 'a.txt'), 'A text');
    await writeFile(join(dir, 'C.html'), '<p>C</p>');
    await writeFile(join(dir, 'notes.pdf'), 'not an article');
    await writeFile(join(dir, '.DS_Store'), 'junk');
    await mkdir(join(dir, 'sub.md'));
    await symlink(join(dir, 'missing.txt'), join(dir, 'dangling.txt'));
    const articles = await new FolderArticleSource(dir).list();
    // Unsupported types are listed so the parser can report them by name.
    expect(articles.map((article) => article.name)).toEqual(['C.html', 'a.txt', 'b.md', 'dangling.txt', 'notes.pdf']);
    expect(Buffer.from(articles[1]!.bytes).toString('utf8')).toBe('A text');
    expect(articles[3]).toMatchObject({ bytes: new Uint8Array(), refusal: expect.stringContaining('a symbolic link') });
    expect(articles.filter((article) => article.refusal !== undefined)).toHaveLength(1);
  });

  it('reads no more than the size limit plus one byte of a huge file', async () => {
    await writeFile(join(dir, 'huge.txt'), Buffer.alloc(MAX_ARTICLE_BYTES * 3, 0x61));
    const [article] = await new FolderArticleSource(dir).list();
    expect(article?.bytes.length).toBe(MAX_ARTICLE_BYTES + 1);
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

describe('JsonFileArchive', () => {
  it('stores new digests, updates with the expected hash, and refuses conflicting writes', async () => {
    const path = join(dir, 'state/archive.jsonl');
    const archive = new JsonFileArchive(path);
    expect(await archive.list()).toEqual([]);
    await archive.put(digest('b', 'h1'), undefined);
    await archive.put(digest('a', 'h1'), undefined);
    await expect(archive.put(digest('a', 'h2'), undefined)).rejects.toBeInstanceOf(ArchiveConflictError);
    await expect(archive.put(digest('a', 'h2'), 'wrong')).rejects.toBeInstanceOf(ArchiveConflictError);
    await expect(archive.put(digest('new', 'h1'), 'h0')).rejects.toBeInstanceOf(ArchiveConflictError);
    await archive.put(digest('a', 'h2'), 'h1');
    const reread = await new JsonFileArchive(path).list();
    expect(reread.map((stored) => [stored.id, stored.contentHash])).toEqual([
      ['a', 'h2'],
      ['b', 'h1'],
    ]);
    expect(await filesUnder(join(dir, 'state'))).toEqual(['archive.jsonl']);
  });

  it('lets exactly one of two concurrent first writes win', async () => {
    const archive = new JsonFileArchive(join(dir, 'archive.jsonl'));
    const results = await Promise.allSettled([archive.put(digest('x', 'one'), undefined), archive.put(digest('x', 'two'), undefined)]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((await archive.list()).map((stored) => stored.contentHash)).toEqual(['one']);
  });

  it('names a corrupt file instead of starting from an empty archive', async () => {
    await writeFile(join(dir, 'archive.jsonl'), '{"digests": [\n');
    await expect(new JsonFileArchive(join(dir, 'archive.jsonl')).list()).rejects.toThrow(/archive\.jsonl: a line is not valid JSON/);
  });

  it('ignores a last line cut short by a crash, and the next put replaces it', async () => {
    const path = join(dir, 'archive.jsonl');
    await new JsonFileArchive(path).put(digest('a', 'h1'), undefined);
    await appendFile(path, '{"id":"b","contentH');
    const archive = new JsonFileArchive(path);
    expect((await archive.list()).map((stored) => stored.id)).toEqual(['a']);
    await archive.put(digest('b', 'h1'), undefined);
    expect((await new JsonFileArchive(path).list()).map((stored) => stored.id)).toEqual(['a', 'b']);
  });

  it('appends one line per put instead of rewriting the file', async () => {
    const path = join(dir, 'archive.jsonl');
    const archive = new JsonFileArchive(path);
    await archive.put(digest('a', 'h1'), undefined);
    await archive.put(digest('a', 'h2'), 'h1');
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { contentHash: string }).contentHash)).toEqual(['h1', 'h2']);
  });
});

describe('JsonFileLedger', () => {
  it('claims each pair once, across instances, and records sends and failures', async () => {
    const path = join(dir, 'deliveries.jsonl');
    const at = new Date('2025-05-09T10:00:00Z');
    const ledger = new JsonFileLedger(path);
    expect(await ledger.claim('d1', 's1', at)).toBe('claimed');
    expect(await ledger.claim('d1', 's1', at)).toBe('already-claimed');
    expect(await new JsonFileLedger(path).claim('d1', 's1', at)).toBe('already-claimed');
    await ledger.markSent('d1', 's1', 'mid-1', at);
    expect(await ledger.claim('d1', 's2', at)).toBe('claimed');
    await ledger.markFailed('d1', 's2', 'rejected', at);
    const records = await new JsonFileLedger(path).records();
    expect(records['d1']?.['s1']).toMatchObject({ status: 'sent', messageId: 'mid-1', sentAt: at.toISOString() });
    expect(records['d1']?.['s2']).toMatchObject({ status: 'failed', reason: 'rejected' });
  });

  it('releases only unsent claims, so the next run can try again', async () => {
    const ledger = new JsonFileLedger(join(dir, 'deliveries.jsonl'));
    const at = new Date('2025-05-09T10:00:00Z');
    await ledger.claim('d1', 's1', at);
    await ledger.claim('d1', 's2', at);
    await ledger.markSent('d1', 's2', 'mid', at);
    await ledger.release('d1', 's1');
    await ledger.release('d1', 's2');
    expect(await ledger.claim('d1', 's1', at)).toBe('claimed');
    expect(await ledger.claim('d1', 's2', at)).toBe('already-claimed');
  });

  it('gives exactly one of many concurrent claims of a pair', async () => {
    const ledger = new JsonFileLedger(join(dir, 'deliveries.jsonl'));
    const at = new Date('2025-05-09T10:00:00Z');
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => ledger.claim('d', '__proto__', at)));
    expect(outcomes.filter((outcome) => outcome === 'claimed')).toHaveLength(1);
  });

  it('refuses to mark a pair that was never claimed', async () => {
    const ledger = new JsonFileLedger(join(dir, 'deliveries.jsonl'));
    await expect(ledger.markSent('d', 's', 'm', new Date(0))).rejects.toThrow(/no claim/);
  });
});

describe('FileRunLease', () => {
  it('keeps a second owner out until the lease is released or expires', async () => {
    const path = join(dir, 'state/lease.json');
    const now = new Date('2025-05-09T10:00:00Z');
    const a = new FileRunLease(path);
    const b = new FileRunLease(path);
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
});

describe('loadOrCreateKeyring', () => {
  it('creates a keyring once (owner-only file) and reuses it, so old tokens still verify', async () => {
    const path = join(dir, 'state/token-keys.json');
    const first = await loadOrCreateKeyring(path, { create: true });
    expect(first.created).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const token = signToken('unsubscribe', 'sub-1', first.keyring, new Date('2025-01-01T00:00:00Z'));
    const second = await loadOrCreateKeyring(path, { create: true });
    expect(second.created).toBe(false);
    expect(verifyToken(token, 'unsubscribe', second.keyring, new Date('2026-01-01T00:00:00Z')).subscriberId).toBe('sub-1');
  });

  it('writes nothing without create, and names a malformed file', async () => {
    const path = join(dir, 'token-keys.json');
    expect((await loadOrCreateKeyring(path, { create: false })).keyring.currentKeyId).toBe('k1');
    expect(await readdir(dir)).toEqual([]);
    await writeFileAtomic(path, '{"currentKeyId":"k1"}');
    await expect(loadOrCreateKeyring(path, { create: true })).rejects.toThrow(/token-keys\.json/);
  });
});
