/**
 * `npm run bench -- --burst`: questions from many users at once through the bot path. The bot
 * runs as `npm start` runs it (the compiled code, its own node process) against the local Discord
 * emulator, in --servers servers; every question is a /ask sent at the same moment, spread over the servers.
 * Reports, per question, the time to Discord's acknowledgement (the deferred reply) and to the answer, and answers
 * per second; and, read from /proc, the bot process's memory and CPU time idle and over the burst. With --questions N,
 * N more /ask follow the burst, in batches the bot's queue takes whole, and the bot's memory is read before and after.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApplicationCommandOptionType,
  InteractionResponseType,
  type APIChatInputApplicationCommandInteraction,
  type APIUser,
} from 'discord.js';
import type { Config } from '../src/config.js';
import { BUSY } from '../src/discord/limits.js';
import { percentile } from '../src/library/evaluation.js';
import { Footnote } from '../src/library/footnote.js';
import type { Logger } from '../src/log.js';
import { makeQuestions, type BenchQuestion } from './bench-questions.js';
import { attackers, hostileQuestions, sendHostile } from './bench-hostile.js';
import { DiscordEmulator } from './discord-emulator.js';
import { processUsage, resetPeak, type ProcessUsage } from './process-usage.js';

export interface BurstOptions {
  questions: number;
  /** Hostile questions sent with the burst (scripts/bench-hostile.ts); with any, a burst without them runs first. */
  hostile: number;
  users: number;
  /** Discord servers the bot is in (the emulator's fixture guild and servers - 1 more). */
  servers: number;
  /** Seconds the bot is watched idle before the burst, and left idle after the sustained questions. */
  idleSeconds: number;
  /** /ask sent after the burst, each from a user of its own, in batches the bot's queue takes whole (--questions). */
  sustained: number;
  seed: number;
}

const ROOT = path.resolve(import.meta.dirname, '..');
const START = path.join(ROOT, 'dist/src/cli/start.js');
/** Seconds left to the bot after it is ready, before it is watched idle: its start-up ends (about 0.5 s of CPU). */
const SETTLE_SECONDS = 5;
/** Each added server: 10 text channels and 6 roles, a small community's (no emojis, stickers or threads). */
const SERVER_SHAPE = { extraChannels: 9, extraRoles: 4 };

const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

export async function burstBench(options: BurstOptions, config: Config, log: Logger, note: (message: string) => void) {
  if (!fs.existsSync(START)) throw new Error(`${START} is missing: run npm run build first`);
  note('building the index');
  const builder = new Footnote(config, log);
  await builder.reindex();
  const index = builder.index()!;
  const passages = index.articles().flatMap((a) => {
    const article = index.article(a.id)!;
    return article.paragraphs.map((p) => ({ articleId: a.id, text: article.text.slice(p.start, p.end) }));
  });
  const { dtype } = builder.model;
  await builder.close();
  const questions = makeQuestions(passages, options.questions, options.seed);

  const model = { id: config.embeddingModel, dtype };
  if (!options.hostile) return { ...(await oneBurst(options, config, questions, note)), model, hostile: null };
  note('first a burst of ordinary questions alone, to compare with');
  const alone = await oneBurst({ ...options, hostile: 0, sustained: 0 }, config, questions, note);
  const attacked = await oneBurst(options, config, questions, note);
  return {
    ...attacked,
    model,
    hostile: {
      questions: options.hostile,
      withoutThem: { answer: alone.answer, eventLoopDelayMs: alone.eventLoopDelayMs },
      /** The ordinary questions' answer p95 with the hostile ones, over the same without: at most 2 is the aim. */
      p95Ratio: round(attacked.answer.p95Ms / Math.max(1, alone.answer.p95Ms), 2),
    },
  };
}

