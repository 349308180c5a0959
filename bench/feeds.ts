/**
 * Feed and site rendering cost as the archive grows: 10 / 100 / 1,000 / 10,000 synthetic digests.
 * Feeds are capped at `feedLength`, so their cost should stay flat while the site (one page per
 * digest) grows linearly. The "naive" column renders every digest into the feeds (feedLength = N),
 * which is what an uncapped feed would cost; the ratio shows what the cap saves. Prints, never fails.
 */
import { renderFeeds, renderSite } from '../functions/core/render/index.js';
import { site, syntheticDigests } from '../tests/unit/render-fixtures.js';

const SIZES = [10, 100, 1_000, 10_000];

function collectGarbage(): void {
  // Only available with --expose-gc; without it heap deltas include garbage not yet collected.
  (globalThis as { gc?: () => void }).gc?.();
}

/** Median wall time in ms of `repeat` runs of `work` (after one warm-up run). */
function time(work: () => unknown, repeat: number): number {
  work();
  const samples: number[] = [];
  for (let index = 0; index < repeat; index += 1) {
    const start = process.hrtime.bigint();
    work();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

/** Memory growth in MB (JS heap + Buffers, which live outside the heap) while the result of `work` is still alive. */
function heapDelta(work: () => unknown): number {
  const used = () => {
    const memory = process.memoryUsage();
    return memory.heapUsed + memory.external;
  };
  collectGarbage();
  const before = used();
  const kept = work();
  const after = used();
  if (kept === undefined) throw new Error('unreachable'); // keeps `kept` alive until after the measurement
  return (after - before) / 1_048_576;
}

/** Runs the benchmark and prints one row per archive size. */
export async function run(): Promise<void> {
  console.log(
    `feedLength = ${site.feedLength}; median of repeated runs; memory Δ = heap + Buffer growth with the output alive${
      (globalThis as { gc?: unknown }).gc ? '' : ' (no --expose-gc: includes uncollected garbage)'
    }`,
  );
  // Warm the JIT first so the smallest size does not pay for compiling the renderers.
  const warmUp = syntheticDigests(200);
  for (let index = 0; index < 5; index += 1) {
    renderFeeds(warmUp, site);
    renderSite(warmUp, site);
  }
  console.log(
    '| digests | feeds ms | site ms | total ms | ms/digest | output MB | memory Δ MB | naive feeds ms (all N) | naive / capped |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const size of SIZES) {
    const digests = syntheticDigests(size);
    const repeat = size >= 10_000 ? 3 : size >= 1_000 ? 5 : 15;
    const feedsMs = time(() => renderFeeds(digests, site), repeat);
    const siteMs = time(() => renderSite(digests, site), repeat);
    const naiveMs = time(() => renderFeeds(digests, { ...site, feedLength: size }), repeat);
    let outputBytes = 0;
    const heap = heapDelta(() => {
      const files = [...renderSite(digests, site), ...renderFeeds(digests, site)];
      outputBytes = files.reduce((sum, file) => sum + file.body.length, 0);
      return files;
    });
    const total = feedsMs + siteMs;
    console.log(
      `| ${size.toLocaleString('en')} | ${feedsMs.toFixed(2)} | ${siteMs.toFixed(1)} | ${total.toFixed(1)} | ${(total / size).toFixed(3)} | ${(
        outputBytes / 1_048_576
      ).toFixed(1)} | ${heap.toFixed(1)} | ${naiveMs.toFixed(1)} | ${(naiveMs / feedsMs).toFixed(1)}× |`,
    );
  }
}

// Allows `npx tsx bench/feeds.ts` on its own as well as through bench/run.ts.
if (import.meta.url === `file://${process.argv[1]}`) await run();
