import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { ApplicationCommandOptionType, InteractionResponseType, type APIUser } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSotu, writeSotuArticles } from '../../scripts/sotu.js';
import { percentile } from '../../src/library/evaluation.js';
import { Footnote } from '../../src/library/footnote.js';
import { DiscordEmulator } from '../../scripts/discord-emulator.js';
import { ROOT, articlesCopy, silentLog, testConfig, testEnv } from '../support/setup.js';

const USERS = 50;
const QUESTIONS = 200;
const QUESTION_TEXTS = [
  'Is Jack Ma open to working with Apple?',
  'Who reported this story?',
  'What will China become in the movie business?',
  'How do I reverse a linked list in Python?',
];

let emulator: DiscordEmulator;
let bot: ChildProcess;
let articles: string;
let output = '';

// The bot runs as `npm start` runs it, in its own process, so the event-loop delay it reports
// is its own and not the emulator's.
beforeAll(async () => {
  emulator = await DiscordEmulator.start();
  articles = articlesCopy();
  const env = testEnv({
    ARTICLES_DIR: articles,
    // The fixture server's /reindex rebuilds the home library, as in a bot run for one community.
    HOME_SERVER_IDS: emulator.fixture.guild.id,
    LOG_LEVEL: 'info',
    DISCORD_TOKEN: emulator.token,
    DISCORD_CLIENT_ID: emulator.applicationId,
    DISCORD_API_BASE: emulator.apiBase,
  });
  const footnote = new Footnote(testConfig(env), silentLog);
  await footnote.reindex();
  await footnote.close();
  bot = spawn(process.execPath, ['--import', 'tsx', 'src/cli/start.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? ROOT, ...env },
  });
  await new Promise<void>((resolve) => {
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      if (/connected to Discord/.test(output)) resolve();
    };
    bot.stdout!.on('data', read);
    bot.stderr!.on('data', read);
  });
});

afterAll(async () => {
  if (bot && bot.exitCode === null) {
    bot.kill('SIGKILL');
  }
  await emulator?.close();
});

describe('a burst of questions during a reindex', () => {
  it(
    `acknowledges ${QUESTIONS} /ask from ${USERS} users in time and answers each exactly once`,
    { timeout: 120_000 },
    async () => {
      // New articles, so the reindex has real work (chunking, embedding, graph) while the burst arrives.
      writeSotuArticles(path.join(articles, 'sotu'), loadSotu().slice(0, 20));
      const users: APIUser[] = Array.from({ length: USERS }, (_, i) => ({
        id: String(1_200_000_000_000_000_000n + BigInt(i)),
        username: `reader-${i}`,
        discriminator: '0',
        global_name: `Reader ${i}`,
        avatar: null,
      }));
      const reindex = emulator.sendSlashCommand({
        name: 'reindex',
        user: emulator.fixture.users.admin,
        guildId: emulator.fixture.guild.id,
      });
      await emulator.waitForRequest(
        (r) =>
          r.method === 'PATCH' &&
          r.path.includes(reindex.token) &&
          /Reindexing…/.test((r.body as { content?: string }).content ?? ''),
      );

      const asked = Array.from({ length: QUESTIONS }, (_, i) =>
        emulator.sendSlashCommand({
          name: 'ask',
          user: users[i % USERS],
          guildId: emulator.fixture.guild.id,
          options: [
            {
              name: 'question',
              type: ApplicationCommandOptionType.String,
              value: QUESTION_TEXTS[i % QUESTION_TEXTS.length]!,
            },
          ],
        }),
      );
      const replies = await Promise.all(asked.map((a) => emulator.waitForInteractionReply(a.id, 60_000)));
      await emulator.waitForRequest(
        (r) =>
          r.method === 'PATCH' &&
          r.path.includes(reindex.token) &&
          /Reindex complete/.test((r.body as { content?: string }).content ?? ''),
        60_000,
      );
      const exited = new Promise<number | null>((resolve) => bot.on('exit', resolve));
      bot.kill('SIGTERM');
      expect(await exited).toBe(0);
      const report = output
        .split('\n')
        .filter((l) => l.includes('event-loop delay while connected'))
        .map((l) => JSON.parse(l) as { eventLoopDelayMs: { max: number; p99: number } })[0]!;

      const latencies: number[] = [];
      for (const [i, interaction] of asked.entries()) {
        const record = emulator.interaction(interaction.id)!;
        // The emulator refuses a callback later than Discord's 3 s, so a recorded one was in time.
        expect(record.callback?.type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
        const edits = emulator.requests.filter((r) => r.method === 'PATCH' && r.path.includes(interaction.token));
        expect(edits, `interaction ${i}`).toHaveLength(1);
        expect(replies[i]!.content).not.toBe('');
        latencies.push(edits[0]!.at - record.dispatchedAt);
      }
      // Each reply answers its own question: quotes for the article's questions, "not found" for the off-topic one.
      replies.forEach((reply, i) => {
        if (i % QUESTION_TEXTS.length === 3) expect(reply.content).toMatch(/couldn't find an answer/);
        else expect(reply.content).toMatch(/\[1\]/);
      });
      expect(emulator.requests.filter((r) => r.status >= 400)).toEqual([]);

      const maxDelayMs = report.eventLoopDelayMs.max;
      // Figures for the record; timing limits belong to the bench, not to assertions, beyond a
      // bound that only real blocking (a build holding the event loop for seconds) would break.
      console.info(
        `burst: ${QUESTIONS} questions, time to final reply p50 ${percentile(latencies, 0.5)} ms, p95 ${percentile(latencies, 0.95)} ms, ` +
          `max ${Math.max(...latencies)} ms; bot's event-loop delay max ${maxDelayMs} ms, p99 ${report.eventLoopDelayMs.p99} ms`,
      );
      expect(maxDelayMs).toBeLessThan(1000);
    },
  );
});
