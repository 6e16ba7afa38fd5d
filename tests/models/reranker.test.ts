import fs from 'node:fs';
import path from 'node:path';
import { env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ModelLoadError } from '../../src/core/errors.js';
import { loadReranker, type Reranker } from '../../src/models/reranker.js';
import { SHIPPED_ARTICLE, modelDir, tempDir } from '../support/setup.js';

// Any attempt to reach a model hub fails the test instead of hanging or succeeding by accident.
env.fetch = async (url: string | URL) => {
  throw new Error(`network access attempted: ${String(url)}`);
};

const rerankModelDir = inject('rerankModelDir');
const QUESTION = 'Is Jack Ma open to working with Apple on payments?';
const article = fs.readFileSync(SHIPPED_ARTICLE, 'utf8');
const sentence = (start: string) => {
  const found = article.split('\n').find((line) => line.startsWith(start));
  if (!found) throw new Error(`no line of the article starts with "${start}"`);
  return found;
};
const ANSWER = sentence('Alibaba Group Holdings Ltd executive chairman Jack Ma said');
const UNRELATED = [
  sentence('(Reporting by'),
  sentence('Ma added that he wanted to work on selling American and European products'),
  'Congress must pass a federal budget that reduces the deficit.',
  'The Union is strong, and our economy is growing again.',
];

const load = (model: string, allowRemoteModels = false) =>
  loadReranker({ model, dtype: 'auto', modelsDir: tempDir('footnote-models-'), allowRemoteModels });

describe('loadReranker with the generated cross-encoder', () => {
  let reranker: Reranker;

  beforeAll(async () => {
    reranker = await load(rerankModelDir);
  });

  afterAll(async () => {
    await reranker?.dispose();
  });

  it('uses the same tokenizer as the generated embedding model', () => {
    const tokenizer = (dir: string) => fs.readFileSync(path.join(dir, 'tokenizer.json'));
    expect(tokenizer(rerankModelDir).equals(tokenizer(modelDir()))).toBe(true);
  });

  it('gives one score from 0 to 1 per passage, in input order', async () => {
    const passages = [UNRELATED[0]!, ANSWER, UNRELATED[2]!];
    const scores = await reranker.score(QUESTION, passages);
    expect(reranker.model).toBe(rerankModelDir);
    expect(scores).toHaveLength(3);
    for (const s of scores) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
    // Scored one at a time (no padding, no neighbours), each passage gets the same score.
    for (const [i, passage] of passages.entries()) {
      expect((await reranker.score(QUESTION, [passage]))[0]).toBeCloseTo(scores[i]!, 5);
    }
  });

  it('ranks the passage that answers the question above unrelated ones', async () => {
    const passages = [UNRELATED[0]!, UNRELATED[1]!, ANSWER, UNRELATED[2]!, UNRELATED[3]!];
    const scores = await reranker.score(QUESTION, passages);
    const best = scores.indexOf(Math.max(...scores));
    expect(passages[best]).toBe(ANSWER);
    expect(scores[best]).toBeGreaterThan(0.5);
    for (const i of [0, 2, 3].map((k) => passages.indexOf(UNRELATED[k]!))) expect(scores[i]).toBeLessThan(0.25);
  });

  it('keeps input order across batches', async () => {
    // 40 passages = three batches of at most 16; the answer sits in the last one.
    const passages = Array.from({ length: 40 }, (_, i) =>
      i === 37 ? ANSWER : `${UNRELATED[i % UNRELATED.length]} (${i})`,
    );
    const scores = await reranker.score(QUESTION, passages);
    expect(scores).toHaveLength(40);
    expect(scores.indexOf(Math.max(...scores))).toBe(37);
    const alone = await Promise.all(passages.map(async (p) => (await reranker.score(QUESTION, [p]))[0]!));
    for (const [i, s] of alone.entries()) expect(scores[i], `passage ${i}`).toBeCloseTo(s, 5);
  });

  it('scores no passages as an empty list', async () => {
    expect(await reranker.score(QUESTION, [])).toEqual([]);
  });
});

describe('loadReranker failures', () => {
  it('names the missing directory, RERANK_MODEL and how to turn re-ranking off', async () => {
    const missing = path.join(tempDir(), 'no-such-model');
    const error = await load(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    const message = (error as Error).message;
    expect(message).toContain(`re-ranking model from the directory ${missing}`);
    expect(message).toContain('Fix RERANK_MODEL');
    expect(message).toContain('unset RERANK_MODEL to turn re-ranking off');
  });

  it('explains that a hub model cannot be downloaded while remote models are off', async () => {
    const error = await load('Xenova/ms-marco-MiniLM-L-6-v2').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    const message = (error as Error).message;
    expect(message).toContain('re-ranking model "Xenova/ms-marco-MiniLM-L-6-v2" (dtype q8)');
    expect(message).toContain('ALLOW_REMOTE_MODELS=false');
    expect(message).toContain('set RERANK_MODEL to a local model directory');
    expect(message).toContain('unset RERANK_MODEL to turn re-ranking off');
  });

  it('rejects an embedding model, which transformers.js loads as a classifier without logits', async () => {
    const error = await load(modelDir()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toContain('not a sequence-classification (cross-encoder) model');
  });
});
