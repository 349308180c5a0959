import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { splitFrontMatter } from '../../functions/core/articles/front-matter.js';
import { renderEditionEmail } from '../../functions/core/render/index.js';
import { summarize } from '../../functions/core/summarize/index.js';
import { mail, seedDigest, singleEdition, site } from './render-fixtures.js';

const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/u;
const STORY =
  'The council voted on Tuesday to build a flood barrier. It will cost $310 million and take six years. Opponents say it cuts the town off from the river.';

describe('bidi overrides never reach a headline or a subject', () => {
  it('drops them from a given title ("\\u202Egpj.exe" would display as "exe.jpg")', () => {
    const summary = summarize({ text: STORY, title: 'Invoice \u202Egpj.exe\u202C for \u2066you\u2069' });
    expect(summary.headline).toBe('Invoice gpj.exe for you');
  });

  it('drops them from a headline taken from the first sentence', () => {
    const summary = summarize({ text: `\u202DThe council voted\u202C on Tuesday to build a flood barrier. ${STORY}` });
    expect(summary.headline).not.toMatch(BIDI_CONTROLS);
    expect(summary.headline.startsWith('The council voted on Tuesday')).toBe(true);
  });

  it('keeps right-to-left text and its marks (U+200F) as they are', () => {
    const summary = summarize({ text: STORY, title: 'مجلس المدينة\u200F يصوّت' });
    expect(summary.headline).toBe('مجلس المدينة\u200F يصوّت');
  });

  it('drops them from the mail subject whatever summariser made the headline', async () => {
    const digest = { ...seedDigest, headline: 'Your parcel \u202Efdp.exe\u202C is here' };
    const message = renderEditionEmail({
      edition: { ...singleEdition, digests: [digest] },
      subscriberId: '0123456789abcdef0123456789abcdef',
      to: 'reader@example.net',
      site,
      mail,
      unsubscribeUrl: 'https://gazette.example.com/api/unsubscribe?token=t',
      manageUrl: 'https://gazette.example.com/api/manage?token=t',
      date: new Date('2025-05-08T13:00:00.000Z'),
    });
    const parsed = await simpleParser(message.raw);
    expect(parsed.subject).toBe('Gazette · 1 Dec: Your parcel fdp.exe is here');
  });
});

describe('numeric YAML front matter keeps its exact text', () => {
  it.each([
    ['id: 0012', { id: '0012' }],
    ['id: 1e3', { id: '1e3' }],
    ['id: 0x1F', { id: '0x1F' }],
    ['title: 1.10', { title: '1.10' }],
    ['tags: [2024, 1.10]', { tags: ['2024', '1.10'] }],
  ])('%s', (line, expected) => {
    expect(splitFrontMatter(`---\n${line}\n---\nBody text.`).data).toEqual(expected);
  });
});
