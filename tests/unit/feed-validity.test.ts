/**
 * Feeds are valid, not just parseable: the rendered Atom feed is valid against an RFC 4287 schema and the RSS feed against
 * the W3C validator's RSS 2.0 profile, both checked by a real RELAX NG validator (jing) rather than by
 * hand. The schemas live in tests/fixtures/schemas/; `npm test` installs jing first
 * (tests/setup/ensure-test-tools.sh). Each schema also gets negative controls: documents that must fail,
 * so a schema that accepts everything cannot pass this file.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import type { Digest, SiteConfig, SiteFile } from '../../functions/core/model.js';
import { renderFeeds } from '../../functions/core/render/index.js';
import { hostileDigest, olderDigest, seedDigest, site, syntheticDigests } from './render-fixtures.js';

const run = promisify(execFile);

const schemaPath = (name: string) => fileURLToPath(new URL(`../fixtures/schemas/${name}`, import.meta.url));
const ATOM_SCHEMA = schemaPath('atom-rfc4287.rnc');
const RSS_SCHEMA = schemaPath('rss-2.0.rnc');

/**
 * Debian's jing launcher (java-wrappers) warns on stderr about optional jars it looks for and does
 * not need. Those lines are about the launcher, not the document, so they are the only output ignored.
 */
const LAUNCHER_NOISE = /^\[warning\] \S*jing: Unable to locate [\w.-]+ in \S+$/;

/** What jing said about one document: its exit code and every line of output that is not launcher noise. */
interface Verdict {
  exitCode: number;
  messages: string[];
}

