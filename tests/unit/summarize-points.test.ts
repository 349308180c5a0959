import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { summarize } from '../../functions/core/summarize/index.js';
import { cutsSeries, pointQuality, stripCaptionLabel } from '../../functions/core/summarize/points.js';
import { tagSentences } from '../../functions/core/summarize/tagger.js';

const SEED = readFileSync(new URL('../../seeds/000_89c895b2b4859281.txt', import.meta.url), 'utf8');

/** Made up: several long sentences open with a subordinate clause or a pronoun. */
const STORY = [
  'The city council of Riverton voted on Tuesday to build a new flood barrier along the Grey River, ending a decade of debate over how to protect the old town.',
  'He said the barrier, a wall of concrete and steel, would cost about $310 million over six years of building work.',
  'As the river has risen faster in the last five years than at any time since records began in 1890, insurers have raised premiums for every street in the old town.',
  'Opponents argued that the wall would cut the town off from its waterfront and hurt the tourism that keeps many shops open.',
  'With both the council and the regional water authority seeking to finish the work before the next winter floods arrive in the valley, the mayor asked engineers to start surveying the riverbank in January.',
  'A group of residents will ask a court to review the decision, claiming the public consultation was too short.',
  'While some shop owners in the old town welcomed the certainty that the decision brings after years of argument, others feared years of noise, dust and closed roads.',
  'The national government has promised to pay half of the cost if the environment agency approves the barrier before the end of the year.',
  'Work on the first section, near the railway bridge, could begin next spring.',
  'The council will publish the full design in March and hold three public meetings before construction starts.',
].join(' ');

const wordsOf = (text: string): number => text.split(/\s+/).filter((token) => /[\p{L}\p{N}]/u.test(token)).length;
const DANGLING_END = /(?:[,;:–—-]|\b(?:and|or|but|of|the|a|an|to|with|that|which|who))$/iu;

describe('pointQuality', () => {
  it('rejects a cut that is only an opening subordinate clause or phrase', () => {
    expect(
      pointQuality('With both nations seeking to deepen cooperation across multilateral platforms like the UN, SCO, and BRICS', false),
    ).toBe('unusable');
    expect(pointQuality('As he was reading or replying to a message on his phone', false)).toBe('unusable');
    expect(pointQuality('In an age where it is becoming increasingly difficult to unplug', false)).toBe('unusable');
  });

  it('accepts a cut whose opening phrase is followed by the main clause', () => {
    expect(pointQuality('During both discussions, President Xi emphasized the steady development of China-Russia relations', false)).toBe(
      'good',
    );
  });

  it('rejects a name with an aside, a cut inside a relative clause, and a caption without a verb', () => {
    expect(pointQuality('Mata, according to the complaint', false)).toBe('unusable');
    expect(pointQuality('Head coach Tony Pulis believes that Fletcher, who has agreed a three-year contract', false)).toBe('unusable');
    expect(pointQuality('David Cameron with Samantha in Lanzarote yesterday', true)).toBe('unusable');
    expect(pointQuality('attorney Bradley Edwards filed the lawsuit in a Florida court', true)).toBe('unusable');
  });

  it('rejects a cut that opened a relative or time clause and lost its verb, and reads "At least" as a quantity', () => {
    expect(pointQuality('The interviews provoked more debate on television on Monday when, on the breakfast show', false)).toBe('unusable');
    expect(pointQuality('The woman who found the wallet handed it to the police', false)).toBe('good');
    expect(pointQuality('At least 12 people have died and more than 40 were hurt', false)).toBe('good');
  });

  it('rejects a subject with only a participle or a relative clause after it, not one with its verb after an aside', () => {
    expect(pointQuality('The letter, published in 2004', false)).toBe('unusable');
    expect(pointQuality('Anna Berg, a painter who studied in Leipzig', false)).toBe('unusable');
    expect(pointQuality('The software, dubbed the Monster Maker, produced the voice of a giant for the film', false)).toBe('good');
    expect(pointQuality('Tom Reed, a farmer, said the river had never risen so fast', false)).toBe('good');
  });

  it('marks a point that leans on the sentence before as weak', () => {
    expect(pointQuality('He affirmed China’s commitment to defending the post-war international order', true)).toBe('weak');
    expect(pointQuality('But the Lebanese government puts the total at more than 1 million', true)).toBe('weak');
    expect(pointQuality('Authorities arrested Mata on Tuesday in Miami Gardens, Florida', true)).toBe('good');
  });

  it('marks a point that points back with these, those or such as leaning, but not "this year"', () => {
    expect(pointQuality('President Putin echoed these sentiments', true)).toBe('leaning');
    expect(pointQuality('Officials said such attacks had become rarer', true)).toBe('leaning');
    expect(pointQuality('Sales of heat pumps rose by a fifth this year', true)).toBe('good');
  });
});

