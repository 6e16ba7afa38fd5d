// Dev tool, `npm run bench`: index speed, search and answer latency, recall and size figures on real or synthetic
// collections.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { pipeline } from '@huggingface/transformers';
import { makeTestModel } from './make-model.js';
import { loadConfig } from '../src/config.js';
import { sessionOptions } from '../src/models/loading.js';
import { burstBench } from './bench-burst.js';
import { shardsBench } from './bench-shards.js';
import { librariesBench } from './bench-libraries.js';
import { syntheticBench } from './bench-synthetic.js';
import { makeQuestions } from './bench-questions.js';
import { loadSotu, writeSotuArticles } from './sotu.js';
import { UsageError } from '../src/core/errors.js';
import { percentile } from '../src/library/evaluation.js';
import { Footnote } from '../src/library/footnote.js';
import { createLogger } from '../src/log.js';
import { DATABASE_FILE, VECTORS_FILE, currentGeneration } from '../src/store/layout.js';
import { searchBreadth } from '../src/store/vectors.js';
import { runCommand } from '../src/cli/run.js';

const USAGE = `usage: npm run bench -- [options]
  --limit N        index N State of the Union speeches, spread evenly over the years (default all)
  --articles DIR   index the articles in DIR instead of the speeches
  --model DIR      a local model directory (default: a small generated test model)
  --dtype D        fp32, q8 or auto (default auto: q8 when onnx/model_quantized.onnx exists)
  --queries N      questions to time (default 200)
  --sample N       passages for the bare-model baseline (default 512)
  --seed N         seed of the question generator (default 1)
  --synthetic N    instead: an index of N passages of reshuffled SOTU text with vectors near real
                   ones; reports build time, size, HNSW recall@10 for several efSearch, latencies
  --burst          instead: the bot (npm start's compiled code) against the local Discord emulator,
                   --queries /ask from 50 users at once (--limit speeches, default 20); reports
                   acknowledgement and answer latency, answers/s, and the bot process's memory and CPU
                   time idle and per answer
  --servers N      with --burst: the bot is in N Discord servers, the questions spread over them (default 1)
  --idle S         with --burst: seconds the bot is watched idle before the burst (default 120), and left idle
                   after --questions
  --questions N    with --burst: after the burst, N more /ask, each from a user of its own, spread over the
                   servers, in batches of MAX_CONCURRENT_ANSWERS + MAX_QUEUED_QUESTIONS (all the bot takes at
                   once); reports the bot's memory before them, once they are answered, and after --idle S idle
  --hostile N      with --burst: N hostile questions (one long word, random Unicode, many short words, at the
                   longest /ask and a DM take) arrive with the burst; a burst without them runs first, and the
                   bench reports the ordinary answers' p95 with them over without, and the bot's event-loop delay
  --shards N       instead: npm start with DISCORD_SHARDS=N against the emulator, in --servers servers shaped
                   like real ones (50 channels, 30 roles, 100 members, 50 emojis); reports the time to every
                   shard being ready and each process's resident memory after --idle seconds (default 30)
  --entry FILE     with --shards: start FILE instead of npm start's manager (to compare sharding libraries)
  --libraries N    instead: N Discord servers' libraries on disk (one short article each); reports the time to
                   a new process's first answer, to a closed library's first answer, and memory per open library
  --json           print one JSON object instead of a table
  --keep           keep the temporary directory
Tuning variables in the environment (CHUNK_*, HNSW_*, RETRIEVAL_MODE, TOP_K, MIN_SCORE, MIN_LEXICAL_SCORE,
MEANING_MARGIN, MODEL_THREADS) apply, and with --burst they and the question limits (RATE_LIMIT_QUESTIONS,
RATE_LIMIT_WINDOW_SECONDS, MAX_CONCURRENT_ANSWERS, MAX_QUEUED_QUESTIONS) apply to the bot too.`;

