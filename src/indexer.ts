import path from 'node:path';
import fs from 'node:fs';
import type { Article } from './articles/article.js';
import { loadArticles } from './articles/load.js';
import type { Config } from './config.js';
import type { Embedder, ModelIdentity } from './embedder.js';
import { ModelLoadError, errorMessage } from './errors.js';
import { APPROXIMATE, planBuild, type PlanInput, type PreviousIndex } from './index-plan.js';
import type { Logger } from './log.js';
import { approximateTokenCount, chunkArticle, type Passage } from './passages.js';
import { sentenceSpans } from './sentences.js';
import { PassageDatabase } from './store/database.js';
import { DATABASE_FILE, VECTORS_FILE, createGeneration, currentGeneration, publishGeneration } from './store/layout.js';
import { FORMAT_VERSION, damagedFile, digestFileAsync, readManifest, writeManifest, type Manifest } from './store/manifest.js';
import { lockIndex } from './store/lock.js';
import { VectorIndex, VectorMean } from './store/vectors.js';

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
  dense: boolean;
  seconds: number;
}

export interface IndexerOptions {
  config: Config;
  model: ModelIdentity;
  /** Loaded only when something needs embedding; throws ModelLoadError when it cannot be. */
  embedder: () => Promise<Embedder>;
  /**
   * `dense`: the index must have vectors (a model failure is an error). `auto`: vectors when the
   * model loads, else lexical only, with a warning. `lexical`: never load the model.
   */
  vectors: 'dense' | 'auto' | 'lexical';
  log: Logger;
  onProgress?: (done: number, total: number) => void;
}

/** Rows handled between two turns of the event loop in the synchronous parts of a build. */
const SLICE = 512;

