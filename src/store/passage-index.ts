// The open index a question reads: passages, vectors, sentence vectors and collection statistics.
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import { DATABASE_FILE, VECTORS_FILE, currentGeneration } from './layout.js';
import { damagedFile, damagedFileAsync, missingOrTruncated, readManifest, type Manifest } from './manifest.js';
import { PassageDatabase } from './database.js';
import { dot } from '../core/vectors.js';
import { VectorIndex, VectorMean } from './vectors.js';
import { contentTerms, stem } from '../core/text/words.js';
import type { ArticleEntry, IndexedArticle, IndexedPassage } from '../core/types.js';
import { NAMING_ARTICLES, type PassageHit, type SearchableIndex } from '../core/retrieval/retrieve.js';
import { metadataWords } from '../core/text/article-words.js';

const VECTOR_SAMPLE = 256;
// Articles kept in memory with their text: the retrieved passages of one question come from at
// most topK + the named articles' (a few dozen); this many serve many questions in a row.
const ARTICLE_CACHE = 512;
// Passages kept in memory, the least recently used let go: a hybrid question's vector and text
// searches find many of the same passages, and a question asked again finds all of them, read
// once from SQLite instead of twice (its text and its sentences' JSON).
const PASSAGE_CACHE = 4096;
// Sentences the question's cosines are judged against (MEANING_MARGIN): enough that the spread's
// standard deviation is off by about 4 % (docs/decisions/sentence-sample.md).
const SENTENCE_SAMPLE = 256;
// Words in more than a fifth of the passages are left out of full-text search: faster, no answer
// lost; below 1,000 passages a word's count says little (docs/decisions/common-words.md).
const COMMON_WORD_SHARE = 0.2;
const COMMON_WORD_PASSAGES = 1000;

/** A file of the index is missing, truncated or corrupted: the index must be rebuilt. */
export class IndexDamagedError extends Error {
  override name = 'IndexDamagedError';
}

/** A built index, opened for reading: what retrieval and the commands query. */
export class PassageIndex implements SearchableIndex {
  private readonly articleCache = new LRUCache<string, IndexedArticle>({ max: ARTICLE_CACHE });
  private readonly passageCache = new LRUCache<number, IndexedPassage>({ max: PASSAGE_CACHE });
  private statistics: ReturnType<PassageDatabase['documentFrequencies']> | undefined;
  private centroid: Float32Array | null | undefined;
  private sample: Float32Array[] | undefined;
  private sentences: Float32Array[] | undefined;
  private about: { articles: number; frequency: (term: string) => number; postings: Map<string, string[]> } | undefined;
  private listing: ArticleEntry[] | undefined;

  private constructor(
    readonly dir: string,
    readonly manifest: Manifest,
    private readonly db: PassageDatabase,
    private readonly vectors: VectorIndex | null,
    /** Settles once the files are known to match their checksums; rejects with IndexDamagedError when they do not. */
    readonly verified: Promise<void>,
  ) {}

