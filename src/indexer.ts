import path from 'node:path';
import fs from 'node:fs';
import type { Article } from './articles/article.js';
import { loadArticles } from './articles/load.js';
import type { Config } from './config.js';
import type { Embedder, ModelIdentity } from './embedder.js';
import type { Logger } from './log.js';
import { chunkArticle, type Passage } from './passages.js';
import { PassageDatabase } from './store/database.js';
import { DATABASE_FILE, VECTORS_FILE, createGeneration, currentGeneration, publishGeneration } from './store/layout.js';
import { FORMAT_VERSION, readManifest, writeManifest, type Manifest } from './store/manifest.js';
import { VectorIndex } from './store/vectors.js';

export interface IndexSummary {
  articles: number;
  passages: number;
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  /** Passages embedded in this run (0 when nothing changed). */
  embedded: number;
  skipped: { file: string; reason: string }[];
  /** Why everything was re-embedded (another model, format or chunking), or null. */
  rebuiltBecause: string | null;
  /** False when the index was already up to date and nothing was written. */
  updated: boolean;
  seconds: number;
}

export interface IndexerOptions {
  config: Config;
  model: ModelIdentity;
  /** Loaded only when something needs embedding. */
  embedder: () => Promise<Embedder>;
  log: Logger;
  onProgress?: (done: number, total: number) => void;
}

/** Passages embedded per call: big enough to keep the model's batches full across short articles. */
const EMBED_GROUP = 64;

/**
 * Brings the index in INDEX_DIR up to date with ARTICLES_DIR: new and changed articles are
 * chunked and embedded, unchanged ones are carried over with their vectors, removed ones are
 * left out. The result is written as a new generation and swapped in whole.
 */
