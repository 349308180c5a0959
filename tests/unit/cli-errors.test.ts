import { describe, expect, it } from 'vitest';
import { ArticleError, ConfigError, InvalidAddressError } from '../../functions/core/errors.js';
import { EXIT_CODES, exitCodeFor, formatError } from '../../functions/cli/cli-errors.js';

describe('cli-errors', () => {
  it.each([
    [new ConfigError('bad flag'), EXIT_CODES.usage],
    [new InvalidAddressError('no @'), EXIT_CODES.usage],
    [new ArticleError('a.txt', 'empty article'), EXIT_CODES.partial],
    [new TypeError('bug'), EXIT_CODES.failure],
    ['a string', EXIT_CODES.failure],
  ])('maps %o to exit code %i', (error, code) => {
    expect(exitCodeFor(error)).toBe(code);
  });

  it('formats domain errors by their message, file errors by code and path, bugs by class', () => {
    expect(formatError(new ArticleError('a.txt', 'empty article'))).toBe('a.txt: empty article');
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open 'x/y'"), {
      code: 'ENOENT',
      path: 'x/y',
      syscall: 'open',
    });
    expect(formatError(enoent)).toBe('ENOENT: cannot open x/y');
    expect(formatError(new TypeError('a is undefined\nsecond line'))).toBe('TypeError: a is undefined');
  });

  it('keeps to one line unless verbose, which adds the stack', () => {
    const error = new Error('boom');
    expect(formatError(error).split('\n')).toHaveLength(1);
    expect(formatError(error, true)).toMatch(/^Error: boom\nError: boom\n\s+at /);
  });
});
