import type { Embedder } from './embedder.js';
import type { RetrievalMode, Retrieved } from './retrieval.js';
import { sentenceSpans, type Span } from './sentences.js';
import type { StoredArticle } from './store/database.js';
import { contentTerms, words } from './text.js';

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

/** How many passages contain a stemmed term, to weigh rare words above common ones. */
export interface TermStatistics {
  passages: number;
  frequency(term: string): number;
}

export interface AnswerOptions {
  /** The best sentence must score at least this (0–1) for the articles to count as answering. */
  minScore: number;
  /**
   * A sentence whose question words could be there by chance still counts when its cosine to the
   * question exceeds the question's mean cosine to the passages by this much.
   */
  minDenseScore: number;
  /** The mean passage vector, for that mean cosine (null: compare with 0). */
  passageMean?: Float32Array | null;
  /** Quotes at most. */
  maxQuotes?: number;
  /** EMBEDDING_MODEL, reported with the answer. */
  model: string;
}

export const NOT_FOUND = "I couldn't find an answer to that in the articles.";
export const NOT_A_QUESTION = 'Please ask a question about the articles, in words: for example "What did Jack Ma say about Apple?"';

// Sentences scored per question: those of the best passages are plenty.
const MAX_PASSAGES = 5;
const MAX_SENTENCES = 40;
// A further quote must be nearly as relevant as the best one.
const RELATIVE_FLOOR = 0.85;
// In dense and hybrid modes a sentence's score mixes meaning (cosine) and words (weighted overlap).
const LEXICAL_WEIGHT = 0.4;
// Measured on tests/eval/sotu.jsonl (lexical hit@3 0.353 -> 0.431); the shipped set is unchanged.
const PASSAGE_SHARE = 0.5;

interface Candidate extends Span {
  article: StoredArticle;
  score: number;
  /** Terms of the sentence's surroundings: its passage, and its article's title, author, source and date. */
  context?: Set<string>;
}

/**
 * Picks the sentences of the retrieved passages that answer the question and quotes them
 * verbatim, numbered. Nothing in the answer is generated: every word is article text.
 */