const workDir = mkdtempSync(join(tmpdir(), 'gazette-feed-validity-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));
let documentCount = 0;

function meaningfulLines(...outputs: string[]): string[] {
  return outputs
    .flatMap((output) => output.split('\n'))
    .map((line) => line.trim())
    .filter((line) => line !== '' && !LAUNCHER_NOISE.test(line));
}

/** Validates `document` against the RELAX NG Compact schema at `schema` with `jing -c` (no shell). */
async function jing(schema: string, document: string | Buffer): Promise<Verdict> {
  documentCount += 1;
  const path = join(workDir, `document-${documentCount}.xml`);
  writeFileSync(path, document);
  try {
    const { stdout, stderr } = await run('jing', ['-c', schema, path], { encoding: 'utf8', timeout: 60_000 });
    return { exitCode: 0, messages: meaningfulLines(stdout, stderr) };
  } catch (error) {
    const failure = error as { code?: unknown; stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') {
      throw new Error('jing is not installed, so the feeds cannot be schema-checked: run `bash tests/setup/ensure-test-tools.sh`', {
        cause: error,
      });
    }
    if (typeof failure.code !== 'number') throw error;
    return { exitCode: failure.code, messages: meaningfulLines(failure.stdout ?? '', failure.stderr ?? '') };
  }
}

async function expectValid(schema: string, document: string | Buffer): Promise<void> {
  const verdict = await jing(schema, document);
  expect(verdict.messages, verdict.messages.join('\n')).toEqual([]);
  expect(verdict.exitCode).toBe(0);
}

/** Asserts that jing rejects the document and that one of its errors matches `reason`. */
async function expectInvalid(schema: string, document: string, reason: RegExp): Promise<void> {
  const verdict = await jing(schema, document);
  expect(verdict.exitCode).not.toBe(0);
  expect(
    verdict.messages.some((message) => / error: /.test(message) && reason.test(message)),
    verdict.messages.join('\n'),
  ).toBe(true);
}

/** Applies one edit that must match exactly once, so a negative control can never be a silent no-op. */
function edit(document: string, pattern: RegExp, replacement: string): string {
  const matches = document.match(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`)) ?? [];
  expect(matches, `edit ${pattern} must match once`).toHaveLength(1);
  return document.replace(pattern, replacement);
}

function feedText(files: SiteFile[], path: string): string {
  const found = files.find((candidate) => candidate.path === path);
  if (!found) throw new Error(`no ${path} in ${files.map((f) => f.path).join(', ')}`);
  return found.body.toString('utf8');
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  isArray: (name) => ['entry', 'item', 'author'].includes(name),
});

type Node = Record<string, any>;

/** An ordinary digest that names no author and links no source article. */
const { sourceUrl: _noSourceUrl, author: _noAuthor, ...anonymousDigest } = olderDigest;

interface FeedCase {
  name: string;
  digests: Digest[];
  site: SiteConfig;
  /** Checks that the rendered case really has the property it is named for. */
  check: (atom: Node, rss: Node) => void;
}

const cases: FeedCase[] = [
  {
    name: 'the seed-like digest',
    digests: [seedDigest],
    site,
    check: (atom) => expect(atom.feed.entry).toHaveLength(1),
  },
  {
    name: 'an archive of 60 digests, capped at feedLength',
    digests: syntheticDigests(60),
    site,
    check: (atom, rss) => {
      expect(atom.feed.entry).toHaveLength(site.feedLength);
      expect(rss.rss.channel.item).toHaveLength(site.feedLength);
    },
  },
  {
    name: 'the hostile-content digest (markup, ]]>, entities, emoji, RTL, CRLF, controls)',
    digests: [hostileDigest, seedDigest],
    site,
    check: (atom, rss) => {
      expect(atom.feed.entry[0].title['#text']).toContain(']]&gt;');
      expect(rss.rss.channel.item[0].title).toContain(']]>');
    },
  },
  {
    name: 'an edited digest (published ≠ updated)',
    digests: [{ ...olderDigest, updated: '2025-06-01T10:00:00.000Z' }],
    site,
    check: (atom) => {
      const entry = atom.feed.entry[0] as Node;
      expect([entry.published, entry.updated]).toEqual([olderDigest.published, '2025-06-01T10:00:00.000Z']);
    },
  },
  {
    name: 'a digest without source URL or author',
    digests: [anonymousDigest],
    site,
    check: (atom) => {
      expect(anonymousDigest).not.toHaveProperty('author');
      expect(anonymousDigest).not.toHaveProperty('sourceUrl');
      expect(atom.feed.entry[0].author).toEqual([{ name: site.authorName }]);
    },
  },
  {
    name: 'feed items with provenance (RSS and Atom <source>), one with a hostile feed title and no link of its own',
    digests: [
      { ...seedDigest, provenance: { title: 'Example News', url: 'https://news.example.org/' } },
      { ...anonymousDigest, provenance: { title: 'Café <b>&</b> ]]> "quotes"', url: 'https://blog.example.net/feed.xml?a=1&b=2' } },
    ],
    site,
    check: (atom, rss) => {
      expect(atom.feed.entry[0].source.title['#text']).toBe('Example News');
      expect(atom.feed.entry[1].source.title['#text']).toBe('Café <b>&</b> ]]> "quotes"');
      expect(atom.feed.entry[1].source.link['@href']).toBe('https://blog.example.net/feed.xml?a=1&b=2');
      expect(rss.rss.channel.item[0].source['#text']).toBe('Example News');
      expect(rss.rss.channel.item[1].source['@url']).toBe('https://blog.example.net/feed.xml?a=1&b=2');
    },
  },
];

describe('rendered feeds against the RELAX NG schemas (jing)', () => {
  for (const feedCase of cases) {
    describe(feedCase.name, () => {
      const files = renderFeeds(feedCase.digests, feedCase.site);
      const atom = feedText(files, 'feeds/atom.xml');
      const rss = feedText(files, 'feeds/rss.xml');

      it('renders what the case is about', () => {
        feedCase.check(xml.parse(atom) as Node, xml.parse(rss) as Node);
      });

      it('atom.xml is valid Atom 1.0 (RFC 4287 schema)', async () => {
        await expectValid(ATOM_SCHEMA, atom);
      });

      it('rss.xml is valid RSS 2.0 (W3C validator profile)', async () => {
        await expectValid(RSS_SCHEMA, rss);
      });
    });
  }
});

describe('the Atom schema can fail (negative controls on real output)', () => {
  // Two entries: the seed-like one (no author of its own, so it gets the site's) and Ada Lovelace's.
  const atom = feedText(renderFeeds([seedDigest, olderDigest], site), 'feeds/atom.xml');
  const feedAuthor = /<author>\s*<name>Gazette Editors<\/name>\s*<uri>[^<]*<\/uri>\s*<\/author>/;

  it('the unedited document is valid', async () => {
    await expectValid(ATOM_SCHEMA, atom);
  });

  it('rejects a feed without atom:id', async () => {
    await expectInvalid(ATOM_SCHEMA, edit(atom, /<id>https:\/\/gazette\.example\.com\/<\/id>/, ''), /"id"/);
  });

  it('accepts a feed without author when every entry has one (RFC 4287 4.1.1)', async () => {
    await expectValid(ATOM_SCHEMA, edit(atom, feedAuthor, ''));
  });

  it('rejects an entry without author when the feed has none', async () => {
    const noFeedAuthor = edit(atom, feedAuthor, '');
    await expectInvalid(ATOM_SCHEMA, edit(noFeedAuthor, /<author>\s*<name>Ada Lovelace<\/name>\s*<\/author>/, ''), /"author"/);
  });

  it('rejects an entry with neither content nor an alternate link', async () => {
    const withoutContent = edit(atom, /<content type="html"><!\[CDATA\[<p dir="auto">Chinese[\s\S]*?\]\]><\/content>/, '');
    await expectValid(ATOM_SCHEMA, withoutContent);
    const withoutEither = edit(withoutContent, /<link href="[^"]*xi-and-putin[^"]*"\/>/, '');
    await expectInvalid(ATOM_SCHEMA, withoutEither, /"entry" incomplete/);
  });

  it('rejects an updated date without a time zone (RFC 3339)', async () => {
    await expectInvalid(
      ATOM_SCHEMA,
      edit(atom, /<updated>2025-05-08T12:00:00\.000Z<\/updated>\s*<generator>/, '<updated>2025-05-08T12:00:00</updated><generator>'),
      /"updated" invalid/,
    );
  });

  it('rejects a category without term', async () => {
    await expectInvalid(ATOM_SCHEMA, edit(atom, /<category term="putin"\/>/, '<category label="putin"/>'), /"term"/);
  });

  it('an Entry Document (top-level atom:entry) needs its own author', async () => {
    const entryDocument = (author: string) =>
      `<entry xmlns="http://www.w3.org/2005/Atom"><id>tag:gazette.example.com,2025:1</id><title>T</title>` +
      `<updated>2025-05-08T12:00:00Z</updated><link href="https://gazette.example.com/d/"/>${author}</entry>`;
    await expectValid(ATOM_SCHEMA, entryDocument('<author><name>Ada</name></author>'));
    await expectInvalid(ATOM_SCHEMA, entryDocument(''), /"entry" incomplete/);
  });

  it('accepts RFC features the renderer does not use (xhtml text, source, out-of-line and Base64 content)', async () => {
    await expectValid(ATOM_SCHEMA, readFileSync(schemaPath('atom-extensive-sample.xml')));
  });
});

describe('the RSS schema can fail (negative controls on real output)', () => {
  const rss = feedText(renderFeeds([seedDigest, olderDigest], site), 'feeds/rss.xml');

  it('rejects a channel without description', async () => {
    await expectInvalid(RSS_SCHEMA, edit(rss, /<description>Concise digests[^<]*<\/description>/, ''), /"description"/);
  });

  it('rejects an item with neither title nor description', async () => {
    const untitled = edit(rss, /<title>Central bank holds rates steady[^<]*<\/title>/, '');
    await expectValid(RSS_SCHEMA, untitled);
    await expectInvalid(
      RSS_SCHEMA,
      edit(untitled, /<description><!\[CDATA\[The central bank[\s\S]*?\]\]><\/description>/, ''),
      /"item" incomplete/,
    );
  });

  it('rejects a permalink guid that is not a URL, and accepts it with isPermaLink="false"', async () => {
    const guid = /<guid isPermaLink="true">https:\/\/gazette\.example\.com\/digests\/central-bank[^<]*<\/guid>/;
    await expectInvalid(RSS_SCHEMA, edit(rss, guid, '<guid isPermaLink="true">rates-42</guid>'), /"guid" invalid/);
    await expectValid(RSS_SCHEMA, edit(rss, guid, '<guid isPermaLink="false">rates-42</guid>'));
  });

  it('rejects a channel without its atom:link rel="self"', async () => {
    await expectInvalid(RSS_SCHEMA, edit(rss, /<atom:link [^>]*rel="self"[^>]*\/>/, ''), /"atom:link"/);
  });

  it('rejects an ISO 8601 pubDate (RSS wants RFC 822)', async () => {
    await expectInvalid(
      RSS_SCHEMA,
      edit(rss, /<pubDate>Wed, 07 May 2025 06:00:00 GMT<\/pubDate>/, '<pubDate>2025-05-07T06:00:00Z</pubDate>'),
      /"pubDate" invalid/,
    );
  });
});