/** One burst against a bot of its own: the ordinary questions, and `options.hostile` hostile ones at the same time. */
async function oneBurst(
  options: BurstOptions,
  config: Config,
  questions: BenchQuestion[],
  note: (message: string) => void,
) {
  const emulator = await DiscordEmulator.start();
  const servers = [emulator.fixture.guild.id];
  for (let i = 1; i < options.servers; i++) servers.push(emulator.addGuild(SERVER_SHAPE).id);
  const bot = startBot(emulator, config);
  const exited = output(bot);
  try {
    await ready(bot, servers.length);
    // bot.pid is node's own: spawned directly, as `npm start` execs it, with no npm or shell in between.
    const idle = await measureIdle(bot.pid!, options.idleSeconds, note);
    if (idle && !resetPeak(bot.pid!)) note('cannot reset the peak RSS: it counts the start-up too');
    const users: APIUser[] = Array.from({ length: options.users }, (_, i) => ({
      id: String(1_300_000_000_000_000_000n + BigInt(i)),
      username: `bench-${i}`,
      discriminator: '0',
      global_name: `Bench ${i}`,
      avatar: null,
    }));
    const hostile = hostileQuestions(options.hostile, options.seed);
    note(
      `sending ${questions.length} /ask from ${users.length} users in ${servers.length} servers at once` +
        (hostile.length ? `, with ${hostile.length} hostile questions` : ''),
    );
    const before = processUsage(bot.pid!);
    const sentAt = Date.now();
    const [asked] = await Promise.all([
      ask(emulator, questions, users, servers),
      sendHostile(emulator, hostile, attackers(hostile.length), servers[0]!),
    ]);
    const after = processUsage(bot.pid!);
    const replies = collect(emulator, asked, sentAt);
    const burstSeconds = Math.max(0.001, (replies.last - sentAt) / 1000);
    const sustained = options.sustained
      ? await askInBatches(emulator, { ...options, questions, servers, queue: config.discord.queue }, bot.pid!, note)
      : null;
    bot.kill('SIGTERM');
    return {
      questions: questions.length,
      users: users.length,
      servers: servers.length,
      ...replies.figures,
      answersPerSecond: round(replies.answered / burstSeconds),
      bot: idle && before && after ? { idle, burst: burstUsage(before, after, replies.answered, burstSeconds) } : null,
      sustained,
      /** The bot's own measure (src/discord/event-loop-monitor.ts), from its connection to its stop. */
      eventLoopDelayMs: eventLoopDelay(await exited),
    };
  } finally {
    if (bot.exitCode === null) bot.kill('SIGTERM');
    await exited;
    await emulator.close();
  }
}

/** Everything the bot writes, once it has exited. */
function output(bot: ChildProcessWithoutNullStreams): Promise<string> {
  let text = '';
  bot.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  bot.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return new Promise((resolve) => bot.once('close', () => resolve(text)));
}

/** The event-loop delay the bot logs as it stops: max, p99 and mean, in ms. */
function eventLoopDelay(log: string): { max: number; p99: number; mean: number } | null {
  const line = /^.*event-loop delay while connected.*$/m.exec(log)?.[0];
  return line
    ? (JSON.parse(line) as { eventLoopDelayMs: { max: number; p99: number; mean: number } }).eventLoopDelayMs
    : null;
}

/** The bot as `npm start` runs it, with botEnv's environment. */
function startBot(emulator: DiscordEmulator, config: Config): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [START], { cwd: ROOT, env: botEnv(emulator, config) });
}

/**
 * The bot's environment: its files in the bench's temporary directory, the emulator for Discord, and the bench's
 * settings, which are the caller's (a tuning variable applies to the bot as to the index the bench built for it).
 */
export function botEnv(
  discord: Pick<DiscordEmulator, 'token' | 'applicationId' | 'apiBase'>,
  config: Config,
): Record<string, string> {
  const { hnsw, discord: limits } = config;
  return {
    PATH: process.env.PATH!,
    HOME: process.env.HOME ?? ROOT,
    CHUNK_MAX_TOKENS: String(config.chunkMaxTokens),
    CHUNK_OVERLAP_SENTENCES: String(config.chunkOverlapSentences),
    HNSW_M: String(hnsw.m),
    HNSW_EF_CONSTRUCTION: String(hnsw.efConstruction),
    ...(hnsw.efSearch === null ? {} : { HNSW_EF_SEARCH: String(hnsw.efSearch) }),
    RETRIEVAL_MODE: config.retrievalMode,
    TOP_K: String(config.topK),
    MIN_SCORE: String(config.minScore),
    MIN_LEXICAL_SCORE: String(config.minLexicalScore),
    MEANING_MARGIN: String(config.meaningMargin),
    MODEL_THREADS: String(config.modelThreads),
    RATE_LIMIT_QUESTIONS: String(limits.rateLimit.questions),
    RATE_LIMIT_WINDOW_SECONDS: String(limits.rateLimit.windowMs / 1000),
    MAX_CONCURRENT_ANSWERS: String(limits.queue.concurrency),
    MAX_QUEUED_QUESTIONS: String(limits.queue.capacity),
    ARTICLES_DIR: config.articlesDir,
    INDEX_DIR: config.indexDir,
    LIBRARIES_DIR: config.librariesDir,
    FEEDS_DB: config.feedsDb,
    ANSWERS_DB: config.answersDb,
    EMBEDDING_MODEL: config.embeddingModel,
    EMBEDDING_DTYPE: config.embeddingDtype,
    MODELS_DIR: config.modelsDir,
    ALLOW_REMOTE_MODELS: 'false',
    LOG_LEVEL: 'info',
    DISCORD_TOKEN: discord.token,
    DISCORD_CLIENT_ID: discord.applicationId,
    DISCORD_API_BASE: discord.apiBase,
  };
}

