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
import { JsonFileArchive } from '../../functions/adapters/local/json-file-archive.js';
import { JsonFileLedger } from '../../functions/adapters/local/json-file-ledger.js';
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
  it('writes pages before feeds, then skips identical bytes and rewrites changed ones', async () => {
    const site = new FolderSitePublisher(join(dir, 'site'));
    const files = [siteFile('feeds/rss.xml', '<rss/>'), siteFile('index.html', 'home'), siteFile('digests/a/index.html', 'a')];
    const first = await site.publish(files);
    expect(first.written).toEqual(['index.html', 'digests/a/index.html', 'feeds/rss.xml']);
    expect(first.unchanged).toEqual([]);
    const before = await stat(join(dir, 'site/index.html'));

    const second = await site.publish(files);
    expect(second.written).toEqual([]);
    expect(second.unchanged).toEqual(['index.html', 'digests/a/index.html', 'feeds/rss.xml']);
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
    expect(await archive.put(digest('a', 'h2'), undefined)).toBe('conflict');
    expect(await archive.put(digest('a', 'h2'), 'wrong')).toBe('conflict');
    expect(await archive.put(digest('new', 'h1'), 'h0')).toBe('conflict');
    expect(await archive.put(digest('a', 'h2'), 'h1')).toBe('stored');
    const reread = await new JsonFileArchive(path).list();
    expect(reread.map((stored) => [stored.id, stored.contentHash])).toEqual([
      ['a', 'h2'],
      ['b', 'h1'],
    ]);
    expect(await filesUnder(join(dir, 'state'))).toEqual(['archive.jsonl']);
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

// The rules every archive, ledger and lease shares are in publish-ports-contract.ts; these are the
// file adapters' own: what the journal holds, crash and corruption handling, awkward ids.
describe('JsonFileLedger', () => {
  const d1 = deliveryIdForDigest('d1');
  it('journals claims, sends and failures by delivery id, readable by another instance', async () => {
    const path = join(dir, 'deliveries.jsonl');
    const at = new Date('2025-05-09T10:00:00Z');
    const ledger = new JsonFileLedger(path);
    expect(await ledger.claim(d1, 's1', at)).toBe('claimed');
    expect(await ledger.claim(d1, 's1', at)).toBe('already-claimed');
    expect(await new JsonFileLedger(path).claim(d1, 's1', at)).toBe('already-claimed');
    await ledger.markSent(d1, 's1', 'mid-1', at);
    expect(await ledger.claim(d1, 's2', at)).toBe('claimed');
    await ledger.markFailed(d1, 's2', 'rejected', at);
    const records = await new JsonFileLedger(path).records();
    expect(records['d1']?.['s1']).toMatchObject({ status: 'sent', messageId: 'mid-1', sentAt: at.toISOString() });
    expect(records['d1']?.['s2']).toMatchObject({ status: 'failed', reason: 'rejected' });
  });

  it('gives exactly one of many concurrent claims of a pair, even for an id like __proto__', async () => {
    const ledger = new JsonFileLedger(join(dir, 'deliveries.jsonl'));
    const at = new Date('2025-05-09T10:00:00Z');
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => ledger.claim(d1, '__proto__', at)));
    expect(outcomes.filter((outcome) => outcome === 'claimed')).toHaveLength(1);
  });

  it('reads a journal written when the ledger was keyed by digest id: its pairs stay claimed', async () => {
    const path = join(dir, 'deliveries.jsonl');
    await writeFile(
      path,
      '{"digestId":"https://news.example.com/a","subscriberId":"s1","change":"claimed","at":"2025-05-09T10:00:00.000Z"}\n',
    );
    const delivery = deliveryIdForDigest('https://news.example.com/a');
    expect(await new JsonFileLedger(path).claim(delivery, 's1', new Date())).toBe('already-claimed');
  });

  it('refuses to mark a pair that was never claimed', async () => {
    const ledger = new JsonFileLedger(join(dir, 'deliveries.jsonl'));
    await expect(ledger.markSent(d1, 's', 'm', new Date(0))).rejects.toThrow(/no claim for delivery d1/);
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
