// Retrieval: the passages nearest a question, by meaning (HNSW), by words (FTS5 BM25) or both fused.
import type { TermStatistics } from '../answer/evidence.js';
import type { IndexedArticle, IndexedPassage } from '../types.js';
import type { RetrievalMode } from './modes.js';
import { boundedQuestion, contentTerms, contentWords, withSpellings } from '../text/words.js';

/**
 * A word of titles, authors, sources or dates names an article when at most this many articles'
 * metadata hold it ("Adams": the eight speeches by an Adams), not when many do ("State of the Union").
 */
export const NAMING_ARTICLES = 8;

export interface PassageHit {
  passage: IndexedPassage;
  article: IndexedArticle;
  /** Cosine similarity for vector search, BM25 for text search. */
  score: number;
}

/** What retrieval searches: an open index (store/passage-index.ts implements it). */
export interface SearchableIndex {
  termStatistics: TermStatistics;
  searchText(words: string[], limit: number, scope: { articleId?: string }): PassageHit[];
  searchTextInArticles(words: string[], articleIds: string[], perArticle: number): PassageHit[];
  searchVectors(
    query: Float32Array,
    limit: number,
    efSearch: number | null,
    scope: { articleId?: string },
  ): PassageHit[];
  /** Ids of the articles whose metadata name these terms, best named first. */
  namedArticles(terms: string[], limit: number): string[];
}

/** What embeds the question: the embedding model (models/embedder.ts implements it). */
export interface QueryEmbedder {
  embed(texts: string[]): Promise<Float32Array[]>;
}

export interface RetrievalOptions {
  mode: RetrievalMode;
  k: number;
  /** HNSW's candidate list; null: by the graph's size. */
  efSearch: number | null;
  /** Search only this article's passages. */
  articleId?: string;
  /** At most this many of one article's passages before other articles get a turn. */
  perArticle?: number;
  /** Articles whose best passages are searched as if the question named them (a conversation's cited articles). */
  preferArticles?: string[];
}

export interface RankedPassage extends PassageHit {
  /** Cosine similarity to the question, when dense search found it. */
  dense: number | null;
  /** BM25, when lexical search found it. */
  lexical: number | null;
}

export interface Retrieved {
  mode: RetrievalMode;
  /**
   * The question as its words were searched: its first MAX_QUESTION_WORDS words (see boundedQuestion), spelled as
   * the articles spell them (see withSpellings).
   */
  question: string;
  /** The question's vector (null in lexical mode). */
  queryVector: Float32Array | null;
  /** Best first. */
  hits: RankedPassage[];
}

// Reciprocal rank fusion's damping constant (Cormack et al. 2009): ranks, not raw scores, are
// fused, so BM25 and cosine need no common scale.
const RRF_K = 60;