/** Resolves when the bot is connected, holding every server, and its model is loaded: the steady state. */
async function ready(bot: ChildProcessWithoutNullStreams, servers: number): Promise<void> {
  let output = '';
  let done = false;
  await new Promise<void>((resolve, reject) => {
    // Read to the end all the same: a full pipe would stop the bot at its next log line.
    const read = (chunk: Buffer): void => {
      if (done) return;
      output += chunk.toString();
      const connected = /^.*connected to Discord.*$/m.exec(output)?.[0];
      if (!connected || !/the embedding model is loaded/.test(output)) return;
      const { guilds } = JSON.parse(connected) as { guilds: number };
      done = true;
      if (guilds === servers) resolve();
      else reject(new Error(`the bot connected in ${guilds} servers, not ${servers}`));
    };
    bot.stdout.on('data', read);
    bot.stderr.on('data', read);
    bot.on('exit', (code) => reject(new Error(`the bot exited (code ${code}) before it was ready:\n${output}`)));
  });
}

/**
 * The bot's CPU use over `seconds` with nothing asked, and its resident memory at their end; null without /proc.
 * V8 gives memory back in steps over the first idle minutes (the last at 15 s with one server, at 100 s with 2,500
 * here): the default two minutes see it done.
 */
async function measureIdle(pid: number, seconds: number, note: (message: string) => void) {
  if (!processUsage(pid)) {
    note("no /proc here: the bot process's memory and CPU time are not measured");
    return null;
  }
  note(`watching the idle bot for ${SETTLE_SECONDS} + ${seconds} s`);
  await sleep(SETTLE_SECONDS * 1000);
  const before = processUsage(pid)!;
  const started = performance.now();
  await sleep(seconds * 1000);
  const after = processUsage(pid)!;
  const watched = (performance.now() - started) / 1000;
  return {
    rssMb: round(after.rssMb),
    cpuPercent: round((100 * (after.cpuSeconds - before.cpuSeconds)) / watched, 2),
    seconds: round(watched),
    /** The most it held since it started: loading the model, connecting. */
    startPeakRssMb: round(after.peakRssMb),
  };
}

/** The bot's memory and CPU time over the burst, from its usage just before and once every answer came. */
function burstUsage(before: ProcessUsage, after: ProcessUsage, answers: number, seconds: number) {
  const cpuSeconds = after.cpuSeconds - before.cpuSeconds;
  return {
    /** The most it held during the burst (since the idle figures, when the peak could be reset). */
    peakRssMb: round(after.peakRssMb),
    cpuMsPerAnswer: round((1000 * cpuSeconds) / Math.max(1, answers)),
    /** Of one core: 200 is two cores busy throughout. */
    cpuPercent: round((100 * cpuSeconds) / seconds),
  };
}

/**
 * `sustained` /ask after the burst, question i from a user of its own (as in a bot in many servers, where each asker
 * is one more member and user for discord.js to hold) and in server i, in batches of as many as the bot answers at
 * once and queues, so that none is refused as busy. The bot's memory just before, once the last is answered, and
 * after `idleSeconds` idle; null figures without /proc.
 */
