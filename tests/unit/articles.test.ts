import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArticleError } from '../../functions/core/errors.js';
import { articleFile, parseArticleFile } from '../../functions/adapters/article-files.js';
import { MAX_ARTICLE_BYTES, parseArticle } from '../../functions/core/articles/parse.js';

const fixtures = join(import.meta.dirname, '../fixtures/articles');
const fixture = (name: string): Uint8Array => readFileSync(join(fixtures, name));
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Asserts that parsing throws an ArticleError whose message names the file and matches `reason`. */
function expectArticleError(name: string, bytes: Uint8Array, reason: RegExp): ArticleError {
  let caught: unknown;
  try {
    parseArticleFile(name, bytes);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ArticleError);
  const error = caught as ArticleError;
  expect(error.source).toBe(name);
  expect(error.message.startsWith(`${name}: `)).toBe(true);
  expect(error.message).toMatch(reason);
  return error;
}

describe('parseArticle: plain text', () => {
  it('reads the seed: one paragraph per line, no title, hash identity', () => {
    const seed = readFileSync(join(import.meta.dirname, '../../seeds/000_89c895b2b4859281.txt'));
    const article = parseArticleFile('000_89c895b2b4859281.txt', seed);
    const lines = seed
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim());
    expect(article.text.split('\n\n')).toHaveLength(lines.length);
    expect(article.text.startsWith('Chinese President Xi Jinping')).toBe(true);
    expect(article.title).toBeUndefined();
    // No id or url: the identity is the file's name, so an edit updates it in place.
    expect(article.id).toBe('path:000_89c895b2b4859281.txt');
    expect(article.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(article.source).toBe('000_89c895b2b4859281.txt');
    expect(article.tags).toEqual([]);
  });

  it('uses blank lines as paragraph breaks when there are any, joining hard-wrapped lines', () => {
    const article = parseArticleFile('wrapped.txt', utf8('First line\nwraps   here.\r\n\r\nSecond\tparagraph.\n\n\n'));
    expect(article.text).toBe('First line wraps here.\n\nSecond paragraph.');
  });

  it('accepts a one-sentence article', () => {
    expect(parseArticleFile('one.txt', utf8('Just one sentence.')).text).toBe('Just one sentence.');
  });

  it('strips a UTF-8 BOM and normalises to NFC', () => {
    const article = parseArticleFile('bom.txt', new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('Cafe\u0301 opens.')]));
    expect(article.text).toBe('Caf\u00e9 opens.');
  });

  it('keeps ]]>, &, <, emoji and right-to-left text as text', () => {
    const text = 'Markup ]]> & <b>not bold</b> 👩‍👩‍👧 שלום עולם مرحبا';
    expect(parseArticleFile('odd.txt', utf8(text)).text).toBe(text);
  });

  it('takes its id from the file name (an edit keeps it) and its content hash from the normalised text', () => {
    const a = parseArticleFile('a.txt', utf8('Same words here.'));
    const b = parseArticleFile('b.txt', utf8('Same   words\nhere.'.replace('\n', ' ')));
    const edited = parseArticleFile('a.txt', utf8('Other words here.'));
    expect(b.contentHash).toBe(a.contentHash);
    expect(b.id).not.toBe(a.id);
    expect(edited.id).toBe(a.id);
    expect(edited.contentHash).not.toBe(a.contentHash);
  });
});

