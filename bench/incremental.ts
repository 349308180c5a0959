/**
 * A publisher run with nothing new, over archives of 1,000 and 10,000 digests: the REAL publish handler
 * as the Lambda composes it (S3 inbox and site, DynamoDB archive, list, ledger and lease, SES), against
 * the emulators, every AWS request counted by a middleware on each client and the CPU by
 * `process.cpuUsage` around the run (the emulators run in this process, so their share is included).
 * The archive is written straight through the DynamoDB adapter; the run before has published the
 * bundled seed and mailed it (see tests/support/idle-run.ts).
 *
 * One line per archive: `incremental: digests=N requests=R cpu_ms=C` (the median CPU of three such
 * runs, whose requests must be the same); for scale, the run before them
 * (one new digest on top of the archive); with the emulator able to page listings (see
 * `emulatorPagesListings`), a whole-site run on the same archive, which is what every run did before
 * incremental publishing (scan the archive, render every page, list the site) less re-reading every
 * article ever uploaded to inbox/; and the baseline the issue measured on main, side by side as ratios.
 */
import { createCipheriv } from 'node:crypto';
import { startEmulators } from '../functions/dev/local-aws/emulators.js';
import { S3SitePublisher } from '../functions/adapters/aws/s3-site-publisher.js';
import { archiveWorld, type ArchiveWorld, type CountedRun } from '../tests/support/idle-run.js';
import { median } from './lib/measure.js';

const ARCHIVES = [1_000, 10_000] as const;

function line(label: string, digests: number, run: CountedRun): string {
  return `${label}: digests=${digests} requests=${run.total} cpu_ms=${run.cpuMs.toFixed(0)}`;
}

/** A run that renders the whole site: the mark removed first, as a new renderer or a lost mark would. */
async function wholeSiteRun(world: ArchiveWorld, bucket: string): Promise<CountedRun> {
  await new S3SitePublisher(world.clients.s3, bucket).writeMark(undefined);
  return world.invoke();
}

/**
 * s3rver builds a truncated listing's continuation token with DES, which Node 20's OpenSSL 3 refuses
 * unless the process was started with `--openssl-legacy-provider`: without it a listing of more than
 * 1,000 keys, as a whole-site run of these archives makes, fails in the emulator (never on S3).
 */
function emulatorPagesListings(): boolean {
  try {
    createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch {
    return false;
  }
}

/** What the issue measured on main at 10,000 digests: every inbox article read again, the whole bucket listed, every page rendered. */
const MAIN_AT_10K = { gets: 10_000, lists: 31, cpuMs: [2_700, 3_000] } as const;

/** Runs both archives against one set of emulators. */
export async function run(): Promise<void> {
  const emulators = await startEmulators();
  const measureWhole = emulatorPagesListings();
  try {
    for (const digests of ARCHIVES) {
      const started = performance.now();
      const world = await archiveWorld(emulators.endpoints, digests);
      try {
        const seeded = performance.now();
        // Three runs with nothing new: the same requests each time; the CPU line is their median, since a
        // garbage collection of the seeding's leftovers can land in any one of them.
        const runs = [await world.invoke(), await world.invoke(), await world.invoke()];
        const counts = new Set(runs.map((each) => JSON.stringify([...each.requests].sort())));
        if (counts.size !== 1) throw new Error(`runs with nothing new made different requests: ${[...counts].join(' / ')}`);
        const idle = { ...runs[0]!, cpuMs: median(runs.map((each) => each.cpuMs)) };
        console.log(line('incremental', digests, idle));
        console.log(
          `  requests by command: ${[...idle.requests].map(([command, count]) => `${command.replace(/Command$/, '')}=${count}`).join(' ')}`,
        );
        console.log(line('incremental-one-new', digests, world.seeded));
        if (measureWhole) {
          // The first whole-site run uploads every page (the seeded site had only its mark); the second
          // is the steady state every run of the earlier publisher was in.
          await wholeSiteRun(world, world.bucket);
          const whole = await wholeSiteRun(world, world.bucket);
          console.log(`${line('incremental-whole-site', digests, whole)} (every run before, less its ${digests - 1} inbox GETs)`);
          console.log(
            `  ratio to the whole-site run: requests ${(whole.total / idle.total).toFixed(0)}×, cpu ${(whole.cpuMs / idle.cpuMs).toFixed(0)}×`,
          );
        }
        if (digests === 10_000) {
          const before = MAIN_AT_10K.gets + MAIN_AT_10K.lists;
          console.log(
            `incremental-baseline: digests=10000 requests>${before} (${MAIN_AT_10K.gets} GETs + ${MAIN_AT_10K.lists} LISTs + scans) cpu_ms=${MAIN_AT_10K.cpuMs.join('-')} (issue 11, main before this change)`,
          );
          console.log(
            `  ratio: requests >${(before / idle.total).toFixed(0)}× fewer, cpu ${(MAIN_AT_10K.cpuMs[0] / idle.cpuMs).toFixed(0)}-${(MAIN_AT_10K.cpuMs[1] / idle.cpuMs).toFixed(0)}× less`,
          );
        }
        console.log(
          `  (archive written and the seed's run done in ${((seeded - started) / 1000).toFixed(1)} s, the rest in ${((performance.now() - seeded) / 1000).toFixed(1)} s)`,
        );
      } finally {
        world.close();
      }
    }
    if (!measureWhole)
      console.log('  (whole-site runs not measured: s3rver pages listings only under NODE_OPTIONS=--openssl-legacy-provider)');
  } finally {
    await emulators.stop();
  }
}
