// The embedding model: texts and passages (with their sentences) turned into unit vectors by transformers.js.
import fs from 'node:fs';
import path from 'node:path';
import type { FeatureExtractionPipeline, Tensor } from '@huggingface/transformers';
import { ModelLoadError } from '../core/errors.js';
import type { Span } from '../core/types.js';
import { describeLoadFailure, modelFingerprint, pretrainedOptions, resolveDtype, type ModelRole } from './loading.js';
import { meanOf, tokenRanges } from './pooling.js';

/** Turns texts into unit-length vectors, so inner product is cosine similarity. */
export interface Embedder {
  /** EMBEDDING_MODEL as configured: hub id or absolute directory. */
  readonly model: string;
  readonly dtype: string;
  readonly dims: number;
  /** Changes whenever the weights or tokenizer could give different vectors. */
  readonly fingerprint: string;
  /** Tokens the model reads at most, special tokens included. */
  readonly maxTokens: number;
  /** Counts the model's tokens in a text, without special tokens (loaded on first call: answering never needs it). */
  tokenCounter(): Promise<(text: string) => number>;
  embed(texts: string[]): Promise<Float32Array[]>;
  /**
   * Embeds passages and, from the same model run, the sentences in them: each sentence's vector
   * pools the passage's token states over the sentence's tokens (see meanOf).
   */
  embedPassages(passages: PassageToEmbed[]): Promise<EmbeddedPassage[]>;
  dispose(): Promise<void>;
}

export interface PassageToEmbed {
  text: string;
  /** Sentences of `text` (offsets into it), in order, separated by white space only. */
  sentences: Span[];
}

export interface EmbeddedPassage {
  vector: Float32Array;
  /** One vector per sentence of the passage, in the same order. */
  sentences: Float32Array[];
}

export interface ModelProgress {
  file: string;
  loaded: number;
  total: number;
}

/** Which model and weights an index's vectors come from; computed without loading the model. */
export interface ModelIdentity {
  id: string;
  dtype: string;
  fingerprint: string;
}

export interface EmbedderOptions {
  model: string;
  dtype: string;
  modelsDir: string;
  allowRemoteModels: boolean;
  /** Threads onnxruntime may use for one model run; all cores when unset. */
  threads?: number;
  batchSize?: number;
  /** Download progress of model files (only called when something is downloaded). */
  onDownload?: (progress: ModelProgress) => void;
}

const DEFAULT_BATCH = 16;

const EMBEDDING_ROLE: ModelRole = {
  noun: 'embedding model',
  variable: 'EMBEDDING_MODEL',
  dtypeVariable: 'EMBEDDING_DTYPE',
};

export function describeModel(options: Pick<EmbedderOptions, 'model' | 'dtype'>): ModelIdentity {
  const dtype = resolveDtype(options);
  return { id: options.model, dtype, fingerprint: modelFingerprint(options.model, dtype) };
}

/** Loads a feature-extraction model through transformers.js's own pipeline. */
export async function loadEmbedder(options: EmbedderOptions): Promise<Embedder> {
  const { dtype, fingerprint } = describeModel(options);
  const extractor = await loadPipeline(options, dtype);

  const tokenizer = extractor.tokenizer;
  const maxTokens = Math.min(Number(tokenizer.model_max_length) || 512, 512);
  const probe = await extractor(['probe'], { pooling: 'mean', normalize: true });
  const dims = probe.dims.at(-1) ?? 0;
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const batches = batcher(batchSize);
  const embed = (texts: string[]): Promise<Float32Array[]> => embedTexts(extractor, dims, batches, texts);

  return {
    model: options.model,
    dtype,
    dims,
    fingerprint,
    maxTokens,
    tokenCounter: () => Promise.resolve((text: string) => tokenizer.encode(text, { add_special_tokens: false }).length),
    embed,
    embedPassages: (passages) => embedPassages(extractor, batches, embed, passages),
    dispose: () => extractor.dispose(),
  };
}