async function askInBatches(
  emulator: DiscordEmulator,
  options: Pick<BurstOptions, 'sustained' | 'idleSeconds'> & {
    questions: BenchQuestion[];
    servers: string[];
    queue: Config['discord']['queue'];
  },
  pid: number,
  note: (message: string) => void,
) {
  const { sustained, questions, servers, queue } = options;
  const batch = queue.concurrency + queue.capacity;
  note(`sending ${sustained} more /ask, each from a user of its own, in batches of ${batch}`);
  const firstRequest = emulator.requests.length;
  const before = processUsage(pid);
  const started = performance.now();
  let busy = 0;
  let unanswered = 0;
  for (let first = 0; first < sustained; first += batch) {
    const asked = Array.from({ length: Math.min(batch, sustained - first) }, (_, j) => {
      const i = first + j;
      return emulator.sendSlashCommand({
        name: 'ask',
        user: asker(i),
        guildId: servers[i % servers.length],
        options: [
          { name: 'question', type: ApplicationCommandOptionType.String, value: questions[i % questions.length]!.text },
        ],
      });
    });
    // An acknowledgement later than Discord's 3 s (on a loaded machine) leaves its question unanswered: counted, so
    // that one late question does not lose the run.
    const replies = await Promise.all(
      asked.map((a) => emulator.waitForInteractionReply(a.id, 300_000).catch(() => null)),
    );
    unanswered += replies.filter((reply) => reply === null).length;
    busy += replies.filter((reply) => reply?.content === BUSY).length;
    if ((first / batch) % 10 === 9) note(`${first + asked.length} of ${sustained} answered`);
  }
  const seconds = (performance.now() - started) / 1000;
  const after = processUsage(pid);
  if (after) note(`leaving the bot idle for ${options.idleSeconds} s`);
  if (after) await sleep(options.idleSeconds * 1000);
  const settled = processUsage(pid);
  return {
    questions: sustained,
    batch,
    /** Answered "busy, try again": 0 when the batches respect the queue. */
    busy,
    unanswered,
    errors: emulator.requests.slice(firstRequest).filter((r) => r.status >= 400).length,
    answersPerSecond: round((sustained - unanswered) / Math.max(0.001, seconds)),
    memory:
      before && after && settled
        ? {
            rssBeforeMb: round(before.rssMb),
            rssAfterMb: round(after.rssMb),
            /** After `idleSeconds` with nothing asked, as the idle figure before the burst is. */
            rssSettledMb: round(settled.rssMb),
            cpuMsPerAnswer: round(
              (1000 * (after.cpuSeconds - before.cpuSeconds)) / Math.max(1, sustained - unanswered),
            ),
          }
        : null,
  };
}

/** The sustained questions' i-th asker, a user no one else is. */
function asker(i: number): APIUser {
  return {
    id: String(1_400_000_000_000_000_000n + BigInt(i)),
    username: `asker-${i}`,
    discriminator: '0',
    global_name: `Asker ${i}`,
    avatar: null,
  };
}

/** Every question at once, question i from user i and in server i (each list taken round), until all are answered. */
async function ask(emulator: DiscordEmulator, questions: BenchQuestion[], users: APIUser[], servers: string[]) {
  const asked = questions.map((q, i) =>
    emulator.sendSlashCommand({
      name: 'ask',
      user: users[i % users.length],
      guildId: servers[i % servers.length],
      options: [{ name: 'question', type: ApplicationCommandOptionType.String, value: q.text }],
    }),
  );
  await Promise.all(asked.map((a) => emulator.waitForInteractionReply(a.id, 300_000)));
  return asked;
}

/** Acknowledgement and answer latencies from what the emulator recorded, and when the last answer came. */
function collect(emulator: DiscordEmulator, asked: APIChatInputApplicationCommandInteraction[], sentAt: number) {
  const acknowledged: number[] = [];
  const answered: number[] = [];
  let last = sentAt;
  let refused = 0;
  for (const interaction of asked) {
    const record = emulator.interaction(interaction.id)!;
    if (record.callback?.type !== InteractionResponseType.DeferredChannelMessageWithSource) refused++;
    if (record.callback) acknowledged.push(record.callback.at - record.dispatchedAt);
    const edit = emulator.requests.find((r) => r.method === 'PATCH' && r.path.includes(interaction.token));
    if (edit) {
      answered.push(edit.at - record.dispatchedAt);
      last = Math.max(last, edit.at);
    }
  }
  const stats = (values: number[]) => ({
    p50Ms: percentile(values, 0.5) ?? 0,
    p95Ms: percentile(values, 0.95) ?? 0,
    maxMs: Math.max(0, ...values),
  });
  return {
    answered: answered.length,
    last,
    figures: {
      acknowledgement: stats(acknowledged),
      answer: stats(answered),
      notDeferred: refused,
      errors: emulator.requests.filter((r) => r.status >= 400).length,
    },
  };
}
