import { describe, expect, it } from 'vitest';
import { answerText, citationsOf, creditCitation, paragraphAt, placeInArticle } from '../../../src/core/answer/cite.js';
import { creditInText, indexedArticle, startOf } from '../../support/answer-fixtures.js';

// Citing alone: quotes and credit lines of a hand-built article become what a reader sees and can check.

const coral = indexedArticle(
  'coral',
  [
    'Marine biologists counted more healthy coral on the reef.',
    'Bleaching had hit half of the reef two years earlier.',
    'The survey found that the reef recovered after a cool summer. Divers counted more fish too.',
    '(Reporting by Ann Lowe; Editing by Tom Brown)',
  ],
  { title: 'Coral reefs recover', date: '2023-11-15', source: 'Ocean Notes', author: 'Ann Lowe', url: null },
);
const quoteOf = (sentence: string, score: number) => {
  const start = startOf(coral, sentence);
  return { article: coral, start, end: start + sentence.length, score };
};

describe('citationsOf', () => {
  it('numbers the quotes from 1 in their order, each verbatim with its article, paragraph and rounded score', () => {
    const citations = citationsOf([
      quoteOf('Divers counted more fish too.', 0.876543),
      quoteOf('Marine biologists counted more healthy coral on the reef.', 0.5),
    ]);
    expect(citations.map((c) => [c.n, c.paragraph, c.quote, c.score, c.located])).toEqual([
      [1, 3, 'Divers counted more fish too.', 0.8765, 'text'],
      [2, 1, 'Marine biologists counted more healthy coral on the reef.', 0.5, 'text'],
    ]);
    for (const c of citations) expect(coral.text.slice(c.start, c.end)).toBe(c.quote);
    expect(citations[0]!.article).toEqual({
      id: 'coral',
      title: 'Coral reefs recover',
      date: '2023-11-15',
      source: 'Ocean Notes',
      file: 'coral.txt',
      author: 'Ann Lowe',
      url: null,
    });
  });

  it('cites nothing for no quotes', () => {
    expect(citationsOf([])).toEqual([]);
  });
});

describe('paragraphAt', () => {
  it('finds the paragraph, numbered from 1, that holds an offset of the text', () => {
    const [first, second, third] = coral.paragraphs;
    expect(paragraphAt(coral, first!.start)).toBe(1);
    expect(paragraphAt(coral, second!.start)).toBe(2);
    expect(paragraphAt(coral, second!.end - 1)).toBe(2);
    expect(paragraphAt(coral, startOf(coral, 'Divers counted'))).toBe(third!.n);
  });
});

describe('creditCitation', () => {
  it('cites a byline left out of the text by its place in the file, as paragraph 0', () => {
    // The cleaned text holds no byline: its offsets are the file's.
    const byline = { kind: 'byline', text: 'By Ann Lowe', in: 'file', start: 26, end: 37 } as const;
    expect(creditCitation(coral, byline)).toMatchObject({
      n: 1,
      quote: 'By Ann Lowe',
      start: 26,
      end: 37,
      located: 'file',
      paragraph: 0,
      score: 1,
      article: { id: 'coral', file: 'coral.txt' },
    });
  });

  it('cites a reporting line the text keeps as a paragraph of the text', () => {
    const reporting = creditInText(coral, 'reporting', 4);
    const citation = creditCitation(coral, reporting);
    expect(citation).toMatchObject({ quote: '(Reporting by Ann Lowe; Editing by Tom Brown)', located: 'text' });
    expect(citation.paragraph).toBe(4);
    expect(coral.text.slice(citation.start, citation.end)).toBe(citation.quote);
  });
});

describe('answerText', () => {
  it('puts each quote with its [n] after it, in order', () => {
    const citations = citationsOf([
      quoteOf('Bleaching had hit half of the reef two years earlier.', 0.9),
      quoteOf('Divers counted more fish too.', 0.8),
    ]);
    expect(answerText(citations)).toBe(
      'Bleaching had hit half of the reef two years earlier. [1] Divers counted more fish too. [2]',
    );
  });
});

describe('placeInArticle', () => {
  it('says "¶n" for a quote of the text and "header" for a line of the file outside it', () => {
    expect(placeInArticle({ located: 'text', paragraph: 3 })).toBe('¶3');
    expect(placeInArticle({ located: 'file', paragraph: 0 })).toBe('header');
  });
});