  /**
   * Opens the live generation under `indexDir`, or returns null when there is none. Its files are
   * checked against the manifest's checksums: before it returns (`verify: true`), not at all
   * (`false`: the caller just wrote them), or (`'background'`) sizes now and checksums while the
   * index is already in use, with `verified` telling the outcome. Whoever serves from it awaits
   * `verified` before giving out what it read.
   */
  static open(indexDir: string, { verify = true }: { verify?: boolean | 'background' } = {}): PassageIndex | null {
    const dir = currentGeneration(indexDir);
    if (!dir) return null;
    const manifest = readManifest(dir);
    if (!manifest) return null;
    const damage =
      verify === true ? damagedFile(dir, manifest) : verify === 'background' ? missingOrTruncated(dir, manifest) : null;
    if (damage) throw new IndexDamagedError(damage);
    const db = PassageDatabase.open(path.join(dir, DATABASE_FILE));
    try {
      const vectors = manifest.model
        ? VectorIndex.load(path.join(dir, VECTORS_FILE), manifest.model.dims, manifest.counts.passages)
        : null;
      const verified =
        verify === 'background'
          ? damagedFileAsync(dir, manifest).then((found) => {
              if (found) throw new IndexDamagedError(found);
            })
          : Promise.resolve();
      // Awaited by whoever serves an answer; never an unhandled rejection meanwhile.
      verified.catch(() => {});
      return new PassageIndex(dir, manifest, db, vectors, verified);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  close(): void {
    this.db.close();
  }

  /** Whether passages have vectors (the index was built with the embedding model). */
  get hasVectors(): boolean {
    return this.vectors !== null;
  }

  /**
   * Nearest passages to a query vector: by the HNSW graph, or within one article by comparing
   * the query with each of its passages (exact, and far cheaper than a graph search filtered to
   * a few of its nodes, which wanders the whole graph to find them).
   */
  searchVectors(
    vector: Float32Array,
    k: number,
    ef: number | null,
    options: { articleId?: string } = {},
  ): PassageHit[] {
    if (!this.vectors) return [];
    if (options.articleId) {
      const scored = this.db
        .articleVectors(options.articleId)
        .map(({ id, vector: v }) => ({ id, score: dot(v, vector) }));
      return this.hits(scored.sort((a, b) => b.score - a.score).slice(0, k));
    }
    return this.hits(this.vectors.search(vector, k, ef).map((h) => ({ id: h.label, score: h.score })));
  }

  /** Passages containing the words, by BM25. */
  searchText(terms: string[], k: number, options: { articleId?: string } = {}): PassageHit[] {
    return this.hits(this.db.searchText(this.searchable(terms), k, options.articleId));
  }

  /** The best `perArticle` passages by BM25 of each of the articles, best first. */
  searchTextInArticles(terms: string[], articleIds: string[], perArticle: number): PassageHit[] {
    return this.hits(this.db.searchTextInArticles(this.searchable(terms), articleIds, perArticle));
  }

  /**
   * The question words worth a full-text search: in a collection of COMMON_WORD_PASSAGES passages
   * or more, a word found in more than COMMON_WORD_SHARE of them is left out (the rarest word is
   * kept when all are common). FTS5 scores every passage that holds any query word, so common
   * words cost most of a search, and they tell little about which passage answers.
   */
  private searchable(words: string[]): string[] {
    const { passages, frequency } = this.termStatistics;
    if (passages < COMMON_WORD_PASSAGES) return words;
    const counted = words.map((word) => ({ word, n: frequency(stem(word)) }));
    const kept = counted.filter((t) => t.n <= COMMON_WORD_SHARE * passages);
    return (kept.length ? kept : counted.sort((a, b) => a.n - b.n).slice(0, 1)).map((t) => t.word);
  }

  /** Document frequencies of stemmed terms, loaded lazily and cached for the index's life. */
  get termStatistics(): ReturnType<PassageDatabase['documentFrequencies']> {
    this.statistics ??= this.db.documentFrequencies();
    return this.statistics;
  }

  /**
   * The mean of the passage vectors (null without vectors): a question's dot product with it is
   * its mean cosine to the passages, what any text scores by being text. Recorded in the manifest
   * at build; averaged here once for an index built before that.
   */
  get meanVector(): Float32Array | null {
    const recorded = this.manifest.model?.meanVector;
    if (this.centroid === undefined && recorded) this.centroid = Float32Array.from(recorded);
    if (this.centroid === undefined) {
      const mean = new VectorMean();
      for (const { vector } of this.db.vectors()) mean.add(vector);
      this.centroid = mean.value;
    }
    return this.centroid;
  }

  /**
   * Up to VECTOR_SAMPLE (256) passage vectors spread evenly over the index: a question's cosines to them show how
   * its similarities are spread under this model, so answers can judge a cosine against them.
   */
  get vectorSample(): Float32Array[] {
    this.sample ??= this.vectors ? this.db.vectorSample(VECTOR_SAMPLE) : [];
    return this.sample;
  }

  /**
   * Up to SENTENCE_SAMPLE (256) sentence vectors spread evenly over the index (none without vectors): what a
   * question's cosine to any sentence is like.
   */
  get sentenceSample(): Float32Array[] {
    this.sentences ??= this.vectors ? this.db.sentenceSample(SENTENCE_SAMPLE) : [];
    return this.sentences;
  }

  /** Vectors of the sentences stored at index time, by sentenceKey; a sentence not stored is left out. */
  sentenceVectors(keys: { articleId: string; start: number }[]): Map<string, Float32Array> {
    return this.vectors ? this.db.sentenceVectors(keys) : new Map<string, Float32Array>();
  }

  /**
   * How many articles carry a stemmed term in their title, author, source or date: a word that
   * names few articles names the article a question means.
   */
  get metadataStatistics(): { articles: number; frequency: (term: string) => number } {
    return this.metadataPostings();
  }

  /**
   * The articles a question names by their metadata ("in Eisenhower's 1957 address", "the Reuters
   * story"): those whose title, author, source or date hold question words that few articles' do
   * (at most NAMING_ARTICLES), best named first, at most `limit`.
   */
  namedArticles(terms: string[], limit: number): string[] {
    const { articles, postings } = this.metadataPostings();
    const scores = new Map<string, number>();
    for (const term of new Set(terms)) {
      const ids = postings.get(term);
      if (!ids || ids.length > NAMING_ARTICLES) continue;
      for (const id of ids) scores.set(id, (scores.get(id) ?? 0) + Math.log(1 + articles / ids.length));
    }
    return [...scores.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([id]) => id);
  }

  private metadataPostings(): {
    articles: number;
    frequency: (term: string) => number;
    postings: Map<string, string[]>;
  } {
    if (!this.about) {
      const postings = new Map<string, string[]>();
      const listing = this.articles();
      for (const article of listing) {
        for (const term of new Set(contentTerms(metadataWords(article)))) {
          const ids = postings.get(term) ?? [];
          ids.push(article.id);
          postings.set(term, ids);
        }
      }
      this.about = { articles: listing.length, frequency: (term) => postings.get(term)?.length ?? 0, postings };
    }
    return this.about;
  }

  private hits(ranked: { id: number; score: number }[]): PassageHit[] {
    const missing = ranked.filter((h) => !this.passageCache.has(h.id)).map((h) => h.id);
    for (const [id, passage] of this.db.passages(missing)) this.passageCache.set(id, passage);
    return ranked.flatMap((hit) => {
      const passage = this.passageCache.get(hit.id);
      const article = passage && this.article(passage.articleId);
      return passage && article ? [{ passage, article, score: hit.score }] : [];
    });
  }

  /**
   * An article with its text. The most recently used ones are kept (answers slice quotes out of
   * them, question after question); the least recently used goes beyond ARTICLE_CACHE, so a
   * large collection's texts do not all end up in memory.
   */
  article(id: string): IndexedArticle | null {
    let article = this.articleCache.get(id);
    if (!article) {
      const stored = this.db.article(id);
      if (!stored) return null;
      this.articleCache.set(id, (article = stored));
    }
    return article;
  }

  /** All articles (without text), newest first; cached, as autocomplete asks on every keystroke. */
  articles(): ArticleEntry[] {
    this.listing ??= this.db.articles();
    return this.listing;
  }

  /** Each article's id and cleaned text, one at a time (not cached, unlike article()). */
  articleTexts(): Iterable<{ id: string; text: string }> {
    return this.db.articleTexts();
  }
}
