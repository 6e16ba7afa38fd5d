// The answer step: from the retrieved passages, the verbatim sentences that answer, numbered as citations, or "not
// found". Each stage is a pure function in a file of its own; this file runs them in order.
import { analyzeQuestion } from '../question/analyze.js';
import type { Retrieved } from '../retrieval/retrieve.js';
import type { Answer, Citation } from '../types.js';
import { creditAnswer } from './article-facts.js';
import { gatherCandidates } from './candidates.js';
import { answerText, citationsOf, round4 } from './cite.js';
import type { Collection } from './collection.js';
import { explainSentences, explanationOf } from './explain.js';
import type { Decision, ExplainedSentence } from './explanation.js';
import { evidenceGate, verdictOf } from './gate.js';
import { WEIGHTS, scoreCandidates, weightsFor, type Weights } from './score.js';
import { floorOf, selectQuotes, type Quote } from './select.js';

export interface AnswerOptions {
  /** The best sentence must score at least this (0–1) for the articles to count as answering. */
  minScore: number;
  /**
   * A sentence whose question words could be there by chance still counts when its cosine to the
   * question stands this many standard deviations above the question's cosines to a sample of sentences.
   */
  meaningMargin: number;
  /** Quotes at most. */
  maxQuotes?: number;
  /** EMBEDDING_MODEL, reported with the answer. */
  model: string;
  /** Also say why: the question as read, the passages, the best sentences and what decided. */
  explain?: boolean;
  /** How many of the best-scored sentences an explanation lists (default 8). */
  explainSentences?: number;
  /** The signals' weights (default WEIGHTS): the dev tools replay the whole step with others. */
  weights?: Weights;
}

export const NOT_FOUND = "I couldn't find an answer to that in the articles.";
export const NOT_A_QUESTION =
  'Please ask a question about the articles, in words: for example "What did Jack Ma say about Apple?"';

// Sentences an explanation lists.
const EXPLAINED_SENTENCES = 8;

/**
 * Picks the sentences of the retrieved passages that answer the question and quotes them
 * verbatim, numbered. Nothing in the answer is generated: every word is article text.
 */
export function composeAnswer(
  questionText: string,
  retrieved: Retrieved,
  collection: Collection,
  options: AnswerOptions,
): Answer {
  const question = analyzeQuestion(questionText);
  const reply = (citations: Citation[], decision: Decision, sentences: ExplainedSentence[] = []): Answer => ({
    question: questionText,
    found: citations.length > 0,
    text: citations.length ? answerText(citations) : decision.kind === 'not-a-question' ? NOT_A_QUESTION : NOT_FOUND,
    citations,
    retrieval: { mode: retrieved.mode, model: options.model },
    ...(options.explain ? { explanation: explanationOf(question, retrieved, sentences, decision) } : {}),
  });
  if (!question.terms.length) return reply([], { kind: 'not-a-question' });
  const credit = creditAnswer(question, retrieved, collection);
  if (credit) return reply([credit.citation], { kind: 'article-fact', fact: credit.fact, line: credit.line });
  const candidates = gatherCandidates(retrieved, question.terms);
  if (!candidates.length) return reply([], { kind: 'no-sentences' });

  const weights = weightsFor(retrieved, options.weights ?? WEIGHTS);
  const ranked = scoreCandidates(candidates, question, retrieved, collection, weights);
  const gate = evidenceGate(question, retrieved, collection, options.meaningMargin);
  const listed = (quoted: Quote[]): ExplainedSentence[] =>
    options.explain
      ? explainSentences(ranked, options.explainSentences ?? EXPLAINED_SENTENCES, weights, gate, quoted)
      : [];
  const verdict = verdictOf(ranked, gate, question, options.minScore);
  if (!verdict.found) return reply([], verdict.decision, listed([]));
  const quotes = selectQuotes(ranked, verdict, gate, options);
  const citations = citationsOf(quotes);
  const floor = round4(floorOf(verdict.best, options.minScore));
  return reply(
    citations,
    { kind: 'answered', quotes: citations.length, best: round4(verdict.best.score), floor },
    listed(quotes),
  );
}
