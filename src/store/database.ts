// The index database: articles, passages and their vectors in one SQLite file beside the HNSW graph, written by a
// build and read by questions.
import Database from 'better-sqlite3';
import { sentenceKey } from '../core/text/sentences.js';
import { ImpactSearch, ImpactWriter } from './term-impacts.js';
import {
  decodeSentences,
  decodeSentenceVector,
  encodeSentences,
  encodeSentenceVector,
  passageVector,
  toArticle,
  type ArticleRow,
  type PassageRow,
} from './row-encoding.js';
import { FTS_TOKENIZE, SCHEMA } from './schema.js';
import type { ArticleEntry, Article, IndexedArticle, IndexedPassage, Passage, Span } from '../core/types.js';

/** What a build stores of an article: the parsed article, its lead and its passages' sentences. */
export type ArticleToStore = Article & { lead: Span[] };
export type PassageToStore = Passage & { sentences: Span[] };

/** A passage's vector and its sentences' (spans in the article's text). */
export interface PassageVectors {
  vector: Float32Array;
  sentences: (Span & { vector: Float32Array })[];
}

// Terms whose passage counts are remembered: 100,000 take about 7 MB.
const TERM_CACHE = 100_000;

/** Articles, passages and their vectors in one SQLite file beside the HNSW graph. */
export class PassageDatabase {
  private impactWriter: ImpactWriter | undefined;
  private impactSearch: ImpactSearch | undefined;

  /** Statements a question runs, compiled once: compiling costs as much as running most of them. */
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(private readonly db: Database.Database) {}

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  static create(file: string): PassageDatabase {
    const db = new Database(file);
    db.pragma('journal_mode = DELETE');
    db.pragma('synchronous = FULL');
    db.exec(SCHEMA);
    return new PassageDatabase(db);
  }

  static open(file: string): PassageDatabase {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    return new PassageDatabase(db);
  }

  close(): void {
    this.impactSearch?.close();
    this.db.close();
  }

  /** Copies the named articles with their passages and vectors (ids kept) from another index's database. */
  copyArticlesFrom(file: string, ids: string[]): void {
    if (!ids.length) return;
    this.db.prepare('ATTACH DATABASE ? AS previous').run(file);
    try {
      this.db.exec('CREATE TEMP TABLE keep (id TEXT PRIMARY KEY)');
      const keep = this.db.prepare('INSERT INTO keep (id) VALUES (?)');
      this.db.transaction(() => {
        for (const id of ids) keep.run(id);
        this.db.exec(`
          INSERT INTO main.articles SELECT a.* FROM previous.articles a JOIN keep USING (id);
          INSERT INTO main.passages SELECT p.* FROM previous.passages p JOIN keep k ON k.id = p.article_id;
          INSERT INTO main.sentences SELECT s.* FROM previous.sentences s JOIN keep k ON k.id = s.article_id;
        `);
      })();
      this.db.exec('DROP TABLE keep');
    } finally {
      this.db.exec('DETACH DATABASE previous');
    }
  }

  /**
   * Adds passages with ids above `afterId` (at most `limit`) to the full-text index; returns the
   * last id added, or null when none were left. Called in slices so a big index does not hold up
   * the event loop.
   */
  indexText(afterId: number, limit: number): number | null {
    const last = this.db
      .prepare('SELECT max(id) FROM (SELECT id FROM passages WHERE id > ? ORDER BY id LIMIT ?)')
      .pluck()
      .get(afterId, limit) as number | null;
    if (last === null) return null;
    this.db
      .prepare(
        `INSERT INTO passages_fts (rowid, text, title)
         SELECT p.id, p.text, a.title FROM passages p JOIN articles a ON a.id = p.article_id
         WHERE p.id > ? AND p.id <= ?`,
      )
      .run(afterId, last);
    return last;
  }

  /**
   * Writes the BM25 impacts of the terms after `after` (at most `limit`) from the full-text index;
   * returns the last term written, or null when none were left. Called in slices, after indexText.
   */
  indexImpacts(after: string, limit: number): string | null {
    this.impactWriter ??= new ImpactWriter(this.db);
    return this.impactWriter.writeAfter(after, limit);
  }

