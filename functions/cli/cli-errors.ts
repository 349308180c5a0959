/**
 * The one place that maps errors to CLI exit codes and one-line messages (guide §3.8). Every command
 * returns one of `EXIT_CODES`; a thrown error becomes a single stderr line, with the stack only under
 * `--verbose`.
 *
 * Exit codes (documented in `gazette help`):
 *   0   success: everything was published and every due mail was written or sent
 *   1   failure: the run stopped on an unexpected error (a bug, an unreadable state file, a full disk)
 *   2   usage: a bad flag or setting (`ConfigError`); nothing was done
 *   3   partial: the run finished, but some articles were refused (each named on stderr) or some
 *       recipients were refused by the mail service; everything else was published
 *   75  try again later (sysexits EX_TEMPFAIL): another run holds the lease, or sending stopped on the
 *       daily quota or persistent throttling; the next run carries on where this one stopped
 */
import { ArticleError, ConfigError, GazetteError, InvalidAddressError, InvalidTokenError } from '../core/errors.js';

/** The exit codes every `gazette` command uses. */
export const EXIT_CODES = {
  ok: 0,
  failure: 1,
  usage: 2,
  partial: 3,
  tryAgainLater: 75,
} as const;

/** One of the values of `EXIT_CODES`. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** The streams a command talks to: the process's in production, in-memory ones in tests. */
export interface CommandIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Which exit code a thrown error means. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof ConfigError || error instanceof InvalidAddressError) return EXIT_CODES.usage;
  if (error instanceof ArticleError || error instanceof InvalidTokenError) return EXIT_CODES.partial;
  return EXIT_CODES.failure;
}

/**
 * The error as one line for an operator: domain errors by their message (written to be shown), file
 * system errors by code and path, anything else by class and message. `verbose` appends the stack.
 */
export function formatError(error: unknown, verbose = false): string {
  let line: string;
  if (error instanceof GazetteError) {
    line = error.message;
  } else if (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string') {
    const { code, path, syscall } = error as NodeJS.ErrnoException;
    line = path ? `${code}: cannot ${syscall ?? 'access'} ${path}` : `${code}: ${error.message}`;
  } else if (error instanceof Error) {
    line = `${error.name}: ${error.message}`;
  } else {
    line = String(error);
  }
  // A message is one line; detail belongs under --verbose.
  line = line.split(/\r?\n/u)[0] ?? '';
  if (verbose && error instanceof Error && error.stack) return `${line}\n${error.stack}`;
  return line;
}

/**
 * `text` safe to print on a terminal: control characters (an escape sequence in a file name could clear
 * the screen or fake a line) and bidi overrides become visible `\xNN` / `\uNNNN` escapes.
 */
export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/gu, (char) => {
    const code = char.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Writes `gazette <command>: <one line>` to stderr and returns the exit code the error maps to. */
export function reportError(io: Pick<CommandIo, 'stderr'>, command: string, error: unknown, verbose = false): ExitCode {
  io.stderr.write(`gazette ${command}: ${terminalSafe(formatError(error, false))}${verbose ? verboseStack(error) : ''}\n`);
  return exitCodeFor(error);
}

/** The stack under `--verbose`, on the lines after the message. */
function verboseStack(error: unknown): string {
  return error instanceof Error && error.stack ? `\n${terminalSafe(error.stack).replace(/\\x0a/g, '\n')}` : '';
}
