/**
 * The edition commands end to end in-process, on a temporary --out folder: `gazette preview` and
 * `gazette send-test` move no cursor, claim or ledger entry; `gazette import DIR` builds the archive
 * without mailing. Mails are read back with mailparser.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localLayout } from '../../functions/adapters/local/layout.js';
import { openLocalState } from '../../functions/adapters/local/local-state.js';
import { runGazette } from '../../functions/cli/gazette.js';
import { EXIT_CODES } from '../../functions/cli/cli-errors.js';
import { memoryIo } from '../fakes/memory-io.js';

let root: string;
let out: string;
let seeds: string;
let subscribers: string;

/** Archive, ledger, keys and subscribers (cursors included): everything a run could move. */
function stateContent(): unknown {
  const state = openLocalState(localLayout(out), { readOnly: true });
  try {
    return ['digests', 'deliveries', 'keyrings', 'subscribers'].map((table) =>
      state.db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all(),
    );
  } finally {
    state.close();
  }
}

function article(town: string): string {
  return [
    '---',
    `title: ${town} opens a new public library`,
    `url: https://example.org/${town.toLowerCase()}`,
    '---',
    `The town of ${town} opened its new public library on Monday, after two years of building work by local firms.`,
    '',
    `The library has a reading room, a children's floor and a workshop with tools that residents can borrow.`,
    '',
    `The council said the building uses a third less energy than the old one and opens on Sundays from next month.`,
  ].join('\n');
}

async function gazette(...args: string[]) {
  const io = memoryIo();
  const code = await runGazette(args, io);
  return { code, out: io.out(), err: io.err() };
}

const SETTINGS = ['--out', '', '--cadences', 'instant,daily', '--default-cadence', 'daily', '--now', '2026-12-01T06:30:00Z'];
const settings = () => SETTINGS.map((value, index) => (index === 1 ? out : value));

async function outbox(): Promise<string[]> {
  try {
    return (await readdir(localLayout(out).outbox)).filter((name) => name.endsWith('.eml')).sort();
  } catch {
    return [];
  }
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'gazette-editions-'));
  out = join(root, 'out');
  seeds = join(root, 'seeds');
  await mkdir(seeds);
  await writeFile(join(seeds, 'alder.md'), article('Alder'));
  subscribers = join(root, 'subscribers.json');
  await writeFile(subscribers, JSON.stringify([{ email: 'reader@example.org', status: 'confirmed' }]));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('gazette preview and send-test', () => {
  it('preview writes the next edition per cadence as .eml and .html and moves nothing', async () => {
    // A daily reader: at 06:30 their 07:00 edition has not closed, so the run mails nothing.
    const publish = await gazette('publish', '--seeds', seeds, '--subscribers', subscribers, ...settings());
    expect(publish.code).toBe(EXIT_CODES.ok);
    expect(await outbox()).toEqual([]);
    const before = stateContent();

    const preview = await gazette('preview', ...settings());
    expect(preview.code, preview.err).toBe(EXIT_CODES.ok);
    const folder = join(out, 'preview');
    expect((await readdir(folder)).sort()).toEqual(['daily.eml', 'daily.html', 'instant.eml', 'instant.html']);
    const daily = await simpleParser(await readFile(join(folder, 'daily.eml')));
    expect(daily.subject).toBe('Gazette · 1 Dec: Alder opens a new public library');
    expect(await readFile(join(folder, 'daily.html'), 'utf8')).toContain('Alder opens a new public library');
    expect(stateContent()).toEqual(before);
    expect(await outbox()).toEqual([]);
  });

  it('send-test sends each next edition to one address marked [Test], and changes no state', async () => {
    await gazette('publish', '--seeds', seeds, '--subscribers', subscribers, ...settings());
    const before = stateContent();
    const sent = await gazette('send-test', '--to', 'me@example.net', ...settings());
    expect(sent.code, sent.err).toBe(EXIT_CODES.ok);
    const files = await outbox();
    expect(files).toHaveLength(2);
    for (const file of files) {
      const mail = await simpleParser(await readFile(join(localLayout(out).outbox, file)));
      expect(mail.subject).toMatch(/^\[Test\] Gazette · 1 Dec: Alder/);
      expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined).toBe('me@example.net');
    }
    expect(stateContent()).toEqual(before);
    // The real edition still goes out at 07:00, once.
    const at7 = await gazette(
      'publish',
      '--seeds',
      seeds,
      '--subscribers',
      subscribers,
      ...settings().slice(0, -1),
      '2026-12-01T07:00:00Z',
    );
    expect(at7.code).toBe(EXIT_CODES.ok);
    expect(await outbox()).toHaveLength(3);
  });

  it('send-test without --to is a usage error', async () => {
    expect((await gazette('send-test', ...settings())).code).toBe(EXIT_CODES.usage);
  });
});

