/**
 * `npm run bench`: runs every benchmark module in turn. Convention: a benchmark is a module in bench/
 * that exports `async function run(): Promise<void>` and prints its own tables. Add yours to the list.
 * Names after the command run only those parts: `npx tsx bench/run.ts subscribe-timing`.
 */
import { run as coldStart } from './cold-start.js';
import { run as feeds } from './feeds.js';
import { run as hostileText } from './hostile-text.js';
import { run as modelCost } from './model-cost.js';
import { run as parse } from './parse.js';
import { run as publish } from './publish.js';
import { run as subscribeTiming } from './subscribe-timing.js';
import { run as summarizer } from './summarizer.js';

const BENCHMARKS: ReadonlyArray<readonly [string, () => Promise<void>]> = [
  ['summarizer', summarizer],
  ['hostile-text', hostileText],
  ['feeds', feeds],
  ['parse', parse],
  ['publish', publish],
  ['cold-start', coldStart],
  ['model-cost', modelCost],
  ['subscribe-timing', subscribeTiming],
];

const selected = process.argv.slice(2);
const unknown = selected.filter((name) => !BENCHMARKS.some(([known]) => known === name));
if (unknown.length > 0)
  throw new Error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHMARKS.map(([name]) => name).join(', ')}`);

for (const [name, run] of BENCHMARKS.filter(([known]) => selected.length === 0 || selected.includes(known))) {
  console.log(`\n# bench: ${name}`);
  await run();
}
