import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AutoTokenizer } from '@huggingface/transformers';
import { loadArticles } from '../../../src/articles/load.js';
import { loadSotu, writeSotuArticles } from '../../../scripts/sotu.js';
import {
  approximateTokenCount,
  chunkArticle,
  passageTokenCounter,
  type TokenCounter,
} from '../../../src/core/text/passages.js';
import { ROOT, SHIPPED_ARTICLES, modelDir, tempDir } from '../../support/setup.js';
import type { Article } from '../../../src/core/types.js';

let countTokens: TokenCounter;
let corpus: Article[];

beforeAll(async () => {
  const tokenizer = await AutoTokenizer.from_pretrained(modelDir(), { local_files_only: true });
  countTokens = (text) => tokenizer.encode(text, { add_special_tokens: false }).length;
  const sotuDir = tempDir('footnote-sotu-');
  // A few speeches from different centuries: long, and each one a single line.
  writeSotuArticles(
    sotuDir,
    loadSotu().filter((s) => [1790, 1863, 1941, 2021].includes(s.year)),
  );
  const fixtures = path.join(ROOT, 'tests/fixtures/articles');
  const dirs = [SHIPPED_ARTICLES, sotuDir, ...(fs.existsSync(fixtures) ? [fixtures] : [])];
  corpus = (await Promise.all(dirs.map((d) => loadArticles(d)))).flatMap((r) => r.articles);
});

describe('chunkArticle', () => {
  const options = { maxTokens: 160, overlapSentences: 1 };

  it('keeps exact offsets: every passage is the slice of the cleaned text it claims', () => {
    for (const article of corpus) {
      for (const p of chunkArticle(article, countTokens, options)) {
        expect(article.text.slice(p.start, p.end)).toBe(p.text);
        expect(p.articleId).toBe(article.id);
      }
    }
  });

  it('covers every character of every paragraph, in order', () => {
    for (const article of corpus) {
      const passages = chunkArticle(article, countTokens, options);
      const covered = new Uint8Array(article.text.length);
      for (const p of passages) covered.fill(1, p.start, p.end);
      for (const para of article.paragraphs) {
        for (let i = para.start; i < para.end; i++) {
          if (!/\s/.test(article.text[i]!)) expect(covered[i], `${article.id} offset ${i}`).toBe(1);
        }
      }
      passages.forEach((p, i) => {
        expect(p.ordinal).toBe(i);
        if (i > 0) expect(p.start).toBeGreaterThan(passages[i - 1]!.start);
      });
    }
  });

  it('stays within the token budget and records paragraph numbers', () => {
    for (const article of corpus) {
      for (const p of chunkArticle(article, countTokens, options)) {
        expect(countTokens(p.text)).toBe(p.tokens);
        expect(p.tokens).toBeLessThanOrEqual(options.maxTokens);
        const first = article.paragraphs[p.paragraphStart - 1]!;
        const last = article.paragraphs[p.paragraphEnd - 1]!;
        expect(p.start).toBeGreaterThanOrEqual(first.start);
        expect(p.end).toBeLessThanOrEqual(last.end);
      }
    }
  });

  it('splits text with no line breaks at sentence boundaries, with one sentence of overlap', () => {
    const speech = corpus.find((a) => a.file === '1863-abraham-lincoln.txt')!;
    expect(speech.paragraphs).toHaveLength(1);
    const passages = chunkArticle(speech, countTokens, options);
    expect(passages.length).toBeGreaterThan(20);
    let overlapping = 0;
    for (let i = 1; i < passages.length; i++) {
      // The next passage starts at a sentence start, usually inside the previous passage (its
      // last sentence is carried over unless that would not leave room for the next one).
      if (passages[i]!.start < passages[i - 1]!.end) overlapping++;
      expect(passages[i]!.start).toBeGreaterThan(passages[i - 1]!.start);
      expect(passages[i]!.text).toMatch(/^[A-Z"'(\d]/);
    }
    expect(overlapping / (passages.length - 1)).toBeGreaterThan(0.8);
  });

  it('packs short paragraphs of a news article together without splitting them', () => {
    const article = corpus.find((a) => a.file === 'alibaba-jack-ma-open-to-apple-payments.txt')!;
    const passages = chunkArticle(article, countTokens, { maxTokens: 128, overlapSentences: 1 });
    expect(passages.length).toBeGreaterThan(1);
    expect(passages.length).toBeLessThan(article.paragraphs.length);
    for (const p of passages) {
      expect(article.paragraphs.some((para) => para.start === p.start)).toBe(true);
      expect(article.paragraphs.some((para) => para.end === p.end)).toBe(true);
    }
  });

  it('cuts a sentence longer than the budget between words', () => {
    const words = Array.from({ length: 400 }, (_, i) => `word${i % 50}`).join(' ');
    const article: Article = {
      id: 'long',
      file: 'long.txt',
      hash: '',
      title: 'Long',
      date: null,
      source: null,
      author: null,
      url: null,
      text: words,
      paragraphs: [{ n: 1, start: 0, end: words.length }],
      credits: [],
    };
    const passages = chunkArticle(article, countTokens, { maxTokens: 64, overlapSentences: 1 });
    expect(passages.length).toBeGreaterThan(1);
    for (const p of passages) {
      expect(p.tokens).toBeLessThanOrEqual(64);
      expect(words.slice(p.start, p.end)).toBe(p.text);
      expect(p.text).toMatch(/^word\d+/);
    }
  });
});

describe('passageTokenCounter', () => {
  const options = { maxTokens: 160, overlapSentences: 1 };
  const spans = (passages: { start: number; end: number }[]): string[] => passages.map((p) => `${p.start}-${p.end}`);

  it('sizes passages the same whichever model embeds them, when the model counts fewer tokens', () => {
    // A word-level tokenizer (as the semantic proxy's) counts a word as one token, where a word-piece
    // one (and the approximation) count more.
    const wordLevel: TokenCounter = (text) => text.split(/\s+/).filter(Boolean).length;
    for (const article of corpus) {
      expect(spans(chunkArticle(article, passageTokenCounter(wordLevel), options))).toEqual(
        spans(chunkArticle(article, approximateTokenCount, options)),
      );
    }
  });

  it('never lets a passage run past what the model reads by its own count', () => {
    // A tokenizer that splits words into many pieces counts more tokens than the approximation.
    const finePieces: TokenCounter = (text) => Math.ceil(text.replace(/\s+/g, '').length / 2);
    const sizer = passageTokenCounter(finePieces);
    let [sized, approximate] = [0, 0];
    for (const article of corpus) {
      const passages = chunkArticle(article, sizer, options);
      for (const p of passages) {
        // A single word longer than the budget stays whole (see splitToBudget); no corpus text has one.
        expect(finePieces(p.text)).toBeLessThanOrEqual(options.maxTokens);
        expect(approximateTokenCount(p.text)).toBeLessThanOrEqual(options.maxTokens);
      }
      sized += passages.length;
      approximate += chunkArticle(article, approximateTokenCount, options).length;
    }
    // The model's count decided: its passages are shorter, so there are more of them.
    expect(sized).toBeGreaterThan(approximate);
  });
});