describe('gazette import', () => {
  it('builds the archive and site from a folder and mails nothing, then or later', async () => {
    const imported = await gazette('import', seeds, '--subscribers', subscribers, ...settings());
    expect(imported.code, imported.err).toBe(EXIT_CODES.ok);
    const site = await readdir(join(localLayout(out).site, 'digests'));
    expect(site).toHaveLength(1);
    const later = await gazette(
      'publish',
      '--seeds',
      seeds,
      '--subscribers',
      subscribers,
      ...settings().slice(0, -1),
      '2026-12-01T07:00:00Z',
    );
    expect(later.code).toBe(EXIT_CODES.ok);
    expect(await outbox()).toEqual([]);
  });
});

describe('gazette unpublish', () => {
  it('removes the page and the feed item, keeps the rest, and a tombstone keeps the article from coming back', async () => {
    await writeFile(join(seeds, 'birch.md'), article('Birch'));
    const first = await gazette('publish', '--seeds', seeds, '--subscribers', subscribers, ...settings());
    expect(first.code, first.err).toBe(EXIT_CODES.ok);
    const siteDir = localLayout(out).site;
    const pages = (await readdir(join(siteDir, 'digests'))).sort();
    const birch = pages.find((slug) => slug.startsWith('birch'))!;
    expect(pages).toHaveLength(2);

    const removed = await gazette('unpublish', 'https://example.org/birch', ...settings());
    expect(removed.code, removed.err).toBe(EXIT_CODES.ok);
    await expect(readFile(join(siteDir, 'digests', birch, 'index.html'))).rejects.toThrow();
    const feed = await readFile(join(siteDir, 'feeds', 'feed.json'), 'utf8');
    expect(feed).not.toContain('Birch opens');
    expect(feed).toContain('Alder opens');

    // The article is still in the folder: the next run neither republishes nor mails it.
    const again = await gazette(
      'publish',
      '--seeds',
      seeds,
      '--subscribers',
      subscribers,
      ...settings().slice(0, -1),
      '2026-12-01T07:00:00Z',
    );
    expect(again.code).toBe(EXIT_CODES.ok);
    await expect(readFile(join(siteDir, 'digests', birch, 'index.html'))).rejects.toThrow();
    for (const file of await outbox()) {
      expect((await simpleParser(await readFile(join(localLayout(out).outbox, file)))).subject).not.toContain('Birch');
    }
    expect(await readFile(join(siteDir, 'feeds', 'feed.json'), 'utf8')).not.toContain('Birch opens');
  });

  it('an unknown id is a usage error that changes nothing', async () => {
    await gazette('publish', '--seeds', seeds, '--subscribers', subscribers, ...settings());
    const before = stateContent();
    expect((await gazette('unpublish', 'no-such-digest', ...settings())).code).toBe(EXIT_CODES.usage);
    expect(stateContent()).toEqual(before);
  });
});

describe('the subscribe form', () => {
  it('offers the enabled cadences, the default checked, and nothing when only one is enabled', async () => {
    await gazette('publish', '--seeds', seeds, '--subscribers', subscribers, ...settings());
    const index = await readFile(join(localLayout(out).site, 'index.html'), 'utf8');
    expect([...index.matchAll(/<input type="radio" name="cadence" value="(\w+)"( checked)?>/g)].map((m) => `${m[1]}${m[2] ?? ''}`)).toEqual(
      ['daily checked', 'instant'],
    );
    const single = join(root, 'single');
    await gazette('publish', '--seeds', seeds, '--subscribers', subscribers, '--out', single, '--now', '2026-12-01T06:30:00Z');
    expect(await readFile(join(localLayout(single).site, 'index.html'), 'utf8')).not.toContain('name="cadence"');
  });
});
