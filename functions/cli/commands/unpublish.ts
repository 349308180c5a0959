/**
 * `gazette unpublish ID [publish options]`: takes a digest (by id or slug) off the local site for good,
 * with a tombstone in the archive so its article never brings it back (see core/publish/unpublish.ts).
 */
import { localLayout } from '../../adapters/local/layout.js';
import { openLocalState } from '../../adapters/local/local-state.js';
import { FolderSitePublisher } from '../../adapters/local/folder-site-publisher.js';
import { SqliteArchive } from '../../adapters/local/sqlite-archive.js';
import { ConfigError } from '../../core/errors.js';
import { republishSite, unpublishDigest } from '../../core/publish/unpublish.js';
import { EXIT_CODES, reportError, type CommandIo, type ExitCode } from '../cli-errors.js';
import { parsePublishOptions } from './publish.js';
import { namesStack } from '../flag-values.js';
import { unpublishedLine } from '../run-report.js';

/** Help text of `gazette unpublish`. */
export const UNPUBLISH_USAGE = `usage: gazette unpublish ID [publish options]

Removes the digest with this id (or slug) from the site, the feeds and the edition pages, and keeps a
tombstone so its article, if still in the folder, never publishes or mails it again. Removing the
article file alone does not unpublish. The publish options (--out, --base-url, …) set the site.
With --stack NAME it unpublishes on the deployed stack ("gazette unpublish --stack NAME --help").
`;

/** Runs `gazette unpublish`. */
export async function unpublishCommand(args: string[], io: CommandIo): Promise<ExitCode> {
  // The AWS clients load only for a stack.
  if (namesStack(args)) return (await import('../operator/stack-unpublish.js')).stackUnpublishCommand(args, io);
  try {
    const [id, ...rest] = args;
    if (id === '--help' || id === '-h') {
      io.stdout.write(UNPUBLISH_USAGE);
      return EXIT_CODES.ok;
    }
    if (id === undefined || id.startsWith('-')) throw new ConfigError('name the digest: gazette unpublish ID (its id or slug)');
    const options = parsePublishOptions(rest);
    if (options === 'help') {
      io.stdout.write(UNPUBLISH_USAGE);
      return EXIT_CODES.ok;
    }
    const paths = localLayout(options.outDir);
    const state = openLocalState(paths, { readOnly: options.dryRun });
    try {
      const deps = {
        clock: { now: () => options.now ?? new Date() },
        archive: new SqliteArchive(state),
        site: new FolderSitePublisher(paths.site),
      };
      const { digest, already } = await unpublishDigest(deps, id);
      const result = await republishSite(deps, options.site);
      io.stdout.write(`${unpublishedLine({ digest, already }, result.written.length)}\n`);
      return EXIT_CODES.ok;
    } finally {
      state.close();
    }
  } catch (error) {
    return reportError(io, 'unpublish', error, args.includes('--verbose'));
  }
}
