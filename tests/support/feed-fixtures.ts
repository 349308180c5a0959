/**
 * Feeds written for the source tests (our own text, no real feed copied): an RSS 2.0 channel built from
 * a list of items, with the fields a real blog's feed carries.
 */

/** One item of {@link rssFeed}. */
export interface RssItemFixture {
  guid?: string;
  title?: string;
  link?: string;
  /** RFC 822 date or an ISO string (converted). */
  date?: string;
  /** HTML content (goes in CDATA). */
  html?: string;
  categories?: string[];
}

/** A long-enough article body for the summariser: `sentences` distinct sentences about `topic`. */
export function articleHtml(topic: string, sentences = 8): string {
  return Array.from(
    { length: sentences },
    (_, index) =>
      `<p>The ${topic} report, part ${index + 1}, describes how the town council weighed budget number ${index + 3} against the needs of its ${index + 10} libraries and parks.</p>`,
  ).join('');
}

/** An RSS 2.0 document with `items`, titled `title`, whose site is `siteUrl`. */
export function rssFeed(title: string, siteUrl: string, items: RssItemFixture[], ttlMinutes?: number): string {
  const entries = items.map((item) => {
    const parts = [
      item.title ? `<title>${item.title}</title>` : '',
      item.link ? `<link>${item.link}</link>` : '',
      item.guid ? `<guid isPermaLink="false">${item.guid}</guid>` : '',
      item.date ? `<pubDate>${new Date(item.date).toUTCString()}</pubDate>` : '',
      ...(item.categories ?? []).map((category) => `<category>${category}</category>`),
      item.html ? `<description><![CDATA[${item.html}]]></description>` : '',
    ];
    return `<item>${parts.join('')}</item>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>${title}</title><link>${siteUrl}</link><description>Test feed</description>${
    ttlMinutes ? `<ttl>${ttlMinutes}</ttl>` : ''
  }
${entries.join('\n')}
</channel></rss>`;
}
