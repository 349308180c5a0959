import { describe, expect, it } from 'vitest';
import { parseArticleFile } from '../../functions/adapters/article-files.js';
import type { Article, Summary } from '../../functions/core/model.js';
import { summarize } from '../../functions/core/summarize/index.js';
import { stripSiteSuffix } from '../../functions/core/summarize/headline.js';
import { plainTextBlocks } from '../../functions/core/articles/text.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const wordsOf = (text: string): number => text.split(/\s+/).filter((token) => /[\p{L}\p{N}]/u.test(token)).length;

/** Summarises a parsed article the way the publisher does (text, blocks, title). */
function digestOf(article: Article): Summary {
  return summarize({
    text: article.text,
    ...(article.blocks ? { blocks: article.blocks } : {}),
    title: article.title,
    source: article.source,
  });
}

const HEAT_BODY = [
  'Sales rose 18 percent in the year to March, according to the industry body, as grants made the switch cheaper for households.',
  'Installers said demand had doubled in some regions, and waiting lists now run to three months.',
  'The government wants 600,000 installations a year by 2028, a target critics say is out of reach without cheaper electricity.',
  'Manufacturers have opened new factories in the north, creating about 2,000 jobs, the trade association said.',
  'Gas boiler sales fell for the second year running, the first back-to-back fall since records began.',
].join(' ');

/** Every line the digest shows, to look for a heading glued to a sentence. */
const linesOf = (summary: Summary): string[] => [summary.headline, ...summary.sentences, ...summary.keyPoints];

describe('structure: headings, list items and captions are not sentences', () => {
  it('never glues a plain-text heading into the first sentence ("Heat pumps outsold gas boilers Sales rose…")', () => {
    const article = parseArticleFile('heat.txt', utf8(`Heat pumps outsold gas boilers\n${HEAT_BODY}\n\nMore figures follow next month.\n`));
    // The article's text is unchanged (the heading line is a hard wrap there); its blocks keep it apart.
    expect(article.text.startsWith('Heat pumps outsold gas boilers Sales rose')).toBe(true);
    expect(article.blocks?.[0]).toEqual({ kind: 'heading', text: 'Heat pumps outsold gas boilers' });
    const summary = digestOf(article);
    for (const line of linesOf(summary)) expect(line).not.toContain('boilers Sales');
    expect(summary.headline).toBe('Heat pumps outsold gas boilers');
    expect(summary.sentences[0]).toMatch(/^Sales rose 18 percent/);
  });

  it('reads Markdown and HTML headings, list items and captions as blocks of their kind', () => {
    const markdown = parseArticleFile(
      'heat.md',
      utf8(
        `---\ntitle: Energy news\n---\n## Heat pumps outsold gas boilers\n\n${HEAT_BODY}\n\n- Grants of up to 7,500 pounds\n- Three-month waits\n\n> It is a turning point, said one installer.\n`,
      ),
    );
    expect(markdown.blocks?.map((block) => block.kind)).toEqual(['heading', 'paragraph', 'list-item', 'list-item', 'quote']);
    const html = parseArticleFile(
      'heat.html',
      utf8(
        `<title>Energy news</title><body><h2>Heat pumps outsold gas boilers</h2><p>${HEAT_BODY}</p><ul><li>Grants</li></ul><figure><figcaption>An installer at work</figcaption></figure></body>`,
      ),
    );
    expect(html.blocks?.map((block) => block.kind)).toEqual(['heading', 'paragraph', 'list-item', 'caption']);
    for (const article of [markdown, html]) {
      const summary = digestOf(article);
      for (const line of [...summary.sentences, ...summary.keyPoints]) {
        expect(line).not.toMatch(/boilers|^Grants$|An installer at work/);
      }
      expect(summary.sentences[0]).toMatch(/^Sales rose 18 percent/);
    }
  });

  it('tells plain-text headings and list lines from prose', () => {
    expect(plainTextBlocks('Budget day\n\nThe council met.\n\n- one item\n- two items\n\nIt ended late')).toEqual([
      { kind: 'heading', text: 'Budget day' },
      { kind: 'paragraph', text: 'The council met.' },
      { kind: 'list-item', text: 'one item' },
      { kind: 'list-item', text: 'two items' },
      { kind: 'paragraph', text: 'It ended late' },
    ]);
    // Hard-wrapped prose stays one paragraph: its first line ends on a word that needs the next one.
    expect(plainTextBlocks('It was late.\n\nThe council met on Tuesday to discuss the\nBudget Office report and voted.')).toEqual([
      { kind: 'paragraph', text: 'It was late.' },
      { kind: 'paragraph', text: 'The council met on Tuesday to discuss the Budget Office report and voted.' },
    ]);
  });
});