/** The passages that best match the question: by meaning, by words, or both fused. */
export async function retrieve(
  index: SearchableIndex,
  embedder: QueryEmbedder | null,
  asked: string,
  options: RetrievalOptions,
): Promise<Retrieved> {
  // However long the question, it is read by its first MAX_QUESTION_WORDS words, here and in the answer.
  const question = boundedQuestion(asked);
  const depth = options.k * 2;
  const scope = { articleId: options.articleId };
  let embedding: Promise<Float32Array[]> | null = null;
  if (options.mode !== 'lexical') {
    if (!embedder) throw new Error(`${options.mode} retrieval needs the embedding model`);
    // The model's thread embeds the question while this one searches the text, so the full-text
    // search costs no time beyond the embedding. (A failed embedding is thrown where it is awaited.)
    embedding = embedder.embed([question]);
    embedding.catch(() => {});
  }
  // The model reads the question as asked (it knows "harbour" is "harbor"); the words are searched
  // as the articles spell them. Reading them costs a term lookup per nearby spelling, also done
  // while the question is embedded.
  const searched = withSpellings(question, (term) => index.termStatistics.frequency(term) > 0);
  const lexical = options.mode !== 'dense' ? index.searchText(contentWords(searched), depth, scope) : [];
  let query: Float32Array | null = null;
  let dense: PassageHit[] = [];
  if (embedding) {
    [query] = (await embedding) as [Float32Array];
    dense = index.searchVectors(query, depth, options.efSearch, scope);
  }

  const fused = new Map<number, RankedPassage & { rrf: number }>();
  const add = (hits: PassageHit[], kind: 'dense' | 'lexical'): void => {
    hits.forEach((hit, rank) => {
      let entry = fused.get(hit.passage.id);
      if (!entry) {
        entry = { passage: hit.passage, article: hit.article, score: 0, dense: null, lexical: null, rrf: 0 };
        fused.set(hit.passage.id, entry);
      }
      entry[kind] = hit.score;
      entry.rrf += 1 / (RRF_K + rank + 1);
    });
  };
  add(dense, 'dense');
  add(lexical, 'lexical');
  const ranked = [...fused.values()].sort((a, b) => b.rrf - a.rrf);
  const hits = diversify(ranked, options.perArticle ?? 3)
    .slice(0, options.k)
    .map(({ passage, article, dense, lexical, rrf }) => ({ passage, article, dense, lexical, score: rrf }));
  if (!options.articleId) hits.push(...namedArticleHits(index, searched, query, hits, options));
  return { mode: options.mode, question: searched, queryVector: query, hits };
}

// Articles a question names by title, author, source or date are searched on their own, however
// their passages rank among all: "What did Adams congratulate the nation on…" is about one of
// the eight speeches by an Adams, though other presidents' speeches use its words more. Their
// best passages by words (and by meaning) each: 3 gained on SOTU and WikiQA over 2, more gained
// nothing (docs/decisions/named-article-passages.md).
const PASSAGES_PER_NAMED = 3;

/** The best passages of each article the question names, that the search did not already find. */
function namedArticleHits(
  index: SearchableIndex,
  question: string,
  query: Float32Array | null,
  found: RankedPassage[],
  options: RetrievalOptions,
): RankedPassage[] {
  const words = contentWords(question);
  const seen = new Set(found.map((h) => h.passage.id));
  const extra: RankedPassage[] = [];
  const named = [
    ...new Set([...index.namedArticles(contentTerms(question), NAMING_ARTICLES), ...(options.preferArticles ?? [])]),
  ];
  const lexical = options.mode !== 'dense' ? index.searchTextInArticles(words, named, PASSAGES_PER_NAMED) : [];
  const dense = query
    ? named.flatMap((articleId) => index.searchVectors(query, PASSAGES_PER_NAMED, options.efSearch, { articleId }))
    : [];
  // Per article, its lexical hits then its dense ones, as when each article was searched alone.
  const order = new Map(named.map((id, i) => [id, i]));
  const kinds = [...lexical.map((h) => [h, 'lexical'] as const), ...dense.map((h) => [h, 'dense'] as const)];
  kinds.sort((a, b) => order.get(a[0].article.id)! - order.get(b[0].article.id)!);
  for (const [hit, kind] of kinds) {
    if (seen.has(hit.passage.id)) {
      const entry = extra.find((e) => e.passage.id === hit.passage.id);
      if (entry) entry[kind] = hit.score;
      continue;
    }
    seen.add(hit.passage.id);
    extra.push({
      ...hit,
      score: 0,
      dense: kind === 'dense' ? hit.score : null,
      lexical: kind === 'lexical' ? hit.score : null,
    });
  }
  return extra;
}

/** Keeps the order but lets no article have more than `cap` passages ahead of the others' best. */
function diversify<T extends PassageHit>(ranked: T[], cap: number): T[] {
  const first: T[] = [];
  const rest: T[] = [];
  const taken = new Map<string, number>();
  for (const hit of ranked) {
    const n = taken.get(hit.article.id) ?? 0;
    (n < cap ? first : rest).push(hit);
    taken.set(hit.article.id, n + 1);
  }
  return [...first, ...rest];
}
