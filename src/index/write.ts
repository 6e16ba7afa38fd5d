/*
 * Writes a planned build (index-plan.ts) as a new index generation and makes it the live one: copies the
 * unchanged articles over, chunks (and embeds) the new and changed ones, builds the full-text index and
 * the HNSW graph, and writes the manifest last.
 */
import path from 'node:path';
import fs from 'node:fs';
import type { Config } from '../config.js';
import type { Embedder, ModelIdentity } from '../models/embedder.js';
import { APPROXIMATE, type WritePlan } from './plan.js';
import { approximateTokenCount, chunkArticle, passageTokenCounter } from '../core/text/passages.js';
import { leadSentences, sentenceSpans } from '../core/text/sentences.js';
import { PassageDatabase } from '../store/database.js';
import { DATABASE_FILE, VECTORS_FILE, createGeneration, publishGeneration } from '../store/layout.js';
import { FORMAT_VERSION, digestFileAsync, writeManifest, type Manifest } from '../store/manifest.js';
import { VectorIndex, VectorMean } from '../store/vectors.js';
import type { Article, Passage } from '../core/types.js';

export interface WriteOptions {
  config: Config;
  /** The model and its loaded embedder, for a plan with vectors; null for one without. */
  embedding: { model: ModelIdentity; embedder: Embedder } | null;
  /** performance.now() when the build began: the manifest records the whole build's time. */
  started: number;
  onProgress?: (done: number, total: number) => void;
}

export interface Written {
  passages: number;
  /** Passages embedded: those of the new and changed articles, or 0 without the model. */
  embedded: number;
  /** The build's time, as the manifest records it. */
  seconds: number;
}

/** Rows handled between two turns of the event loop in the synchronous parts of a build. */
const SLICE = 512;

// A bot builds in its own process: chunking, graph building and text indexing are done in
// slices, with the event loop free between them, so gateway heartbeats and questions go on.
const breathe = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Terms whose impacts are written between two turns of the event loop (a common term has thousands of passages). */
const TERM_SLICE = 256;

/** Passages embedded per call: big enough to keep the model's batches full across short articles. */
const EMBED_GROUP = 64;

