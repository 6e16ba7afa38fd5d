// Worker side of embedding-thread.ts: the model runs here, so tokenizing, inference and pooling
// never occupy the main thread that answers Discord.
import { parentPort, workerData } from 'node:worker_threads';
import { loadEmbedder, type EmbeddedPassage, type EmbedderOptions, type PassageToEmbed } from './embedder.js';
import { errorMessage } from '../core/errors.js';

export type WorkerRequest =
  { id: number; texts: string[] } | { id: number; passages: PassageToEmbed[] } | { id: number; dispose: true };
export type WorkerReply =
  | { type: 'ready'; dims: number; maxTokens: number; dtype: string; fingerprint: string }
  | { type: 'failed'; name: string; message: string }
  | { type: 'download'; file: string; loaded: number; total: number }
  | { type: 'vectors'; id: number; vectors: Float32Array[] }
  | { type: 'passages'; id: number; passages: EmbeddedPassage[] }
  | { type: 'error'; id: number; message: string }
  | { type: 'disposed'; id: number };

const port = parentPort!;
const post = (reply: WorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(reply, transfer);

const options = workerData as Omit<EmbedderOptions, 'onDownload'>;
try {
  const embedder = await loadEmbedder({ ...options, onDownload: (p) => post({ type: 'download', ...p }) });
  port.on('message', (request: WorkerRequest) => {
    if ('dispose' in request) {
      void embedder.dispose().then(() => post({ type: 'disposed', id: request.id }));
      return;
    }
    const failed = (error: unknown): void => post({ type: 'error', id: request.id, message: errorMessage(error) });
    if ('passages' in request) {
      embedder.embedPassages(request.passages).then(
        (passages) =>
          post(
            { type: 'passages', id: request.id, passages },
            passages.flatMap((p) => [p.vector, ...p.sentences].map((v) => v.buffer as ArrayBuffer)),
          ),
        failed,
      );
      return;
    }
    embedder.embed(request.texts).then(
      (vectors) =>
        post(
          { type: 'vectors', id: request.id, vectors },
          vectors.map((v) => v.buffer as ArrayBuffer),
        ),
      failed,
    );
  });
  post({
    type: 'ready',
    dims: embedder.dims,
    maxTokens: embedder.maxTokens,
    dtype: embedder.dtype,
    fingerprint: embedder.fingerprint,
  });
} catch (error) {
  post({ type: 'failed', name: error instanceof Error ? error.name : 'Error', message: errorMessage(error) });
}
