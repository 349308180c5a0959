/**
 * Inputs shared by the renderer tests and the feed benchmark: a digest shaped like the seed article's,
 * a hostile one, site and mail settings, and a generator of synthetic archives.
 */
import { editionDeliveryId, type Edition } from '../../functions/core/editions/edition.js';
import type { Digest, MailConfig, SiteConfig } from '../../functions/core/model.js';
import { buildMailConfig } from '../../functions/core/settings.js';

/** Site settings used by every render test. */
export const site: SiteConfig = {
  baseUrl: 'https://gazette.example.com/',
  title: 'Gazette',
  description: 'Concise digests of the articles worth your time.',
  language: 'en',
  authorName: 'Gazette Editors',
  feedLength: 20,
};

/** Mail settings used by every render test, from the one builder the CLI and the functions use. */
export const mail: MailConfig = buildMailConfig({ senderEmail: 'digest@gazette.example.com', senderName: 'Gazette' });

/** A digest like the one the seed article produces, with fixed dates. */
export const seedDigest: Digest = {
  id: 'seed:000_89c895b2b4859281',
  slug: 'xi-and-putin-hold-talks-in-moscow-3f2a9c1e',
  headline: 'Xi and Putin hold extensive talks in Moscow, underscoring a growing strategic partnership',
  summary: [
    'Chinese President Xi Jinping and Russian President Vladimir Putin held extensive talks in Moscow on Thursday, underscoring their countries’ growing strategic partnership.',
    'Xi noted that the world today faces increasing geopolitical turbulence, and called on China and Russia to shoulder their global responsibilities.',
  ],
  keyPoints: [
    'The state visit coincided with the 80th anniversary of the Soviet victory in the Great Patriotic War.',
    'Both leaders called for stronger collaboration in trade, energy, aerospace, AI and connectivity.',
    'Putin reiterated Russia’s support for the one-China principle.',
  ],
  keywords: ['china', 'russia', 'diplomacy', 'xi jinping', 'putin'],
  sourceName: '000_89c895b2b4859281.txt',
  published: '2025-05-08T12:00:00.000Z',
  updated: '2025-05-08T12:00:00.000Z',
  firstSeen: '2025-05-08T12:00:00.000Z',
  mailStatus: 'pending',
  contentHash: 'sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
  articleWords: 642,
  articleReadingMinutes: 3,
  digestReadingMinutes: 1,
};

/** Every nasty thing an article can smuggle into a digest. */
export const hostileHeadline = 'Breaking: <script>alert(1)</script> ]]> &amp; & 🚀 مرحبا שלום\r\nBcc: victim@example.com\u0007';

/** A digest whose every text field carries markup, CDATA terminators, entities, emoji, RTL text and controls. */
export const hostileDigest: Digest = {
  ...seedDigest,
  id: 'seed:hostile',
  slug: 'breaking-script-alert-1-0badf00d',
  headline: hostileHeadline,
  summary: [
    'It says <script>alert("x")</script> and ]]> twice ]]> with &amp; and & plus 🚀🔥.',
    'Arabic مرحبا بالعالم and Hebrew שלום עולם sit beside <b>bold</b>\u0000 and a bell\u0007.',
  ],
  keyPoints: ['<img src=x onerror=alert(1)>', 'CDATA ]]> end', 'Ampersand &lt; entity'],
  keywords: ['<script>', 'a&b', 'quote"s', 'ünïcødé'],
  sourceUrl: 'javascript:alert(1)',
  sourceName: 'hostile<script>.md',
  author: 'Mallory <mallory@example.com>\r\nX-Injected: yes',
  published: '2025-05-09T08:30:00.000Z',
  updated: '2025-05-10T09:15:00.000Z',
  firstSeen: '2025-05-09T08:30:00.000Z',
};

/** An older, ordinary digest with a source URL, so lists have more than one entry. */
export const olderDigest: Digest = {
  ...seedDigest,
  id: 'https://news.example.org/markets/rates',
  slug: 'central-bank-holds-rates-steady-7c0ffee1',
  headline: 'Central bank holds rates steady as inflation cools',
  summary: ['The central bank left its key rate unchanged on Wednesday.', 'Officials said inflation had cooled faster than expected.'],
  keyPoints: ['Rates stay at 4.25 %.', 'Two members voted for a cut.', 'The next meeting is in June.'],
  keywords: ['economy', 'interest rates', 'inflation'],
  sourceUrl: 'https://news.example.org/markets/rates?ref=rss&lang=en',
  sourceName: 'rates.md',
  author: 'Ada Lovelace',
  published: '2025-05-07T06:00:00.000Z',
  updated: '2025-05-07T06:00:00.000Z',
  firstSeen: '2025-05-07T06:00:00.000Z',
};

