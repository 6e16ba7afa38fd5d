import { describe, expect, it } from 'vitest';
import { WEIGHTS, scoreCandidates, weightsFor } from '../../../src/core/answer/score.js';
import { analyzeQuestion } from '../../../src/core/question/analyze.js';
import type { IndexedArticle } from '../../../src/core/types.js';
import {
  candidateOf,
  collectionOf,
  hitOf,
  indexedArticle,
  metadataStatistics,
  retrievedOf,
  termStatistics,
  textOf,
  unit,
} from '../../support/answer-fixtures.js';

// The scoring stage alone: hand-built candidates, each in an article of its own unless a test needs otherwise, so
// that only the signal under test tells them apart.

/** The articles' one-sentence passages, retrieved in this order with the same BM25, as candidates. */
function scoreOneEach(
  question: string,
  articles: IndexedArticle[],
  collection = collectionOf(),
  weights = WEIGHTS,
  lexical: number[] = articles.map(() => 5),
) {
  const q = analyzeQuestion(question);
  const hits = articles.map((a, i) => hitOf(a, 1, 1, { lexical: lexical[i] }));
  const candidates = hits.map((h) => candidateOf(h.article, h.passage.text, q, h));
  return scoreCandidates(candidates, q, retrievedOf(hits), collection, weights);
}

