/**
 * The pure checks behind model-written digests: the faithfulness rule (numbers, names, quotes must be in
 * the evidence) and the judge that applies it, the limits and the zod schema to a tool input.
 */
import { describe, expect, it } from 'vitest';
import { judgeAnswer } from '../../functions/core/model-summary/answer.js';
import { unsupportedClaims } from '../../functions/core/model-summary/faithfulness.js';
import { costUsd, MODEL_PRICES } from '../../functions/core/model-summary/pricing.js';
import { buildModelRequest, estimateTokens, MAX_PROMPT_SENTENCES, numberArticle } from '../../functions/core/model-summary/prompt.js';

const EVIDENCE =
  'Sales of heat pumps rose 18 percent to 1,250,000 units in 2025, the U.S. Energy Department said. ' +
  '“We will not go back,” said Maria Lopez, who runs the NHS estates team in St Albans.';

describe('unsupportedClaims', () => {
  it.each([
    ['Heat pump sales rose 18 percent in 2025', 'same numbers'],
    ['Sales reached 1250000 units', 'thousands separators ignored'],
    ['Maria Lopez said “we will not go back”', 'quote with different case and punctuation'],
    ['The NHS team in St Albans switched', 'acronym and place'],
    ['U.S. officials reported the rise', 'dotted acronym'],
    ['Lopez’s team runs the estates', 'possessive'],
    ['Officials counted the units', 'a capital that only starts the sentence'],
  ])('accepts %j (%s)', (claim) => {
    expect(unsupportedClaims(claim, EVIDENCE)).toEqual([]);
  });

  it.each([
    ['Sales rose 19 percent in 2025', [{ kind: 'number', value: '19' }]],
    ['Sales rose by ten percent to 1.25 million', [{ kind: 'number', value: '1.25' }]],
    ['Maria Gonzalez runs the team', [{ kind: 'name', value: 'Gonzalez' }]],
    ['The team in Leeds switched', [{ kind: 'name', value: 'Leeds' }]],
    ['OECD figures show the rise', [{ kind: 'name', value: 'OECD' }]],
    ['The team has a new head: Gonzalez', [{ kind: 'name', value: 'Gonzalez' }]],
    ['She said “we will go back”', [{ kind: 'quote', value: 'we will go back' }]],
  ])('rejects %j', (claim, problems) => {
    expect(unsupportedClaims(claim, EVIDENCE)).toEqual(problems);
  });

  it('tells numbers apart exactly: 12 is not supported by 120', () => {
    expect(unsupportedClaims('It took 12 days', 'It took 120 days')).toEqual([{ kind: 'number', value: '12' }]);
  });
});

describe('judgeAnswer', () => {
  const sentences = [
    'The council voted 7 to 2 to fund night buses.',
    'The trial costs 1.2 million pounds.',
    'Mayor Helen Okafor backed the plan.',
    'Four routes will run every 30 minutes.',
    'Citylink expects 3,500 passengers a week.',
  ];
  const text = `${sentences.join(' ')} ${'Residents can comment on the stops until January. '.repeat(20)}`;
  const context = { numbered: numberArticle({ text }), articleText: text };
  const answer = {
    headline: 'Council funds night buses',
    summary: ['The council voted 7 to 2 to fund night buses.', 'The trial costs 1.2 million pounds.'],
    keyPoints: [
      { text: 'Four routes will run every 30 minutes.', sentences: [4] },
      { text: 'Citylink expects 3,500 passengers a week', sentences: [5] },
    ],
    keywords: ['Night Buses', 'council', 'council', 'hovercraft'],
  };

  it('accepts a faithful answer, dropping keywords the article never uses and repeats', () => {
    expect(judgeAnswer(answer, context)).toEqual({
      kind: 'accepted',
      summary: {
        headline: 'Council funds night buses',
        sentences: answer.summary,
        keyPoints: ['Four routes will run every 30 minutes', 'Citylink expects 3,500 passengers a week'],
        keywords: ['night buses', 'council'],
      },
      rejectedPoints: [],
    });
  });

  it('rejects a point citing a sentence that does not exist, then refuses with fewer than two points', () => {
    const verdict = judgeAnswer(
      { ...answer, keyPoints: [answer.keyPoints[0], { text: 'Citylink expects 3,500 passengers', sentences: [99] }] },
      context,
    );
    expect(verdict).toMatchObject({ kind: 'refused', reason: 'too-few-points', rejectedPoints: [{ why: 'bad-citation' }] });
  });

  it.each([
    [{ ...answer, headline: 'x'.repeat(91) }, 'limits'],
    [{ ...answer, summary: [answer.summary[0]] }, 'limits'],
    [{ ...answer, summary: [...answer.summary, 'The council met.', 'It rained.'] }, 'limits'],
    [{ ...answer, headline: 'Council funds 40 night buses' }, 'unsupported-summary'],
    [{ ...answer, keyPoints: 'none' }, 'malformed'],
    [{ ...answer, keyPoints: [{ text: 'A point', sentences: ['four'] }] }, 'malformed'],
    ['not an object', 'malformed'],
    [null, 'malformed'],
  ])('refuses %j as %s', (input, reason) => {
    expect(judgeAnswer(input, context)).toMatchObject({ kind: 'refused', reason });
  });
});

describe('the request and its cost', () => {
  it('caps the sentences sent, so one article bounds its tokens', () => {
    const long = numberArticle({ text: 'The council met again today. '.repeat(MAX_PROMPT_SENTENCES + 50) });
    expect(long.sentences).toHaveLength(MAX_PROMPT_SENTENCES);
    const request = buildModelRequest({}, long);
    expect(request.prompt.split('\n').at(-1)).toMatch(new RegExp(`^\\[${MAX_PROMPT_SENTENCES}\\] `));
    expect(estimateTokens(request)).toBeGreaterThan(request.maxOutputTokens);
  });

  it('prices the models it names and leaves unknown ones unpriced', () => {
    expect(costUsd('amazon.nova-micro-v1:0', { inputTokens: 1_000_000, outputTokens: 1_000_000 })).toBeCloseTo(0.175, 9);
    expect(costUsd('example.unknown-v1:0', { inputTokens: 1, outputTokens: 1 })).toBeUndefined();
    expect(Object.keys(MODEL_PRICES)).toContain('anthropic.claude-3-haiku-20240307-v1:0');
  });
});
