// Loading a model with transformers.js: where its files come from, its dtype and fingerprint, the options of its
// from_pretrained calls, and what a failure to load tells the operator.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { errorMessage } from '../core/errors.js';
import type { EmbedderOptions } from './embedder.js';

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
export function modelFingerprint(model: string, dtype: string): string {
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
