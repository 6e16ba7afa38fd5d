import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadEmbedder, type Embedder } from '../../src/models/embedder.js';
import { tokenRanges } from '../../src/models/pooling.js';
import { Footnote } from '../../src/library/footnote.js';
import { sentenceSpans } from '../../src/core/text/sentences.js';
import { PassageDatabase } from '../../src/store/database.js';
import { decodeSentenceVector, encodeSentenceVector } from '../../src/store/row-encoding.js';
import { currentGeneration, DATABASE_FILE } from '../../src/store/layout.js';
import { articlesCopy, modelDir, silentLog, tempDir, testConfig } from '../support/setup.js';

const maxDifference = (a: Float32Array, b: Float32Array): number => Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
const cosine = (a: Float32Array, b: Float32Array): number => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

describe('sentence vectors from the passage run', () => {
  let embedder: Embedder;
  beforeAll(async () => {
    embedder = await loadEmbedder({ model: modelDir(), dtype: 'fp32', modelsDir: tempDir(), allowRemoteModels: false });
  });
  afterAll(() => embedder.dispose());

  const text =
    'Jack Ma said on Monday that Alibaba is open to working with Apple. Apple Pay launched in 2014!   Mr. Cook did not comment.';
  const spans = sentenceSpans(text);

  it('gives each passage the vector that embedding it gives, and each sentence the vector it has alone', async () => {
    // The generated model's token states do not depend on their neighbours, so pooling a
    // sentence's tokens out of the passage must give exactly the sentence embedded on its own.
    const [result] = await embedder.embedPassages([{ text, sentences: spans }]);
    const alone = await embedder.embed([text, ...spans.map((s) => text.slice(s.start, s.end))]);
    expect(spans).toHaveLength(3);
    expect(maxDifference(result!.vector, alone[0]!)).toBeLessThan(1e-5);
    expect(result!.sentences).toHaveLength(3);
    result!.sentences.forEach((v, i) => expect(maxDifference(v, alone[i + 1]!)).toBeLessThan(1e-5));
  });

  it('embeds on its own a sentence whose tokens it cannot find in the passage, and still gets it right', async () => {
    // Out of order: the second span's tokens are not where the first one's end.
    const shuffled = [spans[1]!, spans[0]!];
    const [result] = await embedder.embedPassages([{ text, sentences: shuffled }]);
    const alone = await embedder.embed(shuffled.map((s) => text.slice(s.start, s.end)));
    result!.sentences.forEach((v, i) => expect(maxDifference(v, alone[i]!)).toBeLessThan(1e-5));
  });

  it('finds sentences among the passage tokens only in order and between the special tokens', () => {
    expect(tokenRanges([101, 7, 8, 9, 102], [[7, 8], [9]])).toEqual([
      [1, 3],
      [3, 4],
    ]);
    expect(tokenRanges([101, 7, 8, 9, 102], [[8], [9]])).toEqual([null, null]);
    // Truncated: the last sentence's tokens run past the passage's end.
    expect(tokenRanges([101, 7, 102], [[7], [8]])).toEqual([[1, 2], null]);
  });

  it('stores a vector in a quarter of the space, with a cosine within 0.01 of the original', () => {
    const v = Float32Array.from({ length: 384 }, (_, i) => Math.sin(i * 1.7));
    const norm = Math.sqrt(cosine(v, v));
    const unit = v.map((x) => x / norm);
    const encoded = encodeSentenceVector(unit);
    expect(encoded.length).toBe(4 + 384);
    expect(Math.abs(cosine(decodeSentenceVector(encoded), unit) - 1)).toBeLessThan(0.01);
  });
});

describe('the index keeps a vector for every sentence an answer weighs', () => {
  const open: Footnote[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((f) => f.close()));
  });

  function sentencesStored(f: Footnote): { passages: number; missing: number; stored: number } {
    const db = PassageDatabase.open(path.join(currentGeneration(f.config.indexDir)!, DATABASE_FILE));
    try {
      let missing = 0;
      let passages = 0;
      for (const { id } of db.vectors()) {
        const passage = db.passages([id]).get(id)!;
        const article = db.article(passage.articleId)!;
        const keys = sentenceSpans(article.text, passage.start, passage.end).map((s) => ({
          articleId: article.id,
          start: s.start,
        }));
        missing += keys.length - db.sentenceVectors(keys).size;
        passages++;
      }
      return { passages, missing, stored: db.sentenceSample(1e9).length };
    } finally {
      db.close();
    }
  }

  it('writes them at index time, carries them over for unchanged articles, and answers without embedding anything but the question', async () => {
    const articles = articlesCopy({
      'extra.md':
        '---\ntitle: Chip tariffs\n---\n\nChip makers warned that tariffs on wafers would raise prices. Factories in Arizona will not be ready before 2027.\n',
    });
    const f = new Footnote(testConfig({ ARTICLES_DIR: articles }), silentLog);
    open.push(f);
    await f.reindex();
    const first = sentencesStored(f);
    expect(first.passages).toBeGreaterThan(0);
    expect(first.missing).toBe(0);

    fs.appendFileSync(path.join(articles, 'extra.md'), '\nThe industry group met on Friday.\n');
    const summary = await f.reindex();
    expect(summary).toMatchObject({ changed: 1, unchanged: 1 });
    const second = sentencesStored(f);
    expect(second.missing).toBe(0);
    expect(second.stored).toBe(first.stored + 1);

    const embedder = await f.embedder();
    const embed = vi.spyOn(embedder, 'embed');
    const embedPassages = vi.spyOn(embedder, 'embedPassages');
    const answer = await f.ask('Is Jack Ma open to working with Apple on payments?', { mode: 'hybrid' });
    expect(answer.found).toBe(true);
    expect(embed.mock.calls).toEqual([[[expect.stringContaining('Jack Ma')]]]);
    expect(embedPassages).not.toHaveBeenCalled();
  });

  it('has none in an index built without the model', async () => {
    const f = new Footnote(testConfig({ RETRIEVAL_MODE: 'lexical' }), silentLog);
    open.push(f);
    await f.reindex();
    const db = PassageDatabase.open(path.join(currentGeneration(f.config.indexDir)!, DATABASE_FILE));
    try {
      expect(db.sentenceSample(1e9)).toEqual([]);
    } finally {
      db.close();
    }
  });
});