/** The product's default batch size (src/embedder.ts), so the baseline does the same model calls. */
const BATCH = 16;
const WARMUP_QUESTIONS = 3;
/** The burst's askers: 200 questions from 50 users is 4 each, within the default per-user limit. */
const BURST_USERS = 50;
runCommand(async ({ argv }) => {
  const options = parseOptions(argv);
  if (!options) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const note = (message: string): void => {
    process.stderr.write(`[bench] ${message}\n`);
  };
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'footnote-bench-'));
  try {
    if (options.burst) {
      const articlesDir = options.articles ?? path.join(temp, 'articles');
      if (!options.articles) writeSotuArticles(articlesDir, spread(loadSotu(), options.limit ?? 20));
      const { config, log } = await setUp(options, temp, articlesDir, note);
      const result = await burstBench(
        {
          questions: options.queries,
          users: BURST_USERS,
          servers: options.servers,
          idleSeconds: options.idle,
          sustained: options.questions,
          hostile: options.hostile,
          seed: options.seed,
        },
        // What the bot writes goes to the temporary directory too, and it polls no feed of a real run.
        {
          ...config,
          librariesDir: path.join(temp, 'libraries'),
          feedsDb: path.join(temp, 'feeds.db'),
          answersDb: path.join(temp, 'answers.db'),
        },
        log,
        note,
      );
      process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : burstTable(result));
      return;
    }
    if (options.shards) {
      const articlesDir = options.articles ?? path.join(temp, 'articles');
      if (!options.articles) writeSotuArticles(articlesDir, spread(loadSotu(), options.limit ?? 20));
      const { config, log } = await setUp(options, temp, articlesDir, note);
      const files = {
        librariesDir: path.join(temp, 'libraries'),
        feedsDb: path.join(temp, 'feeds.db'),
        answersDb: path.join(temp, 'answers.db'),
      };
      const result = await shardsBench(
        { shards: options.shards, servers: options.servers, settleSeconds: options.idle, entry: options.entry },
        { ...config, ...files },
        log,
        note,
      );
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    if (options.libraries) {
      const articlesDir = path.join(temp, 'articles');
      writeSotuArticles(articlesDir, spread(loadSotu(), 20));
      const { config, log } = await setUp(options, temp, articlesDir, note);
      const result = await librariesBench(
        { libraries: options.libraries },
        { ...config, librariesDir: path.join(temp, 'libraries') },
        log,
        note,
      );
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    if (options.synthetic) {
      const result = await synthetic(options, options.synthetic, temp, note);
      process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : syntheticTable(result));
      return;
    }
    const result = await bench(options, temp, note);
    process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : table(result));
  } finally {
    if (options.keep) note(`kept ${temp}`);
    else fs.rmSync(temp, { recursive: true, force: true });
  }
});

interface Options {
  limit: number | null;
  articles: string | null;
  model: string | null;
  dtype: string;
  queries: number;
  sample: number;
  seed: number;
  json: boolean;
  keep: boolean;
  synthetic: number | null;
  libraries: number | null;
  shards: number | null;
  entry: string | null;
  burst: boolean;
  servers: number;
  idle: number;
  questions: number;
  hostile: number;
}

/** The options, or null when help was asked for. */
function parseOptions(argv: string[]): Options | null {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        limit: { type: 'string' },
        articles: { type: 'string' },
        model: { type: 'string' },
        dtype: { type: 'string', default: 'auto' },
        queries: { type: 'string', default: '200' },
        sample: { type: 'string', default: '512' },
        seed: { type: 'string', default: '1' },
        json: { type: 'boolean', default: false },
        synthetic: { type: 'string' },
        libraries: { type: 'string' },
        shards: { type: 'string' },
        entry: { type: 'string' },
        burst: { type: 'boolean', default: false },
        servers: { type: 'string' },
        idle: { type: 'string' },
        questions: { type: 'string' },
        hostile: { type: 'string' },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) return null;
  const int = (name: string, raw: string, min: number): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min)
      throw new UsageError(`--${name}: expected a whole number of at least ${min}, got "${raw}"\n${USAGE}`);
    return value;
  };
  if (!['fp32', 'q8', 'auto'].includes(values.dtype))
    throw new UsageError(`--dtype: expected fp32, q8 or auto, got "${values.dtype}"\n${USAGE}`);
  for (const name of ['servers', 'idle'] as const)
    if (values[name] !== undefined && !values.burst && values.shards === undefined)
      throw new UsageError(`--${name} applies to --burst and --shards\n${USAGE}`);
  for (const name of ['questions', 'hostile'] as const)
    if (values[name] !== undefined && !values.burst) throw new UsageError(`--${name} applies to --burst\n${USAGE}`);
  if (values.entry !== undefined && values.shards === undefined)
    throw new UsageError(`--entry applies to --shards\n${USAGE}`);
  if (values.limit !== undefined && values.articles !== undefined)
    throw new UsageError(`--limit applies to the speeches, not to --articles\n${USAGE}`);
  for (const name of ['articles', 'model'] as const) {
    const dir = values[name];
    if (dir !== undefined && !fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UsageError(`--${name}: ${dir} is not a directory\n${USAGE}`);
    }
  }
  return {
    limit: values.limit === undefined ? null : int('limit', values.limit, 1),
    articles: values.articles === undefined ? null : path.resolve(values.articles),
    model: values.model === undefined ? null : path.resolve(values.model),
    dtype: values.dtype,
    queries: int('queries', values.queries, 1),
    sample: int('sample', values.sample, 1),
    seed: int('seed', values.seed, 0),
    json: values.json,
    keep: values.keep,
    synthetic: values.synthetic === undefined ? null : int('synthetic', values.synthetic, 1),
    libraries: values.libraries === undefined ? null : int('libraries', values.libraries, 1),
    shards: values.shards === undefined ? null : int('shards', values.shards, 1),
    entry: values.entry === undefined ? null : path.resolve(values.entry),
    burst: values.burst,
    servers: values.servers === undefined ? 1 : int('servers', values.servers, 1),
    idle: values.idle === undefined ? (values.shards === undefined ? 120 : 30) : int('idle', values.idle, 1),
    questions: values.questions === undefined ? 0 : int('questions', values.questions, 1),
    hostile: values.hostile === undefined ? 0 : int('hostile', values.hostile, 1),
  };
}

