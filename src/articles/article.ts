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

/**
 * An article's title, author, source and year as one line of words: what a reader may name it by,
 * with the initials of the names in its title and author ("JFK" for "John F. Kennedy").
 */
export function articleMetadata(article: Pick<ArticleMeta, 'title' | 'author' | 'source' | 'date'>): string {
  const initials = [article.title, article.author].flatMap((text) => (text ? nameInitials(text) : []));
  return [article.title, article.author, article.source, article.date?.slice(0, 4), ...initials]
    .filter(Boolean)
    .join(' ');
}

// A name: three words or more in a row that start with a capital ("Franklin D Roosevelt",
// "Martin Luther King"); two-word initials would be mostly noise. Measured: WikiQA hit@1 0.611 ->
// 0.619 and hit@3 0.778 -> 0.786 ("Where was JFK buried?"), +0.008 in every mode with either
// model; nothing else changes.
const NAME = /(?:\p{Lu}[\p{L}'’-]*\.?\s+){2,}\p{Lu}[\p{L}'’-]*/gu;

function nameInitials(text: string): string[] {
  return [...text.matchAll(NAME)].map((m) =>
    m[0]
      .split(/\s+/)
      .map((word) => word[0])
      .join(''),
  );
}

/** One article file, parsed and cleaned: what the rest of the pipeline reads. */
export interface Article extends ArticleMeta {
  /** Stable id derived from the file path (see load.ts). */
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
  paragraphs: Paragraph[];
  credits: Credit[];
}

/** What a parser returns for one file's content, before the loader adds identity and hash. */
export interface ParsedArticle extends ArticleMeta {
  text: string;
  paragraphs: Paragraph[];
  credits: Credit[];
}