export async function buildIndex(options: IndexerOptions): Promise<IndexSummary> {
  const { config, model, log } = options;
  const started = performance.now();
  const { articles, skipped } = await loadArticles(config.articlesDir);
  for (const { file, reason } of skipped) log.warn({ file }, `skipped ${file}: ${reason}`);

  const previousDir = currentGeneration(config.indexDir);
  const previous = previousDir ? readManifest(previousDir) : null;
  const rebuiltBecause = previous ? incompatibility(previous, model, config) : null;
  const reusable = previous && !rebuiltBecause ? previous : null;

  const added = articles.filter((a) => !reusable?.articles[a.id]);
  const changed = articles.filter((a) => reusable?.articles[a.id] && reusable.articles[a.id]!.hash !== a.hash);
  const unchanged = articles.filter((a) => reusable?.articles[a.id]?.hash === a.hash);
  const current = new Set(articles.map((a) => a.id));
  const removed = reusable ? Object.keys(reusable.articles).filter((id) => !current.has(id)) : [];
  const summary = (updated: boolean, passages: number, embedded: number): IndexSummary => ({
    articles: articles.length,
    passages,
    added: added.length,
    changed: changed.length,
    removed: removed.length,
    unchanged: unchanged.length,
    embedded,
    skipped,
    rebuiltBecause,
    updated,
    seconds: (performance.now() - started) / 1000,
  });

  if (reusable && !added.length && !changed.length && !removed.length && sameGraph(reusable, config)) {
    return summary(false, reusable.counts.passages, 0);
  }
  if (rebuiltBecause) log.info(`rebuilding the whole index: ${rebuiltBecause}`);

  const dir = createGeneration(config.indexDir);
  const db = PassageDatabase.create(path.join(dir, DATABASE_FILE));
  try {
    if (reusable && previousDir) db.copyArticlesFrom(path.join(previousDir, DATABASE_FILE), unchanged.map((a) => a.id));
    const toEmbed = [...added, ...changed];
    let dims = reusable?.model.dims ?? 0;
    let embedded = 0;
    if (toEmbed.length) {
      const embedder = await options.embedder();
      dims = embedder.dims;
      embedded = await embedArticles(toEmbed, embedder, db, config, options.onProgress);
    }
    if (!dims) dims = (await options.embedder()).dims;

    const passages = db.passageCount();
    const manifestArticles: Manifest['articles'] = {};
    for (const stored of db.articles()) {
      manifestArticles[stored.id] = { file: stored.file, hash: stored.hash, passages: stored.passages };
    }
    const vectors = VectorIndex.create({ dims, m: config.hnsw.m, efConstruction: config.hnsw.efConstruction }, passages);
    for (const { id, vector } of db.vectors()) vectors.add(vector, id);
    vectors.save(path.join(dir, VECTORS_FILE));
    db.close();

    const result = summary(true, passages, embedded);
    writeManifest(dir, {
      formatVersion: FORMAT_VERSION,
      model: { id: model.id, dtype: model.dtype, dims, fingerprint: model.fingerprint },
      chunking: { maxTokens: config.chunkMaxTokens, overlapSentences: config.chunkOverlapSentences },
      hnsw: { space: 'ip', m: config.hnsw.m, efConstruction: config.hnsw.efConstruction },
      articles: manifestArticles,
      counts: { articles: Object.keys(manifestArticles).length, passages },
      builtAt: new Date().toISOString(),
      buildSeconds: Number(result.seconds.toFixed(3)),
    });
    publishGeneration(config.indexDir, dir);
    return result;
  } catch (error) {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function embedArticles(
  articles: Article[],
  embedder: Embedder,
  db: PassageDatabase,
  config: Config,
  onProgress?: (done: number, total: number) => void,
): Promise<number> {
  // The model reads at most maxTokens including its two special tokens.
  const maxTokens = Math.min(config.chunkMaxTokens, embedder.maxTokens - 2);
  const chunked = articles.map((article) => ({
    article,
    passages: chunkArticle(article, embedder.countTokens, { maxTokens, overlapSentences: config.chunkOverlapSentences }),
  }));
  const total = chunked.reduce((n, c) => n + c.passages.length, 0);
  let done = 0;
  onProgress?.(0, total);

  let group: { article: Article; passages: Passage[] }[] = [];
  const flush = async (): Promise<void> => {
    const texts = group.flatMap((g) => g.passages.map((p) => p.text));
    const vectors = await embedder.embed(texts);
    let offset = 0;
    for (const { article, passages } of group) {
      db.addArticle(article, passages, vectors.slice(offset, offset + passages.length));
      offset += passages.length;
    }
    done += texts.length;
    onProgress?.(done, total);
    group = [];
  };
  let pending = 0;
  for (const entry of chunked) {
    group.push(entry);
    pending += entry.passages.length;
    if (pending >= EMBED_GROUP) {
      await flush();
      pending = 0;
    }
  }
  if (group.length) await flush();
  return total;
}

/** Why an index's vectors cannot be reused with the current settings, or null if they can. */
export function incompatibility(manifest: Manifest, model: ModelIdentity, config: Config): string | null {
  if (manifest.formatVersion !== FORMAT_VERSION) {
    return `the index was written in format ${manifest.formatVersion}, this version reads ${FORMAT_VERSION}`;
  }
  if (manifest.model.id !== model.id || manifest.model.dtype !== model.dtype) {
    return `the index was built with ${manifest.model.id} (${manifest.model.dtype}), EMBEDDING_MODEL is now ${model.id} (${model.dtype})`;
  }
  if (manifest.model.fingerprint !== model.fingerprint) {
    return `the model files of ${model.id} changed since the index was built`;
  }
  if (manifest.chunking.maxTokens !== config.chunkMaxTokens || manifest.chunking.overlapSentences !== config.chunkOverlapSentences) {
    return 'CHUNK_MAX_TOKENS or CHUNK_OVERLAP_SENTENCES changed since the index was built';
  }
  return null;
}

function sameGraph(manifest: Manifest, config: Config): boolean {
  return manifest.hnsw.m === config.hnsw.m && manifest.hnsw.efConstruction === config.hnsw.efConstruction;
}

export function formatSummary(s: IndexSummary): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts = [
    `${plural(s.articles, 'article')} (${s.added} new, ${s.changed} changed, ${s.removed} removed, ${s.unchanged} unchanged)`,
    `${plural(s.passages, 'passage')}, ${s.embedded} embedded`,
  ];
  if (s.skipped.length) parts.push(`${plural(s.skipped.length, 'file')} skipped`);
  const what = s.updated ? 'Indexed' : 'Index up to date:';
  return `${what} ${parts.join('; ')} in ${s.seconds.toFixed(1)} s`;
}