/** The model to measure with, generated from the SOTU text when none is given, and the config for it. */
async function setUp(options: Options, temp: string, articlesDir: string, note: (message: string) => void) {
  let modelDir = options.model;
  if (!modelDir) {
    modelDir = path.join(temp, 'model');
    note('generating the small test model from the articles');
    await makeTestModel(modelDir, readFiles(articlesDir));
  }
  const config = loadConfig({
    ...process.env,
    ARTICLES_DIR: articlesDir,
    INDEX_DIR: path.join(temp, 'index'),
    EMBEDDING_MODEL: modelDir,
    EMBEDDING_DTYPE: options.dtype,
    ALLOW_REMOTE_MODELS: 'false',
    MODELS_DIR: path.join(temp, 'models'),
    LOG_LEVEL: 'warn',
  });
  return { modelDir, config, log: createLogger(config.logLevel) };
}

async function synthetic(options: Options, passages: number, temp: string, note: (message: string) => void) {
  const articlesDir = path.join(temp, 'articles');
  writeSotuArticles(articlesDir, spread(loadSotu(), 20));
  const { config, log } = await setUp(options, temp, articlesDir, note);
  return syntheticBench({ passages, seed: options.seed }, config, log, note);
}

function burstTable(r: Awaited<ReturnType<typeof burstBench>>): string {
  const t = (x: { p50Ms: number; p95Ms: number; maxMs: number }): string =>
    `p50 ${x.p50Ms} ms, p95 ${x.p95Ms} ms, max ${x.maxMs} ms`;
  const lines = [
    `burst: ${r.questions} /ask from ${r.users} users in ${r.servers} servers at once, ` +
      `${r.model.id} (${r.model.dtype})`,
    `acknowledged ${t(r.acknowledgement)}`,
    `answered ${t(r.answer)}, ${r.answersPerSecond} answers/s`,
    `not deferred ${r.notDeferred}, HTTP errors ${r.errors}`,
  ];
  if (r.bot) {
    const { idle, burst } = r.bot;
    lines.push(
      `bot idle: RSS ${idle.rssMb} MB, CPU ${idle.cpuPercent} % of a core over ${idle.seconds} s, ` +
        `start-up peak RSS ${idle.startPeakRssMb} MB`,
      `bot in the burst: peak RSS ${burst.peakRssMb} MB, ` +
        `CPU ${burst.cpuMsPerAnswer} ms per answer (${burst.cpuPercent} % of a core)`,
    );
  }
  if (r.sustained) {
    const { sustained: s } = r;
    lines.push(
      `then ${s.questions} /ask in batches of ${s.batch}: ${s.answersPerSecond} answers/s, ` +
        `busy ${s.busy}, unanswered ${s.unanswered}, HTTP errors ${s.errors}`,
    );
    if (s.memory)
      lines.push(
        `bot RSS before them ${s.memory.rssBeforeMb} MB, after ${s.memory.rssAfterMb} MB, ` +
          `after the idle wait ${s.memory.rssSettledMb} MB; CPU ${s.memory.cpuMsPerAnswer} ms per answer`,
      );
  }
  const delay = (d: typeof r.eventLoopDelayMs): string => (d ? `max ${d.max} ms, p99 ${d.p99} ms` : 'not logged');
  lines.push(`bot's event-loop delay while connected: ${delay(r.eventLoopDelayMs)}`);
  if (r.hostile) {
    const alone = r.hostile.withoutThem;
    lines.push(
      `with ${r.hostile.questions} hostile questions; without them: answered ${t(alone.answer)}, ` +
        `event-loop delay ${delay(alone.eventLoopDelayMs)}`,
      `ordinary answers' p95 with hostile questions / without: ${r.hostile.p95Ratio}`,
    );
  }
  return lines.join('\n') + '\n';
}

