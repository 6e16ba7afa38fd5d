import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { FeatureExtractionPipeline, Tensor } from '@huggingface/transformers';
import { ModelLoadError, errorMessage } from '../core/errors.js';
import type { Span } from '../core/types.js';

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

/** Where a model comes from: the part of the options every model loader shares. */
export type ModelSource = Pick<EmbedderOptions, 'model' | 'modelsDir' | 'allowRemoteModels' | 'threads'>;

/** What a load-failure message is about, and the variables that fix it. */
export interface ModelRole {
  /** e.g. "embedding model". */
  noun: string;
  /** The variable naming the model. */
  variable: string;
  /** The variable choosing its dtype, if there is one. */
  dtypeVariable?: string;
  /** One more fix, offered last (e.g. how to turn the feature off). */
  disable?: string;
}

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
  const local = path.isAbsolute(options.model);
  const { dtype, fingerprint } = describeModel(options);

  const cached = new Map<string, boolean>();
  let extractor: FeatureExtractionPipeline;
  try {
    const { pipeline } = await import('@huggingface/transformers');
    extractor = await pipeline('feature-extraction', options.model, {
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

  const tokenizer = extractor.tokenizer;
  const maxTokens = Math.min(Number(tokenizer.model_max_length) || 512, 512);
  const probe = await extractor(['probe'], { pooling: 'mean', normalize: true });
  const dims = probe.dims.at(-1) ?? 0;
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  // Batches of similar length waste less work on padding.
  const batches = (texts: string[]): number[][] => {
    const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
    const result: number[][] = [];
    for (let i = 0; i < order.length; i += batchSize) result.push(order.slice(i, i + batchSize));
    return result;
  };
  const embed = async (texts: string[]): Promise<Float32Array[]> => {
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
  };

  return {
    model: options.model,
    dtype,
    dims,
    fingerprint,
    maxTokens,
    tokenCounter: () => Promise.resolve((text: string) => tokenizer.encode(text, { add_special_tokens: false }).length),
    embed,
    async embedPassages(passages) {
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
    },
    dispose: () => extractor.dispose(),
  };
}

/**
 * Where each sentence's tokens lie among its passage's (`passage` with its special tokens, as the
 * model read it), or null for a sentence not found there in order: tokenizers that split on white
 * space first (WordPiece, BPE and SentencePiece alike) give a passage the tokens of its sentences
 * one after another, but one that merges across a boundary ("said.😀"), or truncation, would not.
 */
export function tokenRanges(passage: number[], sentences: number[][]): ([number, number] | null)[] {
  // Position 0 holds the model's first special token.
  let at = 1;
  return sentences.map((ids) => {
    const fits = ids.length > 0 && at + ids.length < passage.length && ids.every((id, i) => passage[at + i] === id);
    if (!fits) return null;
    const range: [number, number] = [at, at + ids.length];
    at += ids.length;
    return range;
  });
}

/**
 * The normalized mean of the token states in `ranges`. A sentence is pooled over its own tokens
 * and the passage's two special tokens, the tokens the model pools when it reads the sentence
 * alone: for a model whose token states do not depend on their neighbours, exactly that vector;
 * for a contextual one, the sentence as read in its passage ("late chunking").
 */
function meanOf(state: (token: number) => Float32Array, ranges: [number, number][]): Float32Array {
  const width = state(0).length;
  const sum = new Float64Array(width);
  let count = 0;
  for (const [from, to] of ranges) {
    for (let t = from; t < to; t++) {
      const s = state(t);
      for (let k = 0; k < width; k++) sum[k]! += s[k]!;
      count++;
    }
  }
  let norm = 0;
  for (let k = 0; k < width; k++) norm += (sum[k]! / count) ** 2;
  norm = Math.sqrt(norm) || 1;
  return Float32Array.from(sum, (x) => x / count / norm);
}

/**
 * Points transformers.js at `options.model` and returns the options for its from_pretrained
 * calls: an absolute directory is read in place and never downloaded; a hub id is read from
 * the cache in modelsDir, or downloaded into it when allowed. Sets the library's global env,
 * so two loads must not run at the same time.
 */
export async function pretrainedOptions(options: ModelSource, dtype: string) {
  // Imported here, not at the top: a process that answers lexically never loads transformers.js.
  const { env } = await import('@huggingface/transformers');
  env.cacheDir = options.modelsDir;
  env.allowRemoteModels = options.allowRemoteModels && !path.isAbsolute(options.model);
  env.allowLocalModels = true;
  return {
    dtype: dtype as 'fp32',
    device: 'cpu' as const,
    session_options: sessionOptions(options.threads),
    cache_dir: options.modelsDir,
    local_files_only: !env.allowRemoteModels,
  };
}

/** onnxruntime's session options for a model run on `threads` threads (all cores when unset). */
export function sessionOptions(threads?: number) {
  return {
    // onnxruntime-node otherwise runs a model on one core (docs/decisions/onnx-threads.md).
    intraOpNumThreads: threads ?? os.availableParallelism(),
    // Its threads spin between a run's steps (fast), and by default for a while after the run too, on the cores the
    // answer is then composed on: stopped when the run returns (docs/decisions/onnx-threads.md).
    extra: { session: { force_spinning_stop: '1' } },
  };
}

/** `auto`: int8 weights where the model ships them (the hub's models do), else fp32. */
export function resolveDtype(options: Pick<EmbedderOptions, 'model' | 'dtype'>): string {
  if (options.dtype !== 'auto') return options.dtype;
  if (!path.isAbsolute(options.model)) return 'q8';
  return fs.existsSync(path.join(options.model, 'onnx', 'model_quantized.onnx')) ? 'q8' : 'fp32';
}

/**
 * Identity of the vectors a model produces. A hub id pins them (with the dtype); a local
 * directory can be regenerated in place, so its tokenizer, config and weights' head and size
 * are hashed too (cheap even for large weights).
 */
function modelFingerprint(model: string, dtype: string): string {
  const hash = createHash('sha256').update(`${model}\0${dtype}`);
  if (path.isAbsolute(model)) {
    for (const name of ['config.json', 'tokenizer.json']) {
      const file = path.join(model, name);
      if (fs.existsSync(file)) hash.update(fs.readFileSync(file));
    }
    const weights = path.join(
      model,
      'onnx',
      dtype === 'fp32' ? 'model.onnx' : `model_${dtype === 'q8' ? 'quantized' : dtype}.onnx`,
    );
    if (fs.existsSync(weights)) {
      const fd = fs.openSync(weights, 'r');
      try {
        const head = Buffer.alloc(1 << 20);
        const read = fs.readSync(fd, head, 0, head.length, 0);
        hash.update(head.subarray(0, read)).update(String(fs.fstatSync(fd).size));
      } finally {
        fs.closeSync(fd);
      }
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** A ModelLoadError message: what failed, where it was looked for, and how to fix it. */
export function describeLoadFailure(role: ModelRole, options: ModelSource, dtype: string, error: unknown): string {
  const reason = errorMessage(error).split('\n')[0];
  const orDisable = role.disable ? `, or ${role.disable}` : '';
  if (path.isAbsolute(options.model)) {
    const orDtype = role.dtypeVariable ? `, or set ${role.dtypeVariable} to a dtype the directory has` : '';
    return [
      `Could not load the ${role.noun} from the directory ${options.model} (dtype ${dtype}): ${reason}.`,
      'The directory needs config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx ' +
        `(or onnx/model_quantized.onnx for q8). Fix ${role.variable}${orDtype}${orDisable}.`,
    ].join('\n');
  }
  const where = `the cache ${options.modelsDir}`;
  if (!options.allowRemoteModels) {
    return [
      `Could not load the ${role.noun} "${options.model}" (dtype ${dtype}): it is not in ${where}, ` +
        'and downloads are off (ALLOW_REMOTE_MODELS=false).',
      'Fix: run once with ALLOW_REMOTE_MODELS=true and network access to download it into MODELS_DIR, ' +
        `or set ${role.variable} to a local model directory${orDisable}. (${reason})`,
    ].join('\n');
  }
  return [
    `Could not load the ${role.noun} "${options.model}" (dtype ${dtype}) from ${where} ` +
      `or the Hugging Face hub: ${reason}.`,
    'Fix: check the model id and your network connection and run again ' +
      '(the model is downloaded once, into MODELS_DIR), ' +
      `or set ${role.variable} to a local model directory (config.json, tokenizer files, onnx/)${orDisable}.`,
  ].join('\n');
}
