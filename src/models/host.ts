// The embedding model and the optional re-ranker: loaded once, on first need, with failures remembered.
import type { Config } from '../config.js';
import { describeModel, type Embedder, type ModelIdentity, type ModelProgress } from './embedder.js';
import { loadEmbedderThread } from './embedding-thread.js';
import { ModelLoadError, errorMessage } from '../core/errors.js';
import type { Logger } from '../log.js';
import { loadReranker, type Reranker } from './reranker.js';

export interface ModelHostOptions {
  onDownload?: (progress: ModelProgress) => void;
  /** After the model failed to load, it is tried again this much later; meanwhile questions go lexical. */
  retryMs?: number;
}

/**
 * Holds the models: the embedder and the optional re-ranker are each loaded once, on first need,
 * and a model that could not be loaded is remembered (and tried again later) so that every
 * question does not wait for it to fail again.
 */
export class ModelHost {
  readonly model: ModelIdentity;
  private embedderPromise: Promise<Embedder> | null = null;
  private loaded: Embedder | null = null;
  private failure: { message: string; at: number } | null = null;
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
        if (error instanceof ModelLoadError) this.failure = { message: errorMessage(error), at: Date.now() };
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
    return this.failure !== null && Date.now() - this.failure.at < (this.options.retryMs ?? 60_000);
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
