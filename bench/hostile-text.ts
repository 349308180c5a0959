/**
 * Summariser scaling on text built to make NLP stall, 10 KB to 1 MiB: one random hex token between two
 * sentences, a paragraph of lower-case continuations ("and then. and then. …", which the splitter
 * merges into one sentence), one sentence of comma-separated clauses and one paragraph of tiny sentences,
 * each set beside ordinary prose of the same size measured in the same run.
 * Linear means the ratio to prose stays flat (or falls) as the size grows; before the overlong-run guard,
 * 80 KB of hex took about a minute and 1 MiB hours; before headline and summary cuts stopped looking
 * past their allowance, 256 KB of commas took 23 s, and before ICU read long paragraphs in windows,
 * 1 MiB of prose took 12.6 s. Prints, never fails on a time.
 */
import { randomBytes } from 'node:crypto';
import { summarize } from '../functions/core/summarize/index.js';
import { formatMs, formatRatio, median, msSince } from './lib/measure.js';

const SIZES_KB = [10, 40, 160, 640, 1024];
const FRAME = 'The council met on Tuesday to discuss the budget. Members agreed to raise funding for buses.';

/** Ordinary prose of about `bytes` bytes: varied sentences, so ranking has real work to do. */
function prose(bytes: number): string {
  const sentences: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const sentence = `Officials said on day ${i} that the plan for district ${i % 37} would cost ${i % 91} million.`;
    sentences.push(sentence);
    size += sentence.length + 1;
  }
  return sentences.join(' ');
}

const HOSTILE: ReadonlyArray<readonly [string, (bytes: number) => string]> = [
  ['one random hex token', (bytes) => `${FRAME}\n\n${randomBytes(Math.ceil(bytes / 2)).toString('hex')}\n\n${FRAME}`],
  ['lower-case continuations', (bytes) => `${FRAME} ${'and then. '.repeat(Math.ceil(bytes / 10))}`],
  // One sentence of clauses: every comma is a place to cut a headline or a summary line.
  ['one sentence of commas', (bytes) => 'the council met again, '.repeat(Math.ceil(bytes / 23))],
  // One paragraph of tiny sentences: V8's segmenter, given it whole, took 20 s for 256 KB of these.
  ['one paragraph of "1. 2. 3. "', (bytes) => '1. 2. 3. '.repeat(Math.ceil(bytes / 9))],
];

function timeSummary(text: string, repeats: number): number {
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    try {
      summarize({ text });
    } catch {
      // A refusal is an outcome too; its time is what we show.
    }
    samples.push(msSince(start));
  }
  return median(samples);
}

/** Prints one table row per size: prose, then each hostile input and its ratio to prose. */
export async function run(): Promise<void> {
  timeSummary(prose(10_000), 2); // loads the model outside the measurements
  console.log(`| size | prose ms | ${HOSTILE.map(([name]) => `${name} ms (× prose)`).join(' | ')} |`);
  console.log(`|---|---|${HOSTILE.map(() => '---|').join('')}`);
  for (const kb of SIZES_KB) {
    const bytes = kb * 1024;
    const repeats = kb <= 160 ? 5 : 2;
    const baseline = timeSummary(prose(bytes), repeats);
    const cells = HOSTILE.map(([, make]) => {
      const ms = timeSummary(make(bytes), repeats);
      return `${formatMs(ms)} (${formatRatio(ms / baseline)})`;
    });
    console.log(`| ${kb} KB | ${formatMs(baseline)} | ${cells.join(' | ')} |`);
  }
}
