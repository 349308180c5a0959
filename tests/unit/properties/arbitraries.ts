/**
 * fast-check generators of hostile articles for tests/unit/properties.test.ts, and the one text
 * normalisation every "the reader sees the same text" property compares with.
 *
 * The articles are built the way people actually write them (front matter, paragraphs, a title) but
 * every piece of text may carry markup, CDATA terminators, entities, emoji, right-to-left text and
 * marks, line breaks of every kind, control characters and lone surrogates.
 */
import fc from 'fast-check';
import { stringify as yamlStringify } from 'yaml';

/** Things an article must never be able to smuggle into a feed, a page or a mail. */
export const HOSTILE_FRAGMENTS: readonly string[] = [
  '<script>alert(1)</script>',
  '</script><script>alert(2)</script>',
  '<img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '<b>bold</b>',
  '<style>*{display:none}</style>',
  '<!--',
  '-->',
  '<![CDATA[',
  ']]>',
  ']]]]><![CDATA[>',
  '&',
  '&amp;',
  '&lt;b&gt;',
  '&#0;',
  '&#x1F680;',
  '"',
  "'",
  '`',
  '\\',
  '{{x}}',
  '${x}',
  '=?utf-8?B?PHNjcmlwdD4=?=',
  'Bcc: victim@example.com',
  'javascript:alert(1)',
  '🚀',
  '👩‍👩‍👧',
  '🏳️‍🌈',
  'مرحبا بالعالم',
  'שלום עולם',
  '\u202E',
  '\u200F',
  '\u200E',
  '\u2066',
  '\u2069',
  '\r\n',
  '\r',
  '\n',
  '\u2028',
  '\u2029',
  '\u0085',
  '\u0000',
  '\u0007',
  '\u001B[31m',
  '\u007F',
  '\t',
  '\u000B',
  '\u000C',
  '\u00A0',
  '\uFEFF',
  '\u200B',
  '\uD800',
  '\uDC00',
  '\uFFFE',
  '\uFFFF',
  'e\u0301',
  'ﬁ',
  '\u0130',
];

const WORDS = [
  'the',
  'council',
  'voted',
  'river',
  'barrier',
  'mayor',
  'said',
  'on',
  'Tuesday',
  'million',
  'engineers',
  'flood',
  'town',
  'residents',
  'court',
  'government',
  'agency',
  'report',
  'water',
  'years',
  'and',
  'of',
  'a',
  'new',
  'plan',
  'Riverton',
  'Ellen',
  'Hart',
  'budget',
  'school',
  'trade',
  'energy',
  'Moscow',
  'China',
  'election',
  '4.5',
  '1890',
  '$310',
  'U.S.',
  'Dr.',
  'e.g.',
];

/** A word: mostly ordinary ones, sometimes random letters, sometimes a hostile fragment. */
export const word: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzäéøßçñ'), minLength: 1, maxLength: 12 }) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS) },
  // Longer than a headline: a URL pasted into the text, a German compound, a run of letters.
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: 60, maxLength: 140 }) },
);

/** Like {@link word} without hostile fragments, for texts that must stay prose. */
const plainWord: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: 1, maxLength: 12 }) },
);

function sentenceOf(words: fc.Arbitrary<string>, maxWords: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.array(words, { minLength: 1, maxLength: maxWords }), fc.constantFrom('.', '.', '.', '!', '?', '…', ''))
    .map(([parts, end]) => {
      const text = parts.join(' ');
      return `${text.charAt(0).toUpperCase()}${text.slice(1)}${end}`;
    });
}

/** A sentence whose words may be hostile. */
export const sentence: fc.Arbitrary<string> = sentenceOf(word, 24);

/** A paragraph of 1–4 sentences. */
export const paragraph: fc.Arbitrary<string> = fc.array(sentence, { minLength: 1, maxLength: 4 }).map((s) => s.join(' '));

/** Any UTF-16 code unit, lone surrogates included. */
const anyCodeUnit: fc.Arbitrary<string> = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