// A bot builds in its own process: chunking, graph building and text indexing are done in
// slices, with the event loop free between them, so gateway heartbeats and questions go on.
const breathe = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Passages embedded per call: big enough to keep the model's batches full across short articles. */
const EMBED_GROUP = 64;

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
  const input: PlanInput = { previous: readPrevious(config.indexDir, log), articles, settings: config, model, vectors: options.vectors };

  let plan = planBuild(input);
  // The model is loaded only when there is something to write with vectors.
  let embedder: Embedder | null = null;
  if (!plan.upToDate && plan.vectors) {
    try {
      embedder = await options.embedder();
    } catch (error) {
      if (options.vectors === 'dense' || !(error instanceof ModelLoadError)) throw error;
      log.warn(`${errorMessage(error).split('\n')[0]} Indexing for lexical search only; run npm run index again once the model is available.`);
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
    return { ...counts, passages: plan.passages, embedded: 0, rebuiltBecause: null, updated: false, dense: plan.vectors, seconds };
  }
  const { rebuiltBecause } = plan;
  if (rebuiltBecause) log.info(`rebuilding the whole index: ${rebuiltBecause}`);

  const dir = createGeneration(config.indexDir);
  const db = PassageDatabase.create(path.join(dir, DATABASE_FILE));
  try {
    if (plan.carriedFrom) db.copyArticlesFrom(path.join(plan.carriedFrom, DATABASE_FILE), plan.unchanged.map((a) => a.id));
    const toAdd = [...plan.added, ...plan.changed];
    const embedded = embedder
      ? await embedArticles(toAdd, embedder, db, config, options.onProgress)
      : await addWithoutVectors(toAdd, db, config);
    let last: number | null = 0;
    while ((last = db.indexText(last, SLICE)) !== null) await breathe();

    const passages = db.passageCount();
    const manifestArticles: Manifest['articles'] = {};
    for (const stored of db.articles()) {
      manifestArticles[stored.id] = { file: stored.file, hash: stored.hash, passages: stored.passages };
    }
    const dims = embedder?.dims ?? 0;
    // Answers weigh a sentence's cosine against the question's mean cosine to all passages.
    const mean = new VectorMean();
    if (embedder) {
      const vectors = VectorIndex.create({ dims, m: config.hnsw.m, efConstruction: config.hnsw.efConstruction }, passages);
      let added = 0;
      for (const { id, vector } of db.vectors()) {
        vectors.add(vector, id);
        mean.add(vector);
        if (++added % SLICE === 0) await breathe();
      }
      vectors.save(path.join(dir, VECTORS_FILE));
    }
    const meanVector = mean.value ? Array.from(mean.value) : undefined;
    db.close();
    const files: Manifest['files'] = {};
    for (const name of embedder ? [DATABASE_FILE, VECTORS_FILE] : [DATABASE_FILE]) files[name] = await digestFileAsync(path.join(dir, name));

    const seconds = (performance.now() - started) / 1000;
    const result = { ...counts, passages, embedded: embedder ? embedded : 0, rebuiltBecause, updated: true, dense: embedder !== null, seconds };
    writeManifest(dir, {
      formatVersion: FORMAT_VERSION,
      model: embedder ? { id: model.id, dtype: model.dtype, dims, fingerprint: model.fingerprint, meanVector } : null,
      chunking: {
        maxTokens: config.chunkMaxTokens,
        overlapSentences: config.chunkOverlapSentences,
        tokenizer: embedder ? model.fingerprint : APPROXIMATE,
      },
      hnsw: { space: 'ip', m: config.hnsw.m, efConstruction: config.hnsw.efConstruction },
      articles: manifestArticles,
      counts: { articles: Object.keys(manifestArticles).length, passages },
      files,
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
  const chunked: { article: Article; passages: Passage[] }[] = [];
  // The tokenizer is loaded only when there is something to chunk.
  const countTokens = articles.length ? await embedder.tokenCounter() : approximateTokenCount;
  for (const article of articles) {
    chunked.push({ article, passages: chunkArticle(article, countTokens, { maxTokens, overlapSentences: config.chunkOverlapSentences }) });
    await breathe();
  }
  const total = chunked.reduce((n, c) => n + c.passages.length, 0);
  let done = 0;
  onProgress?.(0, total);

  let group: { article: Article; passages: Passage[] }[] = [];
  const flush = async (): Promise<void> => {
    // A passage's sentences as answers find them (sentenceSpans over the passage), so that every
    // sentence an answer weighs has its vector.
    const sentences = group.flatMap(({ article, passages }) => passages.map((p) => sentenceSpans(article.text, p.start, p.end)));
    const embedded = await embedder.embedPassages(
      group.flatMap((g) => g.passages).map((p, i) => ({ text: p.text, sentences: sentences[i]!.map((s) => ({ start: s.start - p.start, end: s.end - p.start })) })),
    );
    let offset = 0;
    for (const { article, passages } of group) {
      const vectors = passages.map((_, i) => ({
        vector: embedded[offset + i]!.vector,
        sentences: sentences[offset + i]!.map((span, k) => ({ ...span, vector: embedded[offset + i]!.sentences[k]! })),
      }));
      db.addArticle(article, passages, vectors);
      offset += passages.length;
    }
    done += embedded.length;
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

async function addWithoutVectors(articles: Article[], db: PassageDatabase, config: Config): Promise<number> {
  let total = 0;
  for (const article of articles) {
    const passages = chunkArticle(article, approximateTokenCount, { maxTokens: config.chunkMaxTokens, overlapSentences: config.chunkOverlapSentences });
    db.addArticle(article, passages, null);
    total += passages.length;
    await breathe();
  }
  return total;
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
    `${plural(s.articles, 'article')} (${s.added} new, ${s.changed} changed, ${s.removed} removed, ${s.unchanged} unchanged)`,
    `${plural(s.passages, 'passage')}, ${s.embedded} embedded`,
  ];
  if (s.skipped.length) parts.push(`${plural(s.skipped.length, 'file')} skipped`);
  const what = s.updated ? 'Indexed' : 'Index up to date:';
  return `${what} ${parts.join('; ')} in ${s.seconds.toFixed(1)} s`;
}
