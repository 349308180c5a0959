import { describe, expect, it } from 'vitest';
import type { Summary } from '../../functions/core/model.js';
import { publishDigests } from '../../functions/core/publish/publish-digests.js';
import { isTaggerLoaded } from '../../functions/core/summarize/tagger.js';
import { MemoryArchive, memoryPublishWorld, TEST_PUBLISH_SETTINGS } from '../fakes/index.js';

// Its own file on purpose: vitest gives each file fresh modules, so no other test has loaded the
// tagger here. Nothing in this file may call summarize() before the assertions below.
const STORY = [
  'The city council of Riverton voted on Tuesday to build a new flood barrier along the Grey River.',
  'The barrier will cost about $310 million and take six years to finish, according to the council.',
  'Opponents argued that the wall would cut the town off from its waterfront.',
].join('\n\n');

const CANNED: Summary = {
  headline: 'Riverton votes for a flood barrier',
  sentences: ['The city council of Riverton voted on Tuesday to build a new flood barrier along the Grey River.'],
  keyPoints: [],
  keywords: ['riverton', 'flood barrier', 'council'],
};

describe('the part-of-speech tagger loads lazily', () => {
  it('is not loaded by a run with nothing new, and is loaded once an article is summarised', async () => {
    const archive = new MemoryArchive();
    // The first run fills the archive through another summariser, so wink is never asked for.
    const first = memoryPublishWorld({ files: { 'flood.txt': STORY }, archive });
    await publishDigests({ ...first, summarizer: { summarize: async () => CANNED } }, TEST_PUBLISH_SETTINGS);
    expect(isTaggerLoaded()).toBe(false);
    // The same article again, with the default extractive summariser: unchanged, so not summarised.
    const again = await publishDigests(memoryPublishWorld({ files: { 'flood.txt': STORY }, archive }), TEST_PUBLISH_SETTINGS);
    expect(again.created).toEqual([]);
    expect(isTaggerLoaded()).toBe(false);
    // A new article is summarised by the extractive summariser, which loads the tagger first.
    const report = await publishDigests(
      memoryPublishWorld({
        files: { 'flood.txt': STORY, 'more.txt': `${STORY}\n\nThe council will publish the design in March.` },
        archive,
      }),
      TEST_PUBLISH_SETTINGS,
    );
    expect(report.created.map((digest) => digest.sourceName)).toEqual(['more.txt']);
    expect(isTaggerLoaded()).toBe(true);
  });
});
