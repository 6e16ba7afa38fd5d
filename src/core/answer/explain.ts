// Answer stage: the explanation an operator asks for with --explain, built from what the other stages decided.
import type { AnalyzedQuestion } from '../question/analyze.js';
import type { Retrieved } from '../retrieval/retrieve.js';
import { paragraphAt, round4 } from './cite.js';
import type { Decision, ExplainedSentence, Explanation } from './explanation.js';
import type { EvidenceGate } from './gate.js';
import type { Scored, Weights } from './score.js';
import type { Quote } from './select.js';

/** The question as read, the passages retrieved, the sentences listed and the decision. */
export function explanationOf(
  question: AnalyzedQuestion,
  retrieved: Retrieved,
  sentences: ExplainedSentence[],
  decision: Decision,
): Explanation {
  return {
    question: {
      searched: question.text,
      terms: question.terms,
      answerType: question.answerType,
      asksAbout: question.asksAbout,
    },
    passages: retrieved.hits.map((h) => ({
      file: h.article.file,
      title: h.article.title,
      paragraphs: [h.passage.paragraphStart, h.passage.paragraphEnd],
      lexical: h.lexical,
      dense: h.dense,
    })),
    sentences,
    decision,
  };
}

/** The best `count` scored sentences as an explanation lists them; `quoted` are the quotes chosen (maybe none). */
export function explainSentences(
  ranked: Scored[],
  count: number,
  weights: Weights,
  gate: EvidenceGate,
  quoted: Quote[],
): ExplainedSentence[] {
  return ranked.slice(0, count).map((c) => {
    const surprise = gate.surprise(c);
    const meaning = gate.meaning(c);
    return {
      file: c.article.file,
      title: c.article.title,
      paragraph: paragraphAt(c.article, c.start),
      text: c.article.text.slice(c.start, c.end),
      score: round4(c.score),
      // The signals that count in this mode (without the model, not its own).
      signals: Object.fromEntries(
        Object.entries(c.signals).flatMap(([k, v]) => (weights[k as keyof Weights] ? [[k, round4(v)]] : [])),
      ),
      surprise: Number.isFinite(surprise) ? round4(surprise) : null,
      meaning: meaning === null ? null : round4(meaning),
      evidence: gate.evidence(c),
      // A quote may span several sentences.
      quoted: quoted.some((q) => q.article.id === c.article.id && q.start <= c.start && c.end <= q.end),
    };
  });
}