function syntheticTable(r: Awaited<ReturnType<typeof syntheticBench>>): string {
  const l = r.latency;
  const ms = (t: { p50Ms: number; p95Ms: number }): string => `p50 ${t.p50Ms} ms, p95 ${t.p95Ms} ms`;
  const lines = [
    `synthetic index: ${r.passages} passages in ${r.articles} articles, ` +
      `${r.model.id} (${r.model.dtype}, ${r.model.dims} dims, ${r.model.realVectors} real vectors)`,
    `HNSW m=${r.hnsw.m} efConstruction=${r.hnsw.efConstruction} efSearch=${r.hnsw.efSearch}`,
    `build ${r.build.seconds} s (graph ${r.build.graphSeconds} s, full text ${r.build.fullTextSeconds} s, ` +
      `write+checksum ${r.build.writeAndChecksumSeconds} s), peak RSS ${r.build.peakRssMb} MB`,
    `size ${mb(r.bytes.total)} (SQLite ${mb(r.bytes.db)}, HNSW ${mb(r.bytes.hnsw)})`,
    `open ${r.open.seconds} s, with the checksum pass ${r.open.verifiedSeconds} s`,
    ...r.recall.map(
      (x) => `efSearch ${x.efSearch}: recall@10 ${x.recallAt10}, search p50 ${x.p50Ms} ms, p95 ${x.p95Ms} ms`,
    ),
    `bare query embedding ${ms(l.bareEmbed)}`,
    `retrieval hybrid ${ms(l.retrievalHybrid)}; lexical ${ms(l.retrievalLexical)}`,
    `whole answer hybrid ${ms(l.answerHybrid)}; lexical ${ms(l.answerLexical)}`,
    `peak RSS ${r.peakRssMb} MB`,
  ];
  return lines.join('\n') + '\n';
}

