import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collapseWhitespace } from '../../functions/core/articles/text.js';
import { countWords, wordsOnly } from '../../functions/core/summarize/text.js';
import { endsWithInitial, lastWordBeforeStop } from '../../functions/core/summarize/segment.js';
import { endsCleanly } from '../../functions/core/summarize/summarize.js';
import { tokenize } from '../../functions/core/summarize/tagger.js';

/** Texts made of the given pieces in any order, up to `maxLength` of them. */
const textOf = (pieces: readonly string[], maxLength: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...pieces), { maxLength }).map((parts) => parts.join(''));

/**
 * The word helpers take fast paths for speed (a lone space left in place, ASCII decided without a
 * regex, the inside of a counted word skipped). Each must give exactly what its plain regex definition
 * gives, for any text: these properties compare the two.
 */
const text = textOf(
  [
    ' ',
    '  ',
    '\t',
    '\n',
    '\r\n',
    '\u00a0',
    '\u2003',
    '\u3000',
    '\u2028',
    'a',
    'Z',
    '7',
    'é',
    'Ж',
    '中',
    '😀',
    '\ud83d',
    '.',
    ',',
    '—',
    '’',
    "'",
    '"',
    '(',
    'Mr',
    'U.S.',
    "won't",
  ],
  40,
);

describe('word helpers: fast paths equal their regex definitions', () => {
  it('countWords counts the whitespace-separated runs that hold a letter or digit', () => {
    fc.assert(
      fc.property(text, (value) => {
        const reference = value.split(/\s+/u).filter((run) => /[\p{L}\p{N}]/u.test(run)).length;
        expect(countWords(value)).toBe(reference);
      }),
      { numRuns: 2000 },
    );
  });

  it('collapseWhitespace turns every whitespace run into one space', () => {
    fc.assert(
      fc.property(text, (value) => {
        expect(collapseWhitespace(value)).toBe(value.replace(/\s+/gu, ' '));
      }),
      { numRuns: 2000 },
    );
  });

  it('wordsOnly keeps the lower-case letters and digits, one space between runs', () => {
    fc.assert(
      fc.property(text, (value) => {
        const reference = value
          .toLowerCase()
          .replace(/[^\p{L}\p{N}]+/gu, ' ')
          .trim();
        expect(wordsOnly(value)).toBe(reference);
      }),
      { numRuns: 2000 },
    );
  });

  it('tokenize marks a token as spaced when any whitespace precedes it', () => {
    fc.assert(
      fc.property(text, (value) => {
        let from = 0;
        for (const token of tokenize(value)) {
          // Tokens come in order; the character before each one decides its flag.
          const at = value.indexOf(token.text, from);
          expect(at).toBeGreaterThanOrEqual(0);
          expect(token.spaceBefore).toBe(at > 0 && /\s/u.test(value[at - 1]!));
          from = at + token.text.length;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('sentence merges: the hand-read endings equal their patterns', () => {
  const part = textOf(
    [' ', '(', '“', "'", 'a', 'z', 'Q', 'Z', '@', '[', '`', '{', 'é', 'Ж', '𝐀', '😀', '\udc00', '.', ',', '-', '7', 'Mr', 'J'],
    12,
  );
  const endings = fc.oneof(
    part,
    part.map((value) => `${value}.`),
  );

  it('lastWordBeforeStop gives the letters between a space, bracket or quote and the final stop', () => {
    fc.assert(
      fc.property(endings, (value) => {
        const match = /(?:^|[\s(“"‘'])([\p{L}]+)\.$/u.exec(value);
        expect(lastWordBeforeStop(value)).toBe(match ? match[1]!.toLowerCase() : '');
      }),
      { numRuns: 3000 },
    );
  });

  it('endsWithInitial finds a lone capital and stop at the end', () => {
    fc.assert(
      fc.property(endings, (value) => {
        expect(endsWithInitial(value)).toBe(/(?:^|\s)\p{Lu}\.$/u.test(value));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('key points: the hand-read sentence end equals its patterns', () => {
  const ending = textOf(
    [' ', '\u00a0', 'the', 'of', 'and', 'An', 'x', 'tothe', 'from', 'xwith', 'ſ', 'K', '.', '!', '?', '"', '”', ')', ',', '😀'],
    10,
  );

  it('endsCleanly: a final mark (and closing quote), with no dangling word before the mark', () => {
    fc.assert(
      fc.property(ending, (value) => {
        const trimmed = value.trim();
        const reference =
          /[.!?]["”’)]?$/u.test(trimmed) && !/\b(?:a|an|the|of|to|in|on|at|by|for|from|with|and|or|but)\s*[.!?]$/iu.test(trimmed);
        expect(endsCleanly(value)).toBe(reference);
      }),
      { numRuns: 3000 },
    );
  });
});
