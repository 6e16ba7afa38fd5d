import { composeAnswer, type Answer } from './answer.js';
import type { Config } from './config.js';
import { describeModel, loadEmbedder, type Embedder, type ModelIdentity, type ModelProgress } from './embedder.js';
import { ReindexInProgressError, UsageError } from './errors.js';
import { buildIndex, incompatibility, type IndexSummary } from './indexer.js';
import type { Logger } from './log.js';
import { retrieve } from './retrieval.js';
import { PassageIndex } from './store/passage-index.js';
import { readManifest } from './store/manifest.js';
import { currentGeneration } from './store/layout.js';

export interface AskOptions {
  /** Restrict the answer to one article (its id). */
  articleId?: string;
}

export interface TimedAnswer extends Answer {
  timings: { totalMs: number };
}

export interface FootnoteOptions {
  onDownload?: (progress: ModelProgress) => void;
  onIndexProgress?: (done: number, total: number) => void;
}

/**
 * The whole pipeline behind one object: the CLI and the bot both ask it questions and tell it
 * to reindex. The model loads once, on first need; the open index is replaced only once a
 * rebuilt one is complete.
 */
export class Footnote {
  readonly model: ModelIdentity;
  private embedderPromise: Promise<Embedder> | null = null;
  private opened: PassageIndex | null = null;
  private checked = false;
  private running: Promise<IndexSummary> | null = null;
  private readonly leases = new Map<PassageIndex, number>();

  constructor(
    readonly config: Config,
    readonly log: Logger,
    private readonly options: FootnoteOptions = {},
  ) {
    this.model = describeModel({ model: config.embeddingModel, dtype: config.embeddingDtype });
  }

  embedder(): Promise<Embedder> {
    this.embedderPromise ??= loadEmbedder({
      model: this.config.embeddingModel,
      dtype: this.config.embeddingDtype,
      modelsDir: this.config.modelsDir,
      allowRemoteModels: this.config.allowRemoteModels,
      onDownload: this.options.onDownload,
    }).catch((error: unknown) => {
      this.embedderPromise = null;
      throw error;
    });
    return this.embedderPromise;
  }

  /** The live index, or null when none has been built. */
  index(): PassageIndex | null {
    this.opened ??= PassageIndex.open(this.config.indexDir);
    return this.opened;
  }

  get reindexing(): boolean {
    return this.running !== null;
  }

  /**
   * Builds or updates the index from the articles, then answers from the new one. Questions
   * asked meanwhile are answered from the old index. One reindex runs at a time: a second call
   * meanwhile throws ReindexInProgressError.
   */
  async reindex(onProgress = this.options.onIndexProgress): Promise<IndexSummary> {
    if (this.running) throw new ReindexInProgressError();
    this.running = this.rebuild(onProgress);
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  private async rebuild(onProgress?: (done: number, total: number) => void): Promise<IndexSummary> {
    const summary = await buildIndex({
      config: this.config,
      model: this.model,
      embedder: () => this.embedder(),
      log: this.log,
      onProgress,
    });
    this.checked = true;
    if (summary.updated) {
      const previous = this.opened;
      this.opened = PassageIndex.open(this.config.indexDir);
      if (previous) this.retire(previous);
    }
    return summary;
  }

  /** Builds the index when there is none, or when it was built with another model or format. */
  async ensureIndex(): Promise<void> {
    // Once checked or built by this object, the live index stays usable until the next reindex.
    if (this.checked) return;
    const dir = currentGeneration(this.config.indexDir);
    const manifest = dir ? readManifest(dir) : null;
    const reason = manifest ? incompatibility(manifest, this.model, this.config) : null;
    if (manifest && !reason) {
      this.checked = true;
      return;
    }
    // A build already under way (another question's, or /reindex) serves this question too.
    if (this.running) {
      await this.running;
      return;
    }
    this.log.info(
      reason
        ? `the index cannot be used as it is (${reason}): rebuilding it`
        : `no index in ${this.config.indexDir} yet: building it from ${this.config.articlesDir}`,
    );
    await this.reindex();
  }

  async ask(question: string, options: AskOptions = {}): Promise<TimedAnswer> {
    const started = performance.now();
    const trimmed = question.trim();
    if (!trimmed) throw new UsageError('The question is empty: ask something about the articles.');
    await this.ensureIndex();
    const index = this.index();
    if (!index) throw new Error(`No index in ${this.config.indexDir}: run npm run index`);
    if (options.articleId && !index.article(options.articleId)) {
      throw new UsageError(`No article with id "${options.articleId}" is indexed; list them with the /articles command or in ${this.config.articlesDir}.`);
    }
    // A reindex may swap in a new index while this question waits for the model; the one it
    // started with stays open until it is done.
    this.leases.set(index, (this.leases.get(index) ?? 0) + 1);
    try {
      const embedder = await this.embedder();
      const retrieved = await retrieve(index, embedder, trimmed, {
        k: this.config.topK,
        efSearch: this.config.hnsw.efSearch,
        articleId: options.articleId,
      });
      const answer = await composeAnswer(trimmed, retrieved, embedder, { minScore: this.config.minScore });
      return { ...answer, timings: { totalMs: Number((performance.now() - started).toFixed(1)) } };
    } finally {
      const left = (this.leases.get(index) ?? 1) - 1;
      if (left > 0) this.leases.set(index, left);
      else {
        this.leases.delete(index);
        if (index !== this.opened) index.close();
      }
    }
  }

  /** Closes a replaced index now, or when the last question using it is answered. */
  private retire(index: PassageIndex): void {
    if (!this.leases.has(index)) index.close();
  }

  async close(): Promise<void> {
    this.opened?.close();
    this.opened = null;
    const loading = this.embedderPromise;
    this.embedderPromise = null;
    const embedder = await loading?.catch(() => null);
    await embedder?.dispose();
  }
}
