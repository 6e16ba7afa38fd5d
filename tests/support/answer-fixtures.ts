// Hand-built inputs for the answer stages (articles, passages, hits, a retrieval, a collection), so that each stage
// is tested alone: no index, no model, no files.
import type { AnalyzedQuestion } from '../../src/core/question/analyze.js';
import type { Candidate } from '../../src/core/answer/candidates.js';
import type { Collection } from '../../src/core/answer/collection.js';
import type { MetadataStatistics, TermStatistics } from '../../src/core/answer/evidence.js';
import type { Scored, Weights } from '../../src/core/answer/score.js';
import type { RankedPassage, Retrieved } from '../../src/core/retrieval/retrieve.js';
import { metadataWords } from '../../src/core/text/article-words.js';
import { leadSentences, sentenceKey, sentenceSpans } from '../../src/core/text/sentences.js';
import { contentTerms, words } from '../../src/core/text/words.js';
import type { ArticleMeta, Credit, IndexedArticle, IndexedPassage, IndexedSentence } from '../../src/core/types.js';

/** The sentences of `text[start, end)` as the index keeps them: spans with their content terms. */
export function indexedSentences(text: string, start: number, end: number): IndexedSentence[] {
  return sentenceSpans(text, start, end).map((s) => ({ ...s, terms: contentTerms(text.slice(s.start, s.end)) }));
}

/** An article as the index keeps it: its paragraphs joined by a blank line, its lead found as the indexer finds it. */
export function indexedArticle(
  id: string,
  paragraphs: string[],
  meta: Partial<ArticleMeta> & { credits?: Credit[] } = {},
): IndexedArticle {
  const text = paragraphs.join('\n\n');
  let start = 0;
  const spans = paragraphs.map((p, i) => {
    const paragraph = { n: i + 1, start, end: start + p.length };
    start += p.length + 2;
    return paragraph;
  });
  const lead = leadSentences(text).map((s) => ({ ...s, terms: contentTerms(text.slice(s.start, s.end)) }));
  return {
    ...{ id, file: `${id}.txt`, hash: id, title: id, date: null, source: null, author: null, url: null },
    ...{ text, paragraphs: spans, credits: [], passages: paragraphs.length, lead },
    ...meta,
  };
}

/** A paragraph of the article's text kept as a credit line ("(Reporting by …)"), located in the text. */
export function creditInText(article: IndexedArticle, kind: Credit['kind'], paragraph: number): Credit {
  const { start, end } = article.paragraphs[paragraph - 1]!;
  return { kind, text: article.text.slice(start, end), in: 'text', start, end };
}

/** The article's passage over paragraphs `from`–`to` (numbered from 1), with its sentences. */
export function passageOf(article: IndexedArticle, from: number, to = from): IndexedPassage {
  const start = article.paragraphs[from - 1]!.start;
  const end = article.paragraphs[to - 1]!.end;
  const text = article.text.slice(start, end);
  return {
    ...{ id: from, articleId: article.id, ordinal: from - 1, paragraphStart: from, paragraphEnd: to },
    ...{ start, end, text, tokens: words(text).length, sentences: indexedSentences(article.text, start, end) },
  };
}

/** A retrieved passage of paragraphs `from`–`to`, as BM25 (`lexical`) and the model (`dense`) scored it. */
export function hitOf(
  article: IndexedArticle,
  from: number,
  to = from,
  scores: { lexical?: number | null; dense?: number | null } = {},
): RankedPassage {
  const { lexical = 1, dense = null } = scores;
  return { passage: passageOf(article, from, to), article, score: lexical ?? dense ?? 0, lexical, dense };
}

/** What retrieval hands the answer step: lexical by default, with no question vector. */
export function retrievedOf(hits: RankedPassage[], options: Partial<Omit<Retrieved, 'hits'>> = {}): Retrieved {
  return { mode: 'lexical', question: '', queryVector: null, hits, ...options };
}

