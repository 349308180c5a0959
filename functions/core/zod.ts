/**
 * zod for all of Gazette: zod/mini (the functional API, `z.optional(x)` instead of `x.optional()`), which
 * a bundler trims to the parts in use; classic `zod` put ~445 KiB into every Lambda bundle. Import zod
 * from here only (`import * as z from '…/core/zod.js'`), never from `zod` or `zod/mini`, for two things
 * classic zod did by itself:
 *
 * - English issue messages. zod/mini loads no locale, so without this an issue would read plain
 *   "Invalid input"; the messages operators see (environment, settings, feeds) are zod's English ones.
 *   Messages are looked up when a parse fails, so configuring here, before any schema module's first
 *   parse, covers every schema.
 * - Thrown errors named `ZodError`. zod/mini's `.parse` throws one named `$ZodError`, and the name is
 *   shown: a Lambda's error type (what `gazette run` prints) and the last-run record's problems.
 *   Use `z.parse(schema, value)` from here to throw; `instanceof z.$ZodError` catches it.
 */
import * as z from 'zod/mini';
import { en } from 'zod/locales';
// Named imports, not `z.core.…`/`z.locales.…`: a bundler keeps all of a namespace that is read through another.
import { $constructor, $ZodError, _parse } from 'zod/v4/core';

z.config(en());

export * from 'zod/mini';
/** What `parse` throws (and zod's other errors are): `error instanceof z.$ZodError`. */
export { $ZodError };

/** The error `parse` throws: a real `Error` (stack, `instanceof Error`) named `ZodError`, as classic zod's. */
const ZodError = $constructor<$ZodError>(
  'ZodError',
  (error, issues) => {
    $ZodError.init(error, issues);
    error.name = 'ZodError';
  },
  undefined,
  { Parent: Error },
);

/** Parses `value` with `schema` and returns the output, or throws a `ZodError` listing the issues. */
export const parse = _parse(ZodError);

/**
 * Classic zod's `z.preprocess`, which zod/mini lacks: `fn` turns the raw input into what `schema` then
 * checks. Built the way classic zod builds it (a pipe from a transform), so it parses the same.
 */
export function preprocess<Schema extends z.core.$ZodType>(
  fn: (value: unknown) => unknown,
  schema: Schema,
): z.ZodMiniPipe<z.ZodMiniTransform<unknown, unknown>, Schema> {
  return z.pipe(z.transform(fn), schema);
}