describe('headlines', () => {
  it('removes the site suffix from a title', () => {
    expect(stripSiteSuffix('City approves free night buses | Metro Daily')).toBe('City approves free night buses');
    expect(stripSiteSuffix('Storm closes schools across Wales - BBC News')).toBe('Storm closes schools across Wales');
    expect(stripSiteSuffix('Rail fares rise again — The Herald')).toBe('Rail fares rise again');
    expect(stripSiteSuffix('Council tax vote | Politics | The Herald')).toBe('Council tax vote');
    // Too little would be left, or the tail is part of the title: kept whole.
    expect(stripSiteSuffix('Heat pumps - a guide')).toBe('Heat pumps - a guide');
    expect(stripSiteSuffix('Mayor says the plan - which cost millions - was worth every penny of it')).toBe(
      'Mayor says the plan - which cost millions - was worth every penny of it',
    );
    const html = parseArticleFile('bus.html', utf8(`<title>City approves free night buses | Metro Daily</title><p>${HEAT_BODY}</p>`));
    expect(digestOf(html).headline).toBe('City approves free night buses');
  });

  it('drops the dateline and the attribution, and cuts only at a clause boundary', () => {
    const text = [
      'LONDON (Reuters) - Rail workers will walk out for 48 hours next week after talks over pay broke down, the union said.',
      HEAT_BODY,
    ].join('\n\n');
    const { headline, sentences } = summarize({ text });
    expect(headline).toBe('Rail workers will walk out for 48 hours next week after talks over pay broke down');
    expect(sentences[0]).not.toContain('(Reuters)');
    const long = summarize({
      text: `WASHINGTON — The Senate passed a bill on Thursday that would extend unemployment benefits for another six months, ending weeks of tense negotiations between the two parties, officials said.\n\n${HEAT_BODY}`,
    }).headline;
    expect(long.length).toBeLessThanOrEqual(90);
    // The first clause without its trailing phrase ("for another six months"), not a cut between words.
    expect(long).toBe('The Senate passed a bill on Thursday that would extend unemployment benefits');
  });

  it('is never the same line as the first summary sentence: the summary then starts with the next best', () => {
    const text = [`Firefighters rescued a cat from a tree on Monday.`, HEAT_BODY].join(' ');
    const summary = summarize({ text });
    expect(summary.headline).toBe('Firefighters rescued a cat from a tree on Monday');
    expect(summary.sentences[0]).not.toMatch(/^Firefighters/);
    expect(summary.sentences.join(' ')).not.toContain('Firefighters rescued a cat');
  });

  /** The headline written from `lead`, with the heat-pump body after it. */
  const headlineOf = (lead: string, ...after: string[]): string => summarize({ text: [lead, ...after, HEAT_BODY].join('\n\n') }).headline;

  it('drops the phrase or subordinate clause a long lead opens with, and writes the main clause', () => {
    expect(
      headlineOf(
        'As the forty crew members of a research ship trapped in sea ice off Greenland prepared for another night on board, coastguards announced plans to fly in supplies.',
      ),
    ).toBe('Coastguards announced plans to fly in supplies');
    expect(
      headlineOf(
        'With its empty beaches and quiet little cafes in the depths of the winter season, the harbour town, where the ferry ran aground on Sunday, is a calm and windswept place.',
      ),
    ).toBe('The harbour town is a calm and windswept place');
    // An opening phrase that holds the main clause is no opening phrase: its trailing clause is never the headline.
    expect(
      headlineOf(
        'Under pressure from both parties the mayor agreed on Monday to delay the vote, a decision that angered residents who had waited months for the stadium plan.',
      ),
    ).not.toMatch(/^A decision/);
  });

  it('drops an attribution inside the lead with its speaker ("…, police said, but…")', () => {
    expect(
      headlineOf('A man admitted he set fire to two warehouses by the canal, police said, but denied he had meant to hurt anyone at all.'),
    ).toBe('A man admitted he set fire to two warehouses by the canal');
  });

  it('cuts past the first comma when the first clause gives nothing, and never ends on a word that qualifies the next', () => {
    expect(
      headlineOf(
        'Teachers, two union leaders and a retired head are speaking out against a plan that would close nine village schools across the county by the end of next year.',
      ),
    ).toBe('Teachers, two union leaders and a retired head are speaking out against a plan');
    expect(
      headlineOf(
        'You may not know it, but comedian Anna Berg actually made a bit of history even before she was named the new host of the late show on Monday.',
      ),
    ).not.toMatch(/\beven$/);
  });

  it('ends on a noun after a possessive even when the tagger calls it a verb ("his fiancée")', () => {
    expect(
      headlineOf(
        'A man went berserk and stabbed his fiancée because of the stress of trying to win a dream wedding contest at a local hotel.',
      ),
    ).toBe('A man went berserk and stabbed his fiancée');
  });

  it('drops an appositive or an age between the subject and its verb', () => {
    expect(headlineOf('Maria Lopez, the longest-serving librarian in the county, has retired after 41 years.')).toBe(
      'Maria Lopez has retired after 41 years',
    );
    expect(headlineOf('Daniel Kerr, 34, was charged on Monday with two counts of arson.')).toBe(
      'Daniel Kerr was charged on Monday with two counts of arson',
    );
  });

  it('cuts before a relative clause, keeps a predicative adjective and a participle before a new clause', () => {
    expect(
      headlineOf(
        'The state supreme court has struck down a law that let police search the phones of protesters without a warrant during marches and rallies.',
      ),
    ).toBe('The state supreme court has struck down a law');
    expect(
      headlineOf(
        'Local reporters are finding their work increasingly dangerous in the border provinces of the north and the east after a year of attacks.',
      ),
    ).toBe('Local reporters are finding their work increasingly dangerous');
    expect(
      headlineOf(
        'At least 12 people have died and more than 40 were hurt after a bridge under construction collapsed onto a busy road in the north of the country.',
      ),
    ).toBe('At least 12 people have died and more than 40 were hurt');
  });

  it('never ends on a clause that lost its verb, and keeps an aside that closes before the attribution', () => {
    const announced = headlineOf(
      'In a short statement late on Friday night, the ministry announced that a ban on imports of fresh fruit from neighbouring countries will be lifted.',
    );
    expect(announced).not.toMatch(/announced that a ban/);
    expect(announced.length).toBeLessThanOrEqual(90);
    expect(
      headlineOf(
        'The minister made a surprise visit to the flooded valley, where she met families who had lost their homes and farms in the storm, the agency reported.',
      ),
    ).toBe('The minister made a surprise visit to the flooded valley');
  });

  it('takes a later sentence as the headline only when it names its subject', () => {
    // The lead gives no headline (it has no verb); the second sentence leans on it, the third does not.
    const lead =
      'Chaos on the railways for the third time this month for the thousands of commuters from the northern suburbs on their way to offices in the city centre.';
    const headline = headlineOf(lead, 'That is how the operator described the worst morning of delays this year.');
    expect(headline).toBe('Sales rose 18 percent in the year to March');
  });

  it('cuts a title made of one overlong token inside it, with an ellipsis, within 90 characters', () => {
    const token = 'x'.repeat(300);
    const { headline } = summarize({ text: HEAT_BODY, title: token });
    expect(headline.length).toBeLessThanOrEqual(90);
    expect(headline.endsWith('…')).toBe(true);
    const untitled = summarize({ text: `${token} ${HEAT_BODY}` }).headline;
    expect(untitled.length).toBeLessThanOrEqual(90);
    expect(untitled).not.toContain('xxxxx');
  });
});

