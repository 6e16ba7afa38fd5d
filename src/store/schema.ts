// The index database's tables: articles, passages, sentence vectors, the full-text index and term impacts.
import { IMPACTS_SCHEMA } from './term-impacts.js';

export const FTS_TOKENIZE = 'porter unicode61 remove_diacritics 2';

export const SCHEMA = `
CREATE TABLE articles (
  id TEXT PRIMARY KEY,
  file TEXT NOT NULL UNIQUE,
  hash TEXT NOT NULL,
  title TEXT NOT NULL,
  date TEXT,
  source TEXT,
  author TEXT,
  url TEXT,
  text TEXT NOT NULL,
  paragraphs TEXT NOT NULL,
  -- JSON: [start, end, terms] of its first sentences (see IndexedArticle; terms space-separated).
  lead TEXT NOT NULL,
  -- JSON: the article's credit lines (see Credit), quoted when a question is about the article itself.
  credits TEXT NOT NULL
);
CREATE TABLE passages (
  id INTEGER PRIMARY KEY,
  article_id TEXT NOT NULL REFERENCES articles(id),
  ordinal INTEGER NOT NULL,
  paragraph_start INTEGER NOT NULL,
  paragraph_end INTEGER NOT NULL,
  start INTEGER NOT NULL,
  end INTEGER NOT NULL,
  tokens INTEGER NOT NULL,
  text TEXT NOT NULL,
  -- JSON: [start, end, terms] of its sentences in the article's text (terms space-separated).
  sentences TEXT NOT NULL,
  -- NULL in an index built without the embedding model (lexical search only).
  vector BLOB
);
CREATE INDEX passages_by_article ON passages(article_id, ordinal);
-- A vector for each sentence of the passages, pooled at index time from the passage's model run
-- (only in an index built with the model), so that answering embeds nothing but the question.
-- A sentence shared by two overlapping passages is kept once.
CREATE TABLE sentences (
  article_id TEXT NOT NULL REFERENCES articles(id),
  start INTEGER NOT NULL,
  end INTEGER NOT NULL,
  -- int8 (see encodeSentenceVector).
  vector BLOB NOT NULL,
  PRIMARY KEY (article_id, start)
);
-- Passage text and article title as words; Porter stemming so "reported" finds "Reporting". Its
-- tokens and counts give term_impacts, which lexical search reads.
CREATE VIRTUAL TABLE passages_fts USING fts5(text, title, tokenize = '${FTS_TOKENIZE}');
${IMPACTS_SCHEMA}`;
