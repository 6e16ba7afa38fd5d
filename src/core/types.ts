// The domain's types in one place: an article as parsed and as indexed, a passage, a span, a citation, an answer.
import type { Explanation } from './answer/explanation.js';
import type { RetrievalMode } from './retrieval/modes.js';

/** A half-open range `[start, end)` of some text. */
export interface Span {
  start: number;
  end: number;
}

/** A paragraph of an article's cleaned text, numbered as a reader counts them (from 1). */
export interface Paragraph {
  n: number;
  /** Offsets into `Article.text`: `text.slice(start, end)` is the paragraph. */
  start: number;
  end: number;
}

/**
 * A line of the file that says who wrote or edited the article, when or where it appeared: the
 * byline, the date line, "This story originally appeared on …", "(Reporting by …; Editing by …)".
 * Answers to questions about the article itself quote it.
 */
export interface Credit {
  kind: 'byline' | 'date' | 'source' | 'reporting';
  /** Verbatim: `text.slice(start, end)` of the cleaned text (`in: 'text'`) or of the file (`in: 'file'`). */
  text: string;
  /**
   * The cleaned text keeps the reporting line as a paragraph; the others are left out of it, so they are located in the
   * file.
   */
  in: 'text' | 'file';
  start: number;
  end: number;
}

export interface ArticleMeta {
  title: string;
  /** ISO date (YYYY-MM-DD) when known. */
  date: string | null;
  source: string | null;
  author: string | null;
  url: string | null;
}

/** What a parser returns for one file's content, before the loader adds identity and hash. */
export interface ParsedArticle extends ArticleMeta {
  text: string;
  paragraphs: Paragraph[];
  credits: Credit[];
}

/** One article file, parsed and cleaned: what the rest of the pipeline reads. */
export interface Article extends ParsedArticle {
  /** Stable id derived from the file path (see articles/load.ts). */
  id: string;
  /** Path relative to ARTICLES_DIR, with forward slashes. */
  file: string;
  /** SHA-256 of the file's bytes: the incremental indexer compares it. */
  hash: string;
  /**
   * Cleaned text: the article's paragraphs, in order, separated by a blank line ("\n\n").
   * Each paragraph is verbatim article text (only white space may differ from the file).
   */
  text: string;
}

/** A retrievable piece of an article: `article.text.slice(start, end) === text`. */
export interface Passage {
  articleId: string;
  /** Position among the article's passages, from 0. */
  ordinal: number;
  /** First and last paragraph (numbered from 1) that the passage touches. */
  paragraphStart: number;
  paragraphEnd: number;
  start: number;
  end: number;
  text: string;
  /** Tokens in `text` as the budget counts them (see passageTokenCounter), without the model's special tokens. */
  tokens: number;
}

/** A sentence as the index keeps it: where it is in its article's text, and its content terms (contentTerms). */
export interface IndexedSentence extends Span {
  terms: string[];
}

/** An indexed article as a listing shows it: identity, metadata and passage count, without its text. */
export interface ArticleEntry extends ArticleMeta {
  id: string;
  file: string;
  hash: string;
  passages: number;
}

/**
 * An article as the index keeps it: metadata, cleaned text, paragraphs, and its first sentences
 * (`leadSentences`, found at index time so that answers segment and stem nothing).
 */
export interface IndexedArticle extends Article, ArticleEntry {
  lead: IndexedSentence[];
}

/** A passage as the index keeps it, with its sentences (`sentenceSpans` over it, at index time). */
export interface IndexedPassage extends Passage {
  id: number;
  sentences: IndexedSentence[];
}

export interface Citation {
  n: number;
  article: {
    id: string;
    title: string;
    date: string | null;
    source: string | null;
    file: string;
    author: string | null;
    url: string | null;
    /** The library the article is in, set by the library that answered: "home" or a Discord server's id. */
    library?: string;
  };
  /**
   * Paragraph of the article (numbered from 1) where the quote starts; 0 for a line the cleaned text leaves out
   * (`located: 'file'`).
   */
  paragraph: number;
  /**
   * Verbatim article text: `article.text.slice(start, end)`, or for `located: 'file'` the same slice of the article
   * file's text.
   */
  quote: string;
  start: number;
  end: number;
  /**
   * What `start`/`end` index: the article's cleaned text, or (a byline, date line or source line left out of it) the
   * file's text.
   */
  located: 'text' | 'file';
  score: number;
}

export interface Answer {
  question: string;
  found: boolean;
  /** What the user reads: the quoted sentences with [n] markers, or a plain "not found". */
  text: string;
  citations: Citation[];
  retrieval: { mode: RetrievalMode; model: string };
  /** Why the answer is what it is (with AnswerOptions.explain). */
  explanation?: Explanation;
}
