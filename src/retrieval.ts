import type { Embedder } from './embedder.js';
import type { PassageHit, PassageIndex } from './store/passage-index.js';

export type RetrievalMode = 'dense';

export interface RetrievalOptions {
  k: number;
  efSearch: number;
  /** Search only this article's passages. */
  articleId?: string;
}

export interface Retrieved {
  mode: RetrievalMode;
  query: Float32Array;
  /** Best first. */
  hits: PassageHit[];
}

/** The passages nearest to the question in embedding space. */
export async function retrieve(index: PassageIndex, embedder: Embedder, question: string, options: RetrievalOptions): Promise<Retrieved> {
  const [query] = await embedder.embed([question]);
  const hits = index.search(query!, options.k, options.efSearch, { articleId: options.articleId });
  return { mode: 'dense', query: query!, hits };
}
