// What the answer stages read of the index besides the retrieved passages: its statistics, samples and lookups.
import type { IndexedArticle } from '../types.js';
import type { MetadataStatistics, TermStatistics } from './evidence.js';

/** What the index knows about its own text and vectors, against which a question's matches are judged. */
export interface Collection {
  terms: TermStatistics;
  metadata: MetadataStatistics;
  /** The mean passage vector and a sample of passage vectors (empty without vectors). */
  passageMean: Float32Array | null;
  vectorSample: Float32Array[];
  /** Vectors of a sample of sentences (empty without vectors): what a question's cosine to any sentence is like. */
  sentenceSample: Float32Array[];
  /** The sentence vectors stored at index time, by sentenceKey (empty without vectors). */
  sentenceVectors: (keys: { articleId: string; start: number }[]) => Map<string, Float32Array>;
  /** The one article of a collection of one ("Who wrote the article?" needs no other words), else null. */
  soleArticle: () => IndexedArticle | null;
  /**
   * The articles whose title, author, source or date name these terms (few articles' metadata hold
   * them), best named first: "the Reuters story" names its article though no passage says "Reuters".
   */
  namedArticles: (terms: string[]) => IndexedArticle[];
}