/** One-line-ish metadata: hostile phrases, arbitrary Unicode, or arbitrary code units. */
export const metadataText: fc.Arbitrary<string> = fc.oneof(
  fc.array(word, { minLength: 1, maxLength: 14 }).map((w) => w.join(' ')),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: anyCodeUnit, maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...HOSTILE_FRAGMENTS), maxLength: 6 }),
);

/** A url field: usually a real http(s) URL (possibly with hostile characters), sometimes not. */
export const urlText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
  { weight: 2, arbitrary: metadataText.map((text) => `https://news.example.org/a?q=${text}`) },
  { weight: 1, arbitrary: fc.constantFrom('javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'ftp://x', '//x', '') },
  { weight: 1, arbitrary: metadataText },
);

/** Front-matter fields; any may be missing. */
export interface FrontMatterFields {
  title?: string;
  author?: string;
  url?: string;
  tags?: string[];
  published?: string;
}

const frontMatterFields: fc.Arbitrary<FrontMatterFields> = fc.record(
  {
    title: metadataText,
    author: metadataText,
    url: urlText,
    tags: fc.array(metadataText, { maxLength: 8 }),
    published: fc.oneof(
      fc
        .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
        .map((d) => d.toISOString()),
      fc.constantFrom('2025-05-09', '2025-02-30', 'yesterday', '2025-05-09T10:00:00+02:00'),
    ),
  },
  { requiredKeys: [] },
);

/**
 * The YAML block: either written by a YAML library (every value quoted and escaped correctly, so
 * controls and lone surrogates arrive through escapes) or pasted raw line by line, the way a person
 * would, which is often not valid YAML at all.
 */
const frontMatterBlock: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: frontMatterFields.map((fields) => `---\n${yamlStringify(fields)}---\n`) },
  {
    weight: 1,
    arbitrary: frontMatterFields.map(
      (fields) =>
        `---\n${Object.entries(fields)
          .map(([key, value]) => `${key}: ${Array.isArray(value) ? `[${value.join(', ')}]` : String(value)}`)
          .join('\n')}\n---\n`,
    ),
  },
);

/** Markdown constructs that carry markup or links; the parser must reduce them to text. */
const markdownExtra: fc.Arbitrary<string> = fc.constantFrom(
  '[click](javascript:alert(1))',
  '![x](https://evil.example/x.png)',
  '**bold** and _em_',
  '> quoted <script>alert(1)</script>',
  '```\n<script>alert(1)</script>\n```',
  '<div onclick="alert(1)">raw html</div>',
  '- item one\n- item ]]> two',
  '1. first\n2. second',
  '---',
  '| a | b |\n|---|---|\n| <b>x</b> | & |',
);

/** An article file: a name with one of the supported extensions and its UTF-8 text. */
export interface ArticleSource {
  name: string;
  text: string;
}

const lineBreak = fc.constantFrom('\n', '\r\n', '\r');

const textArticle: fc.Arbitrary<ArticleSource> = fc
  .tuple(fc.array(paragraph, { minLength: 0, maxLength: 8 }), lineBreak, fc.boolean())
  .map(([paragraphs, eol, blankLines]) => ({ name: 'inbox/article.txt', text: paragraphs.join(blankLines ? eol + eol : eol) }));

const markdownArticle: fc.Arbitrary<ArticleSource> = fc
  .tuple(
    fc.option(frontMatterBlock, { nil: undefined }),
    fc.option(metadataText, { nil: undefined }),
    fc.array(fc.oneof({ weight: 4, arbitrary: paragraph }, { weight: 1, arbitrary: markdownExtra }), { minLength: 0, maxLength: 8 }),
    lineBreak,
  )
  .map(([front, heading, paragraphs, eol]) => ({
    name: 'inbox/article.md',
    text: [front ?? '', heading === undefined ? '' : `# ${heading}\n\n`, paragraphs.join('\n\n')].join('').replace(/\n/g, eol),
  }));

