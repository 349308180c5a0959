/**
 * `npm run bench`: runs every benchmark module in turn. Convention: a benchmark is a module in bench/
 * that exports `async function run(): Promise<void>` and prints its own tables. Add yours to the list.
 */
import { run as coldStart } from './cold-start.js';
import { run as editionEmail } from './edition-email.js';
import { run as feeds } from './feeds.js';
import { run as hostileText } from './hostile-text.js';
import { run as parse } from './parse.js';
import { run as publish } from './publish.js';
import { run as summarizer } from './summarizer.js';

const BENCHMARKS: ReadonlyArray<readonly [string, () => Promise<void>]> = [
  ['summarizer', summarizer],
  ['hostile-text', hostileText],
  ['feeds', feeds],
  ['edition-email', editionEmail],
  ['parse', parse],
  ['publish', publish],
  ['cold-start', coldStart],
];

for (const [name, run] of BENCHMARKS) {
  console.log(`\n# bench: ${name}`);
  await run();
}
