// When the index must be (re)built, and one build at a time.
import type { Config } from '../config.js';
import { ModelLoadError, ReindexInProgressError } from '../core/errors.js';
import { CHUNKING_CHANGED, chunkingChanged, incompatibility } from './plan.js';
import { buildIndex, type IndexSummary } from './build.js';
import type { LiveIndex } from './live.js';
import type { Logger } from '../log.js';
import type { ModelHost } from '../models/host.js';
import { needsVectors, vectorPolicy, type RetrievalMode, type VectorPolicy } from '../core/retrieval/modes.js';
import { currentGeneration } from '../store/layout.js';
import { FORMAT_VERSION, readManifest } from '../store/manifest.js';
import { IndexLockedError, lockReleased } from '../store/lock.js';
import { IndexDamagedError } from '../store/passage-index.js';

type Progress = (done: number, total: number) => void;

/**
 * Decides when the index must be (re)built and runs one build at a time: on /reindex and
 * `npm run index`, and before a question when there is no index, or one that cannot serve it
 * (damaged, another format, cut with other chunking settings, or without the vectors the question's mode needs).
 */
export class IndexUpkeep {
  /** What the live index was last found able to serve, so the check runs once. */
  private checked: { hasVectors: boolean } | null = null;
  private running: Promise<IndexSummary> | null = null;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
    private readonly models: ModelHost,
    private readonly live: LiveIndex,
  ) {}

  get reindexing(): boolean {
    return this.running !== null;
  }

  /**
   * Builds or updates the index from the articles; one at a time (a second call meanwhile throws
   * ReindexInProgressError). Questions asked meanwhile are answered from the old index.
   */
  async reindex(onProgress?: Progress): Promise<IndexSummary> {
    if (this.running) throw new ReindexInProgressError('index.busy', {});
    return this.run(vectorPolicy(this.config.retrievalMode), onProgress);
  }

  /**
   * Brings the index up to date with the articles, as /reindex does, for a question that found an
   * article changed: a build already under way (here, or in another process) is waited for instead.
   */
  async update(): Promise<void> {
    if (this.running) await this.running.catch(() => undefined);
    else await this.buildOrWait(vectorPolicy(this.config.retrievalMode));
  }

  /** Makes sure the live index can serve `mode`, building or rebuilding it when it cannot. */
  async ensure(mode: RetrievalMode): Promise<void> {
    const wantsVectors = needsVectors(mode);
    if (this.checked && (this.checked.hasVectors || !wantsVectors)) return;
    let reason = this.live.damage ? `it is damaged: ${this.live.damage}` : this.unusable(wantsVectors);
    if (reason === undefined) {
      try {
        // Opening checks every file's size against the manifest (checksums follow in the background).
        const index = this.live.current();
        if (index) {
          this.checked = { hasVectors: index.hasVectors };
          return;
        }
        reason = null;
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
    const withoutModel = this.config.retrievalMode === 'lexical' || this.models.failedRecently;
    // What another process's build wrote may serve this question; if not, the build is ours once it is done.
    let built: boolean;
    try {
      built = await this.buildOrWait(wantsVectors ? 'required' : withoutModel ? 'none' : 'if-available');
    } catch (error) {
      // Said, so that the log does not leave "rebuilding it" standing for a build that never ran.
      if (error instanceof ModelLoadError)
        this.log.warn('the index was not rebuilt: the embedding model cannot be loaded');
      throw error;
    }
    if (!built) return this.ensure(mode);
  }

  /**
   * Runs a build, or, while another process (npm run index, a second first npm run ask) holds the
   * build lock, waits for that build to finish instead (false).
   */
  private async buildOrWait(policy: VectorPolicy): Promise<boolean> {
    try {
      await this.run(policy);
      return true;
    } catch (error) {
      if (!(error instanceof IndexLockedError)) throw error;
      this.log.info(`another process is building the index in ${this.config.indexDir}: waiting for it`);
      await lockReleased(this.config.indexDir);
      return false;
    }
  }

  /** After a question found the live index damaged: the next question checks (and rebuilds) it. */
  recheck(): void {
    this.checked = null;
  }

  /**
   * Why the index on disk cannot serve a question (a reason), that there is none (null), or
   * undefined when it can.
   */
  private unusable(wantsVectors: boolean): string | null | undefined {
    const dir = currentGeneration(this.config.indexDir);
    const manifest = dir ? readManifest(dir) : null;
    if (!manifest) return null;
    if (wantsVectors) return incompatibility(manifest, this.models.model, this.config) ?? undefined;
    if (manifest.formatVersion !== FORMAT_VERSION) return `it was written in format ${manifest.formatVersion}`;
    // Searched by words only, an index built with another model serves; one cut otherwise does not.
    return chunkingChanged(manifest, this.config) ? CHUNKING_CHANGED : undefined;
  }

  private async run(policy: VectorPolicy, onProgress?: Progress): Promise<IndexSummary> {
    this.running = this.build(policy, onProgress);
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  private async build(policy: VectorPolicy, onProgress?: Progress): Promise<IndexSummary> {
    const summary = await buildIndex({
      config: this.config,
      model: this.models.model,
      embedder: () => this.models.embedder(),
      vectors: policy,
      log: this.log,
      onProgress,
    });
    this.checked = { hasVectors: summary.hasVectors };
    if (summary.updated) this.live.replace();
    else this.live.trust();
    return summary;
  }
}
