/**
 * `gazette unpublish ID --stack NAME`: takes a digest off the deployed site for good, with the same core
 * as the local command (core/publish/unpublish.ts): a tombstone in the DynamoDB archive, its page
 * deleted from S3, the listings, feeds and edition pages rewritten without it.
 *
 * It runs here, with the operator's credentials, rather than in the publisher: the publisher's role
 * keeps write-only access to the site (no s3:DeleteObject), so no bug or bad article in a scheduled
 * run can delete pages. It holds the publisher's run lease meanwhile, so a run cannot re-render the
 * digest from an archive read before the tombstone.
 */
import { randomUUID } from 'node:crypto';
import { DynamoArchive } from '../../adapters/aws/dynamodb-archive.js';
import { DynamoRunLease } from '../../adapters/aws/dynamodb-run-lease.js';
import { S3SitePublisher } from '../../adapters/aws/s3-site-publisher.js';
import { republishSite, unpublishDigest } from '../../core/publish/unpublish.js';
import { CACHE_CONTROL } from '../../core/render/links.js';
import { createAwsClients, destroyAwsClients } from '../../shared/aws-clients.js';
import { EXIT_CODES, reportError, type CommandIo, type ExitCode } from '../cli-errors.js';
import { unpublishedLine } from '../run-report.js';
import { deployedPublisherEnv, openStack, parseStackArgs, STACK_FLAGS_USAGE, type ShellEnvironment } from './deployed-stack.js';

/** Help text of `gazette unpublish --stack`. */
export const STACK_UNPUBLISH_USAGE = `usage: gazette unpublish ID --stack NAME [--region REGION]

Removes the digest with this id (or slug) from the deployed site, its feeds and its edition pages,
and keeps a tombstone in the archive so its article (bundled or in inbox/) never publishes or mails it
again. Uses your AWS credentials; waits for no running publisher (exit 75: try again when it is done).

${STACK_FLAGS_USAGE}
`;

/** Long enough for a rewrite of every listing and feed; a crashed command's lease lapses after it. */
const LEASE_MS = 5 * 60_000;

/** How long CloudFront may keep serving a page it cached, from the pages' own Cache-Control. */
const PAGE_CACHE_MINUTES = Number(/max-age=(\d+)/.exec(CACHE_CONTROL.page)?.[1] ?? 0) / 60;

/** Runs `gazette unpublish ID --stack NAME`; `env` is the shell's. */
export async function stackUnpublishCommand(args: string[], io: CommandIo, env: ShellEnvironment = process.env): Promise<ExitCode> {
  try {
    const { values, positionals } = parseStackArgs(args, {}, 1, 'name the digest: gazette unpublish ID --stack NAME (its id or slug)');
    if (values.help) {
      io.stdout.write(STACK_UNPUBLISH_USAGE);
      return EXIT_CODES.ok;
    }
    const id = positionals[0]!;
    const stack = await openStack(values, env);
    const publisher = await deployedPublisherEnv(stack);
    const clients = createAwsClients(stack.clientOptions);
    const clock = { now: () => new Date() };
    const lease = new DynamoRunLease(clients.doc, publisher.tables.state);
    const owner = `gazette-unpublish-${randomUUID()}`;
    try {
      if (!(await lease.acquire(owner, clock.now(), LEASE_MS))) {
        io.stderr.write(
          `gazette unpublish: the publisher of ${stack.name} is running (it holds the lease); nothing done, try again later\n`,
        );
        return EXIT_CODES.tryAgainLater;
      }
      try {
        const deps = {
          clock,
          archive: new DynamoArchive(clients.doc, publisher.tables.state),
          site: new S3SitePublisher(clients.s3, publisher.bucket),
        };
        const result = await unpublishDigest(deps, id);
        const rewritten = await republishSite(deps, publisher.site);
        io.stdout.write(`${unpublishedLine(result, rewritten.written.length)}\n`);
        if (!result.already)
          io.stdout.write(
            `CloudFront may serve the removed page from its cache for up to ${PAGE_CACHE_MINUTES} min (the pages' max-age).\n`,
          );
        return EXIT_CODES.ok;
      } finally {
        await lease.release(owner);
      }
    } finally {
      destroyAwsClients(clients);
    }
  } catch (error) {
    return reportError(io, 'unpublish', error, args.includes('--verbose'));
  }
}
