/**
 * Inputs shared by the renderer tests and the feed benchmark: a digest shaped like the seed article's,
 * a hostile one, site and mail settings, and a generator of synthetic archives.
 */
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