/** How many passages hold each word (stemmed here, as the index counts them); any other word, `otherwise`. */
export function termStatistics(
  passages: number,
  frequencies: Record<string, number> = {},
  otherwise = 1,
): TermStatistics {
  const byTerm = new Map(Object.entries(frequencies).map(([word, n]) => [contentTerms(word)[0]!, n]));
  return { passages, frequency: (term) => byTerm.get(term) ?? otherwise };
}

/** How many articles' title, author, source or date hold each word (stemmed here); any other word, none. */
export function metadataStatistics(articles: number, frequencies: Record<string, number> = {}): MetadataStatistics {
  const byTerm = new Map(Object.entries(frequencies).map(([word, n]) => [contentTerms(word)[0]!, n]));
  return { articles, frequency: (term) => byTerm.get(term) ?? 0 };
}

/**
 * A collection of 5,000 passages in which every word is rare (in one passage) and no article's metadata holds
 * any, without vectors; `overrides` change what a test is about.
 */
export function collectionOf(overrides: Partial<Collection> = {}): Collection {
  return {
    terms: termStatistics(5000),
    metadata: metadataStatistics(100),
    passageMean: null,
    vectorSample: [],
    sentenceSample: [],
    sentenceVectors: () => new Map(),
    soleArticle: () => null,
    namedArticles: () => [],
    ...overrides,
  };
}

/** The stored sentence vectors of a collection: `vectors` by sentence, looked up as the index does. */
export function sentenceVectorsOf(
  vectors: { article: IndexedArticle; sentence: string; vector: Float32Array }[],
): Collection['sentenceVectors'] {
  const stored = new Map(vectors.map((v) => [sentenceKey(v.article.id, startOf(v.article, v.sentence)), v.vector]));
  return (keys) => {
    const found = new Map<string, Float32Array>();
    for (const { articleId, start } of keys) {
      const vector = stored.get(sentenceKey(articleId, start));
      if (vector) found.set(sentenceKey(articleId, start), vector);
    }
    return found;
  };
}

/** A unit vector whose cosine to `unit(1)` is `x`: cosines as a test wants them. */
export function unit(x: number): Float32Array {
  return Float32Array.from([x, Math.sqrt(1 - x * x)]);
}

/** Where `sentence` starts in the article's text; it must be there once. */
export function startOf(article: IndexedArticle, sentence: string): number {
  const start = article.text.indexOf(sentence);
  if (start < 0 || article.text.indexOf(sentence, start + 1) >= 0)
    throw new Error(`"${sentence}" is not once in ${article.id}`);
  return start;
}

/**
 * A sentence of the article as a candidate for `question`: its own terms, those of its passage (`hit`, or the
 * sentence alone) and its article's metadata, each only the question's.
 */
export function candidateOf(
  article: IndexedArticle,
  sentence: string,
  question: AnalyzedQuestion,
  hit: RankedPassage | null = null,
): Candidate {
  const start = startOf(article, sentence);
  const wanted = (text: string): Set<string> => new Set(contentTerms(text).filter((t) => question.terms.includes(t)));
  const about = wanted(metadataWords(article));
  const context = new Set([...wanted(hit?.passage.text ?? sentence), ...about]);
  const position = article.lead.findIndex((s) => s.start === start);
  return {
    ...{ article, hit, start, end: start + sentence.length, position: position < 0 ? null : position },
    ...{ own: wanted(sentence), context, about },
  };
}

const NO_SIGNALS: Weights = { sentence: 0, context: 0, subject: 0, passage: 0, lead: 0, type: 0, passageMeaning: 0 };

/** A candidate as scored: the stages after scoring read only its score (its signals are for explanations). */
export function scoredAs(candidate: Candidate, score: number): Scored {
  return { ...candidate, score, signals: NO_SIGNALS };
}

/** The text of a span of an article: what a reader would see quoted. */
export function textOf(c: { article: IndexedArticle; start: number; end: number }): string {
  return c.article.text.slice(c.start, c.end);
}
