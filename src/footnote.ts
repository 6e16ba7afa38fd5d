import { composeAnswer, type Answer } from './answer.js';
import type { Config, ModeSetting } from './config.js';
import { describeModel, type Embedder, type ModelIdentity, type ModelProgress } from './embedder.js';
import { loadEmbedderThread } from './embedding-thread.js';
import { ModelLoadError, ReindexInProgressError, UsageError, UserError, errorMessage } from './errors.js';
import { incompatibility } from './index-plan.js';
import { buildIndex, type IndexSummary } from './indexer.js';
import type { Logger } from './log.js';
import { loadReranker, type Reranker } from './reranker.js';
import { retrieve, type RetrievalMode, type Retrieved } from './retrieval.js';
import { IndexDamagedError, PassageIndex } from './store/passage-index.js';
import { FORMAT_VERSION, readManifest } from './store/manifest.js';
import { currentGeneration } from './store/layout.js';
import { normalizeQuestion } from './text.js';

export interface AskOptions {
  /** Restrict the answer to one article (its id). */
  articleId?: string;
  /** Overrides RETRIEVAL_MODE for this question. */
  mode?: ModeSetting;
}

export interface TimedAnswer extends Answer {
  timings: { totalMs: number };
}

export interface FootnoteOptions {
  onDownload?: (progress: ModelProgress) => void;
  onIndexProgress?: (done: number, total: number) => void;
  /** After the model failed to load, questions go lexical and the model is tried again this much later. */
  modelRetryMs?: number;
  /** With RETRIEVAL_MODE=auto, answer lexically while the model is still loading instead of waiting (the bot, so the first questions after a start are not held up). */
  lexicalWhileLoading?: boolean;
}

/**
 * The whole pipeline behind one object: the CLI and the bot both ask it questions and tell it
 * to reindex. The model loads once, on first need; when it cannot be loaded, questions are
 * answered by lexical search until it can. The open index is replaced only once a rebuilt one
 * is complete.
 */
export class Footnote {
  readonly model: ModelIdentity;
  private embedderPromise: Promise<Embedder> | null = null;
  private loaded: Embedder | null = null;
  private rerankerPromise: Promise<Reranker | null> | null = null;
  private modelFailure: { message: string; at: number } | null = null;
  private opened: PassageIndex | null = null;
  /** What the live index was last checked to serve: vectors ("dense") or words only. */
  private checked: 'dense' | 'lexical' | null = null;
  private running: Promise<IndexSummary> | null = null;
  private readonly leases = new Map<PassageIndex, number>();
  /** Why the open index failed its checksums, until a rebuild replaces it. */
  private damage: string | null = null;

