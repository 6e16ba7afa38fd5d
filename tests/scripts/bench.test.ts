import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { botEnv } from '../../scripts/bench-burst.js';
import { ROOT, testConfig } from '../support/setup.js';

/** `npm run bench -- --json` on the articles' questions, as these tests read it. */
interface QuestionsReport {
  queries: { count: number } & Record<string, number>;
}

/** With --synthetic N. */
interface SyntheticReport {
  passages: number;
  articles: number;
  recall: { efSearch: number; recallAt10: number }[];
  latency: Record<string, { p50Ms: number }>;
  bytes: { db: number };
}

/** With --burst. */
interface BurstReport {
  questions: number;
  users: number;
  notDeferred: number;
  errors: number;
  servers: number;
  answer: { p50Ms: number };
  answersPerSecond: number;
  bot: {
    idle: { rssMb: number; cpuPercent: number };
    burst: { peakRssMb: number; cpuMsPerAnswer: number };
  };
  eventLoopDelayMs: { max: number; p99: number } | null;
  hostile: { questions: number; withoutThem: { answer: { p95Ms: number } }; p95Ratio: number } | null;
  sustained: {
    questions: number;
    batch: number;
    busy: number;
    unanswered: number;
    errors: number;
    memory: { rssBeforeMb: number; rssAfterMb: number; rssSettledMb: number; cpuMsPerAnswer: number };
  } | null;
}

/** With --libraries N. */
interface LibrariesReport {
  libraries: number;
  firstAnswerMs: number;
  closedLibraryFirstAnswerMs: { p50: number };
  openMeasured: number;
  rssPerOpenLibraryMb: number | null;
}

