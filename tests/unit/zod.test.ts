/**
 * functions/core/zod.ts (zod/mini as Gazette uses it) against classic zod, which the code used before
 * and which the package still ships: for the same schema and input, the same issues (codes, paths and
 * the English messages), and a thrown error with the same name and message. Operators read these in
 * environment, settings and feed errors, and `gazette run` prints a failed publisher's error type.
 * (zod keeps its configuration on globalThis, and classic zod sets English itself, so that our module
 * sets it is shown where classic zod is absent: tests/infra/zod-bundle.test.ts runs the bundled code.)
 */
import { z as classic } from 'zod';
import { describe, expect, it } from 'vitest';
import * as z from '../../functions/core/zod.js';

/** The issues of a failed parse (none for a success), as both APIs report them. */
function issuesOf(result: { success: boolean; error?: { issues: unknown[] } }): unknown[] {
  return result.success ? [] : (result.error?.issues ?? []);
}

describe('zod/mini as configured in functions/core/zod.ts', () => {
  // One schema per API, built the same way: the kinds of rules Gazette's schemas use.
  const mini = z.looseObject({
    id: z.string().check(z.trim(), z.minLength(1)),
    count: z.number().check(z.int(), z.minimum(0), z.maximum(10)),
    kind: z.enum(['a', 'b']),
    at: z.optional(z.iso.datetime({ offset: true })),
    site: z.optional(z.url({ protocol: /^https?$/ })),
    tags: z.array(z.string()).check(z.maxLength(2)),
    version: z.literal(1),
    nested: z.object({ name: z.string().check(z.regex(/^[a-z]+$/)) }),
    keys: z.catchall(z.object({ current: z.string() }), z.string().check(z.minLength(3))),
    pick: z.discriminatedUnion('kind', [z.object({ kind: z.literal('x'), x: z.number() }), z.object({ kind: z.literal('y') })]),
  });
  const reference = classic
    .object({
      id: classic.string().trim().min(1),
      count: classic.number().int().min(0).max(10),
      kind: classic.enum(['a', 'b']),
      at: classic.iso.datetime({ offset: true }).optional(),
      site: classic.url({ protocol: /^https?$/ }).optional(),
      tags: classic.array(classic.string()).max(2),
      version: classic.literal(1),
      nested: classic.object({ name: classic.string().regex(/^[a-z]+$/) }),
      keys: classic.object({ current: classic.string() }).catchall(classic.string().min(3)),
      pick: classic.discriminatedUnion('kind', [
        classic.object({ kind: classic.literal('x'), x: classic.number() }),
        classic.object({ kind: classic.literal('y') }),
      ]),
    })
    .loose();

  const inputs: unknown[] = [
    {},
    'not an object',
    {
      id: '  ',
      count: 1.5,
      kind: 'c',
      at: 'yesterday',
      site: 'ftp://example.com/',
      tags: ['a', 'b', 'c'],
      version: 2,
      nested: { name: 'Upper' },
      keys: { current: 'k', k: 'ab', other: 1 },
      pick: { kind: 'x', x: '1' },
    },
    { id: 'x', count: -1, kind: 'a', tags: 'a', version: 1, nested: null, keys: {}, pick: { kind: 'z' } },
    { id: 'x', count: 11, kind: 'b', tags: [], version: 1, nested: { name: 'ok' }, keys: { current: 'k' }, pick: { kind: 'y' } },
  ];

  it.each(inputs.map((input) => [JSON.stringify(input), input]))('reports what classic zod reports for %s', (_name, input) => {
    const expected = issuesOf(reference.safeParse(input));
    expect(issuesOf(mini.safeParse(input))).toEqual(expected);
  });

  it('parse throws an Error named ZodError with classic zod’s message, which z.$ZodError recognises', () => {
    const input = { id: '', count: 'many' };
    const thrown = (parse: () => unknown): Error => {
      try {
        parse();
      } catch (error) {
        return error as Error;
      }
      throw new Error('parse did not throw');
    };
    const expected = thrown(() => reference.parse(input));
    const actual = thrown(() => z.parse(mini, input));
    expect(actual).toBeInstanceOf(Error);
    expect(actual).toBeInstanceOf(z.$ZodError);
    expect(actual.name).toBe(expected.name);
    expect(actual.name).toBe('ZodError');
    expect(actual.message).toBe(expected.message);
    expect(String(actual)).toBe(actual.message);
    expect(actual.stack).toContain('zod.test.ts');
    // Only zod's errors count: the check must not claim every Error.
    expect(new TypeError('x')).not.toBeInstanceOf(z.$ZodError);
  });

  it('preprocess works as classic zod’s: the function first, then the schema, defaults included', () => {
    const toNumber = (value: unknown) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);
    const miniField = z.object({ n: z._default(z.preprocess(toNumber, z.number({ error: 'whole number' }).check(z.int())), 7) });
    const classicField = classic.object({ n: classic.preprocess(toNumber, classic.number({ error: 'whole number' }).int()).default(7) });
    for (const input of [{}, { n: '12' }, { n: 3 }, { n: 'twelve' }, { n: null }, { n: '1.5' }, { n: 1.5 }]) {
      const expected = classicField.safeParse(input);
      const actual = miniField.safeParse(input);
      expect(actual.success).toBe(expected.success);
      expect(actual.data).toEqual(expected.data);
      expect(issuesOf(actual)).toEqual(issuesOf(expected));
    }
  });
});
