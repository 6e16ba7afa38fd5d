import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSotu, writeSotuArticles } from '../../scripts/sotu.js';
import { makeQuestions } from '../../scripts/bench-questions.js';
import { Footnote } from '../../src/library/footnote.js';
import { PassageDatabase } from '../../src/store/database.js';
import { DATABASE_FILE, currentGeneration } from '../../src/store/layout.js';
import { contentWords } from '../../src/core/text/words.js';
import { silentLog, tempDir, testConfig } from '../support/setup.js';

const BM25 = 'bm25(passages_fts, 1.0, 0.8)';

/** What lexical search was before term_impacts: FTS5 scoring every matching passage per question. */
function ftsSearch(
  raw: Database.Database,
  words: string[],
  k: number,
  articleId?: string,
): { id: number; score: number }[] {
  const query = [...new Set(words)].map((w) => `"${w}"`).join(' OR ');
  if (!query) return [];
  return (
    articleId
      ? raw
          .prepare(
            `SELECT f.rowid AS id, -${BM25} AS score FROM passages_fts f JOIN passages p ON p.id = f.rowid
             WHERE passages_fts MATCH ? AND p.article_id = ? ORDER BY ${BM25} LIMIT ?`,
          )
          .all(query, articleId, k)
      : raw
          .prepare(
            `SELECT rowid AS id, -${BM25} AS score FROM passages_fts WHERE passages_fts MATCH ? ORDER BY ${BM25} LIMIT ?`,
          )
          .all(query, k)
  ) as { id: number; score: number }[];
}

describe('lexical search over stored term impacts', () => {
  let raw: Database.Database;
  let db: PassageDatabase;
  let passages: { articleId: string; text: string }[];

  beforeAll(async () => {
    const articles = tempDir('footnote-sotu-');
    writeSotuArticles(articles, loadSotu().slice(0, 12));
    const config = testConfig({ ARTICLES_DIR: articles, RETRIEVAL_MODE: 'lexical' });
    const footnote = new Footnote(config, silentLog);
    await footnote.reindex();
    await footnote.close();
    const file = path.join(currentGeneration(config.indexDir)!, DATABASE_FILE);
    raw = new Database(file, { readonly: true });
    db = PassageDatabase.open(file);
    passages = raw.prepare('SELECT article_id AS articleId, text FROM passages').all() as typeof passages;
  }, 120_000);

  afterAll(() => {
    raw?.close();
    db?.close();
  });

  it('ranks and scores passages exactly as FTS5 bm25() does', () => {
    const questions = makeQuestions(passages, 200, 3);
    for (const { text } of questions) {
      const words = contentWords(text);
      const expected = ftsSearch(raw, words, 16);
      const got = db.searchText(words, 16);
      expect(
        got.map((h) => h.id),
        text,
      ).toEqual(expected.map((h) => h.id));
      got.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i]!.score, 4));
    }
  });

  it('matches words as FTS5 tokenizes them: any case, accents, and stems', () => {
    const lower = db.searchText(['congress'], 5);
    expect(lower.length).toBe(5);
    expect(db.searchText(['CONGRESS'], 5)).toEqual(lower);
    expect(db.searchText(['Cóngress'], 5)).toEqual(lower);
    expect(db.searchText(['congresses'], 5).map((h) => h.id)).toEqual(lower.map((h) => h.id));
    expect(db.searchText(['zzyzxqqq'], 5)).toEqual([]);
    expect(db.searchText([], 5)).toEqual([]);
  });

  it('searches within one article, and the best few of several, as FTS5 filtered by article does', () => {
    const [first, second] = [...new Set(passages.map((p) => p.articleId))];
    for (const { text } of makeQuestions(passages, 40, 5)) {
      const words = contentWords(text);
      expect(db.searchText(words, 4, first).map((h) => h.id)).toEqual(ftsSearch(raw, words, 4, first).map((h) => h.id));
      const both = db.searchTextInArticles(words, [first!, second!], 2);
      const expected = [...ftsSearch(raw, words, 2, first), ...ftsSearch(raw, words, 2, second)].sort(
        (a, b) => b.score - a.score || a.id - b.id,
      );
      expect(both.map((h) => h.id)).toEqual(expected.map((h) => h.id));
      expect(both.every((h) => h.articleId === first || h.articleId === second)).toBe(true);
    }
  });
});
