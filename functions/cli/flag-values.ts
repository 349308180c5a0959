/** Flag values more than one command parses the same way. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../core/errors.js';

/** `node:util`'s parseArgs, with a refused flag thrown as `ConfigError` (exit 2) like every usage error. */
export function parseFlags<const Config extends ParseArgsConfig>(config: Config): ReturnType<typeof parseArgs<Config>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

/**
 * `--now`: an ISO 8601 date-time with an explicit offset or Z, so the result does not depend on the
 * machine's time zone. Throws `ConfigError` (exit 2) otherwise.
 */
export function fixedNow(value: string): Date {
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/u;
  const date = new Date(value);
  if (!iso.test(value) || Number.isNaN(date.getTime())) {
    throw new ConfigError(`--now must be an ISO 8601 date-time with a zone, e.g. 2025-05-09T12:00:00Z: ${value}`);
  }
  return date;
}

/**
 * True when a command that works locally by default (`preview`, `send-test`, `unpublish`) names a
 * deployed stack, and so works on AWS instead.
 */
export function namesStack(args: readonly string[]): boolean {
  return args.some((arg) => arg === '--stack' || arg.startsWith('--stack='));
}
