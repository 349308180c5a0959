/**
 * In-memory stdio for running CLI commands in-process: what a command wrote to stdout and stderr,
 * readable as strings after it returns.
 */
import { PassThrough, Writable } from 'node:stream';
import type { CommandIo } from '../../functions/cli/cli-errors.js';

/** A CommandIo whose outputs are kept; `out()`/`err()` return everything written so far. */
export function memoryIo(): CommandIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (append: (text: string) => void): Writable =>
    new Writable({
      write(chunk, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  return {
    stdin: new PassThrough(),
    stdout: sink((text) => (out += text)),
    stderr: sink((text) => (err += text)),
    out: () => out,
    err: () => err,
  };
}
