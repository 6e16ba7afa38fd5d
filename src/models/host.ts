// The embedding model and the optional re-ranker: loaded once, on first need, with failures remembered.
import type { Config } from '../config.js';
import { describeModel, type Embedder, type ModelIdentity, type ModelProgress } from './embedder.js';
import { loadEmbedderThread } from './embedding-thread.js';
import { ModelLoadError, errorMessage } from '../core/errors.js';
import type { Logger } from '../log.js';
import { loadReranker, type Reranker } from './reranker.js';

export interface ModelHostOptions {
  onDownload?: (progress: ModelProgress) => void;
  /**
   * After the model failed to load, it is tried again this much later (default MODEL_RETRY_SECONDS), the wait
   * doubling with each failure in a row; meanwhile questions go lexical.
   */
  retryMs?: number;
}

// The longest wait between two tries of a model that fails to load: a host cut off from the hub for a day tries
// about a hundred times, and one back within minutes is noticed within minutes.
const MAX_RETRY_MS = 15 * 60_000;

/**
 * Holds the models: the embedder and the optional re-ranker are each loaded once, on first need,
 * and a model that could not be loaded is remembered (and tried again later) so that every
 * question does not wait for it to fail again.
 */
export class ModelHost {
  readonly model: ModelIdentity;
  private embedderPromise: Promise<Embedder> | null = null;
  private loaded: Embedder | null = null;
  private failure: { message: string; at: number; inARow: number } | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private rerankerPromise: Promise<Reranker | null> | null = null;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
    private readonly options: ModelHostOptions = {},
  ) {
    this.model = describeModel({ model: config.embeddingModel, dtype: config.embeddingDtype });
  }

  /** The embedding model, loading it on first call; throws ModelLoadError when it cannot be loaded. */
  embedder(): Promise<Embedder> {
    this.embedderPromise ??= loadEmbedderThread({
      model: this.config.embeddingModel,
      dtype: this.config.embeddingDtype,
      modelsDir: this.config.modelsDir,
      allowRemoteModels: this.config.allowRemoteModels,
      threads: this.config.modelThreads || undefined,
      onDownload: this.options.onDownload,
    }).then(
      (embedder) => {
        this.loaded = embedder;
        if (this.failure)
          this.log.info(`the embedding model ${this.config.embeddingModel} is available again: answering with it`);
        this.failure = null;
        return embedder;
      },
      (error: unknown) => {
        this.embedderPromise = null;
        if (error instanceof ModelLoadError)
          this.failure = { message: errorMessage(error), at: Date.now(), inARow: (this.failure?.inARow ?? 0) + 1 };
        throw error;
      },
    );
    return this.embedderPromise;
  }

  /** Loading has started and not finished yet. */
  get loading(): boolean {
    return this.embedderPromise !== null && this.loaded === null;
  }

  /** The model failed to load recently enough that it is not worth trying again yet. */
  get failedRecently(): boolean {
    return this.failure !== null && Date.now() < this.retryAt(this.failure);
  }

  private retryAt(failure: { at: number; inARow: number }): number {
    const first = this.options.retryMs ?? this.config.modelRetrySeconds * 1000;
    return failure.at + Math.min(first * 2 ** (failure.inARow - 1), MAX_RETRY_MS);
  }

  /**
   * After a failed load, tries the model again whenever its wait is over, without waiting for a question to ask
   * for it, until it loads; then calls `loaded`. The timer never keeps the process alive; close() stops it.
   */
  keepTrying(loaded: () => void): void {
    if (this.retryTimer || !this.failure || this.closed) return;
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = null;
        this.embedder().then(
          () => !this.closed && loaded(),
          (error: unknown) => {
            // Only a model that cannot be loaded is worth another try; anything else is logged once, by the caller.
            if (error instanceof ModelLoadError) this.keepTrying(loaded);
            else this.log.error(`the embedding model will not be tried again: ${errorMessage(error)}`);
          },
        );
      },
      Math.max(0, this.retryAt(this.failure) - Date.now()),
    );
    this.retryTimer.unref();
  }

  /** Why questions are answered without the model right now, or null when it is in use. */
  get degraded(): string | null {
    return this.failure?.message ?? null;
  }

  /**
   * The cross-encoder named by RERANK_MODEL, or null when none is set or it cannot be loaded
   * (reported once: answers go on without it).
   */
  reranker(): Promise<Reranker | null> {
    const model = this.config.rerankModel;
    if (!model) return Promise.resolve(null);
    this.rerankerPromise ??= loadReranker({
      model,
      dtype: 'auto',
      modelsDir: this.config.modelsDir,
      allowRemoteModels: this.config.allowRemoteModels,
      threads: this.config.modelThreads || undefined,
    }).catch((error: unknown) => {
      this.log.warn(`re-ranking is off: ${errorMessage(error).split('\n')[0]}`);
      return null;
    });
    return this.rerankerPromise;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const loading = this.embedderPromise;
    this.embedderPromise = null;
    this.loaded = null;
    const embedder = await loading?.catch(() => null);
    await embedder?.dispose();
    const reranker = await this.rerankerPromise;
    this.rerankerPromise = null;
    await reranker?.dispose();
  }
}
