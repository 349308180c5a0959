/**
 * Incremental publishing through the publish use case with in-memory ports: a run with nothing new
 * reads no listing and renders nothing; a run with changes renders only what they touch, and leaves
 * the site byte for byte as a whole-site render of the same archive would; a lost or outdated site
 * mark (a crash between archive and site, new settings) makes the next run render the whole site.
 */
import { describe, expect, it } from 'vitest';
import { editionsOf } from '../../functions/core/editions/editions-of.js';
import { DEFAULT_EDITION_TIME } from '../../functions/core/editions/plan.js';
import type { Subscriber } from '../../functions/core/model.js';
import { sortNewestFirst } from '../../functions/core/publish/digest.js';
import { publishDigests, type PublishSettings } from '../../functions/core/publish/publish-digests.js';
import { republishSite, unpublishDigest } from '../../functions/core/publish/unpublish.js';
import { renderOutputs } from '../../functions/core/render/outputs.js';
import {
  FixedClock,
  MemoryArchive,
  MemoryLedger,
  MemorySite,
  MemoryReaders,
  TEST_PUBLISH_SETTINGS,
  memoryPublishWorld,
  type MemoryPublishWorld,
} from '../fakes/index.js';

const HOUR = 60 * 60 * 1000;
/** Tuesday 1 December 2026, 08:00 UTC: the daily edition (07:00) closes the next morning. */
const START = new Date('2026-12-01T08:00:00Z');
const settings: PublishSettings = {
  ...TEST_PUBLISH_SETTINGS,
  editions: { cadences: ['instant', 'daily'], defaultCadence: 'instant', timeZone: 'UTC', ...DEFAULT_EDITION_TIME },
};

/** A news article with a stable identity (front matter) about town `n`. */
function article(n: number, extra = ''): string {
  return [
    '---',
    `id: town-${n}`,
    `title: Town ${n} opens a new public library after two years of work`,
    `url: https://news.example.com/town-${n}`,
    '---',
    `The town of Number ${n} opened its new public library on Monday, after two years of building work by local firms.`,
    `The library has a reading room, a children's floor and a workshop with tools that residents can borrow.`,
    `The council said the building uses a third less energy than the old one and opens on Sundays from May. ${extra}`,
  ].join('\n');
}

function articles(numbers: Iterable<number>, edited = new Map<number, string>()): Record<string, string> {
  return Object.fromEntries([...numbers].map((n) => [`town-${n}.md`, article(n, edited.get(n))]));
}

const readers: Subscriber[] = [
  { id: 'sub-instant', email: 'instant@example.com', status: 'confirmed', cadence: 'instant' },
  { id: 'sub-daily', email: 'daily@example.com', status: 'confirmed', cadence: 'daily' },
];

/** Runs on one lasting state: archive, ledger, list, site (and its mark) and clock. */
function state() {
  return {
    archive: new MemoryArchive(),
    ledger: new MemoryLedger(),
    subscribers: new MemoryReaders(readers),
    site: new MemorySite(),
    clock: new FixedClock(START),
  };
}

type State = ReturnType<typeof state>;

async function run(on: State, files: Record<string, string>, runSettings: PublishSettings = settings) {
  const world: MemoryPublishWorld = memoryPublishWorld({ ...on, files });
  const before = { ...on.archive.reads, rendered: on.site.rendered };
  const report = await publishDigests(world, { ...runSettings, runId: `run-${on.clock.now().toISOString()}` });
  const reads = Object.fromEntries(
    Object.entries(on.archive.reads).map(([name, count]) => [name, count - before[name as keyof typeof before]]),
  );
  return { report, world, reads, rendered: on.site.rendered - before.rendered };
}

/** The site as a whole-site render of the archive makes it. */
function wholeSite(on: State, runSettings: PublishSettings = settings): Map<string, string> {
  const published = sortNewestFirst([...on.archive.digests.values()].filter((digest) => digest.unpublishedAt === undefined));
  const files = renderOutputs(published, runSettings.site, editionsOf(published, runSettings.site.timeZone));
  return new Map(files.map((file) => [file.path, file.body.toString('utf8')]));
}

function siteNow(on: State): Map<string, string> {
  return new Map([...on.site.files].map(([path, file]) => [path, file.body.toString('utf8')]));
}