async function bench(options: Options, temp: string, note: (message: string) => void) {
  let articlesDir = options.articles;
  if (!articlesDir) {
    const speeches = spread(loadSotu(), options.limit ?? Infinity);
    articlesDir = path.join(temp, 'articles');
    writeSotuArticles(articlesDir, speeches);
    note(`wrote ${speeches.length} State of the Union speeches to ${articlesDir}`);
  }
  const { modelDir, config, log } = await setUp(options, temp, articlesDir, note);
  // Three phases with one model loaded at a time: the baseline runs right after indexing, so
  // both see the machine in the same state, and the peak RSS is never that of two models.
  const indexed = await withFootnote(new Footnote(config, log), (footnote) => indexPhase(footnote, note));
  const { summary, timings, passages, dtype, dims } = indexed;
  const sample = spread(passages, options.sample).map((p) => p.text);
  note(`bare model: ${sample.length} passages in batches of ${BATCH}`);
  const bare = await bareThroughput(modelDir, dtype, config.modelsDir, sample);
  const { latencies, counts, bareEmbed, lexical, lexicalWarm } = await withFootnote(
    new Footnote(config, log),
    (footnote) => queryPhase(footnote, passages, options, note),
  );

  const pipelinePerSecond = summary.passages / timings.index;
  return {
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGb: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    corpus: {
      articlesDir: options.articles ?? `State of the Union (${summary.articles} speeches)`,
      articles: summary.articles,
      skipped: summary.skipped.length,
      passages: summary.passages,
      tokens: indexed.tokens,
    },
    model: { dir: modelDir, generated: !options.model, dtype, dims, loadSeconds: round(timings.modelLoad, 2) },
    settings: {
      chunkMaxTokens: config.chunkMaxTokens,
      chunkOverlapSentences: config.chunkOverlapSentences,
      hnsw: { ...config.hnsw, efSearch: config.hnsw.efSearch ?? searchBreadth(summary.passages) },
      topK: config.topK,
      minScore: config.minScore,
    },
    index: {
      seconds: round(timings.index, 2),
      prepareSeconds: round(timings.prepare, 2),
      embedAndStoreSeconds: round(timings.embed, 2),
      graphAndWriteSeconds: round(timings.finish, 2),
      passagesPerSecond: round(pipelinePerSecond, 1),
      tokensPerSecond: Math.round(indexed.tokens / timings.index),
      bytes: indexed.bytes,
    },
    bare: {
      passages: sample.length,
      batchSize: BATCH,
      loadSeconds: round(bare.loadSeconds, 2),
      seconds: round(bare.seconds, 2),
      passagesPerSecond: round(sample.length / bare.seconds, 1),
      // Time per passage in the pipeline over time per passage in the bare model.
      ratio: round(sample.length / bare.seconds / pipelinePerSecond, 2),
    },
    queries: {
      count: latencies.length,
      onTopic: counts.onTopic,
      offTopic: counts.offTopic,
      p50Ms: round(percentile(latencies, 0.5) ?? 0, 1),
      p95Ms: round(percentile(latencies, 0.95) ?? 0, 1),
      maxMs: round(Math.max(...latencies), 1),
      meanMs: round(latencies.reduce((a, b) => a + b, 0) / latencies.length, 1),
      bareEmbedP50Ms: round(percentile(bareEmbed, 0.5) ?? 0, 2),
      bareEmbedP95Ms: round(percentile(bareEmbed, 0.95) ?? 0, 2),
      lexicalP50Ms: round(percentile(lexical, 0.5) ?? 0, 2),
      lexicalP95Ms: round(percentile(lexical, 0.95) ?? 0, 2),
      lexicalWarmP50Ms: round(percentile(lexicalWarm, 0.5) ?? 0, 2),
      lexicalWarmP95Ms: round(percentile(lexicalWarm, 0.95) ?? 0, 2),
      foundShare: round((counts.onTopicFound + counts.offTopicFound) / latencies.length, 3),
      onTopicFoundShare: round(counts.onTopicFound / Math.max(counts.onTopic, 1), 3),
      offTopicFoundShare: round(counts.offTopicFound / Math.max(counts.offTopic, 1), 3),
      sourceCitedShare: round(counts.sourceCited / Math.max(counts.onTopic, 1), 3),
    },
    peakRssMb: round(process.resourceUsage().maxRSS / 1024, 1),
  };
}

async function withFootnote<T>(footnote: Footnote, use: (footnote: Footnote) => Promise<T>): Promise<T> {
  try {
    return await use(footnote);
  } finally {
    await footnote.close();
  }
}

/** The product's own indexing: model load (timed apart), then a full reindex. */
async function indexPhase(footnote: Footnote, note: (message: string) => void) {
  const { config } = footnote;
  note(`loading ${config.embeddingModel} (${footnote.model.dtype})`);
  let started = performance.now();
  const { dims } = await footnote.embedder();
  const modelLoad = seconds(started);

  // Progress callbacks mark the phases: the first comes once articles are loaded and chunked,
  // the last once every passage is embedded and stored.
  let chunkedAt = Number.NaN;
  let embeddedAt = Number.NaN;
  let lastNote = 0;
  started = performance.now();
  const summary = await footnote.reindex((done, total) => {
    const now = performance.now();
    if (done === 0) chunkedAt = now;
    if (done === total) embeddedAt = now;
    if (done === total || now - lastNote > 2000) {
      note(`indexing: ${done}/${total} passages embedded`);
      lastNote = now;
    }
  });
  const endedAt = performance.now();
  const generation = currentGeneration(config.indexDir);
  if (!generation || !summary.passages) throw new UsageError(`no passages were indexed from ${config.articlesDir}`);
  const db = new Database(path.join(generation, DATABASE_FILE), { readonly: true });
  const passages = db.prepare('SELECT article_id AS articleId, text, tokens FROM passages ORDER BY id').all() as {
    articleId: string;
    text: string;
    tokens: number;
  }[];
  db.close();
  return {
    summary,
    dtype: footnote.model.dtype,
    dims,
    timings: {
      modelLoad,
      index: (endedAt - started) / 1000,
      prepare: (chunkedAt - started) / 1000,
      embed: (embeddedAt - chunkedAt) / 1000,
      finish: (endedAt - embeddedAt) / 1000,
    },
    passages,
    tokens: passages.reduce((sum, p) => sum + p.tokens, 0),
    bytes: directoryBytes(generation),
  };
}

