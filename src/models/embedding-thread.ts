// The embedder run in a worker thread: the main thread only sends texts and receives vectors.
import { Worker } from 'node:worker_threads';
import type { Embedder, EmbedderOptions } from './embedder.js';
import { pretrainedOptions } from './loading.js';
import type { WorkerReply, WorkerRequest } from './embedding-worker.js';
import { ModelLoadError } from '../core/errors.js';

/**
 * How to start the worker: the compiled module beside this one, or, when this module runs as
 * TypeScript (tests, development through tsx), the TypeScript source through tsx's loader.
 */
function workerEntry(): [string | URL, { eval?: boolean }] {
  if (!import.meta.url.endsWith('.ts')) return [new URL('./embedding-worker.js', import.meta.url), {}];
  const entry = JSON.stringify(new URL('./embedding-worker.ts', import.meta.url).href);
  return [`import('tsx/esm/api').then(({ register }) => { register(); return import(${entry}); })`, { eval: true }];
}

// The worker thread's stack. onnxruntime reads the process's command line when it loads, recursing
// over it: on a worker's default 4 MB stack a command line of about 16,000 characters (a long
// question to npm run ask) crashed the process (SIGSEGV, exit 139). 64 MB holds the longest
// argument Linux passes (128 KiB) with room to spare; it is reserved, not used, until needed.
const WORKER_STACK_MB = 64;

/**
 * The embedder of embedder.ts, run in a worker thread: `embed` costs the main thread only a
 * message each way, so a reindex or a burst of questions never holds up the event loop.
 */
export async function loadEmbedderThread(options: EmbedderOptions): Promise<Embedder> {
  const { onDownload, ...data } = options;
  const [entry, how] = workerEntry();
  const worker = new Worker(entry, { ...how, workerData: data, resourceLimits: { stackSizeMb: WORKER_STACK_MB } });
  const pending = new Map<number, { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void }>();
  let next = 0;
  let exited: Error | null = null;

  const ready = await new Promise<Extract<WorkerReply, { type: 'ready' }>>((resolve, reject) => {
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready') resolve(reply);
      else if (reply.type === 'failed')
        reject(reply.name === 'ModelLoadError' ? new ModelLoadError(reply.message) : new Error(reply.message));
      else if (reply.type === 'download') onDownload?.(reply);
      else {
        pending.get(reply.id)?.resolve(reply);
        pending.delete(reply.id);
        if (!pending.size) worker.unref();
      }
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      exited = new Error(`the embedding worker stopped (exit code ${code})`);
      reject(exited);
      for (const { reject: fail } of pending.values()) fail(exited);
      pending.clear();
    });
  });
  // Idle, the worker must not keep the process alive; while a request is out, it must.
  worker.unref();

  const request = (message: Omit<WorkerRequest, 'id'>): Promise<WorkerReply> => {
    if (exited) return Promise.reject(exited);
    const id = next++;
    worker.ref();
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, id });
    });
  };

  return {
    model: options.model,
    dtype: ready.dtype,
    dims: ready.dims,
    fingerprint: ready.fingerprint,
    maxTokens: ready.maxTokens,
    tokenCounter: tokenCounter(options, ready.dtype),
    async embed(texts) {
      return texts.length ? (await expectReply(request({ texts }), 'vectors')).vectors : [];
    },
    async embedPassages(passages) {
      return passages.length ? (await expectReply(request({ passages }), 'passages')).passages : [];
    },
    async dispose() {
      if (exited) return;
      await request({ dispose: true });
      await worker.terminate();
    },
  };
}

// The chunker counts tokens synchronously, here on the calling thread, with the model's
// tokenizer; loaded only when a build first needs it, so a question does not wait for it.
function tokenCounter(options: EmbedderOptions, dtype: string): () => Promise<(text: string) => number> {
  let counter: Promise<(text: string) => number> | null = null;
  return (): Promise<(text: string) => number> => {
    counter ??= (async () => {
      const { AutoTokenizer } = await import('@huggingface/transformers');
      const tokenizer = await AutoTokenizer.from_pretrained(
        options.model,
        await pretrainedOptions({ ...options, allowRemoteModels: false }, dtype),
      );
      return (text: string) => tokenizer.encode(text, { add_special_tokens: false }).length;
    })();
    counter.catch(() => {
      counter = null;
    });
    return counter;
  };
}

/** The reply of the type asked for; the worker's error, or any other reply, as an Error. */
async function expectReply<T extends WorkerReply['type']>(
  pending: Promise<WorkerReply>,
  type: T,
): Promise<Extract<WorkerReply, { type: T }>> {
  const reply = await pending;
  if (reply.type === 'error') throw new Error(reply.message);
  if (reply.type !== type) throw new Error(`unexpected reply from the embedding worker: ${reply.type}`);
  return reply as Extract<WorkerReply, { type: T }>;
}