describe('honest compression', () => {
  it('gives an article under 120 words one sentence and no key points, under 40 % of its words', () => {
    const text = HEAT_BODY;
    expect(wordsOf(text)).toBeLessThan(120);
    const summary = summarize({ text });
    expect(summary.sentences).toHaveLength(1);
    expect(summary.keyPoints).toEqual([]);
    expect(wordsOf(summary.sentences.join(' '))).toBeLessThan(0.4 * wordsOf(text));
  });

  it('keeps summary and key points under 40 % of an article under 300 words and under 30 % above', () => {
    const paragraphs = [
      HEAT_BODY,
      'Prices for a typical installation fell by a fifth over the year as competition grew among the larger firms.',
      'Training colleges reported record enrolments on courses for heating engineers, with many students changing careers.',
      'Some households complained about noise from outdoor units, and councils received more planning queries than before.',
      'Energy suppliers launched tariffs that make electricity cheaper at night, when many heat pumps run hardest.',
      'Consumer groups warned that poor installations could leave homes cold and urged buyers to check for accreditation.',
      'Ministers will review the grant scheme in the autumn and could extend it to small businesses from next year.',
    ];
    for (const count of [3, 7]) {
      const text = Array.from({ length: count === 3 ? 1 : 3 }, () => paragraphs.slice(0, count).join('\n\n')).join('\n\n');
      const words = wordsOf(text);
      const summary = summarize({ text });
      const digest = wordsOf([...summary.sentences, ...summary.keyPoints].join(' '));
      expect(digest).toBeLessThan(words * (words < 300 ? 0.4 : 0.3));
    }
  });
});
