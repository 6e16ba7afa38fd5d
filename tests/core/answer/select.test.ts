import { describe, expect, it } from 'vitest';
import type { EvidenceGate } from '../../../src/core/answer/gate.js';
import type { Scored } from '../../../src/core/answer/score.js';
import { floorOf, selectQuotes, type Quote } from '../../../src/core/answer/select.js';
import { analyzeQuestion } from '../../../src/core/question/analyze.js';
import type { IndexedArticle } from '../../../src/core/types.js';
import { candidateOf, indexedArticle, scoredAs, textOf } from '../../support/answer-fixtures.js';

// Selection alone: sentences are scored by hand and the gate is a stub, so that only the selection rules decide.

const MIN_SCORE = 0.2;
// The selection reads neither the question nor its terms: any question builds the candidates.
const question = analyzeQuestion('Why did the ferry crews strike?');

const scored = (article: IndexedArticle, sentence: string, score: number): Scored =>
  scoredAs(candidateOf(article, sentence, question), score);

/** A gate under which only these sentences have evidence of their own. */
const evidenceFor = (...withEvidence: Scored[]): Pick<EvidenceGate, 'counts'> => ({
  counts: (c) => withEvidence.some((e) => e.article.id === c.article.id && e.start === c.start),
});

/** The quotes of `ranked` (best first) when the verdict found its first sentence, each with evidence. */
function select(ranked: Scored[], options: { maxQuotes?: number } = {}): Quote[] {
  return selectQuotes(ranked, { first: 0, best: ranked[0]! }, evidenceFor(...ranked), {
    minScore: MIN_SCORE,
    ...options,
  });
}

const quoted = (quotes: Quote[]): string[] => quotes.map(textOf);

describe('selectQuotes', () => {
  const five = [
    'Ferry crews in Oslo went on strike.',
    'Bergen dock workers joined them on Tuesday.',
    'Harbour pilots stayed at their posts.',
    'The port authority offered a new contract.',
    'Commuters waited hours for buses instead.',
  ].map((text, i) => scored(indexedArticle(`a${i}`, [text]), text, 0.9 - i * 0.01));

  it('quotes at most maxQuotes sentences, 3 unless told, best first', () => {
    expect(quoted(select(five))).toEqual(five.slice(0, 3).map(textOf));
    expect(quoted(select(five, { maxQuotes: 2 }))).toEqual(five.slice(0, 2).map(textOf));
    expect(quoted(select(five, { maxQuotes: 5 }))).toEqual(five.map(textOf));
  });

  it("skips a further sentence below the relative floor, unless it opens the best one's article", () => {
    const oslo = indexedArticle('oslo', ['Oslo ferries are run by the city.', 'Ferry crews in Oslo struck on Monday.']);
    const bergen = indexedArticle('bergen', ['Bergen crews stayed at work.']);
    const best = scored(oslo, 'Ferry crews in Oslo struck on Monday.', 0.8);
    // The floor is 85% of the best score, and never below MIN_SCORE.
    expect(floorOf(best, MIN_SCORE)).toBeCloseTo(0.68, 10);
    expect(floorOf(scored(oslo, 'Oslo ferries are run by the city.', 0.1), MIN_SCORE)).toBe(MIN_SCORE);
    const ranked = [
      best,
      // Below the floor, and though it opens its article, not the best one's.
      scored(bergen, 'Bergen crews stayed at work.', 0.6),
      // Below the floor, but the opening of the best one's article.
      scored(oslo, 'Oslo ferries are run by the city.', 0.5),
    ];
    expect(ranked.map((c) => c.position)).toEqual([1, 0, 0]);
    expect(quoted(select(ranked))).toEqual([
      'Ferry crews in Oslo struck on Monday.',
      'Oslo ferries are run by the city.',
    ]);
    // Below MIN_SCORE, even that opening is left out.
    const belowMin = [best, scored(oslo, 'Oslo ferries are run by the city.', 0.15)];
    expect(quoted(select(belowMin))).toEqual(['Ferry crews in Oslo struck on Monday.']);
  });

  it('skips a further sentence without evidence of its own, and any before the one the verdict found', () => {
    const [unfounded, best, bare, backed] = five;
    const gate = evidenceFor(best!, backed!);
    const quotes = selectQuotes([unfounded!, best!, bare!, backed!], { first: 1, best: best! }, gate, {
      minScore: MIN_SCORE,
    });
    expect(quoted(quotes)).toEqual([textOf(best!), textOf(backed!)]);
    // The best sentence is the verdict's: it is quoted without asking the gate again.
    const noEvidence = selectQuotes([best!, bare!], { first: 0, best: best! }, evidenceFor(), { minScore: MIN_SCORE });
    expect(quoted(noEvidence)).toEqual([textOf(best!)]);
  });

  it('widens a sentence that starts "He said" to the one before, joining it to that quote if chosen', () => {
    const ma = indexedArticle('ma', [
      'Jack Ma founded Alibaba in Hangzhou. He said the company would work with Apple on payments.',
    ]);
    const said = scored(ma, 'He said the company would work with Apple on payments.', 0.9);
    const whole = 'Jack Ma founded Alibaba in Hangzhou. He said the company would work with Apple on payments.';
    expect(quoted(select([said]))).toEqual([whole]);
    // Chosen first, the sentence that names him and the one that leans on it become one quote, in its place and
    // with its score; the join leaves room for another quote.
    const named = scored(ma, 'Jack Ma founded Alibaba in Hangzhou.', 0.9);
    const other = five[1]!;
    const quotes = select([named, { ...said, score: 0.88 }, { ...other, score: 0.87 }], { maxQuotes: 2 });
    expect(quotes.map((q) => [textOf(q), q.score])).toEqual([
      [whole, 0.9],
      [textOf(other), 0.87],
    ]);
  });

  it('joins two quotes that a sentence between them bridges into one', () => {
    const strike = indexedArticle('strike', [
      'Ferry crews struck on Monday. But why did they strike? Pay had not risen in years.',
    ]);
    const ranked = [
      scored(strike, 'Ferry crews struck on Monday.', 0.9),
      scored(strike, 'Pay had not risen in years.', 0.88),
      // Leans on the sentence before, and asks what the one after answers.
      scored(strike, 'But why did they strike?', 0.86),
    ];
    const quotes = select(ranked);
    expect(quoted(quotes)).toEqual([strike.text]);
    expect(quotes[0]!.score).toBe(0.9);
  });

  it('quotes once a sentence that two articles carry nearly word for word, twice if their numbers differ', () => {
    const wire = indexedArticle('wire', ['Ferry crews walked out on Tuesday over pay.']);
    const edited = indexedArticle('edited', ['Ferry crews walked out Tuesday over pay.']);
    const once = select([
      scored(wire, 'Ferry crews walked out on Tuesday over pay.', 0.9),
      scored(edited, 'Ferry crews walked out Tuesday over pay.', 0.89),
    ]);
    expect(once.map((q) => q.article.id)).toEqual(['wire']);
    const threePercent = indexedArticle('three', ['Ferry fares rose 3 percent in May.']);
    const fivePercent = indexedArticle('five', ['Ferry fares rose 5 percent in May.']);
    const twice = select([
      scored(threePercent, 'Ferry fares rose 3 percent in May.', 0.9),
      scored(fivePercent, 'Ferry fares rose 5 percent in May.', 0.89),
    ]);
    expect(twice.map((q) => q.article.id)).toEqual(['three', 'five']);
  });
});