  /**
   * Passages matching any of `terms` (plain words), best BM25 first: FTS5's
   * bm25(passages_fts, 1.0, 0.8) with the sign flipped, so higher is better.
   */
  searchText(terms: string[], k: number, articleId?: string): { id: number; score: number }[] {
    if (!articleId) return this.impacts().search(terms, k);
    const inArticle = this.articlesOfPassages([articleId]);
    return this.impacts().search(terms, k, (id) => inArticle.has(id));
  }

  /** The best `perArticle` passages by BM25 of each of the named articles, best first. Scores as in searchText. */
  searchTextInArticles(
    terms: string[],
    articleIds: string[],
    perArticle: number,
  ): { id: number; score: number; articleId: string }[] {
    if (!articleIds.length) return [];
    const articleOf = this.articlesOfPassages(articleIds);
    const taken = new Map<string, number>();
    const best: { id: number; score: number; articleId: string }[] = [];
    for (const hit of this.impacts().search(terms, articleOf.size, (id) => articleOf.has(id))) {
      const articleId = articleOf.get(hit.id)!;
      const n = taken.get(articleId) ?? 0;
      if (n >= perArticle) continue;
      taken.set(articleId, n + 1);
      best.push({ ...hit, articleId });
    }
    return best;
  }

  private impacts(): ImpactSearch {
    this.impactSearch ??= new ImpactSearch(this.db, FTS_TOKENIZE);
    return this.impactSearch;
  }

  /** The articles' passages: passage id → article id. */
  private articlesOfPassages(articleIds: string[]): Map<number, string> {
    const rows = this.statement(
      `SELECT id, article_id FROM passages WHERE article_id IN (${articleIds.map(() => '?').join(',')})`,
    )
      .raw()
      .all(...articleIds) as [number, string][];
    return new Map(rows);
  }

  /** How many passages contain each term (for weighting rare words above common ones), the last TERM_CACHE cached. */
  documentFrequencies(): { passages: number; frequency: (term: string) => number } {
    const passages = this.passageCount();
    const cache = new Map<string, number>();
    // A term's passages are its term_impacts ids (4 bytes each): the same count as FTS5's vocabulary
    // table gives, which walks the term's whole list (docs/decisions/term-frequency-lookup.md).
    const lookup = this.statement('SELECT length(ids) / 4 FROM term_impacts WHERE term = ?').pluck();
    return {
      passages,
      frequency: (term) => {
        let n = cache.get(term);
        if (n === undefined) {
          n = (lookup.get(term) as number | undefined) ?? 0;
          // Questions reuse words, but respelling looks up thousands that no one asks again.
          if (cache.size >= TERM_CACHE) cache.clear();
          cache.set(term, n);
        }
        return n;
      },
    };
  }

