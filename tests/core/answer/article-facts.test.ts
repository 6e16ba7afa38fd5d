import { describe, expect, it } from 'vitest';
import { creditAnswer } from '../../../src/core/answer/article-facts.js';
import { analyzeQuestion } from '../../../src/core/question/analyze.js';
import type { Credit } from '../../../src/core/types.js';
import { collectionOf, creditInText, hitOf, indexedArticle, retrievedOf } from '../../support/answer-fixtures.js';

// Questions about the article itself, alone: answered by a hand-built article's credit line, or left to the others.

// A byline and a date line are left out of the cleaned text: their offsets are the file's.
const byline = (text: string): Credit => ({ kind: 'byline', text, in: 'file', start: 20, end: 20 + text.length });
const dateLine: Credit = { kind: 'date', text: 'October 28, 2014', in: 'file', start: 5, end: 21 };

const payments = indexedArticle(
  'payments',
  ['Jack Ma said he is open to working with Apple on payments.', 'Alibaba handles more payments than eBay.'],
  { title: 'Jack Ma open to Apple payments', source: 'Reuters', credits: [byline('By Paul Carsten'), dateLine] },
);
const unsigned = indexedArticle(
  'reef',
  ['Marine biologists counted more healthy coral on the reef.', '(Reporting by Ann Lowe; Editing by Tom Brown)'],
  { title: 'Coral reefs recover', source: 'Ocean Notes' },
);
// No byline: its reporting line, kept in the text as its last paragraph, is its only credit.
const reef = { ...unsigned, credits: [creditInText(unsigned, 'reporting', 2)] };

describe('creditAnswer', () => {
  it('answers "Who wrote the story?" in a collection of one article with its byline', () => {
    const collection = collectionOf({ soleArticle: () => payments });
    const answer = creditAnswer(analyzeQuestion('Who wrote the story?'), retrievedOf([hitOf(payments, 1)]), collection);
    expect(answer).toEqual({
      fact: 'author',
      line: 'byline',
      citation: expect.objectContaining({
        n: 1,
        quote: 'By Paul Carsten',
        located: 'file',
        paragraph: 0,
        article: expect.objectContaining({ id: 'payments' }),
      }),
    });
    // The date line answers when it appeared.
    const when = creditAnswer(analyzeQuestion('When was the story published?'), retrievedOf([]), collection);
    expect(when).toMatchObject({ fact: 'date', line: 'date', citation: { quote: 'October 28, 2014' } });
  });

  it('leaves a question that is not about the article to the other stages', () => {
    const collection = collectionOf({ soleArticle: () => payments });
    const retrieved = retrievedOf([hitOf(payments, 1)]);
    // "Who wrote Hamlet?" asks about another work: it points at no article.
    for (const question of ['What did Ma say about Apple?', 'Who wrote Hamlet?'])
      expect(creditAnswer(analyzeQuestion(question), retrieved, collection)).toBeNull();
  });

  it('cannot tell which article "the story" is among several', () => {
    const answer = creditAnswer(
      analyzeQuestion('Who wrote the story?'),
      retrievedOf([hitOf(payments, 1)]),
      collectionOf(),
    );
    expect(answer).toBeNull();
  });

  it('answers with the credit line of the article the question names, quoting a reporting line in the text', () => {
    const retrieved = retrievedOf([hitOf(payments, 1), hitOf(reef, 1)]);
    const answer = creditAnswer(analyzeQuestion('Who edited the Ocean Notes story?'), retrieved, collectionOf());
    expect(answer).toMatchObject({
      fact: 'editor',
      line: 'reporting',
      citation: { quote: '(Reporting by Ann Lowe; Editing by Tom Brown)', located: 'text', paragraph: 2 },
    });
    expect(reef.text.slice(answer!.citation.start, answer!.citation.end)).toBe(answer!.citation.quote);
    // With no byline, the reporting line says who wrote it.
    const author = creditAnswer(analyzeQuestion('Who wrote the Ocean Notes story?'), retrieved, collectionOf());
    expect(author).toMatchObject({ fact: 'author', line: 'reporting', citation: { article: { id: 'reef' } } });
    // The article the question names has no editing line: no answer, rather than another article's.
    const unedited = creditAnswer(analyzeQuestion('Who edited the Reuters story?'), retrieved, collectionOf());
    expect(unedited).toBeNull();
  });

  it('finds the article the question names by its metadata though no passage of it was retrieved', () => {
    const question = analyzeQuestion('Who wrote the Reuters story?');
    const retrieved = retrievedOf([hitOf(reef, 1)]);
    expect(creditAnswer(question, retrieved, collectionOf())).toBeNull();
    const collection = collectionOf({ namedArticles: (terms) => (terms.includes('reuter') ? [payments] : []) });
    expect(creditAnswer(question, retrieved, collection)).toMatchObject({
      line: 'byline',
      citation: { quote: 'By Paul Carsten', article: { id: 'payments' } },
    });
  });
});
