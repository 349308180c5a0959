import { describe, expect, it } from 'vitest';
import { FEATURES, learnedScore, rankFacts, type Vector } from '../../functions/core/summarize/rank.js';
import { LEARNED_TUNING, splitSentences, summarize } from '../../functions/core/summarize/index.js';

const STORY = [
  'The city council of Riverton voted on Tuesday to build a new flood barrier along the Grey River.',
  'The barrier will cost about $310 million and take six years to finish, according to the council.',
  'Opponents argued that the wall would cut the town off from its waterfront and its river walks.',
  'Flooding has closed the river road four times since 2019, and the barrier is meant to end that.',
  '“We cannot keep pumping out basements every spring,” said the mayor, Ana Ruiz.',
  'Work on the first section of the flood barrier is due to start next March, the council said.',
].join(' ');

/** A plain cosine over term → weight maps, to check the ranker's against. */
const cosine = (a: Vector, b: Vector): number => {
  if (a.norm === 0 || b.norm === 0) return 0;
  const weightsOf = (vector: Vector): Map<number, number> => new Map([...vector.terms].map((term, i) => [term, vector.weights[i]!]));
  const other = weightsOf(b);
  let dot = 0;
  for (const [term, weight] of weightsOf(a)) dot += weight * (other.get(term) ?? 0);
  return dot / (a.norm * b.norm);
};

describe('the learned scorer’s features', () => {
  it('computes forward and backward centrality in one pass, equal to the mean pairwise cosine', () => {
    const sentences = splitSentences(STORY);
    const facts = rankFacts(sentences);
    facts.forEach((fact, i) => {
      const later = facts.slice(i + 1).map((other) => cosine(fact.vector, other.vector));
      const earlier = facts.slice(0, i).map((other) => cosine(fact.vector, other.vector));
      const mean = (values: number[]): number => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);
      expect(fact.forward).toBeCloseTo(mean(later), 10);
      expect(fact.backward).toBeCloseTo(mean(earlier), 10);
    });
    expect(facts).toHaveLength(6);
    // A sentence about the barrier is closer to the lead than the mayor's quote is.
    expect(facts[1]!.lead).toBeGreaterThan(facts[4]!.lead);
  });

  it('names only features that exist, and refuses an unknown one', () => {
    expect(LEARNED_TUNING.scorer!.features.every((name) => name in FEATURES)).toBe(true);
    const [fact] = rankFacts(['One sentence here.']);
    expect(() => learnedScore({ features: ['nonsense'], weights: [1], bias: 0 }, fact!)).toThrow(/unknown feature: nonsense/);
  });

  it('gives a summary within the limits when switched on, keeping the lead', () => {
    const summary = summarize({ text: STORY, title: 'Riverton will build a flood barrier' }, LEARNED_TUNING);
    expect(summary.sentences[0]).toBe('The city council of Riverton voted on Tuesday to build a new flood barrier along the Grey River.');
    expect(summary.sentences.length).toBeGreaterThanOrEqual(1);
    expect(summary.sentences.join(' ').split(/\s+/).length).toBeLessThanOrEqual(80);
  });
});
