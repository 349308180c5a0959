/**
 * Does the subscribe answer tell who is on the list? Medians of the time to answer POST /api/subscribe
 * for a new address and for an already-confirmed one, over HTTP through the local site server with the
 * local adapters (SQLite subscribers, outbox mailer), side by side:
 * - before: the decision and the send inside the request (what the API did until item 4);
 * - after: the answer first, the decision and the send after it (the AfterResponseQueue `npm run serve`
 *   uses; on AWS the SQS queue plays that part).
 * Requests alternate new/confirmed so drift hits both alike; the client runs in a process of its own
 * and pauses between requests, so the after-response work never overlaps a timed request. The per-IP throttle is left out (one client here would
 * get 429 after ten). Prints, never fails on a time.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AfterResponseQueue } from '../functions/adapters/local/after-response-queue.js';
import { generateKeyring, loadOrCreateSubscriberIdKey } from '../functions/adapters/local/file-keyring.js';
import { localLayout } from '../functions/adapters/local/layout.js';
import { MemoryRollingCounter, SqliteSubscribers } from '../functions/adapters/local/local-subscriptions.js';
import { openLocalState } from '../functions/adapters/local/local-state.js';
import { OutboxMailer } from '../functions/adapters/local/outbox-mailer.js';
import { parsePublishOptions } from '../functions/cli/commands/publish.js';
import { startSiteServer, type SiteSource } from '../functions/cli/site-server.js';
import { renderConfirmationEmail } from '../functions/core/render/email.js';
import { SETTING_DEFAULTS } from '../functions/core/settings.js';
import { addSubscriber } from '../functions/core/subscriptions/operator.js';
import { type ConfirmationQueue, sendConfirmation, type SubscribeDeps } from '../functions/core/subscriptions/subscribe.js';
import { createSubscriptionApi } from '../functions/adapters/http/api-gateway.js';
import { ORIGIN_VERIFY_HEADER } from '../functions/shared/env-names.js';
import { formatMs, formatRatio, median } from './lib/measure.js';

const ROUNDS = 100;
const WARM_UP = 5;
/** Between requests: the after-response work of one (about 10 ms here) is done before the next. */
const PAUSE_MS = 50;
const CONFIRMED = Array.from({ length: 10 }, (_, i) => `reader${i}@example.org`);
/** The bench serves no site files, only the API. */
const EMPTY_SITE: SiteSource = async () => undefined;

interface Variant {
  name: string;
  /** The queue of this variant, given the deps `sendConfirmation` runs with. */
  queue(deps: SubscribeDeps): ConfirmationQueue & { idle(): Promise<void> };
}

const VARIANTS: readonly Variant[] = [
  {
    name: 'before: decide and send inside the request',
    queue: (deps) => ({ enqueue: async (job) => void (await sendConfirmation(deps, job, new Date())), idle: async () => undefined }),
  },
  {
    name: 'after: answer first, decide and send after',
    queue: (deps) =>
      new AfterResponseQueue(
        (job) => sendConfirmation(deps, job, new Date()),
        (error) => {
          throw error;
        },
      ),
  },
];

/**
 * The client, in a process of its own as a stranger's would be: timed in the same process, the work
 * done after the answer would hold up the client's own read of it. Posts each address in turn, with a
 * pause between requests long enough for the after-response work to finish, and prints the times.
 */
const CLIENT = `
const [url, ...emails] = JSON.parse(process.argv[1]);
const times = [];
for (const email of emails) {
  const start = process.hrtime.bigint();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ email, website: '' }).toString(),
  });
  await response.arrayBuffer();
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
  if (response.status !== 202) throw new Error('subscribe answered ' + response.status);
  await new Promise((resolve) => setTimeout(resolve, ${PAUSE_MS}));
}
console.log(JSON.stringify(times));
`;

/** Runs {@link CLIENT} in a child process; answer times in ms, in the order of `emails`. */
async function timeFromAnotherProcess(url: string, emails: string[]): Promise<number[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', CLIENT, JSON.stringify([url, ...emails])], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout) as number[];
}

/** Median answer times (ms) of new and confirmed addresses for one variant, on a fresh local state. */
async function measure(variant: Variant): Promise<{ fresh: number; confirmed: number }> {
  const out = await mkdtemp(join(tmpdir(), 'gazette-bench-subscribe-'));
  const state = openLocalState(localLayout(out));
  const server = await startSiteServer({ source: EMPTY_SITE, port: 0 });
  try {
    const idKey = await loadOrCreateSubscriberIdKey(state, { create: true });
    const store = new SqliteSubscribers(state, { idKey });
    for (const email of CONFIRMED) await addSubscriber({ store, idKey }, { email, note: 'consent: bench' }, new Date());
    const options = parsePublishOptions(['--base-url', server.url]);
    if (options === 'help') throw new Error('unreachable');
    const keyring = generateKeyring();
    const deps: SubscribeDeps = {
      store,
      mailer: new OutboxMailer(localLayout(out).outbox),
      renderConfirmation: renderConfirmationEmail,
      keyring,
      idKey,
      site: options.site,
      mail: options.mail,
      cap: { counter: new MemoryRollingCounter(), limit: async () => SETTING_DEFAULTS.maxConfirmationsPerDay * 100 },
    };
    const queue = variant.queue(deps);
    const originVerify = randomBytes(32).toString('base64url');
    server.mountApi({
      handler: createSubscriptionApi({
        store,
        confirmations: queue,
        keyring,
        site: options.site,
        originVerify: { header: ORIGIN_VERIFY_HEADER, value: originVerify },
      }),
      originHeaders: { [ORIGIN_VERIFY_HEADER]: originVerify },
    });
    // New then confirmed in even rounds, confirmed then new in odd ones, so neither always goes first.
    const rounds = Array.from({ length: WARM_UP + ROUNDS }, (_, i) => {
      const pair = [
        { email: `new-${i}@example.org`, fresh: true },
        { email: CONFIRMED[i % CONFIRMED.length]!, fresh: false },
      ];
      return i % 2 === 0 ? pair : pair.reverse();
    }).flat();
    const times = await timeFromAnotherProcess(
      new URL('api/subscribe', server.url).href,
      rounds.map((round) => round.email),
    );
    await queue.idle();
    const timed = rounds.map((round, i) => ({ ...round, ms: times[i]! })).slice(2 * WARM_UP);
    const fresh = timed.filter((round) => round.fresh).map((round) => round.ms);
    const confirmed = timed.filter((round) => !round.fresh).map((round) => round.ms);
    return { fresh: median(fresh), confirmed: median(confirmed) };
  } finally {
    await server.close();
    state.close();
    await rm(out, { recursive: true, force: true });
  }
}

/** Prints the medians of both variants and the new/confirmed ratio of each. */
export async function run(): Promise<void> {
  console.log(`Subscribe answer time, median of ${ROUNDS} each (ms); a ratio near 1.0× tells nothing about the list`);
  console.log('| variant | new address | already confirmed | new / confirmed | difference |');
  console.log('|---|---:|---:|---:|---:|');
  for (const variant of VARIANTS) {
    const { fresh, confirmed } = await measure(variant);
    const difference = `${((Math.abs(fresh - confirmed) / confirmed) * 100).toFixed(1)}%`;
    console.log(`| ${variant.name} | ${formatMs(fresh)} | ${formatMs(confirmed)} | ${formatRatio(fresh / confirmed)} | ${difference} |`);
  }
}