  constructor(
    readonly config: Config,
    readonly log: Logger,
    private readonly options: FootnoteOptions = {},
  ) {
    this.model = describeModel({ model: config.embeddingModel, dtype: config.embeddingDtype });
  }

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
        if (this.modelFailure) this.log.info(`the embedding model ${this.config.embeddingModel} is available again: answering with it`);
        this.modelFailure = null;
        return embedder;
      },
      (error: unknown) => {
        this.embedderPromise = null;
        if (error instanceof ModelLoadError) this.modelFailure = { message: errorMessage(error), at: Date.now() };
        throw error;
      },
    );
    return this.embedderPromise;
  }

  private recentModelFailure(): boolean {
    return this.modelFailure !== null && Date.now() - this.modelFailure.at < (this.options.modelRetryMs ?? 60_000);
  }

  /** Why questions are answered without the model right now, or null when it is in use. */
  get degraded(): string | null {
    return this.modelFailure?.message ?? null;
  }

  /** The live index, or null when none has been built. */
  index(): PassageIndex | null {
    if (!this.opened) {
      // Checksums are read while the first question is already being answered; ask() waits for
      // them before it answers, so a damaged index never gives an answer.
      this.opened = PassageIndex.open(this.config.indexDir, { verify: 'background' });
      this.opened?.verified.catch((error: unknown) => this.log.warn(`the index is damaged (${errorMessage(error)}): it will be rebuilt`));
    }
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
    const setting = this.config.retrievalMode;
    this.running = this.rebuild(setting === 'lexical' ? 'lexical' : setting === 'auto' ? 'auto' : 'dense', onProgress);
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  private async rebuild(vectors: 'dense' | 'auto' | 'lexical', onProgress?: (done: number, total: number) => void): Promise<IndexSummary> {
    const summary = await buildIndex({ config: this.config, model: this.model, embedder: () => this.embedder(), vectors, log: this.log, onProgress });
    this.checked = summary.dense ? 'dense' : 'lexical';
    this.damage = null;
    if (summary.updated) {
      const previous = this.opened;
      // Just built and checksummed: no need to read it all again.
      this.opened = PassageIndex.open(this.config.indexDir, { verify: false });
      if (previous) this.retire(previous);
    }
    return summary;
  }

  /**
   * Makes sure there is an index that can serve `mode`: builds one when there is none, rebuilds
   * one made with another model or format (dense and hybrid need this model's vectors).
   */
  async ensureIndex(mode: RetrievalMode = 'hybrid'): Promise<void> {
    const need = mode === 'lexical' ? 'lexical' : 'dense';
    if (this.checked === 'dense' || this.checked === need) return;
    const dir = currentGeneration(this.config.indexDir);
    const manifest = dir ? readManifest(dir) : null;
    let reason = this.damage
      ? `it is damaged: ${this.damage}`
      : !manifest
      ? null
      : need === 'dense'
        ? incompatibility(manifest, this.model, this.config)
        : manifest.formatVersion === FORMAT_VERSION
          ? null
          : `it was written in format ${manifest.formatVersion}`;
    if (manifest && !reason) {
      try {
        // Opening checks every file against the manifest's checksums.
        this.index();
        this.checked = manifest.model ? 'dense' : 'lexical';
        return;
      } catch (error) {
        if (!(error instanceof IndexDamagedError)) throw error;
        reason = `it is damaged: ${error.message}`;
      }
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
    // Without the model (asked for, or just failed to load) the build does not try it again.
    const withoutModel = this.config.retrievalMode === 'lexical' || this.recentModelFailure();
    this.running = this.rebuild(need === 'dense' ? 'dense' : withoutModel ? 'lexical' : 'auto');
    try {
      await this.running;
    } finally {
      this.running = null;
    }
  }

  /**
   * The mode a question is answered in: the one asked for, or with `auto` hybrid when the model
   * loads and lexical (with a warning) when it does not.
   */
  private async modeFor(setting: ModeSetting): Promise<{ mode: RetrievalMode; embedder: Embedder | null }> {
    if (setting === 'lexical') return { mode: 'lexical', embedder: null };
    if (setting === 'auto' && this.recentModelFailure()) {
      return { mode: 'lexical', embedder: null };
    }
    if (setting === 'auto' && this.options.lexicalWhileLoading && this.embedderPromise && !this.loaded) {
      return { mode: 'lexical', embedder: null };
    }
    try {
      return { mode: setting === 'auto' ? 'hybrid' : setting, embedder: await this.embedder() };
    } catch (error) {
      if (setting !== 'auto' || !(error instanceof ModelLoadError)) throw error;
      this.log.warn(`answering by lexical search only: ${errorMessage(error).split('\n')[0]}`);
      return { mode: 'lexical', embedder: null };
    }
  }

  async ask(question: string, options: AskOptions = {}): Promise<TimedAnswer> {
    const started = performance.now();
    const normalized = normalizeQuestion(question);
    if (!normalized) throw new UserError('The question is empty: ask something about the articles.');
    let { mode, embedder } = await this.modeFor(options.mode ?? this.config.retrievalMode);
    await this.ensureIndex(mode);
    const index = this.index();
    if (!index) throw new Error(`No index in ${this.config.indexDir}: run npm run index`);
    // An index built while the model was missing has no vectors: words only until the next reindex.
    if (!index.dense && mode !== 'lexical') {
      if ((options.mode ?? this.config.retrievalMode) !== 'auto') throw new UsageError(`The index in ${this.config.indexDir} was built without the embedding model; run npm run index to add vectors for ${mode} search.`);
      mode = 'lexical';
      embedder = null;
    }
    if (options.articleId && !index.article(options.articleId)) {
      throw new UserError(`No indexed article has the id "${options.articleId}".`);
    }
    // A reindex may swap in a new index while this question waits for the model; the one it
    // started with stays open until it is done.
    this.leases.set(index, (this.leases.get(index) ?? 0) + 1);
    let damaged = false;
    try {
      const retrieved = await retrieve(index, embedder, normalized, {
        mode,
        k: this.config.topK,
        efSearch: this.config.hnsw.efSearch,
        articleId: options.articleId,
      });
      const reranked = await this.rerank(normalized, retrieved);
      const dense = mode !== 'lexical';
      const collection = {
        terms: index.termStatistics,
        metadata: index.metadataStatistics,
        passageMean: dense ? index.meanVector : null,
        vectorSample: dense ? index.vectorSample : [],
        sentenceSample: dense ? index.sentenceSample : [],
        sentenceVectors: (keys: { articleId: string; start: number }[]) => (dense ? index.sentenceVectors(keys) : new Map<string, Float32Array>()),
        soleArticle: () => {
          const all = index.articles();
          return all.length === 1 ? index.article(all[0]!.id) : null;
        },
      };
      const answer = composeAnswer(normalized, reranked, collection, {
        minScore: mode === 'lexical' ? this.config.minLexicalScore : this.config.minScore,
        minDenseScore: this.config.minDenseScore,
        model: this.config.embeddingModel,
      });
      try {
        await index.verified;
      } catch (error) {
        if (!(error instanceof IndexDamagedError)) throw error;
        // What was read may be wrong: the question is asked again of a rebuilt index.
        this.damage = error.message;
        this.checked = null;
        if (this.opened === index) this.opened = null;
        damaged = true;
      }
      if (!damaged) return { ...answer, timings: { totalMs: Number((performance.now() - started).toFixed(1)) } };
    } finally {
      const left = (this.leases.get(index) ?? 1) - 1;
      if (left > 0) this.leases.set(index, left);
      else {
        this.leases.delete(index);
        if (index !== this.opened) index.close();
      }
    }
    return this.ask(question, options);
  }

  /**
   * Re-orders the retrieved passages with the cross-encoder when RERANK_MODEL is set. A reranker
   * that cannot be loaded is reported once and left out: answers go on without it.
   */
  private async rerank(question: string, retrieved: Retrieved): Promise<Retrieved> {
    const model = this.config.rerankModel;
    if (!model || retrieved.hits.length < 2) return retrieved;
    this.rerankerPromise ??= loadReranker({
      model,
      dtype: 'auto',
      modelsDir: this.config.modelsDir,
      allowRemoteModels: this.config.allowRemoteModels,
      threads: this.config.modelThreads || undefined,
    }).catch(
      (error: unknown) => {
        this.log.warn(`re-ranking is off: ${errorMessage(error).split('\n')[0]}`);
        return null;
      },
    );
    const reranker = await this.rerankerPromise;
    if (!reranker) return retrieved;
    const scores = await reranker.score(question, retrieved.hits.map((h) => h.passage.text));
    const order = retrieved.hits.map((hit, i) => ({ hit, score: scores[i]! })).sort((a, b) => b.score - a.score);
    return { ...retrieved, hits: order.map((o) => o.hit) };
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
    this.loaded = null;
    const embedder = await loading?.catch(() => null);
    await embedder?.dispose();
    const reranker = await this.rerankerPromise;
    this.rerankerPromise = null;
    await reranker?.dispose();
  }
}
