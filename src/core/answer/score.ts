// Answer stage: each candidate sentence's score, the weighted mean of its signals, best first.
import { holdsAnswerType, type AnalyzedQuestion } from '../question/analyze.js';
import type { RankedPassage, Retrieved } from '../retrieval/retrieve.js';
import type { Candidate } from './candidates.js';
import type { Collection } from './collection.js';
import { cosineSpread, inverseFrequency, weightedShare } from './evidence.js';

/**
 * How much each signal counts in a sentence's score (the score is their weighted mean, 0–1):
 * - sentence: share of the question's word weight (IDF) found in the sentence;
 * - context: the same share counting the sentence's passage and its article's title and byline;
 * - subject: how well the article's title, author, source and date name the question's words,
 *   against the best-named article's;
 * - passage: the passage's BM25 against the best passage retrieved (dense mode: its cosine's
 *   standard score against the best one's);
 * - lead: 1/(1+position) of the sentence in its article (the inverted pyramid of news and encyclopedias);
 * - type: the sentence holds what the question asks for (a date for "when", a number for "how many");
 * - with the model (hybrid, dense), passageMeaning: its passage's cosine as a standard score
 *   against the question's cosines to the passages.
 * Fitted on every dev set together, then kept only where a change gained on two sets and lost on none
 * (docs/decisions/sentence-weights.md).
 */
export const WEIGHTS = {
  sentence: 3.5,
  context: 6,
  subject: 3.8,
  passage: 3.0,
  lead: 0.9,
  type: 1.8,
  passageMeaning: 1,
};
export type Signal = keyof typeof WEIGHTS;
export type Weights = Record<Signal, number>;

// Standard scores are divided by this before weighing, to sit on the 0–1 scale of the others.
const Z_SCALE = 10;

/** A candidate with its score (0–1) and the signals it was weighed from. */
export interface Scored extends Candidate {
  score: number;
  signals: Weights;
}

/** The weights that count for this retrieval: without the question's vector, no meaning signal. */
export function weightsFor(retrieved: Retrieved, weights: Weights = WEIGHTS): Weights {
  return retrieved.queryVector ? weights : { ...weights, passageMeaning: 0 };
}

/** Scores every candidate, best first; a tie keeps retrieval order (the earlier sentence of the better passage). */
export function scoreCandidates(
  candidates: Candidate[],
  question: AnalyzedQuestion,
  retrieved: Retrieved,
  collection: Collection,
  weights: Weights,
): Scored[] {
  const { terms } = question;
  const coverage = weightedShare(terms, (t) =>
    inverseFrequency(collection.terms.passages, collection.terms.frequency(t)),
  );
  const naming = weightedShare(terms, (t) =>
    inverseFrequency(collection.metadata.articles, collection.metadata.frequency(t)),
  );
  const { passageRank, standard } = passageRanking(retrieved, collection);
  // How well each article's metadata names the question's subject, against the best-named one.
  const namedShare = new Map(candidates.map((c) => [c.article.id, naming(c.about)]));
  const bestNamed = Math.max(0, ...namedShare.values());
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  const entries = Object.entries(weights) as [Signal, number][];
  const ranked: Scored[] = candidates.map((c) => {
    const signals: Weights = {
      sentence: coverage(c.own),
      context: coverage(c.own, c.context),
      subject: bestNamed > 0 ? namedShare.get(c.article.id)! / bestNamed : 0,
      passage: passageRank(c.hit),
      lead: c.position === null ? 0 : 1 / (1 + c.position),
      type:
        question.answerType && holdsAnswerType(question.answerType, c.article.text.slice(c.start, c.end), question.text)
          ? 1
          : 0,
      passageMeaning: standard(c.hit?.dense ?? null) / Z_SCALE,
    };
    let score = 0;
    for (const [name, weight] of entries) score += weight * signals[name];
    return { ...c, score: score / total, signals };
  });
  ranked.sort((a, b) => b.score - a.score);
  return ranked;
}

/**
 * The passage's rank among those retrieved: by BM25 against the best one, or in dense mode (no
 * BM25) by how far its cosine stands above the mean, against the best one's.
 */
function passageRanking(
  retrieved: Retrieved,
  collection: Collection,
): { passageRank: (hit: RankedPassage | null) => number; standard: (cosine: number | null) => number } {
  const bestLexical = Math.max(0, ...retrieved.hits.map((h) => h.lexical ?? 0));
  const spread = retrieved.queryVector ? cosineSpread(retrieved.queryVector, collection) : null;
  const standard = (cosine: number | null): number =>
    cosine === null || !spread ? 0 : (cosine - spread.mean) / spread.sd;
  const bestStandard = Math.max(0, ...retrieved.hits.map((h) => standard(h.dense)));
  const passageRank = (hit: RankedPassage | null): number => {
    if (bestLexical > 0) return (hit?.lexical ?? 0) / bestLexical;
    return retrieved.mode === 'dense' && bestStandard > 0
      ? Math.max(0, standard(hit?.dense ?? null)) / bestStandard
      : 0;
  };
  return { passageRank, standard };
}