describe('scoreCandidates', () => {
  it("ranks higher the sentence that holds the question's rarer word", () => {
    const traffic = indexedArticle('traffic', ['Harbor traffic was heavy.']);
    const walkout = indexedArticle('walkout', ['The strike was brief.']);
    const question = 'Did the harbor strike last?';
    // Each holds one of the question's words: the one fewer passages hold counts more.
    const rareStrike = collectionOf({ terms: termStatistics(5000, { harbor: 400, strike: 2 }) });
    const ranked = scoreOneEach(question, [traffic, walkout], rareStrike);
    expect(ranked.map((c) => c.article.id)).toEqual(['walkout', 'traffic']);
    expect(ranked[0]!.signals.sentence).toBeGreaterThan(ranked[1]!.signals.sentence);
    // The same sentences in a collection where "harbor" is the rare word.
    const rareHarbor = collectionOf({ terms: termStatistics(5000, { harbor: 2, strike: 400 }) });
    expect(scoreOneEach(question, [traffic, walkout], rareHarbor).map((c) => c.article.id)).toEqual([
      'traffic',
      'walkout',
    ]);
  });

  it("favours an article's first sentence over its second (lead)", () => {
    const article = indexedArticle('walkout', ['The ferry crews went on strike. Ferry crews were on strike all week.']);
    const question = analyzeQuestion('Why did the ferry crews strike?');
    const hit = hitOf(article, 1);
    const candidates = hit.passage.sentences.map((s) => candidateOf(article, textOf({ article, ...s }), question, hit));
    const retrieved = retrievedOf([hit]);
    const ranked = scoreCandidates(candidates, question, retrieved, collectionOf(), WEIGHTS);
    expect(ranked.map((c) => c.signals.lead)).toEqual([1, 0.5]);
    expect(ranked[0]!.score).toBeGreaterThan(ranked[1]!.score);
    // The two hold the same words in the same passage: without the lead they tie.
    const leadless = scoreCandidates(candidates, question, retrieved, collectionOf(), { ...WEIGHTS, lead: 0 });
    expect(leadless[0]!.score).toBe(leadless[1]!.score);
  });

  it('favours for a "when" question the sentence that holds a date (type)', () => {
    const undated = indexedArticle('undated', ['The ferry crews went on strike over pay.']);
    const dated = indexedArticle('dated', ['The ferry crews went on strike on 3 May 2019.']);
    const ranked = scoreOneEach('When did the ferry crews strike?', [undated, dated]);
    expect(ranked.map((c) => [c.article.id, c.signals.type])).toEqual([
      ['dated', 1],
      ['undated', 0],
    ]);
    expect(ranked[0]!.score).toBeGreaterThan(ranked[1]!.score);
  });

  it('keeps retrieval order between sentences that score the same', () => {
    const undated = indexedArticle('undated', ['The ferry crews went on strike over pay.']);
    const dated = indexedArticle('dated', ['The ferry crews went on strike on 3 May 2019.']);
    // A "why" question asks for no date: the two score the same, whichever was retrieved first stays first.
    const question = 'Why did the ferry crews strike?';
    const ranked = scoreOneEach(question, [undated, dated]);
    expect(ranked[0]!.score).toBe(ranked[1]!.score);
    expect(ranked.map((c) => c.article.id)).toEqual(['undated', 'dated']);
    expect(scoreOneEach(question, [dated, undated]).map((c) => c.article.id)).toEqual(['dated', 'undated']);
  });

  it("ranks best first, whatever the candidates' order", () => {
    const weak = indexedArticle('weak', ['Ferry tickets were sold out.']);
    const strong = indexedArticle('strong', ['Ferry crews went on strike.']);
    const ranked = scoreOneEach('Why did the ferry crews strike?', [weak, strong]);
    expect(ranked.map((c) => c.article.id)).toEqual(['strong', 'weak']);
    expect(ranked[0]!.score).toBeGreaterThan(ranked[1]!.score);
  });

  it("weighs a passage's BM25 against the best passage's (passage)", () => {
    const first = indexedArticle('first', ['Ferry crews went on strike.']);
    const second = indexedArticle('second', ['Ferry crews went on strike.']);
    const ranked = scoreOneEach('Why did the ferry crews strike?', [first, second], collectionOf(), WEIGHTS, [4, 8]);
    expect(ranked.map((c) => [c.article.id, c.signals.passage])).toEqual([
      ['second', 1],
      ['first', 0.5],
    ]);
  });

  it("favours the article whose title names the question's words (subject)", () => {
    const elsewhere = indexedArticle('elsewhere', ['Fares rose again.'], { title: 'City budget' });
    const named = indexedArticle('named', ['Fares rose again.'], { title: 'Ferry news' });
    const collection = collectionOf({ metadata: metadataStatistics(100, { ferry: 1 }) });
    const ranked = scoreOneEach('Why did ferry fares rise?', [elsewhere, named], collection);
    expect(ranked.map((c) => [c.article.id, c.signals.subject])).toEqual([
      ['named', 1],
      ['elsewhere', 0],
    ]);
  });

  it("with the question's vector, favours the sentence whose passage is nearer in meaning (passageMeaning)", () => {
    const far = indexedArticle('far', ['Ferry crews walked out over pay.']);
    const near = indexedArticle('near', ['Ferry crews walked out over pay.']);
    const question = analyzeQuestion('Why did the ferry crews walk out?');
    // The question's cosines to a sample of passages spread from 0 to 0.4 (mean 0.2, SD 0.141).
    const collection = collectionOf({ vectorSample: [0, 0.1, 0.2, 0.3, 0.4].map(unit) });
    const hits = [hitOf(far, 1, 1, { lexical: 5, dense: 0.2 }), hitOf(near, 1, 1, { lexical: 5, dense: 0.9 })];
    const candidates = hits.map((h) => candidateOf(h.article, h.passage.text, question, h));
    const hybrid = retrievedOf(hits, { mode: 'hybrid', queryVector: unit(1) });
    const ranked = scoreCandidates(candidates, question, hybrid, collection, weightsFor(hybrid));
    expect(ranked.map((c) => c.article.id)).toEqual(['near', 'far']);
    // 0.9 stands 4.95 SDs above the mean, divided by 10 to sit on the others' scale.
    expect(ranked[0]!.signals.passageMeaning).toBeCloseTo(0.495, 2);
    // Without the vector the two are alike in every other signal: they tie, and the first retrieved goes first.
    const lexical = retrievedOf(hits);
    const tied = scoreCandidates(candidates, question, lexical, collection, weightsFor(lexical));
    expect(tied.map((c) => [c.article.id, c.signals.passageMeaning])).toEqual([
      ['far', 0],
      ['near', 0],
    ]);
  });
});

describe('weightsFor', () => {
  it("gives the passage's meaning no weight without the question's vector, and changes nothing else", () => {
    const lexical = weightsFor(retrievedOf([]));
    expect(lexical).toEqual({ ...WEIGHTS, passageMeaning: 0 });
    expect(WEIGHTS.passageMeaning).toBeGreaterThan(0);
    expect(weightsFor(retrievedOf([], { mode: 'hybrid', queryVector: unit(1) }))).toEqual(WEIGHTS);
    // Weights a dev tool replays the step with are kept, but for the same rule.
    const replayed = { ...WEIGHTS, lead: 3, passageMeaning: 2 };
    expect(weightsFor(retrievedOf([]), replayed)).toEqual({ ...replayed, passageMeaning: 0 });
  });
});
