/**
 * `npm run bench`: runs every benchmark module in turn; `npm run bench -- sending feeds` runs only the
 * named ones. Convention: a benchmark is a module in bench/ that exports `async function run():
 * Promise<void>` and prints its own tables. Add yours to the list.
 */
import { run as coldStart } from './cold-start.js';
import { run as editionEmail } from './edition-email.js';
import { run as feeds } from './feeds.js';
import { run as hostileText } from './hostile-text.js';
import { run as incremental } from './incremental.js';
import { run as modelCost } from './model-cost.js';
import { run as parse } from './parse.js';
import { run as publish } from './publish.js';
import { run as subscribeTiming } from './subscribe-timing.js';
import { run as sources } from './sources.js';
import { run as sourcesPoll } from './sources-poll.js';
import { run as sending } from './sending.js';
import { run as summarizer } from './summarizer.js';
import { run as tagger } from './tagger.js';

const BENCHMARKS: ReadonlyArray<readonly [string, () => Promise<void>]> = [
  ['summaries', summarizer],
  ['tagger', tagger],
  ['hostile-text', hostileText],
  ['feeds', feeds],
  ['edition-email', editionEmail],
  ['parse', parse],
  ['publish', publish],
  ['cold-start', coldStart],
  ['model-cost', modelCost],
  ['subscribe-timing', subscribeTiming],
  ['sources', sources],
  ['sources-poll', sourcesPoll],
  ['sending', sending],
  ['incremental', incremental],
];

/** Old names that still select a benchmark. */
const ALIASES: Readonly<Record<string, string>> = { summarizer: 'summaries', summariser: 'summaries' };

const wanted = process.argv.slice(2).map((name) => ALIASES[name] ?? name);
const unknown = wanted.filter((name) => !BENCHMARKS.some(([known]) => known === name));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${BENCHMARKS.map(([name]) => name).join(', ')}`);
  process.exit(2);
}

for (const [name, run] of BENCHMARKS) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`\n# bench: ${name}`);
  await run();
}
