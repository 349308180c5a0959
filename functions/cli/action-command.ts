/**
 * The shape `gazette sources …` and `gazette subscribers …` share: `gazette NAME ACTION [OPERANDS] [FLAGS]`,
 * each action taking a fixed number of operands. Parsing, `--help` and the usage errors live here once.
 */
import { once } from 'node:events';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT_CODES, type CommandIo, type ExitCode } from './cli-errors.js';

/** Writes to a stream and waits for it to drain when its buffer is full (large exports). */
export async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/** What a command with actions declares. */
export interface ActionCommandSpec<Options extends NonNullable<ParseArgsConfig['options']>> {
  /** `sources`, `subscribers`: the start of every error line. */
  command: string;
  usage: string;
  options: Options;
  /** Each action and how many operands it takes. */
  arity: Readonly<Record<string, number>>;
}

/** A parsed invocation: the action, its operands and the flag values. */
export interface ActionInvocation<Options extends NonNullable<ParseArgsConfig['options']>> {
  action: string;
  operands: string[];
  values: ReturnType<typeof parseArgs<{ options: Options; allowPositionals: true }>>['values'];
}

/**
 * Parses `args` for a command with actions. Answers the invocation, or the exit code when there is
 * nothing to run: `--help` (usage on stdout, ok), no action, an unknown flag or action, or the wrong
 * number of operands (usage on stderr, usage error).
 */
export async function parseActionCommand<const Options extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  io: CommandIo,
  spec: ActionCommandSpec<Options>,
): Promise<ActionInvocation<Options> | ExitCode> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: spec.options });
  } catch (error) {
    await write(io.stderr, `gazette ${spec.command}: ${(error as Error).message}\n${spec.usage}`);
    return EXIT_CODES.usage;
  }
  const { values, positionals } = parsed;
  const [action, ...operands] = positionals;
  const help = (values as Record<string, unknown>)['help'] === true;
  if (help || action === undefined || action === 'help') {
    await write(action === undefined && !help ? io.stderr : io.stdout, spec.usage);
    return action === undefined && !help ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  if (!Object.hasOwn(spec.arity, action) || operands.length !== spec.arity[action]) {
    const why = Object.hasOwn(spec.arity, action) ? `"${action}" takes ${spec.arity[action]} argument(s)` : `unknown action "${action}"`;
    await write(io.stderr, `gazette ${spec.command}: ${why}\n${spec.usage}`);
    return EXIT_CODES.usage;
  }
  return { action, operands, values };
}