/** The questions through `ask`, as the CLI and the bot answer them, after a few untimed ones. */
async function queryPhase(
  footnote: Footnote,
  passages: { articleId: string; text: string }[],
  options: Options,
  note: (message: string) => void,
) {
  const questions = makeQuestions(passages, 2 * options.queries + WARMUP_QUESTIONS, options.seed);
  note(`asking ${WARMUP_QUESTIONS} warm-up questions, then ${options.queries}`);
  for (const q of questions.slice(0, WARMUP_QUESTIONS)) await footnote.ask(q.text);
  // Each timed pass gets questions no earlier pass asked: the index keeps the passages and words it
  // read last, and a pass on questions already asked would time those caches, not a new question.
  const timed = questions.slice(WARMUP_QUESTIONS, WARMUP_QUESTIONS + options.queries);
  const timedLexical = questions.slice(WARMUP_QUESTIONS + options.queries);
  // The yardstick: the bare query embedding of the same question (same model, same thread), just
  // before it is asked, so that each finds the model's threads as the other left them (embeddings
  // back to back run hot: 1.4 ms against 3.2 ms between answers, q8).
  const embedder = await footnote.embedder();
  const bareEmbed: number[] = [];
  const latencies: number[] = [];
  const counts = { onTopic: 0, offTopic: 0, onTopicFound: 0, offTopicFound: 0, sourceCited: 0 };
  for (const [i, q] of timed.entries()) {
    const embeddedAt = performance.now();
    await embedder.embed([q.text]);
    bareEmbed.push(performance.now() - embeddedAt);
    const askedAt = performance.now();
    const answer = await footnote.ask(q.text);
    latencies.push(performance.now() - askedAt);
    if (q.articleId) {
      counts.onTopic++;
      if (answer.found) counts.onTopicFound++;
      if (answer.citations.some((c) => c.article.id === q.articleId)) counts.sourceCited++;
    } else {
      counts.offTopic++;
      if (answer.found) counts.offTopicFound++;
    }
    if ((i + 1) % 50 === 0) note(`queries: ${i + 1}/${timed.length}`);
  }
  // The whole answer in lexical mode, on other questions; then again, now that every word of
  // them and their passages has been read once (the first pass reads them, as a fresh process does).
  const lexical: number[] = [];
  for (const q of timedLexical) {
    const t = performance.now();
    await footnote.ask(q.text, { mode: 'lexical' });
    lexical.push(performance.now() - t);
  }
  const lexicalWarm: number[] = [];
  for (const q of timedLexical) {
    const t = performance.now();
    await footnote.ask(q.text, { mode: 'lexical' });
    lexicalWarm.push(performance.now() - t);
  }
  return { latencies, counts, bareEmbed, lexical, lexicalWarm };
}

/** transformers.js alone on the passages' texts, warm, sorted by length as the product sorts each call's texts. */
async function bareThroughput(modelDir: string, dtype: string, cacheDir: string, texts: string[]) {
  let started = performance.now();
  // The same threads as the product's embedder, so the ratio measures the pipeline, not threading.
  const extractor = await pipeline('feature-extraction', modelDir, {
    dtype: dtype as 'fp32',
    device: 'cpu',
    cache_dir: cacheDir,
    local_files_only: true,
    session_options: sessionOptions(),
  });
  const loadSeconds = seconds(started);
  try {
    (await extractor(texts.slice(0, BATCH), { pooling: 'mean', normalize: true })).dispose();
    const sorted = [...texts].sort((a, b) => a.length - b.length);
    started = performance.now();
    for (let i = 0; i < sorted.length; i += BATCH) {
      const output = await extractor(sorted.slice(i, i + BATCH), { pooling: 'mean', normalize: true });
      output.dispose();
    }
    return { loadSeconds, seconds: seconds(started) };
  } finally {
    await extractor.dispose();
  }
}

/** At most `n` items, evenly spread over the list (all of it when n ≥ its length). */
function spread<T>(items: T[], n: number): T[] {
  if (n >= items.length) return items;
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]!);
}

function readFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), 'utf8'));
}