  /** Adds an article with its passages and, in an index built with the model, their vectors and their sentences'. */
  addArticle(article: ArticleToStore, passages: PassageToStore[], vectors: PassageVectors[] | null): void {
    const insertArticle = this.db.prepare(
      `INSERT INTO articles (id, file, hash, title, date, source, author, url, text, paragraphs, lead, credits)
       VALUES (@id, @file, @hash, @title, @date, @source, @author, @url, @text, @paragraphs, @lead, @credits)`,
    );
    const insertPassage = this.db.prepare(
      `INSERT INTO passages (article_id, ordinal, paragraph_start, paragraph_end, start, end, tokens, text, sentences,
                             vector)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertSentence = this.db.prepare(
      'INSERT OR IGNORE INTO sentences (article_id, start, end, vector) VALUES (?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      insertArticle.run({
        ...article,
        paragraphs: JSON.stringify(article.paragraphs.map((p) => [p.start, p.end])),
        lead: encodeSentences(article.text, article.lead),
        credits: JSON.stringify(article.credits),
      });
      passages.forEach((p, i) => {
        const embedded = vectors?.[i];
        const vector = embedded?.vector;
        insertPassage.run(
          p.articleId,
          p.ordinal,
          p.paragraphStart,
          p.paragraphEnd,
          p.start,
          p.end,
          p.tokens,
          p.text,
          encodeSentences(article.text, p.sentences),
          vector ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength) : null,
        );
        for (const s of embedded?.sentences ?? [])
          insertSentence.run(p.articleId, s.start, s.end, encodeSentenceVector(s.vector));
      });
    })();
  }

  passageCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM passages').get() as { n: number }).n;
  }

  /** Every passage id with its vector, in id order (to build the HNSW graph). */
  *vectors(): Generator<{ id: number; vector: Float32Array }> {
    for (const row of this.db
      .prepare('SELECT id, vector FROM passages WHERE vector IS NOT NULL ORDER BY id')
      .iterate() as Iterable<{ id: number; vector: Buffer }>) {
      yield { id: row.id, vector: passageVector(row.vector) };
    }
  }

  /** The stored vectors of sentences, by article id and start offset in its text; a sentence not stored is left out. */
  sentenceVectors(keys: { articleId: string; start: number }[]): Map<string, Float32Array> {
    const lookup = this.statement('SELECT vector FROM sentences WHERE article_id = ? AND start = ?').pluck();
    const result = new Map<string, Float32Array>();
    for (const { articleId, start } of keys) {
      const row = lookup.get(articleId, start) as Buffer | undefined;
      if (row) result.set(sentenceKey(articleId, start), decodeSentenceVector(row));
    }
    return result;
  }

  /** About `limit` sentence vectors spread evenly over the index. */
  sentenceSample(limit: number): Float32Array[] {
    const count = this.db.prepare('SELECT count(*) FROM sentences').pluck().get() as number;
    const every = Math.max(1, Math.floor(count / limit));
    const rows = this.db
      .prepare('SELECT vector FROM sentences WHERE rowid % ? = 0 ORDER BY rowid LIMIT ?')
      .pluck()
      .all(every, limit) as Buffer[];
    return rows.map(decodeSentenceVector);
  }

  /** Every how many passage ids to take one, for about `limit` spread evenly over the index. */
  private sampleStep(limit: number): number {
    return Math.max(1, Math.floor(this.passageCount() / limit));
  }

  /** About `limit` passage vectors spread evenly over the passage ids. */
  vectorSample(limit: number): Float32Array[] {
    const every = this.sampleStep(limit);
    const rows = this.db
      .prepare('SELECT vector FROM passages WHERE vector IS NOT NULL AND id % ? = 0 ORDER BY id LIMIT ?')
      .pluck()
      .all(every, limit) as Buffer[];
    return rows.map(passageVector);
  }

  passages(ids: number[]): Map<number, IndexedPassage> {
    const result = new Map<number, IndexedPassage>();
    if (!ids.length) return result;
    const rows = this.statement(
      `SELECT id, article_id, ordinal, paragraph_start, paragraph_end, start, end, tokens, text, sentences
                FROM passages WHERE id IN (${ids.map(() => '?').join(',')})`,
    ).all(...ids) as PassageRow[];
    for (const row of rows) {
      result.set(row.id, {
        id: row.id,
        articleId: row.article_id,
        ordinal: row.ordinal,
        paragraphStart: row.paragraph_start,
        paragraphEnd: row.paragraph_end,
        start: row.start,
        end: row.end,
        tokens: row.tokens,
        text: row.text,
        sentences: decodeSentences(row.sentences),
      });
    }
    return result;
  }

  /** Every passage vector of one article, with its passage id. */
  articleVectors(articleId: string): { id: number; vector: Float32Array }[] {
    const rows = this.statement(
      'SELECT id, vector FROM passages WHERE article_id = ? AND vector IS NOT NULL ORDER BY id',
    ).all(articleId) as { id: number; vector: Buffer }[];
    return rows.map((row) => ({ id: row.id, vector: passageVector(row.vector) }));
  }

  article(id: string): IndexedArticle | null {
    const row = this.statement(
      `SELECT a.*, (SELECT count(*) FROM passages p WHERE p.article_id = a.id) AS passages
       FROM articles a WHERE id = ?`,
    ).get(id) as ArticleRow | undefined;
    return row ? toArticle(row) : null;
  }

  /** All articles with their metadata (without their text), newest first. */
  articles(): ArticleEntry[] {
    return this.db
      .prepare(
        `SELECT a.id, a.file, a.hash, a.title, a.date, a.source, a.author, a.url,
                (SELECT count(*) FROM passages p WHERE p.article_id = a.id) AS passages
                FROM articles a ORDER BY a.date IS NULL, a.date DESC, a.title`,
      )
      .all() as ArticleEntry[];
  }

  /** Each article's id and cleaned text, read one at a time and kept by nobody. */
  *articleTexts(): Generator<{ id: string; text: string }> {
    yield* this.db.prepare('SELECT id, text FROM articles').iterate() as Iterable<{ id: string; text: string }>;
  }
}
