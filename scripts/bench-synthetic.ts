/**
 * `npm run bench -- --synthetic N`: an index of N passages, to measure the index itself at a
 * scale no one embeds for a benchmark. The text is State of the Union sentences reshuffled into
 * distinct passages; a sample of them is embedded by the model for real, and every other passage
 * gets a blend of two of those vectors plus a little noise, renormalized (its sentences get
 * noisier copies of it). A real vector plus noise alone was tried first: with 100 copies of each
 * real vector at 100 k passages, each query's ten nearest were near ties inside one cloud and
 * recall@10 measured the noise (0.87 at efSearch 64); blends fill the space between real
 * passages as a corpus whose topics mix does. Everything else (SQLite, FTS5, the HNSW graph, the
 * manifest, opening, retrieval, answers) is the product's own code.
 */
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../src/config.js';
import { percentile } from '../src/library/evaluation.js';
import { Footnote } from '../src/library/footnote.js';
import type { Logger } from '../src/log.js';
import { retrieve } from '../src/core/retrieval/retrieve.js';
import { leadSentences, sentenceSpans } from '../src/core/text/sentences.js';
import { PassageDatabase, type PassageToStore, type PassageVectors } from '../src/store/database.js';
import { DATABASE_FILE, VECTORS_FILE, createGeneration, publishGeneration } from '../src/store/layout.js';
import { FORMAT_VERSION, digestFileAsync, writeManifest, type Manifest } from '../src/store/manifest.js';
import { PassageIndex } from '../src/store/passage-index.js';
import { VectorIndex, VectorMean, searchBreadth } from '../src/store/vectors.js';
import { mulberry32 } from './random.js';
import { loadSotu } from './sotu.js';
import type { Article, Span } from '../src/core/types.js';

const PASSAGES_PER_ARTICLE = 20;
const SENTENCES_PER_PASSAGE = [3, 7] as const;
/** Passages embedded by the model for real; the others are noisy copies of their vectors. */
const REAL_VECTORS = 4000;
// Noise added to a blend, as a share of the unit vector's length: enough that no two synthetic
// passages coincide, small beside the distance between real ones.
const PASSAGE_NOISE = 0.1;
// A sentence's vector around its passage's: sentences are further from each other than passages.
const SENTENCE_NOISE = 0.8;
const QUESTIONS = 200;
const RECALL_AT = 10;
// 160 and 256 are the defaults up to 50,000 and 100,000 passages (src/store/vectors.ts), which the README reports.
const EF_SEARCH = [16, 32, 64, 128, 160, 192, 256, 384, 512];

export interface SyntheticOptions {
  passages: number;
  seed: number;
}