describe('parseArticle: markdown', () => {
  it('front matter wins over derived values and markdown is reduced to text', () => {
    const article = parseArticleFile('front-matter.md', fixture('front-matter.md'));
    expect(article.id).toBe('harbour-2025');
    expect(article.title).toBe('Harbour reopens after storm');
    expect(article.url).toBe('https://news.example.com/harbour');
    expect(article.author).toBe('Ana Souza');
    expect(article.published?.toISOString()).toBe('2025-05-09T08:00:00.000Z');
    expect(article.tags).toEqual(['Ports', 'weather']);
    expect(article.text.split('\n\n')).toEqual([
      // A heading that differs from the front-matter title stays in the body.
      'A different heading',
      'The harbour reopened on Tuesday after the storm, the port authority said.',
      'Repairs to the north pier will take three weeks, and ferries will use the south quay until then.',
      'schedule: 08:00, 12:00',
    ]);
    expect(article.text).not.toMatch(/[*#!\[\]]|photo|https?:/);
  });

  it('takes a leading # heading as the title when there is no front matter', () => {
    const article = parseArticleFile('heading-title.md', fixture('heading-title.md'));
    expect(article.title).toBe('Council approves & funds the new library');
    expect(article.text.split('\n\n')).toEqual([
      'The city council approved funding for a new public library on Monday.',
      'Construction starts in spring and the library opens in 2027.',
    ]);
    expect(article.id).toMatch(/^path:/);
  });

  it('uses url as the identity when front matter has no id', () => {
    const article = parseArticleFile('u.md', utf8('---\nurl: https://example.com/a\n---\nBody text.'));
    expect(article.id).toBe('https://example.com/a');
  });

  it('collapses CR, LF and control characters in a front-matter title', () => {
    const article = parseArticleFile('t.md', utf8('---\ntitle: "Breaking\\r\\nNews:\\u0007 now"\n---\nBody.'));
    expect(article.title).toBe('Breaking News: now');
  });

  it('drops scripts and inline HTML from a markdown body but keeps the words', () => {
    const article = parseArticleFile('s.md', utf8('Hello <b>there</b>.\n\n<script>alert("x")</script>\n\nAT&amp;T & friends.'));
    expect(article.text).toBe('Hello there.\n\nAT&T & friends.');
  });

  it('reads lists, tables, quotes and code spans as text, dropping inline scripts and images', () => {
    const source = [
      'Inline <span>kept</span> <script>steal()</script> and `a < &amp; b` and ![alt](x.png) and a\\* star.',
      '',
      '- [ ] task item',
      '- item **two**',
      '',
      '| City | Pop |',
      '|---|---|',
      '| Oslo | 0.7m |',
      '',
      '> Quoted &lt;words&gt;.',
    ].join('\n');
    expect(parseArticleFile('mix.md', utf8(source)).text.split('\n\n')).toEqual([
      'Inline kept and a < &amp; b and and a* star.',
      'task item',
      'item two',
      'City | Pop',
      'Oslo | 0.7m',
      'Quoted <words>.',
    ]);
  });

  it('changes the content hash, not the id, when a stable-id article is edited', () => {
    const before = parseArticleFile('e.md', utf8('---\nid: story-1\ntitle: First\n---\nOriginal text.'));
    const textEdit = parseArticleFile('e.md', utf8('---\nid: story-1\ntitle: First\n---\nEdited text.'));
    const titleEdit = parseArticleFile('e.md', utf8('---\nid: story-1\ntitle: Second\n---\nOriginal text.'));
    const tagEdit = parseArticleFile('e.md', utf8('---\nid: story-1\ntitle: First\ntags: [x]\n---\nOriginal text.'));
    expect(new Set([before.id, textEdit.id, titleEdit.id, tagEdit.id])).toEqual(new Set(['story-1']));
    expect(new Set([before.contentHash, textEdit.contentHash, titleEdit.contentHash, tagEdit.contentHash]).size).toBe(4);
  });

  it('accepts a date-only published value as midnight UTC, and `date` as its alias', () => {
    expect(parseArticleFile('d.md', utf8('---\npublished: 2025-05-09\n---\nx y z.')).published?.toISOString()).toBe(
      '2025-05-09T00:00:00.000Z',
    );
    expect(parseArticleFile('d.md', utf8('---\ndate: 2024-02-29 12:30\n---\nx y z.')).published?.toISOString()).toBe(
      '2024-02-29T12:30:00.000Z',
    );
  });

  it('ends the front matter at the first line that is exactly ---, whatever the line endings', () => {
    const crlf = parseArticleFile('c.md', utf8('---\r\ntitle: Windows\r\n---\r\nBody from Notepad.\r\n'));
    expect(crlf.title).toBe('Windows');
    expect(crlf.text).toBe('Body from Notepad.');
    // A later --- is a Markdown rule in the body; ---- inside the block is YAML, not the fence.
    const ruled = parseArticleFile('r.md', utf8('---\ntitle: Ruled\nnote: |\n  ----\n---\nAbove.\n\n---\n\nBelow.'));
    expect(ruled.title).toBe('Ruled');
    expect(ruled.text).toBe('Above.\n\nBelow.');
    // An empty block is no front matter at all.
    expect(parseArticleFile('e.md', utf8('---\n---\n# Heading title\n\nText.')).title).toBe('Heading title');
  });

  it.each([
    ['malformed YAML', '---\ntitle: [unclosed\n---\nBody.', /malformed front matter/],
    ['a list instead of a mapping', '---\n- a\n- b\n---\nBody.', /malformed front matter/],
    ['an impossible date', '---\npublished: 2025-02-30\n---\nBody.', /published is not a valid date/],
    ['a date in words', '---\npublished: last tuesday\n---\nBody.', /published is not a valid date/],
    ['tags that are not a list', '---\ntags: politics\n---\nBody.', /tags must be a list/],
    ['tags that are not strings', '---\ntags: [{a: 1}]\n---\nBody.', /tags must be a list of words/],
    ['a javascript: url', '---\nurl: "javascript:alert(1)"\n---\nBody.', /url must start with http/],
    ['a relative url', '---\nurl: /news/1\n---\nBody.', /url is not an absolute URL/],
    ['a title that is a mapping', '---\ntitle: {a: 1}\n---\nBody.', /title must be a single line/],
    ['JavaScript front matter (never evaluated)', '---js\n{ title: globalThis.pwned = 1 }\n---\nBody.', /only YAML/],
    ['front matter and no body', '---\ntitle: Nothing else\n---\n\n', /empty article/],
    ['front matter never closed', '---\ntitle: Open\nBody that never starts.', /empty article|malformed front matter/],
  ])('refuses %s with an error naming the file', (_label, source, reason) => {
    expectArticleError('bad.md', utf8(source), reason);
    expect((globalThis as { pwned?: number }).pwned).toBeUndefined();
  });
});

describe('parseArticle: html', () => {
  it('extracts text and metadata with a real parser, dropping scripts, styles and page chrome', () => {
    const article = parseArticleFile('page.html', fixture('page.html'));
    expect(article.title).toBe('Rail line & stations to expand');
    expect(article.url).toBe('https://rail.example.org/expansion');
    expect(article.id).toBe('https://rail.example.org/expansion');
    expect(article.author).toBe('Lee Park');
    expect(article.published?.toISOString()).toBe('2025-04-01T08:30:00.000Z');
    expect(article.text.split('\n\n')).toEqual([
      'The regional rail line will get four new stations, officials said on Tuesday.',
      'Work begins in June — the first station opens next year.',
      'Fares stay the same.',
      'Station A',
      'Station B',
    ]);
    expect(article.text).not.toMatch(/alert|tracking|color|Home|Rail News|JavaScript/);
  });

  it('takes the first <h1> as the title when there is no <title>, and keeps entities decoded', () => {
    const article = parseArticleFile('h.htm', utf8('<h1>Q&amp;A: “Why”</h1><p>Answer &lt;here&gt; ]]&gt; 🎉 مرحبا</p>'));
    expect(article.title).toBe('Q&A: “Why”');
    expect(article.text).toBe('Answer <here> ]]> 🎉 مرحبا');
  });

  it('ignores a relative canonical link and an unreadable date instead of failing', () => {
    const article = parseArticleFile(
      'r.html',
      utf8('<link rel="canonical" href="/a"><meta property="article:published_time" content="soon"><p>Text.</p>'),
    );
    expect(article.url).toBeUndefined();
    expect(article.published).toBeUndefined();
    expect(article.id).toMatch(/^path:/);
  });

  it('refuses a page with only script and style as empty', () => {
    expectArticleError('s.html', utf8('<html><head><style>p{}</style></head><body><script>x()</script></body></html>'), /empty article/);
  });
});

describe('parseArticle: bad input', () => {
  it('refuses an empty file', () => {
    expectArticleError('empty.txt', new Uint8Array(), /empty article/);
  });

  it('refuses whitespace only', () => {
    expectArticleError('blank.txt', utf8(' \n\t\r\n  \u00a0 \n'), /empty article/);
  });

  it('accepts exactly 1 MiB and refuses 1 MiB + 1 byte', () => {
    const line = 'Words fill this line of the article. ';
    const exact = utf8(line.repeat(Math.ceil(MAX_ARTICLE_BYTES / line.length)).slice(0, MAX_ARTICLE_BYTES));
    expect(exact.length).toBe(MAX_ARTICLE_BYTES);
    expect(parseArticleFile('big.txt', exact).text.length).toBeGreaterThan(1_000_000);
    const over = new Uint8Array(MAX_ARTICLE_BYTES + 1).fill(0x61);
    expectArticleError('big.txt', over, /too large: 1048577 bytes.*1 MiB/);
  });

  it('refuses binary content (NUL bytes, e.g. a PNG or UTF-16)', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    expectArticleError('image.txt', png, /binary/);
    expectArticleError('utf16.txt', new Uint8Array([0xff, 0xfe, 0x48, 0x00, 0x69, 0x00]), /binary/);
  });

  it('refuses text full of control characters but tolerates a stray one', () => {
    expectArticleError('ctl.txt', utf8('\u0001\u0002\u0003\u0004\u0005 short'), /binary content \(5 control characters\)/);
    expect(parseArticleFile('esc.txt', utf8('A stray \u001b escape in a long enough sentence of real prose here.')).text).toBe(
      'A stray escape in a long enough sentence of real prose here.',
    );
  });

  it('refuses invalid UTF-8', () => {
    expectArticleError('latin1.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b]), /not valid UTF-8/);
    expectArticleError('overlong.md', new Uint8Array([0xc0, 0xaf, 0x41]), /not valid UTF-8/);
  });

  // Inputs that would make the parsers take minutes or overflow the stack get a clear error instead.
  it.each([
    ['stars.md', '*a'.repeat(1200), /one paragraph has 1200 emphasis markers/],
    ['dense.md', `${'*a_'.repeat(300)}\n\n`.repeat(500), /too many emphasis markers/],
    ['quotes.md', `${'> '.repeat(40)}deep\n`, /line 1 nests quotes or lists deeper than 16 levels/],
    ['lists.md', `ok\n${'1. '.repeat(20)}deep\n`, /line 2 nests/],
    ['indent.md', `${' '.repeat(200)}- deep\n`, /nests quotes or lists/],
    ['divs.html', '<div>'.repeat(100_000), /too deeply nested/],
  ])('refuses the pathological %s', (name, source, reason) => {
    expectArticleError(name, utf8(source), reason);
  });

  it('accepts ordinary emphasis and nesting', () => {
    const source = `${'Some *em* and **strong** words with snake_case. '.repeat(40)}\n\n${'> '.repeat(3)}- nested\n`;
    expect(parseArticleFile('fine.md', utf8(source)).text).toContain('Some em and strong words');
  });

  it('refuses an unknown extension', () => {
    expectArticleError('report.pdf', utf8('text'), /unsupported file type \.pdf/);
    expectArticleError('README', utf8('text'), /unsupported file type \(none\)/);
  });
});

describe('formats at the file edge', () => {
  it('maps each file extension to its format, case-insensitively, and refuses the others by name', () => {
    const bytes = utf8('x');
    const formats = ['a.txt', 'a.TEXT', 'inbox/b.md', 'b.markdown', 'c.HTML', 'c.htm'].map((name) => articleFile(name, bytes));
    expect(formats.map((raw) => ('format' in raw ? raw.format : raw.refusal))).toEqual([
      'text',
      'text',
      'markdown',
      'markdown',
      'html',
      'html',
    ]);
    expect(articleFile('inbox/notes.v2/README', bytes)).toEqual({
      source: 'inbox/notes.v2/README',
      refusal: 'unsupported file type (none) (expected .txt, .md or .html)',
    });
  });

  it('parses a raw article by the format it carries, whatever its source is called', () => {
    const markdown = utf8('---\ntitle: From a feed\n---\nThe *body* of an item.');
    const article = parseArticle({ source: 'https://example.com/feed#item-1', format: 'markdown', bytes: markdown });
    expect(article).toMatchObject({ source: 'https://example.com/feed#item-1', title: 'From a feed', text: 'The body of an item.' });
    // The same bytes declared as plain text stay text: the source, not a name, decides.
    expect(parseArticle({ source: 'item.md', format: 'text', bytes: markdown }).text).toContain('title: From a feed');
  });
});
