/**
 * One poll of 200 followed feeds on loopback (20 servers × 10 feeds each, so 20 hosts: the poll never
 * sends two requests to one host at once, and four hosts are fetched side by side), through the real
 * safeFetch, parser and identity, with in-memory stores. Three runs:
 * - first fetch: every feed answers 200 with 10 items (all parsed, all new);
 * - conditional: every feed polled again with its validators (all answer 304, nothing parsed);
 * - the same conditional poll with concurrency 1, the baseline the ratio is against;
 * - both again on feeds that answer after a 20 ms round trip, where waiting, not work, dominates.
 * Prints time, requests and 304s; never fails on a time. Servers and client share one process (and
 * these machines two cores), so loopback shows the cost of the work, not of network waits: the
 * concurrency gain is what real round trips would add.
 */
import { performance } from 'node:perf_hooks';
import { pollDeps, pollSettings } from '../functions/adapters/http/feed-polling.js';
import { SETTING_DEFAULTS } from '../functions/core/settings.js';
import { pollSources as poll, type PollDeps, type PollResult, type PollSettings } from '../functions/core/sources/poll-sources.js';

/** One poll, committed at once (as a run does once its digests are stored). */
async function pollSources(deps: PollDeps, settings: PollSettings, now: Date): Promise<PollResult> {
  const result = await poll(deps, settings, now);
  await result.commit();
  return result;
}
import { newSource } from '../functions/core/sources/source.js';
import { MemorySeenItems, MemorySources } from '../tests/fakes/sources.js';
import { articleHtml, rssFeed } from '../tests/support/feed-fixtures.js';
import { startFeedServer, type FeedServer } from '../tests/support/feed-server.js';

const HOSTS = 20;
const FEEDS_PER_HOST = 10;
const ITEMS_PER_FEED = 10;
const NOW = new Date('2026-12-01T09:00:00Z');

function feedBody(server: FeedServer, feed: number): string {
  const items = Array.from({ length: ITEMS_PER_FEED }, (_, item) => ({
    guid: `feed-${feed}-item-${item}`,
    title: `Item ${item} of feed ${feed}`,
    link: server.url(`/posts/${feed}/${item}`),
    date: new Date(NOW.getTime() - item * 3_600_000).toISOString(),
    html: articleHtml(`feed ${feed} item ${item}`, 6),
  }));
  return rssFeed(`Bench feed ${feed}`, server.url('/'), items);
}

/** Simulated network round trip of the "slow network" rows: each answer waits this long. */
const ROUND_TRIP_MS = 20;

/** Serves `body` at `path` after a round trip, with an ETag and 304 for a matching If-None-Match. */
function slowFeed(server: FeedServer, path: string, body: string): void {
  const etag = `"${body.length}-${path}"`;
  server.route(path, async (request, response) => {
    await new Promise((resolve) => setTimeout(resolve, ROUND_TRIP_MS));
    if (request.headers['if-none-match'] === etag) return void response.writeHead(304, { etag }).end();
    response.writeHead(200, { 'content-type': 'application/rss+xml', etag }).end(body);
  });
}

function requestCount(servers: FeedServer[]): number {
  return servers.reduce((sum, server) => sum + server.requests.length, 0);
}

async function timed(
  servers: FeedServer[],
  work: () => Promise<PollResult>,
): Promise<{ ms: number; requests: number; result: PollResult }> {
  const before = requestCount(servers);
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, requests: requestCount(servers) - before, result };
}

/** Runs the benchmark and prints its table. */
export async function run(): Promise<void> {
  const servers = await Promise.all(Array.from({ length: HOSTS }, () => startFeedServer()));
  try {
    const sources = new MemorySources();
    const slowSources = new MemorySources();
    for (const [host, server] of servers.entries()) {
      for (let index = 0; index < FEEDS_PER_HOST; index += 1) {
        const feed = host * FEEDS_PER_HOST + index;
        server.feed(`/feed-${feed}.xml`, feedBody(server, feed));
        await sources.add(newSource(server.url(`/feed-${feed}.xml`), NOW, 'never'));
        slowFeed(server, `/slow-${feed}.xml`, feedBody(server, feed));
        await slowSources.add(newSource(server.url(`/slow-${feed}.xml`), NOW, 'never'));
      }
    }
    const deps = pollDeps(
      { sources, seen: new MemorySeenItems() },
      { ...SETTING_DEFAULTS, allowPrivateNetwork: true },
      { random: () => 0.5 },
    );
    const settings = pollSettings(SETTING_DEFAULTS);
    const later = new Date(NOW.getTime() + 60_000);

    const first = await timed(servers, () => pollSources(deps, settings, NOW));
    // One unreported conditional poll first, so neither measured one pays for warming up the 304 path.
    await pollSources(deps, { ...settings, everySource: true }, later);
    const conditional = await timed(servers, () => pollSources(deps, { ...settings, everySource: true }, later));
    const sequential = await timed(servers, () => pollSources(deps, { ...settings, everySource: true, concurrency: 1 }, later));

    const slowDeps = pollDeps(
      { sources: slowSources, seen: new MemorySeenItems() },
      { ...SETTING_DEFAULTS, allowPrivateNetwork: true },
      { random: () => 0.5 },
    );
    await pollSources(slowDeps, settings, NOW);
    const slowConditional = await timed(servers, () => pollSources(slowDeps, { ...settings, everySource: true }, later));
    const slowSequential = await timed(servers, () => pollSources(slowDeps, { ...settings, everySource: true, concurrency: 1 }, later));

    const rows = [
      ['first fetch (200s, parse)', first],
      ['conditional (304s), 4 hosts at once', conditional],
      ['conditional, one at a time (baseline)', sequential],
      [`+${ROUND_TRIP_MS} ms round trip: 4 hosts at once`, slowConditional],
      [`+${ROUND_TRIP_MS} ms round trip: one at a time`, slowSequential],
    ] as const;
    console.log(`${HOSTS * FEEDS_PER_HOST} sources on ${HOSTS} loopback hosts, ${ITEMS_PER_FEED} items each`);
    console.log(
      'run'.padEnd(40),
      'ms'.padStart(8),
      'requests'.padStart(9),
      '304s'.padStart(6),
      'new items'.padStart(10),
      'errors'.padStart(7),
    );
    for (const [name, { ms, requests, result }] of rows) {
      const notModified = result.reports.filter((report) => report.outcome === 'not-modified').length;
      const errors = result.reports.filter((report) => report.outcome === 'error').length;
      const items = result.reports.reduce((sum, report) => sum + report.newItems, 0);
      console.log(
        name.padEnd(40),
        ms.toFixed(0).padStart(8),
        String(requests).padStart(9),
        String(notModified).padStart(6),
        String(items).padStart(10),
        String(errors).padStart(7),
      );
    }
    console.log(
      `conditional poll: ${(sequential.ms / conditional.ms).toFixed(2)}x faster than one at a time; ${(first.ms / conditional.ms).toFixed(2)}x faster than the first fetch`,
    );
    console.log(`with a ${ROUND_TRIP_MS} ms round trip: ${(slowSequential.ms / slowConditional.ms).toFixed(2)}x faster than one at a time`);
  } finally {
    await Promise.all(servers.map((server) => server.close()));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
