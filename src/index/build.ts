/*
 * Builds the index: takes the build lock, reads the articles and the live index's manifest, has the
 * build planned (index-plan.ts), loads the model when the plan needs it, and has the plan written
 * (index-writer.ts).
 */
import { loadArticles } from '../articles/load.js';
import type { Config } from '../config.js';
import type { Embedder, ModelIdentity } from '../models/embedder.js';
import { ModelLoadError, errorMessage } from '../core/errors.js';
import { planBuild, type PlanInput, type PreviousIndex } from './plan.js';
import { writeGeneration } from './write.js';
import type { Logger } from '../log.js';
import type { VectorPolicy } from '../core/retrieval/modes.js';
import { currentGeneration } from '../store/layout.js';
import { FORMAT_VERSION, damagedFile, readManifest } from '../store/manifest.js';
import { lockIndex } from '../store/lock.js';

export interface IndexSummary {
  articles: number;
  passages: number;
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  /** Passages embedded in this run (0 when nothing changed, or without the model). */
  embedded: number;
  skipped: { file: string; reason: string }[];
  /** Why everything was rebuilt (another model, format or chunking), or null. */
  rebuiltBecause: string | null;
  /** False when the index was already up to date and nothing was written. */
  updated: boolean;
  /** Whether the index has passage vectors; false = built without the model (lexical only). */
  hasVectors: boolean;
  seconds: number;
}

export interface IndexerOptions {
  config: Config;
  model: ModelIdentity;
  /** Loaded only when the index is to be written with vectors; throws ModelLoadError when it cannot be. */
  embedder: () => Promise<Embedder>;
  /** Whether the index gets vectors: see VectorPolicy. */
  vectors: VectorPolicy;
  log: Logger;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Brings the index in INDEX_DIR up to date with ARTICLES_DIR: new and changed articles are
 * chunked and embedded, unchanged ones are carried over with their vectors, removed ones are
 * left out. The result is written as a new generation and swapped in whole.
 */
export async function buildIndex(options: IndexerOptions): Promise<IndexSummary> {
  // Held from reading the old index to publishing the new one: two processes never interleave.
  const unlock = lockIndex(options.config.indexDir);
  try {
    return await build(options);
  } finally {
    unlock();
  }
}

async function build(options: IndexerOptions): Promise<IndexSummary> {
  const { config, model, log } = options;
  const started = performance.now();
  const { articles, skipped } = await loadArticles(config.articlesDir, { maxBytes: config.maxArticleBytes });
  for (const { file, reason } of skipped) log.warn({ file }, `skipped ${file}: ${reason}`);
  const input: PlanInput = {
    previous: readPrevious(config.indexDir, log),
    articles,
    settings: config,
    model,
    vectors: options.vectors,
  };

  let plan = planBuild(input);
  // The model is loaded only when there is something to write with vectors.
  let embedder: Embedder | null = null;
  if (!plan.upToDate && plan.vectors) {
    try {
      embedder = await options.embedder();
    } catch (error) {
      if (options.vectors === 'required' || !(error instanceof ModelLoadError)) throw error;
      const why = errorMessage(error).split('\n')[0];
      log.warn(`${why} Indexing for lexical search only; run npm run index again once the model is available.`);
      plan = planBuild({ ...input, modelUnavailable: true });
    }
  }
  const counts = {
    articles: articles.length,
    added: plan.added.length,
    changed: plan.changed.length,
    removed: plan.removed.length,
    unchanged: plan.unchanged.length,
    skipped,
  };
  if (plan.upToDate) {
    const seconds = (performance.now() - started) / 1000;
    return {
      ...counts,
      passages: plan.passages,
      embedded: 0,
      rebuiltBecause: null,
      updated: false,
      hasVectors: plan.vectors,
      seconds,
    };
  }
  const { rebuiltBecause } = plan;
  if (rebuiltBecause) log.info(`rebuilding the whole index: ${rebuiltBecause}`);

  const embedding = embedder && { model, embedder };
  const written = await writeGeneration(plan, { config, embedding, started, onProgress: options.onProgress });
  return { ...counts, ...written, rebuiltBecause, updated: true, hasVectors: plan.vectors };
}

/** The live index, with which of its files is damaged, if any. */
function readPrevious(indexDir: string, log: Logger): PreviousIndex | null {
  const dir = currentGeneration(indexDir);
  const manifest = dir ? readManifest(dir) : null;
  if (!dir || !manifest) return null;
  // An index in another format is rebuilt whole anyway: its files are not checked.
  const damage = manifest.formatVersion === FORMAT_VERSION ? damagedFile(dir, manifest) : null;
  // A damaged index is not carried over: everything is rebuilt from the articles.
  if (damage) log.warn(`the index is damaged (${damage}): rebuilding it from the articles`);
  return { dir, manifest, damage };
}

export function formatSummary(s: IndexSummary): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts = [
    `${plural(s.articles, 'article')} ` +
      `(${s.added} new, ${s.changed} changed, ${s.removed} removed, ${s.unchanged} unchanged)`,
    `${plural(s.passages, 'passage')}, ${s.embedded} embedded`,
  ];
  if (s.skipped.length) parts.push(`${plural(s.skipped.length, 'file')} skipped`);
  const what = s.updated ? 'Indexed' : 'Index up to date:';
  return `${what} ${parts.join('; ')} in ${s.seconds.toFixed(1)} s`;
}