/** Writes the plan and publishes it; on a failure the half-written generation is removed and the live one stays. */
export async function writeGeneration(plan: WritePlan, options: WriteOptions): Promise<Written> {
  const { config, embedding } = options;
  const dir = createGeneration(config.indexDir);
  const db = PassageDatabase.create(path.join(dir, DATABASE_FILE));
  try {
    if (plan.carriedFrom)
      db.copyArticlesFrom(
        path.join(plan.carriedFrom, DATABASE_FILE),
        plan.unchanged.map((a) => a.id),
      );
    const toAdd = [...plan.added, ...plan.changed];
    let embedded = 0;
    if (embedding) embedded = await embedArticles(toAdd, embedding.embedder, db, config, options.onProgress);
    else await addWithoutVectors(toAdd, db, config);
    let last: number | null = 0;
    while ((last = db.indexText(last, SLICE)) !== null) await breathe();
    let term: string | null = '';
    while ((term = db.indexImpacts(term, TERM_SLICE)) !== null) await breathe();

    const passages = db.passageCount();
    const articles: Manifest['articles'] = {};
    for (const stored of db.articles())
      articles[stored.id] = { file: stored.file, hash: stored.hash, passages: stored.passages };
    const meanVector = embedding ? await writeGraph(db, dir, embedding.embedder.dims, config, passages) : undefined;
    db.close();
    const files: Manifest['files'] = {};
    for (const name of embedding ? [DATABASE_FILE, VECTORS_FILE] : [DATABASE_FILE]) {
      files[name] = await digestFileAsync(path.join(dir, name));
    }

    const seconds = (performance.now() - options.started) / 1000;
    writeManifest(dir, {
      formatVersion: FORMAT_VERSION,
      model: embedding && {
        id: embedding.model.id,
        dtype: embedding.model.dtype,
        dims: embedding.embedder.dims,
        fingerprint: embedding.model.fingerprint,
        meanVector,
      },
      chunking: {
        maxTokens: config.chunkMaxTokens,
        overlapSentences: config.chunkOverlapSentences,
        tokenizer: embedding ? embedding.model.fingerprint : APPROXIMATE,
      },
      hnsw: { space: 'ip', m: config.hnsw.m, efConstruction: config.hnsw.efConstruction },
      articles,
      counts: { articles: Object.keys(articles).length, passages },
      files,
      builtAt: new Date().toISOString(),
      buildSeconds: Number(seconds.toFixed(3)),
    });
    publishGeneration(config.indexDir, dir);
    return { passages, embedded, seconds };
  } catch (error) {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Builds and saves the HNSW graph over the passage vectors; returns their mean (undefined without passages). */
async function writeGraph(
  db: PassageDatabase,
  dir: string,
  dims: number,
  config: Config,
  passages: number,
): Promise<number[] | undefined> {
  const graph = VectorIndex.create({ dims, m: config.hnsw.m, efConstruction: config.hnsw.efConstruction }, passages);
  // Answers weigh a sentence's cosine against the question's mean cosine to all passages.
  const mean = new VectorMean();
  let added = 0;
  for (const { id, vector } of db.vectors()) {
    graph.add(vector, id);
    mean.add(vector);
    if (++added % SLICE === 0) await breathe();
  }
  graph.save(path.join(dir, VECTORS_FILE));
  return mean.value ? Array.from(mean.value) : undefined;
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
  const countTokens = articles.length ? passageTokenCounter(await embedder.tokenCounter()) : approximateTokenCount;
  for (const article of articles) {
    chunked.push({
      article,
      passages: chunkArticle(article, countTokens, { maxTokens, overlapSentences: config.chunkOverlapSentences }),
    });
    await breathe();
  }
  const total = chunked.reduce((n, c) => n + c.passages.length, 0);
  let done = 0;
  onProgress?.(0, total);

  // The model embeds one group while the passages of the group before it are stored: the store's
  // work (sentence spans, SQLite rows, sentence vectors) then costs no time beside the model's.
  type Group = { article: Article; passages: Passage[] }[];
  const start = (group: Group) => {
    // A passage's sentences as answers find them (sentenceSpans over the passage), so that every
    // sentence an answer weighs has its vector.
    const sentences = group.flatMap(({ article, passages }) =>
      passages.map((p) => sentenceSpans(article.text, p.start, p.end)),
    );
    const embedded = embedder.embedPassages(
      group
        .flatMap((g) => g.passages)
        .map((p, i) => ({
          text: p.text,
          sentences: sentences[i]!.map((s) => ({ start: s.start - p.start, end: s.end - p.start })),
        })),
    );
    // Awaited in store(); a failure meanwhile is not an unhandled rejection.
    embedded.catch(() => {});
    return { group, sentences, embedded };
  };
  const store = async ({ group, sentences, embedded: pending }: ReturnType<typeof start>): Promise<void> => {
    const embedded = await pending;
    let offset = 0;
    for (const { article, passages } of group) {
      const vectors = passages.map((_, i) => ({
        vector: embedded[offset + i]!.vector,
        sentences: sentences[offset + i]!.map((span, k) => ({ ...span, vector: embedded[offset + i]!.sentences[k]! })),
      }));
      const stored = passages.map((p, i) => ({ ...p, sentences: sentences[offset + i]! }));
      db.addArticle({ ...article, lead: leadSentences(article.text) }, stored, vectors);
      offset += passages.length;
    }
    done += embedded.length;
    onProgress?.(done, total);
  };
  let group: Group = [];
  let pending = 0;
  let previous: ReturnType<typeof start> | null = null;
  const next = async (): Promise<void> => {
    const job = start(group);
    group = [];
    pending = 0;
    if (previous) await store(previous);
    previous = job;
  };
  for (const entry of chunked) {
    group.push(entry);
    pending += entry.passages.length;
    if (pending >= EMBED_GROUP) await next();
  }
  if (group.length) await next();
  if (previous) await store(previous);
  return total;
}

async function addWithoutVectors(articles: Article[], db: PassageDatabase, config: Config): Promise<void> {
  const options = { maxTokens: config.chunkMaxTokens, overlapSentences: config.chunkOverlapSentences };
  for (const article of articles) {
    const passages = chunkArticle(article, approximateTokenCount, options).map((p) => ({
      ...p,
      sentences: sentenceSpans(article.text, p.start, p.end),
    }));
    db.addArticle({ ...article, lead: leadSentences(article.text) }, passages, null);
    await breathe();
  }
}