function directoryBytes(dir: string): { hnsw: number; db: number; total: number } {
  const size = (name: string): number => fs.statSync(path.join(dir, name)).size;
  const total = fs.readdirSync(dir).reduce((sum, name) => sum + size(name), 0);
  return { hnsw: size(VECTORS_FILE), db: size(DATABASE_FILE), total };
}

const seconds = (since: number): number => (performance.now() - since) / 1000;
const round = (value: number, digits: number): number => Number(value.toFixed(digits));
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(2)} MB`;
const share = (value: number): string => `${(value * 100).toFixed(1)} %`;

function table(r: Awaited<ReturnType<typeof bench>>): string {
  const rows: [string, string, string][] = [
    [
      'machine',
      `${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGb} GB`,
      `${r.machine.platform}, node ${r.machine.node}`,
    ],
    ['corpus', r.corpus.articlesDir, r.corpus.skipped ? `${r.corpus.skipped} files skipped` : ''],
    [
      'model',
      `${r.model.generated ? 'generated test model' : r.model.dir} (${r.model.dtype}, ${r.model.dims} dims)`,
      `loaded in ${r.model.loadSeconds} s, not counted below`,
    ],
    [
      'settings',
      `chunks ≤ ${r.settings.chunkMaxTokens} tokens, HNSW m=${r.settings.hnsw.m} ` +
        `efC=${r.settings.hnsw.efConstruction} efS=${r.settings.hnsw.efSearch}`,
      `top ${r.settings.topK}, min score ${r.settings.minScore}`,
    ],
    ['articles', String(r.corpus.articles), ''],
    ['passages', String(r.corpus.passages), ''],
    ['tokens', String(r.corpus.tokens), 'passage tokens, without [CLS]/[SEP]'],
    [
      'index time',
      `${r.index.seconds} s`,
      `whole reindex: load+chunk ${r.index.prepareSeconds} s, embed+SQLite ${r.index.embedAndStoreSeconds} s, ` +
        `HNSW+write ${r.index.graphAndWriteSeconds} s`,
    ],
    [
      'pipeline speed',
      `${r.index.passagesPerSecond} passages/s`,
      `${r.index.tokensPerSecond} tokens/s, over the whole reindex`,
    ],
    [
      'bare model speed',
      `${r.bare.passagesPerSecond} passages/s`,
      `transformers.js alone (same threads), warm, ${r.bare.passages} passages, ` +
        `length-sorted batches of ${r.bare.batchSize}`,
    ],
    ['pipeline / bare', `${r.bare.ratio} ×`, 'time per passage; 1 = no overhead beyond the model'],
    [
      'index size',
      mb(r.index.bytes.total),
      `HNSW ${mb(r.index.bytes.hnsw)}, SQLite ${mb(r.index.bytes.db)} (live generation)`,
    ],
    [
      'query latency',
      `p50 ${r.queries.p50Ms} ms, p95 ${r.queries.p95Ms} ms, max ${r.queries.maxMs} ms`,
      `mean ${r.queries.meanMs} ms; ${r.queries.count} asks after warm-up, embed+search+answer`,
    ],
    [
      'bare query embedding',
      `p50 ${r.queries.bareEmbedP50Ms} ms, p95 ${r.queries.bareEmbedP95Ms} ms`,
      'the model alone on each question, through the same worker',
    ],
    [
      'lexical latency',
      `p50 ${r.queries.lexicalP50Ms} ms, p95 ${r.queries.lexicalP95Ms} ms; ` +
        `asked again: p50 ${r.queries.lexicalWarmP50Ms} ms, p95 ${r.queries.lexicalWarmP95Ms} ms`,
      'the same questions, RETRIEVAL_MODE=lexical',
    ],
    [
      'found',
      share(r.queries.foundShare),
      `on-topic ${share(r.queries.onTopicFoundShare)} of ${r.queries.onTopic}, ` +
        `off-topic ${share(r.queries.offTopicFoundShare)} of ${r.queries.offTopic}`,
    ],
    ['source cited', share(r.queries.sourceCitedShare), 'on-topic questions citing the article their words came from'],
    ['peak RSS', `${r.peakRssMb} MB`, 'whole run (one model loaded at a time)'],
  ];
  const w0 = Math.max(...rows.map((row) => row[0].length));
  const w1 = Math.max(...rows.map((row) => row[1].length));
  return rows.map(([a, b, c]) => `${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`.trimEnd()).join('\n') + '\n';
}
