import type { Embedder } from './embedder.js';
import type { RetrievalMode, Retrieved } from './retrieval.js';
import { sentenceSpans } from './sentences.js';
import type { StoredArticle } from './store/database.js';
import { contentTerms } from './text.js';

export interface Citation {
  n: number;
  article: { id: string; title: string; date: string | null; source: string | null; file: string; author: string | null; url: string | null };
  /** Paragraph of the article (numbered from 1) where the quote starts. */
  paragraph: number;
  /** Verbatim article text: `article.text.slice(start, end)`. */
  quote: string;
  start: number;
  end: number;
  score: number;
}

export interface Answer {
  question: string;
  found: boolean;
  /** What the user reads: the quoted sentences with [n] markers, or a plain "not found". */
  text: string;
  citations: Citation[];
  retrieval: { mode: RetrievalMode; model: string };
}

export interface AnswerOptions {
  minScore: number;
  /** Quotes at most. */
  maxQuotes?: number;
}

export const NOT_FOUND = "I couldn't find an answer to that in the articles.";

// Sentences scored per question: those of the best passages are plenty.
const MAX_PASSAGES = 5;
const MAX_SENTENCES = 48;
// A further quote must be nearly as relevant as the best one.
const RELATIVE_FLOOR = 0.8;
const LEXICAL_WEIGHT = 0.25;

interface Candidate {
  article: StoredArticle;
  start: number;
  end: number;
  score: number;
}

/**
 * Picks the sentences of the retrieved passages that answer the question and quotes them
 * verbatim, numbered. Nothing in the answer is generated: every word is article text.
 */
export async function composeAnswer(question: string, retrieved: Retrieved, embedder: Embedder, options: AnswerOptions): Promise<Answer> {
  const retrieval = { mode: retrieved.mode, model: embedder.model };
  const notFound: Answer = { question, found: false, text: NOT_FOUND, citations: [], retrieval };
  const passages = retrieved.hits.filter((h) => h.score >= options.minScore).slice(0, MAX_PASSAGES);
  if (!passages.length) return notFound;

  const seen = new Set<string>();
  const candidates: Omit<Candidate, 'score'>[] = [];
  for (const { article, passage } of passages) {
    for (const span of sentenceSpans(article.text, passage.start, passage.end)) {
      const key = `${article.id}:${span.start}`;
      if (seen.has(key) || candidates.length >= MAX_SENTENCES) continue;
      seen.add(key);
      candidates.push({ article, ...span });
    }
  }
  const texts = candidates.map((c) => c.article.text.slice(c.start, c.end));
  const vectors = await embedder.embed(texts);
  const questionTerms = new Set(contentTerms(question));
  const scored: Candidate[] = candidates.map((c, i) => ({
    ...c,
    score: (1 - LEXICAL_WEIGHT) * dot(retrieved.query, vectors[i]!) + LEXICAL_WEIGHT * coverage(questionTerms, texts[i]!),
  }));
  scored.sort((a, b) => b.score - a.score);

  const best = scored[0];
  if (!best || best.score < options.minScore) return notFound;
  const chosen: Candidate[] = [];
  for (const c of scored) {
    if (chosen.length >= (options.maxQuotes ?? 3)) break;
    if (c.score < Math.max(options.minScore, best.score * RELATIVE_FLOOR)) break;
    const overlaps = chosen.some((o) => o.article.id === c.article.id && c.start < o.end && o.start < c.end);
    if (!overlaps) chosen.push(c);
  }

  const citations = chosen.map((c, i): Citation => ({
    n: i + 1,
    article: {
      id: c.article.id,
      title: c.article.title,
      date: c.article.date,
      source: c.article.source,
      file: c.article.file,
      author: c.article.author,
      url: c.article.url,
    },
    paragraph: paragraphAt(c.article, c.start),
    quote: c.article.text.slice(c.start, c.end),
    start: c.start,
    end: c.end,
    score: Number(c.score.toFixed(4)),
  }));
  const text = citations.map((c) => `${c.quote} [${c.n}]`).join(' ');
  return { question, found: true, text, citations, retrieval };
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/** Share of the question's content words that the sentence contains. */
function coverage(questionTerms: Set<string>, sentence: string): number {
  if (!questionTerms.size) return 0;
  const terms = new Set(contentTerms(sentence));
  let hit = 0;
  for (const t of questionTerms) if (terms.has(t)) hit++;
  return hit / questionTerms.size;
}

function paragraphAt(article: StoredArticle, offset: number): number {
  const paragraph = article.paragraphs.find((p) => offset >= p.start && offset < p.end);
  return paragraph?.n ?? 1;
}
