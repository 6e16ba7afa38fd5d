import { describe, expect, it } from 'vitest';
import type { Collection } from '../../../src/core/answer/collection.js';
import { evidenceGate, verdictOf } from '../../../src/core/answer/gate.js';
import type { Scored } from '../../../src/core/answer/score.js';
import { analyzeQuestion, type AnalyzedQuestion } from '../../../src/core/question/analyze.js';
import type { Retrieved } from '../../../src/core/retrieval/retrieve.js';
import type { ArticleMeta } from '../../../src/core/types.js';
import {
  candidateOf,
  collectionOf,
  hitOf,
  indexedArticle,
  metadataStatistics,
  retrievedOf,
  scoredAs,
  sentenceVectorsOf,
  termStatistics,
  unit,
} from '../../support/answer-fixtures.js';

// The evidence gate and the verdict alone: scores are set by hand, so that only evidence and the threshold decide.

const MIN_SCORE = 0.2;
const MARGIN = 4;

let articles = 0;

/**
 * One sentence, the only one of its article and passage, as a candidate for `question` scored `score`; its article's
 * title names nothing unless `meta` says.
 */
function sentence(question: AnalyzedQuestion, text: string, score: number, meta: Partial<ArticleMeta> = {}): Scored {
  const article = indexedArticle(`a${++articles}`, [text], meta);
  return scoredAs(candidateOf(article, text, question, hitOf(article, 1)), score);
}

function verdict(
  question: AnalyzedQuestion,
  ranked: Scored[],
  collection = collectionOf(),
  retrieved = retrievedOf([]),
) {
  return verdictOf(ranked, evidenceGate(question, retrieved, collection, MARGIN), question, MIN_SCORE);
}

describe('verdictOf', () => {
  it('finds nothing when the best sentence scores below MIN_SCORE, whatever its evidence', () => {
    const question = analyzeQuestion('Why did the ferry crews strike?');
    // Every word of the question is there: the best evidence there is.
    const ranked = [sentence(question, 'Ferry crews went on strike.', 0.15)];
    expect(verdict(question, ranked)).toEqual({
      found: false,
      decision: { kind: 'below-threshold', best: 0.15, threshold: MIN_SCORE },
    });
    const scoredHigher = [sentence(question, 'Ferry crews went on strike.', 0.25)];
    expect(verdict(question, scoredHigher)).toMatchObject({ found: true, first: 0 });
  });

  it('finds nothing when the words found could meet by chance and name no article, and says how many scored enough', () => {
    const question = analyzeQuestion('What did the committee say about the weather in Oslo?');
    const ranked = [
      sentence(question, 'The committee met in Oslo.', 0.6),
      sentence(question, 'Oslo had a committee once.', 0.4),
      sentence(question, 'The weather was mild.', 0.1),
    ];
    // Of 5,000 passages, 40 hold "committee" and 30 "Oslo": some passage holds both by chance.
    const common = collectionOf({ terms: termStatistics(5000, { committee: 40, oslo: 30 }) });
    expect(verdict(question, ranked, common)).toEqual({
      found: false,
      decision: { kind: 'no-evidence', threshold: MIN_SCORE, aboveThreshold: 2 },
    });
    // Where 2 passages hold "committee" and 1 "Oslo", meeting in one is no chance.
    const rare = collectionOf({ terms: termStatistics(5000, { committee: 2, oslo: 1 }) });
    expect(verdict(question, ranked, rare)).toEqual({ found: true, first: 0, best: ranked[0] });
  });

  it('answers with the best sentence that has evidence: `first` is its place, `best` the sentence', () => {
    const question = analyzeQuestion('What did the committee say about the weather in Oslo?');
    const collection = collectionOf({ terms: termStatistics(5000, { committee: 40, oslo: 1, weather: 1 }) });
    const ranked = [
      // Scored higher, but "committee" alone could be anywhere.
      sentence(question, 'The committee met on Tuesday.', 0.7),
      sentence(question, 'The weather in Oslo was mild.', 0.5),
      sentence(question, 'Oslo weather is cold.', 0.45),
    ];
    const found = verdict(question, ranked, collection);
    expect(found).toEqual({ found: true, first: 1, best: ranked[1] });
  });

  it('does not look past MIN_SCORE for a sentence with evidence', () => {
    const question = analyzeQuestion('What did the committee say about the weather in Oslo?');
    const collection = collectionOf({ terms: termStatistics(5000, { committee: 40, oslo: 1, weather: 1 }) });
    const ranked = [
      sentence(question, 'The committee met on Tuesday.', 0.7),
      sentence(question, 'The weather in Oslo was mild.', 0.1),
    ];
    expect(verdict(question, ranked, collection)).toEqual({
      found: false,
      decision: { kind: 'no-evidence', threshold: MIN_SCORE, aboveThreshold: 1 },
    });
  });

  it('answers a "how many" question only with a sentence that gives a count', () => {
    const question = analyzeQuestion('How many ferries cross the bay?');
    const countless = sentence(question, 'The ferries cross the bay from the old pier.', 0.6);
    // Every word of the question is there, but no number.
    expect(verdict(question, [countless])).toEqual({
      found: false,
      decision: { kind: 'no-count', threshold: MIN_SCORE },
    });
    const counted = sentence(question, 'Eleven ferries cross the bay each day.', 0.5);
    expect(verdict(question, [countless, counted])).toEqual({ found: true, first: 1, best: counted });
    // Asked for something else, the sentence without a number answers.
    const which = analyzeQuestion('Which ferries cross the bay?');
    expect(verdict(which, [sentence(which, 'The ferries cross the bay from the old pier.', 0.6)])).toMatchObject({
      found: true,
    });
  });
});

