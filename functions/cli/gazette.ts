/**
 * `gazette`: the local command line (`npm start` = `gazette publish`, `npm run serve`, `npm run gazette
 * -- …`, `npx gazette …`). A composition root: each command builds the local adapters it needs. Commands
 * are imported on demand so `serve` or `help` do not load the whole pipeline.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXIT_CODES, reportError, type CommandIo } from './cli-errors.js';
import { quietSdkNodeVersionWarning } from './sdk-warnings.js';

/** Help text of `gazette` itself, including the exit-code policy shared by every command. */
export const USAGE = `usage: gazette <command> [options]

Commands:
  publish       articles -> digests -> site, feeds and emails on local folders   (npm start)
  serve         serve the published site on http://localhost:8080/                (npm run serve)
  summarize     summarise one article, or JSON Lines from stdin                   (npm run summarize)
  subscribers   list, add, import or remove subscribers of the local list
  sources       list, add, remove, import (OPML), export or check the feeds Gazette follows
  deliveries    --in-doubt: deliveries claimed but never recorded as sent (a crashed run)
  import DIR    publish the articles of DIR into the archive and site, mailing nothing
  unpublish ID  remove a digest from the site and feeds for good (a tombstone keeps it out)
                (--stack NAME: on the deployed stack)
  preview       write the next edition of each cadence (.eml and .html), sending nothing
  send-test     send the next editions to --to ADDRESS, marked [Test], changing no state
                (--stack NAME: the deployed stack's next editions, through SES)
  run           run the deployed publisher now and print what it did          (--stack NAME)
  status        a deployed stack: last run, subscribers, SES sending, queue depth (--stack NAME)
  help          this text ("gazette <command> --help" for a command's options)

Exit codes:
  0   success
  1   unexpected failure (the message says what; --verbose shows the stack)
  2   bad flags or settings; nothing was done
  3   partial: some articles or recipients were refused (each named on stderr), the rest published
  75  try again later: another run is in progress, or sending stopped on quota or throttling
`;

type Command = (args: string[], io: CommandIo) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  publish: async () => (await import('./commands/publish.js')).publishCommand,
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  summarize: async () => (await import('./commands/summarize.js')).summarizeCommand,
  summarise: async () => (await import('./commands/summarize.js')).summarizeCommand,
  subscribers: async () => (await import('./commands/subscribers.js')).subscribersCommand,
  deliveries: async () => (await import('./commands/deliveries.js')).deliveriesCommand,
  sources: async () => (await import('./commands/sources.js')).sourcesCommand,
  import: async () => (await import('./commands/publish.js')).importCommand,
  unpublish: async () => (await import('./commands/unpublish.js')).unpublishCommand,
  preview: async () => (await import('./commands/preview.js')).previewCommand,
  'send-test': async () => (await import('./commands/preview.js')).sendTestCommand,
  run: async () => (await import('./commands/run.js')).runCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
};

/** Runs the command named by `argv[0]` with the rest of `argv`; returns the exit code. */
export async function runGazette(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(USAGE);
    return name === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    io.stderr.write(`gazette: unknown command "${name}"\n${USAGE}`);
    return EXIT_CODES.usage;
  }
  try {
    const command = await load();
    return await command(rest, io);
  } catch (error) {
    return reportError(io, name, error, rest.includes('--verbose'));
  }
}

/** True when this file is the program being run (not imported by a test). */
function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  quietSdkNodeVersionWarning();
  const code = await runGazette(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
  // exitCode, not exit(): let stdout drain when it is a pipe.
  process.exitCode = code;
}
