// Why an answer is what it is: the question as read, the passages found, the best-scored sentences and
// what decided. Asked for with `npm run ask -- --explain`, so that whoever runs Footnote can see why
// a question went unanswered, and which setting would change it.
import type { AnswerType, ArticleFact } from '../question/analyze.js';

/** How a sentence showed it is about the question (see the answer step's evidence rule), or null. */
export type Evidence = 'rare words' | 'names its article' | 'meaning' | null;

export interface ExplainedSentence {
  file: string;
  title: string;
  paragraph: number;
  text: string;
  /** Weighted mean of the signals, 0–1. */
  score: number;
  /** Each signal's value, 0–1 (see WEIGHTS in answer.ts). */
  signals: Record<string, number>;
  /** How unlikely the question's words around it are by chance, in nats (null: every word is there). */
  surprise: number | null;
  /** With the model: its cosine to the question in standard deviations above the question's cosines to sentences. */
  meaning: number | null;
  evidence: Evidence;
  quoted: boolean;
}

export type Decision =
  | { kind: 'answered'; quotes: number; best: number; floor: number }
  | { kind: 'article-fact'; fact: ArticleFact; line: string }
  | { kind: 'not-a-question' }
  | { kind: 'no-sentences' }
  | { kind: 'below-threshold'; best: number; threshold: number }
  | { kind: 'no-count'; threshold: number }
  | { kind: 'no-evidence'; threshold: number; aboveThreshold: number };

export interface Explanation {
  /** The question as its words were searched (spelled as the articles spell them), and what it asks for. */
  question: { searched: string; terms: string[]; answerType: AnswerType | null; asksAbout: ArticleFact | null };
  /** The passages retrieved, best first: BM25 and cosine where each search found them. */
  passages: {
    file: string;
    title: string;
    paragraphs: [number, number];
    lexical: number | null;
    dense: number | null;
  }[];
  /** The best-scored sentences, best first. */
  sentences: ExplainedSentence[];
  decision: Decision;
}

const f = (x: number | null, digits = 3): string => (x === null ? '–' : x.toFixed(digits));

/** What decided, in a sentence for whoever runs Footnote; `threshold` names the setting that holds it. */
export function decisionText(decision: Decision, threshold: string): string {
  switch (decision.kind) {
    case 'answered':
      return (
        `answered with ${decision.quotes} quote${decision.quotes === 1 ? '' : 's'}: the best sentence scored ` +
        `${f(decision.best)}; a further one needed at least ${f(decision.floor)} and evidence of its own, ` +
        "the opening sentence of the best one's article only the threshold and evidence"
      );
    case 'article-fact':
      return `the question asks for the article's ${decision.fact}: quoted its ${decision.line} line`;
    case 'not-a-question':
      return 'not found: the question has no words to search for besides stop words';
    case 'no-sentences':
      return 'not found: no passage holds the question’s words or (with the model) comes near its meaning';
    case 'below-threshold':
      return `not found: the best sentence scored ${f(decision.best)}, below ${threshold}=${decision.threshold}`;
    case 'no-count':
      return (
        `not found: the question asks for a count or an amount, and no sentence scoring at least ` +
        `${threshold}=${decision.threshold} with evidence of its own gives one`
      );
    case 'no-evidence':
      return (
        `not found: ${decision.aboveThreshold} sentence(s) scored at least ${threshold}=${decision.threshold}, but ` +
        'none showed it is about the question: the question’s words found around it could meet by chance in a ' +
        'collection this size (chance surprise below 3 nats), they name no article, and its meaning (with the ' +
        'model) does not stand MEANING_MARGIN standard deviations above the rest'
      );
  }
}

/** The explanation as lines for a terminal. */
export function explanationText(explanation: Explanation, threshold: string): string {
  const { question, passages, sentences, decision } = explanation;
  const asks = [
    question.answerType && `a ${question.answerType}`,
    question.asksAbout && `the article's ${question.asksAbout}`,
  ]
    .filter(Boolean)
    .join(', ');
  const terms = question.terms.join(', ') || 'none';
  const paragraphs = ([first, last]: [number, number]): string => `¶${first}${last > first ? `–${last}` : ''}`;
  const lines = [
    `Question as searched: “${question.searched}” (terms: ${terms}${asks ? `; asks for ${asks}` : ''})`,
    '',
    ...(passages.length
      ? [
          `Passages retrieved (${passages.length}, best first; BM25 · cosine):`,
          ...passages.map(
            (p, i) =>
              `  ${i + 1}. ${p.title}, ${paragraphs(p.paragraphs)} · ` +
              `${p.lexical === null ? '–' : p.lexical.toPrecision(3)} · ${f(p.dense)} · ${p.file}`,
          ),
        ]
      : ['Passages retrieved: none']),
    '',
    sentences.length
      ? `Best sentences (${sentences.length}; score = weighted mean of the signals):`
      : 'Best sentences: none scored',
  ];
  for (const s of sentences) {
    const mark = s.quoted ? 'quoted' : s.evidence ? 'evidence' : 'no evidence';
    lines.push(`  ${f(s.score)} ${mark.padEnd(11)} “${s.text.length > 110 ? `${s.text.slice(0, 107)}…` : s.text}”`);
    const details = [
      `${s.title}, ¶${s.paragraph}`,
      ...Object.entries(s.signals).map(([name, value]) => `${name} ${f(value, 2)}`),
      `surprise ${s.surprise === null ? '∞ (every word found)' : f(s.surprise, 1)}`,
      ...(s.meaning === null ? [] : [`meaning ${f(s.meaning, 1)} sd`]),
      s.evidence ? `evidence: ${s.evidence}` : 'no evidence',
    ];
    lines.push(`         ${details.join(' · ')}`);
  }
  lines.push('', `Decision: ${decisionText(decision, threshold)}`);
  return `${lines.join('\n')}\n`;
}
