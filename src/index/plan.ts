/*
 * Decides what a build of the index does, from what the live index was built from and the articles as
 * they are now: nothing (it is up to date), an update that carries the unchanged articles over, or a
 * full rebuild and why. Pure: it reads and writes no files, so each decision can be tested on its own.
 */
import type { Config } from '../config.js';
import type { ModelIdentity } from '../models/embedder.js';
import type { VectorPolicy } from '../core/retrieval/modes.js';
import { FORMAT_VERSION, type Manifest } from '../store/manifest.js';
import type { Article } from '../core/types.js';

/** Chunk sizes measured without the model's tokenizer are marked so. */
export const APPROXIMATE = 'approximate';

/** The settings an index is built with. */
export type BuildSettings = Pick<Config, 'chunkMaxTokens' | 'chunkOverlapSentences'> & {
  hnsw: Pick<Config['hnsw'], 'm' | 'efConstruction'>;
};

/** The live index as the build found it. */
export interface PreviousIndex {
  dir: string;
  manifest: Manifest;
  /** Its first data file that is missing, cut short or fails its checksum; null when all are intact. */
  damage: string | null;
}

export interface PlanInput {
  previous: PreviousIndex | null;
  articles: Article[];
  settings: BuildSettings;
  model: ModelIdentity;
  /** As in IndexerOptions: the build wants vectors unless the policy is `none`. */
  vectors: VectorPolicy;
  /** The model failed to load (policy `if-available`): the build goes on without it. */
  modelUnavailable?: boolean;
}

export interface Changes {
  added: Article[];
  changed: Article[];
  unchanged: Article[];
  removed: string[];
}

/** Nothing to write: the live index stays as it is. */
export interface UpToDate extends Changes {
  upToDate: true;
  /** Passages in the live index. */
  passages: number;
  /** Whether the live index has passage vectors. */
  vectors: boolean;
}

/** A new generation to write; the changes are counted against the generation carried over (none: all added). */
export interface WritePlan extends Changes {
  upToDate: false;
  /** Why everything is rebuilt instead of the live index carried over (another model, format or chunking), or null. */
  rebuiltBecause: string | null;
  /** The generation the unchanged articles are copied from, passages and vectors and all; null when none is. */
  carriedFrom: string | null;
  /** Whether the new generation gets passage vectors, that is whether the build needs the model. */
  vectors: boolean;
}

export type BuildPlan = UpToDate | WritePlan;

/**
 * What a build does. The indexer plans with the model first (unless the policy is `none`), so that an index that
 * is up to date never loads it, and plans again with `modelUnavailable` when it then fails to load.
 */
export function planBuild(input: PlanInput): BuildPlan {
  const { previous, articles, settings } = input;
  // The model the new generation would be embedded with; null for a build without vectors.
  const model = input.vectors === 'none' || input.modelUnavailable ? null : input.model;
  if (previous && upToDate(previous, articles, model, settings)) {
    const { manifest } = previous;
    return {
      upToDate: true,
      ...changesSince(manifest, articles),
      passages: manifest.counts.passages,
      vectors: manifest.model !== null,
    };
  }
  const rebuiltBecause = !previous
    ? null
    : previous.damage
      ? `the index was damaged (${previous.damage})`
      : incompatibility(previous.manifest, model, settings);
  const carried = previous && !rebuiltBecause ? previous : null;
  return {
    upToDate: false,
    ...changesSince(carried?.manifest ?? null, articles),
    rebuiltBecause,
    carriedFrom: carried?.dir ?? null,
    vectors: model !== null,
  };
}

/**
 * The one test of "up to date": the live index is intact, in this format, holds exactly these articles,
 * was cut with these chunking settings, and has the graph settings asked for (when it has a graph). A
 * build with the model also needs it built with this model; a build without the model keeps it whatever
 * model it was built with, so that its vectors stay for when the model is back. Other chunking settings
 * are a rebuild either way: the passages asked for are not those, and the old vectors would not serve them.
 */
function upToDate(
  previous: PreviousIndex,
  articles: Article[],
  model: ModelIdentity | null,
  settings: BuildSettings,
): boolean {
  const { manifest } = previous;
  if (previous.damage || manifest.formatVersion !== FORMAT_VERSION) return false;
  if (model ? incompatibility(manifest, model, settings) : chunkingChanged(manifest, settings)) return false;
  if (!sameGraph(manifest, settings)) return false;
  const { added, changed, removed } = changesSince(manifest, articles);
  return !added.length && !changed.length && !removed.length;
}

/** The articles compared with those of an index (none: every article is new). */
function changesSince(manifest: Manifest | null, articles: Article[]): Changes {
  const known = manifest?.articles ?? {};
  const current = new Set(articles.map((a) => a.id));
  return {
    added: articles.filter((a) => !known[a.id]),
    changed: articles.filter((a) => known[a.id] && known[a.id]!.hash !== a.hash),
    unchanged: articles.filter((a) => known[a.id]?.hash === a.hash),
    removed: Object.keys(known).filter((id) => !current.has(id)),
  };
}

/**
 * Why an index cannot be carried over into a build with `model` (null: a build without the
 * model, for lexical search), or null if it can.
 */
export function incompatibility(
  manifest: Manifest,
  model: ModelIdentity | null,
  settings: BuildSettings,
): string | null {
  if (manifest.formatVersion !== FORMAT_VERSION) {
    return `the index was written in format ${manifest.formatVersion}, this version reads ${FORMAT_VERSION}`;
  }
  if (model) {
    if (!manifest.model) return 'the index was built without the embedding model (lexical search only)';
    if (manifest.model.id !== model.id || manifest.model.dtype !== model.dtype) {
      const { id, dtype } = manifest.model;
      return `the index was built with ${id} (${dtype}), EMBEDDING_MODEL is now ${model.id} (${model.dtype})`;
    }
    if (manifest.model.fingerprint !== model.fingerprint) {
      return `the model files of ${model.id} changed since the index was built`;
    }
  }
  if (chunkingChanged(manifest, settings)) return CHUNKING_CHANGED;
  if (!model && manifest.chunking.tokenizer !== APPROXIMATE) {
    return 'the embedding model is not available, so passages are measured and searched without it';
  }
  return null;
}

export const CHUNKING_CHANGED = 'CHUNK_MAX_TOKENS or CHUNK_OVERLAP_SENTENCES changed since the index was built';

/** Whether the index's passages were cut with other chunking settings than these. */
export function chunkingChanged(manifest: Manifest, settings: BuildSettings): boolean {
  return (
    manifest.chunking.maxTokens !== settings.chunkMaxTokens ||
    manifest.chunking.overlapSentences !== settings.chunkOverlapSentences
  );
}

function sameGraph(manifest: Manifest, settings: BuildSettings): boolean {
  return (
    !manifest.model ||
    (manifest.hnsw.m === settings.hnsw.m && manifest.hnsw.efConstruction === settings.hnsw.efConstruction)
  );
}
