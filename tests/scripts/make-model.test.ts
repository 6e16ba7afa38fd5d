import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AutoTokenizer, env, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeTestModel } from '../../scripts/make-model.ts';

// An absolute directory is not a valid hub id, so transformers.js reads `<dir>/<file>` directly
// (env.localModelPath is not consulted). Remote access is switched off and fetch replaced so that
// any attempt to reach the network fails the test instead of silently succeeding.
env.allowLocalModels = true;
env.allowRemoteModels = false;
env.fetch = async (url: string | URL) => {
  throw new Error(`network access attempted: ${String(url)}`);
};

const modelDir = inject('modelDir');

/** The generated config.json, as far as these tests read it. */
interface ModelConfig {
  hidden_size: number;
  vocab_size: number;
}

const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

describe('generated test model', () => {
  let extractor: FeatureExtractionPipeline;

  beforeAll(async () => {
    expect(path.isAbsolute(modelDir)).toBe(true);
    extractor = await pipeline('feature-extraction', modelDir, { dtype: 'fp32', local_files_only: true });
  });

  afterAll(async () => {
    await extractor?.dispose();
  });

  async function embed(texts: string[]): Promise<number[][]> {
    const output = await extractor(texts, { pooling: 'mean', normalize: true });
    return output.tolist() as number[][];
  }

  it('produces one 64-dimensional unit vector per input text', async () => {
    const output = await extractor(['one', 'two texts', 'and a third'], { pooling: 'mean', normalize: true });
    expect(output.dims).toEqual([3, 64]);
    for (const v of output.tolist() as number[][]) {
      expect(Math.sqrt(dot(v, v))).toBeCloseTo(1, 5);
    }
  });

  it('ranks texts sharing content words above unrelated ones', async () => {
    const [query, related, unrelated] = await embed([
      'Jack Ma open to working with Apple on payments',
      "Alibaba's Jack Ma says he would work with Apple Inc on mobile payments.",
      'Congress must pass a federal budget that reduces the deficit.',
    ]);
    const near = dot(query!, related!);
    const far = dot(query!, unrelated!);
    expect(near).toBeGreaterThan(far);
    // 4 of 6 content words shared vs none: about 0.5 against noise of about 1/sqrt(64).
    expect(near).toBeGreaterThan(0.35);
    expect(Math.abs(far)).toBeLessThan(0.3);
  });

  it('gives the same vector for the same words regardless of case and accents', async () => {
    const [a, b] = await embed(['federal budget', 'FÉDERAL Budget']);
    expect(dot(a!, b!)).toBeCloseTo(1, 5);
  });

  it('lets stop words barely count', async () => {
    const [a, b] = await embed(['what did the federal budget do', 'federal budget']);
    expect(dot(a!, b!)).toBeGreaterThan(0.99);
  });

  it('tokenizes a known word to a single token between [CLS] and [SEP]', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(modelDir);
    expect(tokenizer.tokenize('Payments')).toEqual(['payments']);
    const ids = tokenizer.encode('payments');
    expect(ids).toHaveLength(3);
    expect(ids[0]).toBe(2); // [CLS]
    expect(ids[2]).toBe(3); // [SEP]
    // Unknown words fall back to character pieces, not [UNK].
    expect(tokenizer.tokenize('qzxv')).toEqual(['q', '##z', '##x', '##v']);
  });
});

describe('makeTestModel', () => {
  const dirs: string[] = [];

  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  async function generate(texts: string[], dims?: number): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'footnote-model-'));
    dirs.push(dir);
    await makeTestModel(dir, texts, dims === undefined ? {} : { dims });
    return dir;
  }

  const files = ['tokenizer.json', 'tokenizer_config.json', 'config.json', 'onnx/model.onnx'];

  it('is deterministic and independent of text order', async () => {
    const texts = ['Apple pays Alibaba', 'the budget of the federal government', 'Café déjà vu'];
    const a = await generate(texts);
    const b = await generate([...texts].reverse());
    for (const f of files) {
      expect((await readFile(path.join(a, f))).equals(await readFile(path.join(b, f))), f).toBe(true);
    }
  });

  it('honours dims and keeps word vectors independent of the vocabulary', async () => {
    const small = await generate(['budget'], 16);
    const large = await generate(['budget deficit congress budget'], 16);
    const config = JSON.parse(await readFile(path.join(small, 'config.json'), 'utf8')) as ModelConfig;
    expect(config.hidden_size).toBe(16);

    const vector = async (dir: string, text: string) => {
      const fx = await pipeline('feature-extraction', dir, { dtype: 'fp32', local_files_only: true });
      try {
        return ((await fx(text, { pooling: 'mean', normalize: true })).tolist() as number[][])[0]!;
      } finally {
        await fx.dispose();
      }
    };
    const v1 = await vector(small, 'budget');
    const v2 = await vector(large, 'budget');
    expect(v1).toHaveLength(16);
    expect(dot(v1, v2)).toBeCloseTo(1, 5);
  });

  it('caps the vocabulary at the 60,000 most frequent words', async () => {
    const words = Array.from({ length: 60_010 }, (_, i) => `word${i}`);
    const dir = await generate([`${words.join(' ')} common common`], 4);
    const tokenizer = JSON.parse(await readFile(path.join(dir, 'tokenizer.json'), 'utf8')) as {
      model: { vocab: Record<string, number> };
    };
    const vocab = Object.keys(tokenizer.model.vocab);
    expect(vocab).toContain('common');
    expect(vocab.filter((w) => w.startsWith('word'))).toHaveLength(59_999);
    const config = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')) as ModelConfig;
    expect(config.vocab_size).toBe(vocab.length);
  });
});
