// Answer stage: quotes as numbered citations (article, paragraph, verbatim text, offsets) and the text a reader sees.
import type { Citation, Credit, IndexedArticle } from '../types.js';
import type { Quote } from './select.js';

/** Scores as an answer reports them. */
export const round4 = (x: number): number => Number(x.toFixed(4));

/** The quotes as citations numbered from 1; a quote's score is its sentence's (a joined quote's, its best one's). */
export function citationsOf(quotes: Quote[]): Citation[] {
  return quotes.map((q, i) => ({ ...toCitation(q.article, q.start, q.end, q.score), n: i + 1 }));
}

/** A credit line (byline, date line, source line) quoted as the one citation of an answer about the article. */
export function creditCitation(article: IndexedArticle, credit: Credit): Citation {
  return {
    ...toCitation(article, credit.start, credit.end, 1),
    located: credit.in,
    paragraph: credit.in === 'text' ? paragraphAt(article, credit.start) : 0,
    quote: credit.text,
  };
}

/** What the user reads: each quote with its [n] marker. */
export function answerText(citations: Citation[]): string {
  return citations.map((c) => `${c.quote} [${c.n}]`).join(' ');
}

/** Where in its article a citation is, for a reader: "¶3", or "header" for a credit line outside the paragraphs. */
export function placeInArticle(c: Pick<Citation, 'located' | 'paragraph'>): string {
  return c.located === 'file' ? 'header' : `¶${c.paragraph}`;
}

/** The paragraph (numbered from 1) that holds `offset` of the article's cleaned text. */
export function paragraphAt(article: IndexedArticle, offset: number): number {
  const paragraph = article.paragraphs.find((p) => offset >= p.start && offset < p.end);
  return paragraph?.n ?? 1;
}

function toCitation(article: IndexedArticle, start: number, end: number, score: number): Citation {
  return {
    n: 1,
    article: {
      id: article.id,
      title: article.title,
      date: article.date,
      source: article.source,
      file: article.file,
      author: article.author,
      url: article.url,
    },
    paragraph: paragraphAt(article, start),
    quote: article.text.slice(start, end),
    start,
    end,
    located: 'text',
    score: round4(score),
  };
}