describe('stripCaptionLabel', () => {
  it('drops a short caption label and keeps reported speech', () => {
    expect(stripCaptionLabel('Campaign: Magic Johnson has dedicated his life to raising awareness')).toBe(
      'Magic Johnson has dedicated his life to raising awareness',
    );
    expect(stripCaptionLabel("'Scared': Johnson announces he has HIV")).toBe('Johnson announces he has HIV');
    expect(stripCaptionLabel('Mr Peaker said: I could not believe it')).toBe('Mr Peaker said: I could not believe it');
  });
});

describe('key points', () => {
  for (const [name, text] of [
    ['the seed article', SEED],
    ['a story full of subordinate openings', STORY],
  ] as const) {
    it(`are short self-contained statements that do not repeat the summary (${name})`, () => {
      const summary = summarize({ text });
      // The seed (328 words) has room for three points within 30 %; a shorter story may have none.
      if (text === SEED) expect(summary.keyPoints.length).toBeGreaterThanOrEqual(3);
      expect(summary.keyPoints.length === 0 || summary.keyPoints.length >= 3).toBe(true);
      expect(summary.keyPoints.length).toBeLessThanOrEqual(5);
      const summaryText = summary.sentences.join(' ');
      for (const point of summary.keyPoints) {
        expect(wordsOf(point)).toBeLessThanOrEqual(25);
        expect(point).not.toMatch(DANGLING_END);
        expect(point).not.toMatch(/^(?:With|As|While|When|Although|Because|Since|If)\b[^,]*$/);
        expect(summaryText).not.toContain(point);
        expect(pointQuality(point, text.includes(`${point}.`))).not.toBe('unusable');
      }
    });
  }

  it('never use the seed’s subordinate fragment, and rank pronoun-led points below the rest', () => {
    const { keyPoints } = summarize({ text: SEED });
    expect(keyPoints.some((point) => point.startsWith('With both nations'))).toBe(false);
    // The seed has enough points that stand alone, so none opens with "He".
    expect(keyPoints.filter((point) => /^He\b/.test(point))).toEqual([]);
  });

  it('never stop at a colon that announces what the point would leave out', () => {
    const quoted =
      'Wang Yi, the Chinese foreign minister, told reporters in Moscow on Friday night: "The visit has opened a new chapter of strategic cooperation between our two countries."';
    const text = `${SEED}\n\n${quoted}`;
    const { keyPoints } = summarize({ text });
    expect(keyPoints.length).toBeGreaterThanOrEqual(3);
    expect(keyPoints.filter((point) => point.startsWith('Wang Yi'))).toEqual([]);
  });

  it('keep the main clause of a long sentence rather than its opening clause', () => {
    const { keyPoints } = summarize({ text: STORY });
    expect(keyPoints.some((point) => point.startsWith('With both the council'))).toBe(false);
    expect(keyPoints.some((point) => point.startsWith('As the river'))).toBe(false);
  });
});

describe('cutsSeries', () => {
  const tags = (text: string) => tagSentences([text])[0]!;
  it('sees a cut that keeps one verb or adjective of a series', () => {
    expect(cutsSeries(tags('Each memory board is cleaned'), tags('dried in an oven and read out slowly'))).toBe(true);
    expect(cutsSeries(tags('The new trains are quiet'), tags('cheap and fast'))).toBe(true);
  });
  it('lets a cut before an attribution, an -ing clause or a new clause stand', () => {
    expect(cutsSeries(tags('The president visited the factory'), tags('officials said'))).toBe(false);
    expect(cutsSeries(tags('He said the plan failed'), tags('raising questions about the budget'))).toBe(false);
    expect(cutsSeries(tags('Xi noted that the world faces turbulence'), tags('and called on China to act'))).toBe(false);
  });
});
