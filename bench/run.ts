/**
 * `npm run bench`: runs every benchmark module in turn; `npm run bench -- sending publish` runs only the
 * named ones. Convention: a benchmark is a module in bench/ that exports `async function run():
 * Promise<void>` and prints its own tables. Add yours to the list.
 */
import { run as coldStart } from './cold-start.js';
import { run as feeds } from './feeds.js';
import { run as hostileText } from './hostile-text.js';
import { run as parse } from './parse.js';
import { run as publish } from './publish.js';
import { run as sending } from './sending.js';
import { run as summarizer } from './summarizer.js';

const BENCHMARKS: ReadonlyArray<readonly [string, () => Promise<void>]> = [
  ['summarizer', summarizer],
  ['hostile-text', hostileText],
  ['feeds', feeds],
  ['parse', parse],
  ['publish', publish],
  ['cold-start', coldStart],
  ['sending', sending],
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !BENCHMARKS.some(([known]) => known === name));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; there are: ${BENCHMARKS.map(([name]) => name).join(', ')}`);
  process.exit(2);
}
for (const [name, run] of BENCHMARKS) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`\n# bench: ${name}`);
  await run();
}