/** The model's feature-extraction pipeline, reporting what it downloads; a failure to load is a ModelLoadError. */
async function loadPipeline(options: EmbedderOptions, dtype: string): Promise<FeatureExtractionPipeline> {
  const local = path.isAbsolute(options.model);
  const cached = new Map<string, boolean>();
  try {
    const { pipeline } = await import('@huggingface/transformers');
    return await pipeline('feature-extraction', options.model, {
      ...(await pretrainedOptions(options, dtype)),
      progress_callback: (event: { status: string; file?: string; loaded?: number; total?: number }) => {
        if (event.status !== 'progress' || !event.file || !options.onDownload || local) return;
        // transformers.js reports reads from its cache as progress too; only real downloads count.
        let fromCache = cached.get(event.file);
        if (fromCache === undefined) {
          fromCache = fs.existsSync(path.join(options.modelsDir, options.model, event.file));
          cached.set(event.file, fromCache);
        }
        if (!fromCache) options.onDownload({ file: event.file, loaded: event.loaded ?? 0, total: event.total ?? 0 });
      },
    });
  } catch (error) {
    throw new ModelLoadError(describeLoadFailure(EMBEDDING_ROLE, options, dtype, error));
  }
}

/** Splits texts into batches of their indexes. */
type Batcher = (texts: string[]) => number[][];

// Batches of similar length waste less work on padding.
function batcher(batchSize: number): Batcher {
  return (texts) => {
    const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
    const result: number[][] = [];
    for (let i = 0; i < order.length; i += batchSize) result.push(order.slice(i, i + batchSize));
    return result;
  };
}

/** Each text's vector: the mean of its token states, normalized. */
async function embedTexts(
  extractor: FeatureExtractionPipeline,
  dims: number,
  batches: Batcher,
  texts: string[],
): Promise<Float32Array[]> {
  const vectors = new Array<Float32Array>(texts.length);
  for (const ids of batches(texts)) {
    const output = await extractor(
      ids.map((id) => texts[id]!),
      { pooling: 'mean', normalize: true },
    );
    const data = output.data as Float32Array;
    ids.forEach((id, row) => {
      vectors[id] = data.slice(row * dims, (row + 1) * dims);
    });
    output.dispose();
  }
  return vectors;
}

/** Passages' vectors and their sentences', pooled from one model run of each passage (see tokenRanges). */
async function embedPassages(
  extractor: FeatureExtractionPipeline,
  batches: Batcher,
  embed: (texts: string[]) => Promise<Float32Array[]>,
  passages: PassageToEmbed[],
): Promise<EmbeddedPassage[]> {
  const tokenizer = extractor.tokenizer;
  const results = new Array<EmbeddedPassage>(passages.length);
  // Sentences whose tokens could not be found in their passage's, embedded on their own.
  const alone: { passage: number; sentence: number; text: string }[] = [];
  for (const ids of batches(passages.map((p) => p.text))) {
    const inputs = tokenizer(
      ids.map((id) => passages[id]!.text),
      { padding: true, truncation: true },
    );
    const outputs = (await extractor.model(inputs)) as Record<string, Tensor>;
    const states = outputs.last_hidden_state as Tensor;
    const [, length, width] = states.dims as [number, number, number];
    const data = states.data as Float32Array;
    const tokens = inputs.input_ids.data as BigInt64Array;
    const mask = inputs.attention_mask.data as BigInt64Array;
    ids.forEach((id, row) => {
      const rowTokens = Array.from(tokens.subarray(row * length, (row + 1) * length), Number);
      const used = mask.subarray(row * length, (row + 1) * length).reduce((n, m) => n + Number(m), 0);
      const state = (t: number): Float32Array =>
        data.subarray((row * length + t) * width, (row * length + t + 1) * width);
      const { text, sentences } = passages[id]!;
      const ranges = tokenRanges(
        rowTokens.slice(0, used),
        sentences.map((s) => tokenizer.encode(text.slice(s.start, s.end), { add_special_tokens: false })),
      );
      results[id] = {
        vector: meanOf(state, [[0, used]]),
        sentences: ranges.map((range, k) => {
          if (range) return meanOf(state, [[0, 1], range, [used - 1, used]]);
          alone.push({ passage: id, sentence: k, text: text.slice(sentences[k]!.start, sentences[k]!.end) });
          return new Float32Array(width);
        }),
      };
    });
    for (const tensor of Object.values(outputs)) tensor.dispose();
  }
  const vectors = await embed(alone.map((a) => a.text));
  alone.forEach((a, i) => {
    results[a.passage]!.sentences[a.sentence] = vectors[i]!;
  });
  return results;
}
