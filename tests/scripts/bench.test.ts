import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/setup.js';

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
function bench<Report>(args: string[], timeout = 120_000): Report {
  const run = spawnSync('npm', ['run', '--silent', 'bench', '--', ...args, '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout,
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