/** `count` synthetic digests, newest first, one hour apart, deterministic. */
export function syntheticDigests(count: number): Digest[] {
  const start = Date.UTC(2025, 0, 1);
  const digests: Digest[] = [];
  for (let index = count - 1; index >= 0; index -= 1) {
    const at = new Date(start + index * 3_600_000).toISOString();
    digests.push({
      ...olderDigest,
      id: `synthetic:${index}`,
      slug: `synthetic-digest-number-${index}-${((index * 2654435761) >>> 0).toString(16).padStart(8, '0')}`,
      headline: `Synthetic digest number ${index} about markets, weather and the city council`,
      summary: [
        `Digest ${index} opens with a sentence long enough to look like a real summary of a real article.`,
        'It continues with a second sentence that adds a little more context for the reader.',
      ],
      published: at,
      updated: at,
      firstSeen: at,
    });
  }
  return digests;
}

/** A digest made from a feed item: it names its feed (provenance) as its source. */
export const feedDigest: Digest = {
  ...olderDigest,
  id: 'feed:https://news.example.org/library-sundays',
  slug: 'city-library-opens-on-sundays-5eed1e55',
  headline: 'The city library opens on Sundays from June',
  summary: [
    'The city library will open on Sundays from the first of June, the head librarian announced on Monday.',
    'The new hours follow a survey in which most readers asked for weekend opening.',
  ],
  keyPoints: ['Sunday opening runs from 11:00 to 17:00.', 'Three new staff members have been hired.'],
  keywords: ['library', 'city'],
  sourceUrl: 'https://news.example.org/city/library-sundays',
  sourceName: 'https://news.example.org/feed.xml#library-sundays',
  provenance: { title: 'Example City News', url: 'https://news.example.org/' },
  author: undefined,
  published: '2025-11-30T18:00:00.000Z',
  updated: '2025-11-30T18:00:00.000Z',
  firstSeen: '2025-12-01T06:10:00.000Z',
};

/** The five digests of {@link seedEdition}, in reading order. */
const EDITION_DIGESTS: Digest[] = [seedDigest, feedDigest, olderDigest, ...syntheticDigests(2)];

/** A daily edition of five digests, dated 1 December 2025, 07:00 in London (UTC in winter). */
export const seedEdition: Edition = {
  id: editionDeliveryId('daily', '2025-12-01-0700-daily'),
  cadence: 'daily',
  period: '2025-12-01-0700-daily',
  date: '2025-12-01T07:00:00+00:00',
  digests: EDITION_DIGESTS,
};

/** The same edition with only its lead digest (subject without "and N more", no table of contents). */
export const singleEdition: Edition = {
  ...seedEdition,
  id: editionDeliveryId('instant', '2025-12-01-0710-instant'),
  cadence: 'instant',
  period: '2025-12-01-0710-instant',
  date: '2025-12-01T07:10:00+00:00',
  digests: [seedDigest],
};

/**
 * `count` digests as long as a summariser makes them (90-character headline, three sentences near the
 * 80-word cap, five long key points): the worst case for the 102 KB clipping limit.
 */
export function longDigests(count: number): Digest[] {
  const words = (n: number, seed: number) =>
    Array.from(
      { length: n },
      (_, index) => ['council', 'harbour', 'railway', 'budget', 'weather', 'élection', 'market', 'school'][(seed + index) % 8],
    ).join(' ');
  return syntheticDigests(count).map((digest, index) => ({
    ...digest,
    headline: `Long digest ${index}: ${words(12, index)}`.slice(0, 90),
    summary: [0, 1, 2].map((sentence) => `Sentence ${sentence} of digest ${index} tells of ${words(22, index + sentence)}.`),
    keyPoints: [0, 1, 2, 3, 4].map((point) => `Point ${point}: ${words(24, index + point)}.`),
    provenance: { title: `Feed number ${index % 7} with a descriptive title`, url: `https://feed${index % 7}.example.net/` },
  }));
}