describe('incremental publishing', () => {
  it('renders only what changed, and the site is always what a whole-site render would make', async () => {
    const on = state();
    const first = await run(on, articles(Array.from({ length: 55 }, (_, i) => i)));
    expect(first.report.created).toHaveLength(55);
    expect(first.reads).toMatchObject({ list: 1 });
    expect(siteNow(on)).toEqual(wholeSite(on));
    // 55 digest pages, 2 numbered archive pages, the front pages, feeds, edition page, icon, 404, robots.
    expect(first.rendered).toBeGreaterThan(60);
    expect(on.site.mark).toEqual({ renderedWith: expect.any(String), published: 55 });

    // A new article and an edit of one in the oldest archive page.
    on.clock.advance(HOUR);
    const all = Array.from({ length: 56 }, (_, i) => i);
    const second = await run(on, articles(all, new Map([[3, 'The opening day drew a crowd of two thousand.']])));
    expect(second.report.created.map((digest) => digest.id)).toEqual(['town-55']);
    expect(second.report.updated.map((digest) => digest.id)).toEqual(['town-3']);
    expect(second.reads).toMatchObject({ list: 0, entries: 1 });
    expect(siteNow(on)).toEqual(wholeSite(on));
    const written = second.report.site.written.concat(second.report.site.unchanged).sort();
    expect(written).toEqual(
      expect.arrayContaining([
        `digests/${on.archive.digests.get('town-55')!.slug}/index.html`,
        `digests/${on.archive.digests.get('town-3')!.slug}/index.html`,
        'archive/index.html',
        'archive/page/1/index.html',
        'archive/page/2/index.html',
        'index.html',
        'feeds/rss.xml',
      ]),
    );
    // Two digest pages, two edition pages (each edited digest's and the new instant one), two numbered
    // archive pages, the front pages and the three feeds: nothing of the other 54 digests.
    expect(second.rendered).toBe(written.length);
    expect(written.filter((path) => path.startsWith('digests/'))).toHaveLength(2);
    expect(written).not.toContain('404.html');

    // The daily edition closes the next morning: its page, and the archive pages listing its digests.
    on.clock.set(new Date('2026-12-02T07:30:00Z'));
    const third = await run(on, articles(all, new Map([[3, 'The opening day drew a crowd of two thousand.']])));
    expect(third.report.created).toEqual([]);
    expect(third.report.mail.sent).toBe(1);
    expect(third.reads).toMatchObject({ list: 0, entries: 1, entriesSeenAfter: 1 });
    expect(siteNow(on)).toEqual(wholeSite(on));
    expect(third.report.site.written.filter((path) => path.startsWith('editions/'))).toHaveLength(1);
    expect(third.report.site.written.filter((path) => path.startsWith('digests/'))).toEqual([]);
  });

  it('with nothing new and no edition due reads no listing, renders nothing and writes nothing, whatever the archive holds', async () => {
    const costs = [];
    for (const count of [5, 60]) {
      const on = state();
      const files = articles(Array.from({ length: count }, (_, i) => i));
      await run(on, files);
      on.clock.advance(HOUR);
      const mark = on.site.mark;
      const writes = on.site.writes;
      const puts = on.archive.puts;
      const idle = await run(on, files);
      expect(idle.report).toMatchObject({ created: [], updated: [], unchanged: count, published: count });
      expect(idle.report.mail.sent).toBe(0);
      expect(idle.rendered).toBe(0);
      expect(on.site.writes).toBe(writes);
      expect(on.archive.puts).toBe(puts);
      expect(on.site.mark).toEqual(mark);
      costs.push(idle.reads);
    }
    // One read by id (the run's own articles) and one of the editions' window, for 5 digests as for 60.
    expect(costs).toEqual([
      { list: 0, get: 1, entries: 0, entriesSeenAfter: 1 },
      { list: 0, get: 1, entries: 0, entriesSeenAfter: 1 },
    ]);
  });

  it('renders the whole site after a run that died between its archive writes and its site', async () => {
    const on = state();
    await run(on, articles([1, 2]));
    on.clock.advance(HOUR);
    const publish = on.site.publish.bind(on.site);
    on.site.publish = async () => {
      throw new Error('S3 is down');
    };
    await expect(run(on, articles([1, 2, 3]))).rejects.toThrow('S3 is down');
    expect(on.archive.digests.has('town-3')).toBe(true);
    expect(on.site.mark).toBeUndefined();

    on.site.publish = publish;
    on.clock.advance(HOUR);
    const retry = await run(on, articles([1, 2, 3]));
    expect(retry.report.created).toEqual([]);
    expect(retry.reads).toMatchObject({ list: 1 });
    expect(siteNow(on)).toEqual(wholeSite(on));
    expect(on.site.mark).toMatchObject({ published: 3 });
  });

  it('renders the whole site once when the settings change, then incrementally again', async () => {
    const on = state();
    await run(on, articles([1, 2, 3]));
    const renamed: PublishSettings = { ...settings, site: { ...settings.site, title: 'The Town Crier' } };
    on.clock.advance(HOUR);
    const again = await run(on, articles([1, 2, 3]), renamed);
    expect(again.reads).toMatchObject({ list: 1 });
    expect(siteNow(on)).toEqual(wholeSite(on, renamed));
    on.clock.advance(HOUR);
    expect((await run(on, articles([1, 2, 3]), renamed)).rendered).toBe(0);
  });

  it('after gazette unpublish, later runs stay incremental and keep the digest off every page', async () => {
    const on = state();
    await run(on, articles([1, 2, 3]));
    expect(on.site.mark).toMatchObject({ published: 3 });
    await unpublishDigest({ clock: on.clock, archive: on.archive, site: on.site }, 'town-2');
    expect(on.site.mark).toBeUndefined();
    await republishSite({ archive: on.archive, site: on.site }, settings.site);
    expect(on.site.mark).toMatchObject({ published: 2 });

    on.clock.advance(HOUR);
    const idle = await run(on, articles([1, 2, 3]));
    expect(idle.rendered).toBe(0);
    expect(idle.report).toMatchObject({ unchanged: 3, published: 2 });
    on.clock.advance(HOUR);
    const next = await run(on, articles([1, 2, 3, 4]));
    expect(next.reads).toMatchObject({ list: 0 });
    const expected = wholeSite(on);
    const tombstone = `digests/${on.archive.digests.get('town-2')!.slug}/index.html`;
    expect(siteNow(on)).toEqual(expected);
    expect(expected.has(tombstone)).toBe(false);
    expect(expected.get('feeds/feed.json')).not.toContain('town-2');
  });

  it('renders nothing in a dry run and keeps the mark', async () => {
    const on = state();
    await run(on, articles([1]));
    const mark = on.site.mark;
    on.clock.advance(HOUR);
    const dry = await run(on, articles([1, 2]), { ...settings, dryRun: true });
    expect(dry.report.site.written).toEqual(expect.arrayContaining(['index.html', 'feeds/rss.xml']));
    expect(on.site.files.size).toBe(wholeSite(on).size);
    expect(on.site.mark).toEqual(mark);
    expect(on.archive.digests.has('town-2')).toBe(false);
  });
});
