import { describe, expect, it } from 'vitest';
import { explainSentences, explanationOf } from '../../../src/core/answer/explain.js';
import { evidenceGate } from '../../../src/core/answer/gate.js';
import { WEIGHTS, weightsFor } from '../../../src/core/answer/score.js';
import { analyzeQuestion } from '../../../src/core/question/analyze.js';
import {
  candidateOf,
  collectionOf,
  hitOf,
  indexedArticle,
  retrievedOf,
  scoredAs,
  startOf,
  termStatistics,
} from '../../support/answer-fixtures.js';

// The explanation alone: what an operator reads about hand-scored sentences and the quotes chosen from them.

const question = analyzeQuestion('Why did the ferry crews strike in Oslo?');
const oslo = indexedArticle('oslo', [
  'Ferry crews in Oslo went on strike. He said pay had not risen.',
  'The committee met on Tuesday.',
]);
const hit = hitOf(oslo, 1, 2, { lexical: 7.5 });
const sentence = (text: string, score: number) => ({
  ...scoredAs(candidateOf(oslo, text, question, hit), score),
  signals: { ...WEIGHTS, sentence: 0.123456, lead: 1, passageMeaning: 0.3 },
});

describe('explainSentences', () => {
  const ranked = [
    sentence('Ferry crews in Oslo went on strike.', 0.812345),
    sentence('He said pay had not risen.', 0.5),
    sentence('The committee met on Tuesday.', 0.3),
  ];
  const gate = evidenceGate(question, retrievedOf([hit]), collectionOf({ terms: termStatistics(5000, {}, 40) }), 4);
  // The first two sentences, joined into one quote.
  const start = startOf(oslo, 'Ferry crews');
  const quote = {
    article: oslo,
    start,
    end: startOf(oslo, 'He said') + 'He said pay had not risen.'.length,
    score: 0.8,
  };

  it('lists the best sentences with their paragraph, rounded score and signals, and whether a quote holds them', () => {
    const listed = explainSentences(ranked, 2, WEIGHTS, gate, [quote]);
    expect(listed.map((s) => [s.text, s.paragraph, s.score, s.quoted])).toEqual([
      ['Ferry crews in Oslo went on strike.', 1, 0.8123, true],
      ['He said pay had not risen.', 1, 0.5, true],
    ]);
    expect(listed[0]!.signals).toMatchObject({ sentence: 0.1235, lead: 1, passageMeaning: 0.3 });
    // Every word of the question is in the first: its surprise is infinite, shown as null.
    expect(listed[0]).toMatchObject({ surprise: null, meaning: null, evidence: 'rare words' });
    expect(explainSentences(ranked, 3, WEIGHTS, gate, [])[2]).toMatchObject({ paragraph: 2, quoted: false });
  });

  it('leaves out the signals that do not count in this mode', () => {
    const [first] = explainSentences(ranked, 1, weightsFor(retrievedOf([hit])), gate, []);
    expect(first!.signals).not.toHaveProperty('passageMeaning');
    expect(first!.signals).toHaveProperty('lead', 1);
  });
});

describe('explanationOf', () => {
  it('gives the question as read and the passages retrieved, with their paragraphs and scores', () => {
    const explanation = explanationOf(question, retrievedOf([hit]), [], { kind: 'no-sentences' });
    expect(explanation.question).toEqual({
      searched: 'Why did the ferry crews strike in Oslo?',
      terms: ['ferri', 'crew', 'strike', 'oslo'],
      answerType: null,
      asksAbout: null,
    });
    expect(explanation.passages).toEqual([
      { file: 'oslo.txt', title: 'oslo', paragraphs: [1, 2], lexical: 7.5, dense: null },
    ]);
    expect(explanation.decision).toEqual({ kind: 'no-sentences' });
  });
});
