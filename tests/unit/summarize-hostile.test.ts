import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ArticleError } from '../../functions/core/errors.js';
import { dropOverlongRuns, LONGEST_RUN } from '../../functions/core/summarize/long-runs.js';
import { publishDigests } from '../../functions/core/publish/publish-digests.js';
import { summarize } from '../../functions/core/summarize/index.js';
import { FixedClock, memoryPublishWorld, TEST_PUBLISH_SETTINGS } from '../fakes/index.js';

const FRAME = [
  'The city council voted on Tuesday to build a new flood barrier along the river, ending years of debate.',
  'The barrier will cost about $310 million and take six years to finish, according to the council.',
  'Opponents argued that the wall would cut the town off from its waterfront and hurt local shops.',
].join(' ');

/** `bytes` characters of hex without a break: a pasted key or blob, the same on every run. */
function hexRun(bytes: number): string {
  const chunks: string[] = [];
  let block = createHash('sha256').update('gazette').digest();
  for (let size = 0; size < bytes; size += 64) {
    chunks.push(block.toString('hex'));
    block = createHash('sha256').update(block).digest();
  }
  return chunks.join('').slice(0, bytes);
}

describe('overlong runs', () => {
  it('drops a run longer than the longest word and keeps the words on either side apart', () => {
    expect(dropOverlongRuns(`before ${'a'.repeat(LONGEST_RUN + 1)} after`)).toBe('before   after');
    expect(dropOverlongRuns(`glued${hexRun(200)}text`)).toBe(' ');
  });

  it('keeps runs up to the limit, long real words and URLs of ordinary length', () => {
    const limit = 'x'.repeat(LONGEST_RUN);
    const text = `${limit} pneumonoultramicroscopicsilicovolcanoconiosis https://example.com/news/2026/12/01/flood-barrier`;
    expect(dropOverlongRuns(text)).toBe(text);
  });

  it('keeps text in scripts written without spaces', () => {
    const chinese = '市议会周二投票决定沿河修建新的防洪屏障，结束了多年的争论。'.repeat(20);
    const thai = 'สภาเมืองลงมติสร้างกำแพงกันน้ำท่วมใหม่'.repeat(10);
    expect(dropOverlongRuns(chinese)).toBe(chinese);
    expect(dropOverlongRuns(thai)).toBe(thai);
  });
});

describe('summarising hostile text', () => {
  // Before the guard, 80 KB of hex took about a minute and 1 MiB hours: these would time out.
  it('summarises 1 MiB of one hex token between sentences from the sentences alone', () => {
    const summary = summarize({ text: `${FRAME}\n\n${hexRun(1024 * 1024)}\n\n${FRAME}`, source: 'blob.txt' });
    const everything = [summary.headline, ...summary.sentences, ...summary.keyPoints, ...summary.keywords].join(' ');
    expect(everything).not.toMatch(/[0-9a-f]{20}/);
    expect(summary.sentences.join(' ')).toContain('flood barrier');
  });

  it('refuses an article that is nothing but one long token, naming it', () => {
    expect(() => summarize({ text: hexRun(200_000), source: 'key.txt' })).toThrow(ArticleError);
    expect(() => summarize({ text: hexRun(200_000), source: 'key.txt' })).toThrow(/key\.txt/);
  });

  it('summarises a 512 KB paragraph of lower-case continuations (one merged sentence)', () => {
    const summary = summarize({ text: `${FRAME}\n\n${'and then. '.repeat(52_000)}`, source: 'loop.txt' });
    expect(summary.sentences.length).toBeGreaterThan(0);
    expect(summary.headline.length).toBeGreaterThan(0);
  });
});

describe('the per-article time budget (a backstop)', () => {
  it('stops an article whose deadline has passed with an ArticleError naming it', () => {
    let checks = 0;
    const deadline = { passed: () => ++checks > 2 };
    const text = Array.from({ length: 10 }, (_, i) => `Paragraph ${i} says something about the council and its budget.`).join('\n\n');
    expect(() => summarize({ text, source: 'slow.txt', deadline })).toThrow(
      /slow\.txt: summarising took longer than the per-article time budget/,
    );
    expect(checks).toBe(3);
  });

  it('in a run, an article over budget is one article error and the others still publish', async () => {
    // Every reading of this clock is 8 seconds later than the one before: ten paragraphs take "80 s".
    class SlowClock extends FixedClock {
      override now(): Date {
        this.advance(8_000);
        return super.now();
      }
    }
    const long = Array.from({ length: 10 }, (_, i) => `Paragraph ${i} of a long report says something new about the budget.`).join('\n\n');
    const short = 'The council met on Tuesday and agreed the budget after a short debate about buses.';
    const world = memoryPublishWorld({
      files: { 'long.txt': long, 'short.txt': short },
      clock: new SlowClock(new Date('2026-11-28T07:00:00Z')),
    });
    const report = await publishDigests(world, TEST_PUBLISH_SETTINGS);
    expect(report.articleErrors.map((error) => error.message)).toEqual([
      expect.stringMatching(/^long\.txt: summarising took longer than the per-article time budget/),
    ]);
    expect(report.created.map((digest) => digest.sourceName)).toEqual(['short.txt']);
  });
});