// The figures themselves belong to `npm run bench`; here only that it runs and reports them all.
function bench<Report>(args: string[], timeout = 120_000, env: Record<string, string> = {}): Report {
  const run = spawnSync('npm', ['run', '--silent', 'bench', '--', ...args, '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, ...env },
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Report;
}

describe('npm run bench', () => {
  it('--libraries N makes N server libraries and times first answers from a new registry', () => {
    const r = bench<LibrariesReport>(['--libraries', '3']);
    expect(r.libraries).toBe(3);
    expect(r.firstAnswerMs).toBeGreaterThan(0);
    expect(r.closedLibraryFirstAnswerMs.p50).toBeGreaterThan(0);
    expect(r.openMeasured).toBe(0);
  });

  it('reports the whole answer against the bare query embedding and the lexical answer, on the same questions', () => {
    const r = bench<QuestionsReport>(['--limit', '2', '--queries', '5', '--sample', '16']);
    expect(r.queries.count).toBe(5);
    for (const key of [
      'p50Ms',
      'p95Ms',
      'bareEmbedP50Ms',
      'bareEmbedP95Ms',
      'lexicalP50Ms',
      'lexicalP95Ms',
      'lexicalWarmP50Ms',
      'lexicalWarmP95Ms',
    ])
      expect(r.queries[key]).toBeGreaterThan(0);
  });

  it('--synthetic N builds an index of N passages with the product store and measures HNSW recall against exact search', () => {
    const r = bench<SyntheticReport>(['--synthetic', '600']);
    expect(r.passages).toBe(600);
    expect(r.articles).toBe(30);
    expect(r.recall.map((x) => x.efSearch)).toEqual([16, 32, 64, 128, 160, 192, 256, 384, 512]);
    // At 600 passages, the longest candidate list visits nearly all of them: the graph's answers are the exact ones.
    expect(r.recall.at(-1)?.recallAt10).toBeGreaterThanOrEqual(0.99);
    for (const key of ['bareEmbed', 'retrievalHybrid', 'retrievalLexical', 'answerHybrid', 'answerLexical'])
      expect(r.latency[key]?.p50Ms).toBeGreaterThan(0);
    expect(r.bytes.db).toBeGreaterThan(0);
  });

  it('--burst sends the questions at once through the compiled bot and the emulator, and every one is acknowledged and answered', () => {
    const r = bench<BurstReport>(['--burst', '--limit', '1', '--queries', '20', '--servers', '3', '--idle', '1']);
    expect(r).toMatchObject({ questions: 20, users: 50, servers: 3, notDeferred: 0, errors: 0 });
    expect(r.answer.p50Ms).toBeGreaterThan(0);
    expect(r.answersPerSecond).toBeGreaterThan(0);
    // The bot's own process, read from /proc: a node process holding a model, working for its answers.
    expect(r.bot.idle.rssMb).toBeGreaterThan(50);
    expect(r.bot.burst.peakRssMb).toBeGreaterThanOrEqual(r.bot.idle.rssMb * 0.9);
    expect(r.bot.burst.cpuMsPerAnswer).toBeGreaterThan(0);
    expect(r.eventLoopDelayMs?.max).toBeGreaterThan(0);
    expect(r.hostile).toBeNull();
    expect(r.sustained).toBeNull();
  });

  it('--questions N asks N more, in batches the bot queues whole, and reads its memory before and after', () => {
    // A queue of one answered and two waiting: batches of three, all the bot takes at once.
    const queue = { MAX_CONCURRENT_ANSWERS: '1', MAX_QUEUED_QUESTIONS: '2' };
    const r = bench<BurstReport>(
      ['--burst', '--limit', '1', '--queries', '3', '--questions', '12', '--idle', '1'],
      120_000,
      queue,
    );
    expect(r.sustained).toMatchObject({ questions: 12, batch: 3, busy: 0, unanswered: 0, errors: 0 });
    expect(r.sustained!.memory.rssBeforeMb).toBeGreaterThan(50);
    expect(r.sustained!.memory.rssAfterMb).toBeGreaterThan(50);
    expect(r.sustained!.memory.rssSettledMb).toBeGreaterThan(50);
  });

  it('--burst starts the bot with the caller’s tuning variables and question limits', () => {
    const tuning = {
      CHUNK_MAX_TOKENS: '120',
      CHUNK_OVERLAP_SENTENCES: '2',
      HNSW_M: '24',
      HNSW_EF_CONSTRUCTION: '150',
      HNSW_EF_SEARCH: '99',
      RETRIEVAL_MODE: 'lexical',
      TOP_K: '5',
      MIN_SCORE: '0.35',
      MIN_LEXICAL_SCORE: '0.4',
      MEANING_MARGIN: '6',
      MODEL_THREADS: '2',
      RATE_LIMIT_QUESTIONS: '9',
      RATE_LIMIT_WINDOW_SECONDS: '40',
      MAX_CONCURRENT_ANSWERS: '3',
      MAX_QUEUED_QUESTIONS: '50',
    };
    const settings = (c: ReturnType<typeof loadConfig>) => {
      const { chunkMaxTokens, chunkOverlapSentences, hnsw, retrievalMode, topK, minScore, minLexicalScore } = c;
      const { meaningMargin, modelThreads, discord } = c;
      return {
        ...{ chunkMaxTokens, chunkOverlapSentences, hnsw, retrievalMode, topK, minScore, minLexicalScore },
        ...{ meaningMargin, modelThreads, rateLimit: discord.rateLimit, queue: discord.queue },
      };
    };
    const given = testConfig(tuning);
    const discord = { token: 'token', applicationId: '1100000000000000100', apiBase: 'http://127.0.0.1:9/api' };
    const bot = loadConfig(botEnv(discord, given), ROOT);
    expect(settings(bot)).toEqual(settings(given));
    expect(settings(bot)).not.toEqual(settings(testConfig()));
  });

  it('--hostile N sends hostile questions with the burst, and compares with a burst without them', () => {
    const args = ['--burst', '--limit', '1', '--queries', '10', '--hostile', '6', '--idle', '1'];
    const r = bench<BurstReport>(args, 240_000);
    expect(r).toMatchObject({ questions: 10, notDeferred: 0, errors: 0, hostile: { questions: 6 } });
    expect(r.hostile!.withoutThem.answer.p95Ms).toBeGreaterThan(0);
    expect(r.hostile!.p95Ratio).toBeGreaterThan(0);
    expect(r.eventLoopDelayMs?.max).toBeGreaterThan(0);
  }, 300_000);

  it('--servers needs --burst', () => {
    const run = spawnSync('npm', ['run', '--silent', 'bench', '--', '--servers', '2'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--servers applies to --burst/);
  });
});
