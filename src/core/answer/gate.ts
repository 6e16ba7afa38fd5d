// Answer stage: the evidence gate, whether a scored sentence shows it is about the question, and the verdict.
import { holdsQuantity, type AnalyzedQuestion } from '../question/analyze.js';
import type { Retrieved } from '../retrieval/retrieve.js';
import { sentenceKey } from '../text/sentences.js';
import { dot } from '../vectors.js';
import { round4 } from './cite.js';
import type { Collection } from './collection.js';
import { MIN_SURPRISE, chanceSurprise, namesArticle, spreadOf } from './evidence.js';
import type { Decision, Evidence } from './explanation.js';
import type { Scored } from './score.js';

/**
 * A sentence counts only with evidence it is about the question: the question's words around it
 * are too specific to meet by chance, or name its article, or (with the model) its meaning stands
 * out from what the question scores against any sentence.
 */
export interface EvidenceGate {
  evidence(c: Scored): Evidence;
  /** It has evidence, and gives a count when the question asks for one. */
  counts(c: Scored): boolean;
  /** How unlikely the question's words around it are by chance, in nats. */
  surprise(c: Scored): number;
  /** Its cosine to the question as a standard score against the question's cosines to the sentence sample. */
  meaning(c: Scored): number | null;
}

/** The gate for one question; `meaningMargin` is how far a sentence's meaning must stand out (MEANING_MARGIN). */
export function evidenceGate(
  question: AnalyzedQuestion,
  retrieved: Retrieved,
  collection: Collection,
  meaningMargin: number,
): EvidenceGate {
  const { terms } = question;
  const surpriseOf = chanceSurprise(terms, collection.terms);
  const query = retrieved.queryVector;
  // A sentence's cosine is judged against the question's cosines to sentences, a passage's against its
  // cosines to passages: the two are spread differently (docs/decisions/sentence-spread.md).
  const sentenceSpread =
    query && collection.sentenceSample.length > 1
      ? spreadOf(collection.sentenceSample.map((v) => dot(v, query)))
      : null;
  // The sentence's vector, stored at index time, is read only for a sentence in line to be quoted.
  const meaning = (c: Scored): number | null => {
    if (!query || !sentenceSpread) return null;
    const key = { articleId: c.article.id, start: c.start };
    const vector = collection.sentenceVectors([key]).get(sentenceKey(key.articleId, key.start));
    return vector ? (dot(vector, query) - sentenceSpread.mean) / sentenceSpread.sd : null;
  };
  const surprise = (c: Scored): number => surpriseOf(c.own, c.context);
  const evidence = (c: Scored): Evidence => {
    if (surprise(c) >= MIN_SURPRISE) return 'rare words';
    if (namesArticle(terms, c.about, collection.metadata)) return 'names its article';
    return (meaning(c) ?? -Infinity) >= meaningMargin ? 'meaning' : null;
  };
  // A count ("how many …?") is answered by sentences that give one, or not at all: more unanswerable
  // questions got "not found", no answerable one changed (docs/decisions/count-questions.md).
  const givesCount = (c: Scored): boolean =>
    !question.asksCount || holdsQuantity(c.article.text.slice(c.start, c.end), question.text);
  return { evidence, counts: (c) => evidence(c) !== null && givesCount(c), surprise, meaning };
}

/** Whether the articles answer: the best sentence with evidence at or above the threshold, or why not. */
export type Verdict = { found: true; first: number; best: Scored } | { found: false; decision: Decision };

/** The verdict on `ranked` (best first, at least one) under the gate and the `minScore` threshold (MIN_SCORE). */
export function verdictOf(ranked: Scored[], gate: EvidenceGate, question: AnalyzedQuestion, minScore: number): Verdict {
  // Scores only fall from here: below the threshold, no sentence can be the best one.
  const first = ranked.findIndex((c) => c.score < minScore || gate.counts(c));
  const best = ranked[first];
  if (best && best.score >= minScore) return { found: true, first, best };
  const top = ranked[0]!.score;
  if (top < minScore)
    return { found: false, decision: { kind: 'below-threshold', best: round4(top), threshold: minScore } };
  if (question.asksCount && ranked.some((c) => c.score >= minScore && gate.evidence(c) !== null))
    return { found: false, decision: { kind: 'no-count', threshold: minScore } };
  const aboveThreshold = ranked.filter((c) => c.score >= minScore).length;
  return { found: false, decision: { kind: 'no-evidence', threshold: minScore, aboveThreshold } };
}
