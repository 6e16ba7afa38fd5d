import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadArticles } from '../../src/articles/load.js';
import { writeSotuArticles } from '../../scripts/sotu.js';
import { expectsAbstention, loadQuestions, type EvalQuestion } from '../../src/library/evaluation.js';
import { sentenceSpans } from '../../src/core/text/sentences.js';
import { SHIPPED_ARTICLES, collapse, tempDir } from '../support/setup.js';
import type { Article } from '../../src/core/types.js';

// Checks the question sets themselves (no model, no index): every expected quote is article
// text a correct citation can hold, and for the speeches it points at one speech only.

const SHIPPED_SET = path.join(import.meta.dirname, 'shipped-article.jsonl');
const SOTU_SET = path.join(import.meta.dirname, 'sotu.jsonl');

/** The questions with one expected file and quote, as these sets are written. */
function answerable(
  questions: EvalQuestion[],
): (Omit<EvalQuestion, 'expect'> & { expect: { file: string; quote: string } })[] {
  return questions.flatMap((q) => {
    if (expectsAbstention(q.expect)) return [];
    const [file] = q.expect.files;
    const [quote] = q.expect.quotes ?? [];
    return file && quote !== undefined ? [{ ...q, expect: { file, quote } }] : [];
  });
}

function words(text: string): number {
  return collapse(text).split(' ').length;
}

/** Citations are whole sentences, so a quote split over two could only match a widened one. */
function inOneSentence(article: Article, quote: string): boolean {
  const wanted = collapse(quote);
  return sentenceSpans(article.text).some((s) => collapse(article.text.slice(s.start, s.end)).includes(wanted));
}

function byFile(articles: Article[]): Map<string, Article> {
  return new Map(articles.map((a) => [a.file, a]));
}

describe('tests/eval/shipped-article.jsonl', () => {
  const questions = loadQuestions(SHIPPED_SET);
  const expected = answerable(questions);
  let article: Article;

  beforeAll(async () => {
    const { articles } = await loadArticles(SHIPPED_ARTICLES);
    article = byFile(articles).get('alibaba-jack-ma-open-to-apple-payments.txt')!;
    expect(article).toBeDefined();
  });

  it('has at least 30 answerable questions with quotes and 8 off-topic ones', () => {
    expect(expected.length).toBe(questions.filter((q) => !expectsAbstention(q.expect)).length);
    expect(expected.length).toBeGreaterThanOrEqual(30);
    expect(questions.filter((q) => expectsAbstention(q.expect)).length).toBeGreaterThanOrEqual(8);
  });

  /** A question about the article itself expects one of its credit lines (byline, date line, source line). */
  const credit = (quote: string): boolean => article.credits.some((c) => collapse(c.text).includes(collapse(quote)));

  it('quotes 3 to 8 words of the cleaned article, within one sentence, or words of one of its credit lines', () => {
    for (const q of expected) {
      expect(q.expect.file, `line ${q.line}`).toBe(article.file);
      if (credit(q.expect.quote) && !collapse(article.text).includes(collapse(q.expect.quote))) continue;
      expect(words(q.expect.quote), `line ${q.line}: ${q.expect.quote}`).toBeGreaterThanOrEqual(3);
      expect(words(q.expect.quote), `line ${q.line}: ${q.expect.quote}`).toBeLessThanOrEqual(8);
      expect(collapse(article.text), `line ${q.line}`).toContain(collapse(q.expect.quote));
      expect(inOneSentence(article, q.expect.quote), `line ${q.line}: ${q.expect.quote}`).toBe(true);
    }
  });

  it('asks about every paragraph, the byline included', () => {
    const text = collapse(article.text);
    const covered = new Set(
      expected
        .filter((q) => article.text.includes(q.expect.quote))
        .map((q) => {
          const at = article.text.indexOf(q.expect.quote);
          return article.paragraphs.find((p) => at >= p.start && at < p.end)?.n;
        }),
    );
    expect(text).toContain('(Reporting by Deepa Seetharaman; Editing by Edwina Gibbs)');
    expect([...covered].sort((a, b) => a! - b!)).toEqual(article.paragraphs.map((p) => p.n));
  });

  it('asks who wrote and edited the article, when and where it appeared', () => {
    const kinds = new Set(
      expected.flatMap((q) =>
        article.credits.filter((c) => collapse(c.text).includes(collapse(q.expect.quote))).map((c) => c.kind),
      ),
    );
    expect([...kinds].sort()).toEqual(['date', 'reporting', 'source']);
    expect(expected.filter((q) => /edit/i.test(q.question)).length).toBeGreaterThanOrEqual(1);
  });

  it('paraphrases: no question contains the words it expects', () => {
    for (const q of expected)
      expect(q.question.toLowerCase(), `line ${q.line}`).not.toContain(collapse(q.expect.quote).toLowerCase());
  });
});

describe('tests/eval/sotu.jsonl', () => {
  const questions = loadQuestions(SOTU_SET);
  const expected = answerable(questions);
  let speeches: Map<string, Article>;

  beforeAll(async () => {
    const dir = tempDir('footnote-sotu-');
    writeSotuArticles(dir);
    speeches = byFile((await loadArticles(dir)).articles);
    expect(speeches.size).toBe(233);
  });

  it('has at least 40 answerable questions over four centuries and 5 off-topic ones', () => {
    expect(expected.length).toBe(questions.filter((q) => !expectsAbstention(q.expect)).length);
    expect(expected.length).toBeGreaterThanOrEqual(40);
    expect(questions.filter((q) => expectsAbstention(q.expect)).length).toBeGreaterThanOrEqual(5);
    const centuries = new Set(expected.map((q) => q.expect.file.slice(0, 2)));
    expect([...centuries].sort()).toEqual(['17', '18', '19', '20']);
  });

  it('quotes 3 to 8 words of the named speech, within one sentence, that no other speech has', () => {
    const lowered = [...speeches.values()].map((a) => ({ file: a.file, text: collapse(a.text).toLowerCase() }));
    for (const q of expected) {
      const speech = speeches.get(q.expect.file);
      expect(speech, `line ${q.line}: ${q.expect.file}`).toBeDefined();
      expect(words(q.expect.quote), `line ${q.line}: ${q.expect.quote}`).toBeGreaterThanOrEqual(3);
      expect(words(q.expect.quote), `line ${q.line}: ${q.expect.quote}`).toBeLessThanOrEqual(8);
      expect(collapse(speech!.text), `line ${q.line}`).toContain(collapse(q.expect.quote));
      expect(inOneSentence(speech!, q.expect.quote), `line ${q.line}: ${q.expect.quote}`).toBe(true);
      // Case-insensitive: another speech saying it in other capitals would still answer the question.
      const wanted = collapse(q.expect.quote).toLowerCase();
      expect(
        lowered.filter((s) => s.text.includes(wanted)).map((s) => s.file),
        `line ${q.line}: ${q.expect.quote}`,
      ).toEqual([q.expect.file]);
    }
  });

  it('paraphrases: no question contains the words it expects', () => {
    for (const q of expected)
      expect(q.question.toLowerCase(), `line ${q.line}`).not.toContain(collapse(q.expect.quote).toLowerCase());
  });
});