export async function composeAnswer(
  question: string,
  retrieved: Retrieved,
  embedder: Embedder | null,
  statistics: TermStatistics,
  options: AnswerOptions,
): Promise<Answer> {
  const retrieval = { mode: retrieved.mode, model: options.model };
  const notFound = (text = NOT_FOUND): Answer => ({ question, found: false, text, citations: [], retrieval });
  const terms = [...new Set(contentTerms(question))];
  if (!terms.length) return notFound(NOT_A_QUESTION);

  const candidates = sentencesOf(retrieved);
  if (!candidates.length) return notFound();
  const texts = candidates.map((c) => c.article.text.slice(c.start, c.end));
  const sentenceTerms = texts.map((t) => new Set(contentTerms(t)));
  const overlap = weightedOverlap(terms, statistics);
  // Half the word score is the sentence's, half its passage's: the passage (with the article's
  // title) says which speech or story is meant, the sentence which part of it answers.
  const lexical = candidates.map((c, i) => (1 - PASSAGE_SHARE) * overlap(sentenceTerms[i]!, c.context) + PASSAGE_SHARE * overlap(new Set(), c.context, 1));
  const dense = retrieved.query && embedder ? await similarities(retrieved.query, texts, embedder) : null;
  const surprise = chanceSurprise(terms, statistics);
  // Models differ in how similar any two texts look (some put everything above 0.7): meaning counts
  // by how far a sentence stands above what the question scores against the passages on average.
  const baseline = retrieved.query && options.passageMean ? dot(retrieved.query, options.passageMean) : 0;
  // A sentence counts only with evidence it is about the question: the question's words around it
  // are too specific to meet by chance, or (with the model) its meaning is close to the question's.
  const scored = candidates
    .map((c, i) => ({
      ...c,
      score: dense ? (1 - LEXICAL_WEIGHT) * dense[i]! + LEXICAL_WEIGHT * lexical[i]! : lexical[i]!,
      supported: surprise(sentenceTerms[i]!, c.context) >= MIN_SURPRISE || (dense !== null && dense[i]! - baseline >= options.minDenseScore),
    }))
    .filter((c) => c.supported);
  scored.sort((a, b) => b.score - a.score);

  const best = scored[0];
  if (!best || best.score < options.minScore) return notFound();
  const chosen: Candidate[] = [];
  for (const c of scored) {
    if (chosen.length >= (options.maxQuotes ?? 3)) break;
    if (c.score < Math.max(options.minScore, best.score * RELATIVE_FLOOR)) break;
    const quote = withContext(c);
    const text = quote.article.text.slice(quote.start, quote.end);
    // A quote widened into one already chosen makes it one longer quote: "He said…" after the
    // sentence that names him.
    const overlapping = chosen.filter((o) => o.article.id === quote.article.id && quote.start < o.end && o.start < quote.end);
    if (overlapping.length) {
      // It may bridge two chosen quotes: all of them become one.
      const spans = [quote, ...overlapping];
      const merged = { ...overlapping[0]!, start: Math.min(...spans.map((o) => o.start)), end: Math.max(...spans.map((o) => o.end)) };
      chosen.splice(chosen.indexOf(overlapping[0]!), 1, merged);
      for (const o of overlapping.slice(1)) chosen.splice(chosen.indexOf(o), 1);
      continue;
    }
    // A sentence found in two articles (a story filed twice, perhaps lightly edited) is quoted once.
    if (!chosen.some((o) => nearlySame(o.article.text.slice(o.start, o.end), text))) chosen.push(quote);
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

/** The sentences of the best passages, each once. */
function sentencesOf(retrieved: Retrieved): Candidate[] {
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  for (const { article, passage } of retrieved.hits.slice(0, MAX_PASSAGES)) {
    const about = [article.title, article.author, article.source, article.date].filter(Boolean).join(' ');
    const context = new Set(contentTerms(`${about} ${passage.text}`));
    for (const span of sentenceSpans(article.text, passage.start, passage.end)) {
      const key = `${article.id}:${span.start}`;
      if (seen.has(key) || candidates.length >= MAX_SENTENCES) continue;
      seen.add(key);
      candidates.push({ article, ...span, score: 0, context });
    }
  }
  return candidates;
}

// A question word found around the sentence (its passage, its article's title or byline) rather
// than in it counts this much: "What did Lincoln say about…" is answered by a sentence of
// Lincoln's speech that does not name him.
const CONTEXT_CREDIT = 0.5;

/**
 * Share of the question's words that a sentence contains, each word weighted by how rare it is
 * in the articles (inverse document frequency). A word the articles never use weighs most: a
 * question about something absent scores low even when its common words match.
 */
function weightedOverlap(terms: string[], statistics: TermStatistics): (present: Set<string>, context?: Set<string>, credit?: number) => number {
  const weight = (t: string): number => Math.log(1 + statistics.passages / (1 + statistics.frequency(t)));
  const weights = new Map(terms.map((t) => [t, weight(t)]));
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  return (present, context, credit = CONTEXT_CREDIT) => {
    let sum = 0;
    for (const [t, w] of weights) {
      if (present.has(t)) sum += w;
      else if (context?.has(t)) sum += credit * w;
    }
    return total ? sum / total : 0;
  };
}

// Below this many passages, how many passages hold a word says little about how rare it is: a
// small collection is taken as a sample of one this big, in which its words are rare.
const BACKGROUND_PASSAGES = 1000;
// e^-3 ≈ 0.05: the question's words found around a sentence would meet by chance in fewer than 1
// in 20 collections of this size. Measured on tests/eval/sotu.jsonl, lexical: 18 of the 20
// off-topic questions abstain instead of 2, for 3 of the 51 answers; 2 to 4 give the same.
const MIN_SURPRISE = 3;

/**
 * How unlikely it is that the question's words found in a sentence and its surroundings would be
 * there by chance, in nats: -ln of the expected number of passages holding them all if words
 * were scattered independently. A large collection holds "tonight" and "dinner" somewhere;
 * meeting them is no evidence of an answer. Infinity when every question word is found.
 */
function chanceSurprise(terms: string[], statistics: TermStatistics): (present: Set<string>, context?: Set<string>) => number {
  const n = Math.max(statistics.passages, BACKGROUND_PASSAGES);
  return (present, context) => {
    const matched = terms.filter((t) => present.has(t) || context?.has(t));
    if (matched.length === terms.length) return Infinity;
    return matched.reduce((sum, t) => sum + Math.log(n / Math.max(1, statistics.frequency(t))), 0) - Math.log(n);
  };
}

async function similarities(query: Float32Array, texts: string[], embedder: Embedder): Promise<number[]> {
  const vectors = await embedder.embed(texts);
  return vectors.map((v) => dot(v, query));
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

const QUOTE_MARK = /["“”]/g;
// A sentence that opens like this leans on the one before it for who or what it is about.
const LEANS_BACK = /^(?:["“”']?\s*)(?:he|she|it|they|this|that|these|those|his|her|its|their|but|and|so|also)\b/i;
// A sentence that ends like this asks rather than tells.
const ASKS = /\?["“”'’)\]]*\s*$/;

/**
 * Widens a quote to a neighbouring sentence of the same paragraph when it only makes sense with
 * it: a quotation split across sentences (odd number of quote marks), a leading "He said…", or a
 * question the next sentence answers.
 */
function withContext(c: Candidate): Candidate {
  const paragraph = c.article.paragraphs.find((p) => c.start >= p.start && c.start < p.end);
  if (!paragraph) return c;
  const sentences = sentenceSpans(c.article.text, paragraph.start, paragraph.end);
  const i = sentences.findIndex((s) => s.start === c.start);
  if (i < 0) return c;
  const text = c.article.text.slice(c.start, c.end);
  const marks = text.match(QUOTE_MARK)?.length ?? 0;
  let { start, end } = c;
  if (marks % 2 === 1) {
    // An opening mark with no close continues forward; a close with no opening started before.
    if (/^["“]/.test(text) && sentences[i + 1]) end = sentences[i + 1]!.end;
    else if (sentences[i - 1]) start = sentences[i - 1]!.start;
  } else if (LEANS_BACK.test(text) && sentences[i - 1]) {
    start = sentences[i - 1]!.start;
  }
  // A question in the text ("What should we do with this surplus?") is answered by what follows.
  if (ASKS.test(text) && sentences[i + 1] && end === c.end) end = sentences[i + 1]!.end;
  return { ...c, start, end };
}

// Share of words two quotes have in common (of all the words either has) above which they are
// the same sentence: "said on Tuesday" edited to "said Tuesday" still is. Their numbers must
// agree: "rose 3 percent" and "rose 5 percent" are two facts.
const SAME_SENTENCE = 0.8;

function nearlySame(a: string, b: string): boolean {
  const numbers = (text: string): string => (text.match(/\p{N}+/gu) ?? []).join(' ');
  if (numbers(a) !== numbers(b)) return false;
  const x = new Set(words(a));
  const y = new Set(words(b));
  let shared = 0;
  for (const w of x) if (y.has(w)) shared++;
  const union = x.size + y.size - shared;
  return union === 0 ? a === b : shared / union >= SAME_SENTENCE;
}

function paragraphAt(article: StoredArticle, offset: number): number {
  const paragraph = article.paragraphs.find((p) => offset >= p.start && offset < p.end);
  return paragraph?.n ?? 1;
}