export async function syntheticBench(
  options: SyntheticOptions,
  config: Config,
  log: Logger,
  note: (message: string) => void,
) {
  const random = mulberry32(options.seed);
  const sentences = loadSotu().flatMap((s) =>
    sentenceSpans(s.text).map((span) => ({ speech: `${s.year} ${s.name}`, text: s.text.slice(span.start, span.end) })),
  );
  note(`${sentences.length} SOTU sentences to reshuffle into ${options.passages} passages`);
  const makePassageText = (): { text: string; from: string } => {
    const [low, high] = SENTENCES_PER_PASSAGE;
    const count = low + Math.floor(random() * (high - low + 1));
    const first = Math.floor(random() * sentences.length);
    // Sentences near each other in one speech, in shuffled order: topical, and distinct.
    const picked = Array.from(
      { length: count },
      () => sentences[Math.min(sentences.length - 1, first + Math.floor(random() * 40))]!,
    );
    return { text: picked.map((s) => s.text).join(' '), from: picked[0]!.speech };
  };

  const footnote = new Footnote(config, log);
  try {
    const embedder = await footnote.embedder();
    const dims = embedder.dims;
    const real = Array.from({ length: Math.min(REAL_VECTORS, options.passages) }, makePassageText);
    note(`embedding ${real.length} real passages`);
    const realVectors = (await embedder.embedPassages(real.map((r) => ({ text: r.text, sentences: [] })))).map(
      (e) => e.vector,
    );
    const gauss = (): number => Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
    const near = (base: Float32Array, noise: number): Float32Array => {
      const scale = noise / Math.sqrt(dims);
      const v = Float32Array.from(base, (x) => x + gauss() * scale);
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    };

    const blend = (): Float32Array => {
      const a = realVectors[Math.floor(random() * realVectors.length)]!;
      const b = realVectors[Math.floor(random() * realVectors.length)]!;
      const w = random();
      return a.map((x, i) => w * x + (1 - w) * b[i]!);
    };

    // Build, phase by phase, with the product's store.
    const started = performance.now();
    const dir = createGeneration(config.indexDir);
    const db = PassageDatabase.create(path.join(dir, DATABASE_FILE));
    const graph = VectorIndex.create(
      { dims, m: config.hnsw.m, efConstruction: config.hnsw.efConstruction },
      options.passages,
    );
    const mean = new VectorMean();
    const all = new Float32Array(options.passages * dims);
    const texts: string[] = [];
    let graphSeconds = 0;
    const manifestArticles: Manifest['articles'] = {};
    let id = 0;
    for (let a = 0; id < options.passages; a++) {
      const count = Math.min(PASSAGES_PER_ARTICLE, options.passages - id);
      const bodies = Array.from({ length: count }, (_, i) =>
        id + i < real.length ? real[id + i]! : makePassageText(),
      );
      const text = bodies.map((b) => b.text).join('\n\n');
      const articleId = `synthetic/${String(a).padStart(6, '0')}`;
      const paragraphs: Span[] = [];
      let at = 0;
      for (const b of bodies) {
        paragraphs.push({ start: at, end: at + b.text.length });
        at += b.text.length + 2;
      }
      const article: Article = {
        id: articleId,
        file: `${articleId}.txt`,
        hash: `${a}`,
        title: `Synthetic article ${a} after the ${bodies[0]!.from} address`,
        date: null,
        source: 'Synthetic',
        author: null,
        url: null,
        text,
        paragraphs: paragraphs.map((p, i) => ({ n: i + 1, ...p })),
        credits: [],
      };
      const passages: PassageToStore[] = paragraphs.map((p, i) => ({
        articleId,
        ordinal: i,
        paragraphStart: i + 1,
        paragraphEnd: i + 1,
        start: p.start,
        end: p.end,
        text: text.slice(p.start, p.end),
        tokens: Math.round((p.end - p.start) / 4),
        sentences: sentenceSpans(text, p.start, p.end),
      }));
      const vectors: PassageVectors[] = passages.map((p, i) => {
        const n = id + i;
        const vector = n < realVectors.length ? realVectors[n]! : near(blend(), PASSAGE_NOISE);
        return { vector, sentences: p.sentences.map((s) => ({ ...s, vector: near(vector, SENTENCE_NOISE) })) };
      });
      db.addArticle({ ...article, lead: leadSentences(text) }, passages, vectors);
      // The database numbers passages from 1 in insertion order, as the indexer's graph expects.
      const graphStarted = performance.now();
      vectors.forEach((v, i) => {
        graph.add(v.vector, id + i + 1);
        mean.add(v.vector);
        all.set(v.vector, (id + i) * dims);
        texts.push(passages[i]!.text);
      });
      graphSeconds += seconds(graphStarted);
      manifestArticles[articleId] = { file: article.file, hash: article.hash, passages: count };
      id += count;
      if (a % 2000 === 0) note(`built ${id}/${options.passages} passages (${seconds(started).toFixed(0)} s)`);
    }
    const storedAt = performance.now();
    let last: number | null = 0;
    while ((last = db.indexText(last, 5000)) !== null);
    const ftsSeconds = seconds(storedAt);
    db.close();
    const savedAt = performance.now();
    graph.save(path.join(dir, VECTORS_FILE));
    const files: Manifest['files'] = {};
    for (const name of [DATABASE_FILE, VECTORS_FILE]) files[name] = await digestFileAsync(path.join(dir, name));
    const model = footnote.model;
    writeManifest(dir, {
      formatVersion: FORMAT_VERSION,
      model: {
        id: model.id,
        dtype: model.dtype,
        dims,
        fingerprint: model.fingerprint,
        meanVector: Array.from(mean.value!),
      },
      chunking: {
        maxTokens: config.chunkMaxTokens,
        overlapSentences: config.chunkOverlapSentences,
        tokenizer: model.fingerprint,
      },
      hnsw: { space: 'ip', m: config.hnsw.m, efConstruction: config.hnsw.efConstruction },
      articles: manifestArticles,
      counts: { articles: Object.keys(manifestArticles).length, passages: options.passages },
      files,
      builtAt: new Date().toISOString(),
      buildSeconds: seconds(started),
    });
    publishGeneration(config.indexDir, dir);
    const buildSeconds = seconds(started);
    const writeSeconds = seconds(savedAt);
    const buildRssMb = process.resourceUsage().maxRSS / 1024;
    note(`built in ${buildSeconds.toFixed(1)} s`);

    // Opening: with the checksum pass (what a process does first) and without.
    let openedAt = performance.now();
    PassageIndex.open(config.indexDir)!.close();
    const openVerifiedSeconds = seconds(openedAt);
    openedAt = performance.now();
    const index = PassageIndex.open(config.indexDir, { verify: false })!;
    const openSeconds = seconds(openedAt);

    // Questions: words of a real passage's sentence, embedded by the model.
    const questions = Array.from({ length: QUESTIONS }, () => {
      const t = texts[Math.floor(random() * texts.length)]!;
      const words = t.split(/\s+/).slice(0, 12).join(' ');
      return `${words}?`;
    });
    const queryVectors = await embedder.embed(questions);
    note('exact nearest neighbours for recall');
    const exact = queryVectors.map((q) => exactTop(all, dims, q, RECALL_AT));
    const recall = EF_SEARCH.map((ef) => {
      const times: number[] = [];
      let found = 0;
      queryVectors.forEach((q, i) => {
        const t = performance.now();
        const hits = index.searchVectors(q, RECALL_AT, ef);
        times.push(performance.now() - t);
        const truth = new Set(exact[i]);
        found += hits.filter((h) => truth.has(h.passage.id)).length;
      });
      return {
        efSearch: ef,
        recallAt10: round(found / (RECALL_AT * queryVectors.length), 4),
        p50Ms: round(percentile(times, 0.5) ?? 0, 2),
        p95Ms: round(percentile(times, 0.95) ?? 0, 2),
      };
    });

    const timeAll = async (run: (q: string) => Promise<unknown>): Promise<{ p50Ms: number; p95Ms: number }> => {
      for (const q of questions.slice(0, 3)) await run(q);
      const times: number[] = [];
      for (const q of questions) {
        const t = performance.now();
        await run(q);
        times.push(performance.now() - t);
      }
      return { p50Ms: round(percentile(times, 0.5) ?? 0, 2), p95Ms: round(percentile(times, 0.95) ?? 0, 2) };
    };
    const searchOptions = { k: config.topK, efSearch: config.hnsw.efSearch };
    note('timing retrieval and answers');
    const bareEmbed = await timeAll((q) => embedder.embed([q]));
    const retrievalHybrid = await timeAll((q) => retrieve(index, embedder, q, { ...searchOptions, mode: 'hybrid' }));
    const retrievalLexical = await timeAll((q) => retrieve(index, null, q, { ...searchOptions, mode: 'lexical' }));
    index.close();
    const answerHybrid = await timeAll((q) => footnote.ask(q, { mode: 'hybrid' }));
    const answerLexical = await timeAll((q) => footnote.ask(q, { mode: 'lexical' }));
    const files2 = { db: files[DATABASE_FILE]!.bytes, hnsw: files[VECTORS_FILE]!.bytes };
    return {
      machine: { cpus: os.cpus().length, memoryGb: round(os.totalmem() / 2 ** 30, 1), node: process.version },
      passages: options.passages,
      articles: Object.keys(manifestArticles).length,
      model: { id: model.id, dtype: model.dtype, dims, realVectors: realVectors.length },
      hnsw: { ...config.hnsw, efSearch: config.hnsw.efSearch ?? searchBreadth(options.passages) },
      build: {
        seconds: round(buildSeconds, 1),
        graphSeconds: round(graphSeconds, 1),
        fullTextSeconds: round(ftsSeconds, 1),
        writeAndChecksumSeconds: round(writeSeconds, 1),
        peakRssMb: round(buildRssMb, 0),
      },
      bytes: { ...files2, total: files2.db + files2.hnsw },
      open: { verifiedSeconds: round(openVerifiedSeconds, 2), seconds: round(openSeconds, 3) },
      recall,
      latency: { bareEmbed, retrievalHybrid, retrievalLexical, answerHybrid, answerLexical },
      peakRssMb: round(process.resourceUsage().maxRSS / 1024, 0),
    };
  } finally {
    await footnote.close();
  }
}

/** Labels (passage ids, from 1) of the `k` vectors with the highest inner product with `q`. */
function exactTop(all: Float32Array, dims: number, q: Float32Array, k: number): number[] {
  const best: { id: number; score: number }[] = [];
  const n = all.length / dims;
  for (let i = 0; i < n; i++) {
    let score = 0;
    const offset = i * dims;
    for (let d = 0; d < dims; d++) score += all[offset + d]! * q[d]!;
    if (best.length < k || score > best[best.length - 1]!.score) {
      best.push({ id: i + 1, score });
      best.sort((a, b) => b.score - a.score);
      if (best.length > k) best.pop();
    }
  }
  return best.map((b) => b.id);
}

const seconds = (since: number): number => (performance.now() - since) / 1000;
const round = (value: number, digits: number): number => Number(value.toFixed(digits));