describe('evidenceGate', () => {
  it('takes words that could be there by chance as no evidence, every word of the question as the best', () => {
    const question = analyzeQuestion('What did the committee say about the weather in Oslo?');
    const collection = collectionOf({ terms: termStatistics(5000, { committee: 40, oslo: 30 }) });
    const gate = evidenceGate(question, retrievedOf([]), collection, MARGIN);
    const chance = sentence(question, 'The committee met in Oslo.', 0.6);
    // -ln of the passages expected to hold both: 5000 × 40/5000 × 30/5000.
    expect(gate.surprise(chance)).toBeCloseTo(-Math.log((40 * 30) / 5000), 6);
    expect(gate.evidence(chance)).toBeNull();
    expect(gate.counts(chance)).toBe(false);
    const whole = sentence(question, 'The committee discussed the weather in Oslo.', 0.6);
    expect(gate.surprise(whole)).toBe(Infinity);
    expect(gate.evidence(whole)).toBe('rare words');
    expect(gate.counts(whole)).toBe(true);
  });

  it('takes a word that names the article (its title, author, source or date, in few articles) as evidence', () => {
    const question = analyzeQuestion('What year was Elvis born?');
    const singer = sentence(question, 'Elvis was a singer from Tupelo.', 0.5, { title: 'Elvis Presley' });
    // One word of three, which chance could explain; but only one article's title holds it.
    const fewTitles = collectionOf({ metadata: metadataStatistics(100, { elvis: 1 }) });
    expect(evidenceGate(question, retrievedOf([]), fewTitles, MARGIN).evidence(singer)).toBe('names its article');
    // Held by the metadata of more than 8 articles, it names none of them.
    const manyTitles = collectionOf({ metadata: metadataStatistics(100, { elvis: 9 }) });
    expect(evidenceGate(question, retrievedOf([]), manyTitles, MARGIN).evidence(singer)).toBeNull();
    // In the sentence but not the title, it names nothing.
    const untitled = sentence(question, 'Elvis was a singer from Tupelo.', 0.5, { title: 'Music of Mississippi' });
    expect(evidenceGate(question, retrievedOf([]), fewTitles, MARGIN).evidence(untitled)).toBeNull();
  });

  describe('meaning, with the model', () => {
    const question = analyzeQuestion('What did the committee say about the weather in Oslo?');
    const chance = sentence(question, 'The committee met in Oslo.', 0.6);
    // The question's cosines to a sample of sentences spread from 0 to 0.4 (mean 0.2, SD 0.141); to this one, 0.9.
    const withVectors = (sample: Float32Array[]): Collection =>
      collectionOf({
        terms: termStatistics(5000, { committee: 40, oslo: 30 }),
        sentenceSample: sample,
        sentenceVectors: sentenceVectorsOf([
          { article: chance.article, sentence: 'The committee met in Oslo.', vector: unit(0.9) },
        ]),
      });
    const sample = [0, 0.1, 0.2, 0.3, 0.4].map(unit);
    const hybrid: Retrieved = retrievedOf([], { mode: 'hybrid', queryVector: unit(1) });

    it('counts a sentence whose cosine stands meaningMargin SDs above the sample, not less', () => {
      const gate = evidenceGate(question, hybrid, withVectors(sample), 4.9);
      expect(gate.meaning(chance)).toBeCloseTo((0.9 - 0.2) / Math.sqrt(0.02), 4);
      expect(gate.evidence(chance)).toBe('meaning');
      expect(evidenceGate(question, hybrid, withVectors(sample), 5).evidence(chance)).toBeNull();
    });

    it("has no meaning without the question's vector, a sample of sentences or the sentence's vector", () => {
      const lexical = evidenceGate(question, retrievedOf([]), withVectors(sample), 0);
      expect(lexical.meaning(chance)).toBeNull();
      expect(lexical.evidence(chance)).toBeNull();
      // A sample of one has no spread to judge a cosine by.
      expect(evidenceGate(question, hybrid, withVectors(sample.slice(0, 1)), 0).meaning(chance)).toBeNull();
      const other = sentence(question, 'Oslo has a committee for it.', 0.6);
      const gate = evidenceGate(question, hybrid, withVectors(sample), 0);
      expect(gate.meaning(other)).toBeNull();
      expect(gate.evidence(other)).toBeNull();
    });
  });
});
