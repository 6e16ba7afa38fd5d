import path from 'node:path';
import { DATABASE_FILE, VECTORS_FILE, currentGeneration } from './layout.js';
import { readManifest, type Manifest } from './manifest.js';
import { PassageDatabase, type StoredArticle, type StoredPassage } from './database.js';
import { VectorIndex } from './vectors.js';

export interface PassageHit {
  passage: StoredPassage;
  article: StoredArticle;
  /** Cosine similarity to the query. */
  score: number;
}

/** A built index, opened for reading: what retrieval and the commands query. */
export class PassageIndex {
  private readonly articleCache = new Map<string, StoredArticle>();

  private constructor(
    readonly dir: string,
    readonly manifest: Manifest,
    private readonly db: PassageDatabase,
    private readonly vectors: VectorIndex,
  ) {}

  /** Opens the live generation under `indexDir`, or returns null when there is none. */
  static open(indexDir: string): PassageIndex | null {
    const dir = currentGeneration(indexDir);
    if (!dir) return null;
    const manifest = readManifest(dir);
    if (!manifest) return null;
    const db = PassageDatabase.open(path.join(dir, DATABASE_FILE));
    try {
      const vectors = VectorIndex.load(path.join(dir, VECTORS_FILE), manifest.model.dims, manifest.counts.passages);
      return new PassageIndex(dir, manifest, db, vectors);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  close(): void {
    this.db.close();
  }

  search(vector: Float32Array, k: number, ef: number, options: { articleId?: string } = {}): PassageHit[] {
    let filter: ((label: number) => boolean) | undefined;
    if (options.articleId) {
      const allowed = new Set(this.db.passageIds(options.articleId));
      if (!allowed.size) return [];
      filter = (label) => allowed.has(label);
    }
    const hits = this.vectors.search(vector, k, ef, filter);
    const passages = this.db.passages(hits.map((h) => h.label));
    return hits.flatMap((hit) => {
      const passage = passages.get(hit.label);
      const article = passage && this.article(passage.articleId);
      return passage && article ? [{ passage, article, score: hit.score }] : [];
    });
  }

  /** An article with its text (cached: answers slice quotes out of it). */
  article(id: string): StoredArticle | null {
    let article = this.articleCache.get(id);
    if (!article) {
      const stored = this.db.article(id);
      if (!stored) return null;
      article = stored;
      this.articleCache.set(id, article);
    }
    return article;
  }

  articles(): StoredArticle[] {
    return this.db.articles();
  }
}
