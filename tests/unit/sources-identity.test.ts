import { describe, expect, it } from 'vitest';
import type { FeedItem } from '../../functions/core/sources/feed-model.js';
import { guidsAreBroken, identifyItems, stripTrackingParameters } from '../../functions/core/sources/identity.js';

const item = (fields: Partial<FeedItem>): FeedItem => ({ categories: [], isExcerpt: false, ...fields });

describe('stripTrackingParameters', () => {
  it('removes utm_*, click ids and mailing ids, keeps the rest in order', () => {
    expect(
      stripTrackingParameters(
        'https://news.example.com/a?id=7&utm_source=rss&UTM_Medium=feed&fbclid=x&gclid=y&mc_cid=1&mc_eid=2&page=2#part',
      ),
    ).toBe('https://news.example.com/a?id=7&page=2#part');
    expect(stripTrackingParameters('https://www.heise.de/x.html?wt_mc=rss.developer.beitrag.atom')).toBe('https://www.heise.de/x.html');
    expect(stripTrackingParameters('https://news.example.com/?utm_campaign=z')).toBe('https://news.example.com/');
  });

  it('leaves links without tracking, and non-URLs, alone', () => {
    expect(stripTrackingParameters('https://news.example.com/a?q=utm_source')).toBe('https://news.example.com/a?q=utm_source');
    expect(stripTrackingParameters('not a url')).toBe('not a url');
  });
});

describe('identifyItems', () => {
  it('uses the guid, then the tracking-free link, then a hash of title and content', () => {
    const guids = Array.from({ length: 20 }, (_, index) => item({ guid: `g${index}`, url: `https://x.example/${index}` }));
    const noGuid = item({ url: 'https://x.example/n?utm_source=a' });
    const identified = identifyItems([...guids, noGuid]);
    expect(identified[0]).toEqual({ id: 'guid:g0', item: guids[0], alternateIds: ['link:https://x.example/0'] });
    expect(identified[20]?.id).toBe('link:https://x.example/n');
    expect(identifyItems([item({ title: 'T', html: '<p>x</p>' })])[0]?.id).toMatch(/^hash:[0-9a-f]{32}$/);
  });

  it('gives the same id to the same item whatever the tracking parameters', () => {
    const [first] = identifyItems([item({ url: 'https://x.example/a?utm_source=one' })]);
    const [second] = identifyItems([item({ url: 'https://x.example/a?utm_source=two&fbclid=z' })]);
    expect(first?.id).toBe(second?.id);
  });

  it('switches the whole feed to link identity when more than 5% of guids are missing or repeated', () => {
    // 1 missing guid in 20 items is exactly 5%: guids stay.
    const twenty = Array.from({ length: 20 }, (_, index) =>
      item({ guid: index ? `g${index}` : undefined, url: `https://x.example/${index}` }),
    );
    expect(guidsAreBroken(twenty)).toBe(false);
    expect(identifyItems(twenty)[1]?.id).toBe('guid:g1');
    // One guid on every item (a CMS bug): link identity for all, nothing lost.
    const repeated = Array.from({ length: 10 }, (_, index) => item({ guid: 'same', url: `https://x.example/${index}` }));
    expect(guidsAreBroken(repeated)).toBe(true);
    expect(identifyItems(repeated).map((entry) => entry.id)).toEqual(
      Array.from({ length: 10 }, (_, index) => `link:https://x.example/${index}`),
    );
  });

  it('drops a duplicated entry so no id appears twice', () => {
    const items = Array.from({ length: 30 }, (_, index) => item({ guid: `g${index}`, url: `https://x.example/${index}` }));
    const identified = identifyItems([...items, items[3] as FeedItem]);
    expect(identified).toHaveLength(30);
    expect(new Set(identified.map((entry) => entry.id)).size).toBe(30);
  });

  it('does not let a link shared by several items identify them', () => {
    const home = [item({ title: 'One', url: 'https://x.example/' }), item({ title: 'Two', url: 'https://x.example/' })];
    const identified = identifyItems(home);
    expect(identified).toHaveLength(2);
    expect(identified.map((entry) => entry.id.slice(0, 5))).toEqual(['hash:', 'hash:']);
    expect(identified.every((entry) => entry.alternateIds.length === 0)).toBe(true);
  });

  it('offers the link as an alternate id, so a feed that renews every guid is seen through', () => {
    const before = identifyItems([item({ guid: 'run-1-a', url: 'https://x.example/a' })]);
    const after = identifyItems([item({ guid: 'run-2-a', url: 'https://x.example/a?utm_medium=rss' })]);
    expect(before[0]?.id).not.toBe(after[0]?.id);
    expect(after[0]?.alternateIds).toEqual(before[0]?.alternateIds);
  });
});