const htmlArticle: fc.Arbitrary<ArticleSource> = fc
  .tuple(
    fc.option(metadataText, { nil: undefined }),
    fc.option(urlText, { nil: undefined }),
    fc.array(paragraph, { minLength: 0, maxLength: 8 }),
  )
  .map(([title, url, paragraphs]) => ({
    name: 'inbox/article.html',
    text: [
      '<!DOCTYPE html><html><head><meta charset="utf-8">',
      title === undefined ? '' : `<title>${title}</title>`,
      url === undefined ? '' : `<link rel="canonical" href="${url}"><meta property="og:url" content="${url}">`,
      '</head><body>',
      title === undefined ? '' : `<h1>${title}</h1>`,
      ...paragraphs.map((p) => `<p>${p}</p>`),
      '</body></html>',
    ].join('\n'),
  }));

/** A structured article in any of the three formats. */
export const articleSource: fc.Arbitrary<ArticleSource> = fc.oneof(textArticle, markdownArticle, htmlArticle);

/** The supported extensions, in the spellings people use. */
export const extension = fc.constantFrom('.txt', '.TXT', '.text', '.md', '.markdown', '.MD', '.html', '.htm', '.HTML');

/** Byte sequences that are never valid UTF-8. */
const INVALID_UTF8: readonly number[][] = [
  [0xff],
  [0xfe],
  [0xc0, 0x80], // overlong NUL
  [0xe2, 0x82], // truncated three-byte sequence
  [0xed, 0xa0, 0x80], // a UTF-16 surrogate encoded as UTF-8
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0x80], // stray continuation byte
];

/** How the bytes of an article file go wrong (or not). */
export type Damage =
  { kind: 'none' } | { kind: 'bom' } | { kind: 'invalid-utf8'; at: number; sequence: number[] } | { kind: 'nul'; at: number };

export const damage: fc.Arbitrary<Damage> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Damage>({ kind: 'none' }) },
  { weight: 1, arbitrary: fc.constant<Damage>({ kind: 'bom' }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('invalid-utf8' as const), at: fc.nat(), sequence: fc.constantFrom(...INVALID_UTF8) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('nul' as const), at: fc.nat() }) },
);

/** The file's bytes after `damage`. */
export function damaged(text: string, how: Damage): Uint8Array {
  const bytes = Buffer.from(text, 'utf8');
  switch (how.kind) {
    case 'none':
      return bytes;
    case 'bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
    case 'invalid-utf8': {
      const at = bytes.length === 0 ? 0 : how.at % (bytes.length + 1);
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(how.sequence), bytes.subarray(at)]);
    }
    case 'nul': {
      const at = bytes.length === 0 ? 0 : how.at % (bytes.length + 1);
      return Buffer.concat([bytes.subarray(0, at), Buffer.from([0]), bytes.subarray(at)]);
    }
  }
}

/** Prose with at least two sentences and no hostile fragments, for the summary-limit property. */
export const prose: fc.Arbitrary<string> = fc
  .tuple(fc.array(fc.array(sentenceOf(plainWord, 40), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 10 }), lineBreak)
  .map(([paragraphs, eol]) => paragraphs.map((p) => p.join(' ')).join(eol + eol));

/** Prose where any word may be hostile. */
export const hostileProse: fc.Arbitrary<string> = fc
  .array(paragraph, { minLength: 1, maxLength: 10 })
  .map((paragraphs) => paragraphs.join('\n\n'));

/**
 * The text a reader is promised to see for a value: characters no output format may carry removed
 * (C0 controls other than TAB/LF/CR, DEL, C1, U+FFFE/U+FFFF, lone surrogates), every run of whitespace
 * (line breaks, tabs, U+2028 …) one space, ends trimmed. Feeds, pages and mail are compared under it.
 */
export function shownText(value: string): string {
  return value
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .replace(/\s+/gu, ' ')
    .trim();
}
