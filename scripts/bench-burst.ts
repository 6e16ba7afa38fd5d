/**
 * `npm run bench -- --burst`: questions from many users at once through the bot path. The bot
 * runs as `npm start` runs it (the compiled code, its own process) against the local Discord
 * emulator; every question is a /ask sent at the same moment. Reports, per question, the time to
 * Discord's acknowledgement (the deferred reply) and to the answer, and answers per second.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ApplicationCommandOptionType, InteractionResponseType, type APIUser } from 'discord.js';
import type { Config } from '../src/config.js';
import { percentile } from '../src/library/evaluation.js';
import { Footnote } from '../src/library/footnote.js';
import type { Logger } from '../src/log.js';
import { makeQuestions } from './bench-questions.js';
import { DiscordEmulator } from './discord-emulator.js';

export interface BurstOptions {
  questions: number;
  users: number;
  seed: number;
}

const ROOT = path.resolve(import.meta.dirname, '..');
const START = path.join(ROOT, 'dist/src/cli/start.js');

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
  await builder.close();
  const questions = makeQuestions(passages, options.questions, options.seed);

  const emulator = await DiscordEmulator.start();
  const env = {
    PATH: process.env.PATH!,
    HOME: process.env.HOME ?? ROOT,
    ARTICLES_DIR: config.articlesDir,
    INDEX_DIR: config.indexDir,
    EMBEDDING_MODEL: config.embeddingModel,
    EMBEDDING_DTYPE: config.embeddingDtype,
    MODELS_DIR: config.modelsDir,
    ALLOW_REMOTE_MODELS: 'false',
    LOG_LEVEL: 'info',
    DISCORD_TOKEN: emulator.token,
    DISCORD_CLIENT_ID: emulator.applicationId,
    DISCORD_API_BASE: emulator.apiBase,
  };
  const bot = spawn(process.execPath, [START], { cwd: ROOT, env });
  let output = '';
  try {
    // Ready when connected and the model is loaded, so the burst measures the steady state.
    await new Promise<void>((resolve, reject) => {
      const read = (chunk: Buffer): void => {
        output += chunk.toString();
        if (/connected to Discord/.test(output) && /the embedding model is loaded/.test(output)) resolve();
      };
      bot.stdout.on('data', read);
      bot.stderr.on('data', read);
      bot.on('exit', (code) => reject(new Error(`the bot exited (code ${code}) before it was ready:\n${output}`)));
    });
    const users: APIUser[] = Array.from({ length: options.users }, (_, i) => ({
      id: String(1_300_000_000_000_000_000n + BigInt(i)),
      username: `bench-${i}`,
      discriminator: '0',
      global_name: `Bench ${i}`,
      avatar: null,
    }));
    note(`sending ${questions.length} /ask from ${users.length} users at once`);
    const sentAt = Date.now();
    const asked = questions.map((q, i) =>
      emulator.sendSlashCommand({
        name: 'ask',
        user: users[i % users.length],
        guildId: emulator.fixture.guild.id,
        options: [{ name: 'question', type: ApplicationCommandOptionType.String, value: q.text }],
      }),
    );
    await Promise.all(asked.map((a) => emulator.waitForInteractionReply(a.id, 300_000)));
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
      questions: questions.length,
      users: users.length,
      model: { id: config.embeddingModel, dtype: config.embeddingDtype },
      acknowledgement: stats(acknowledged),
      answer: stats(answered),
      answersPerSecond: Number((answered.length / Math.max(0.001, (last - sentAt) / 1000)).toFixed(1)),
      notDeferred: refused,
      errors: emulator.requests.filter((r) => r.status >= 400).length,
    };
  } finally {
    bot.kill('SIGTERM');
    await new Promise((resolve) => (bot.exitCode === null ? bot.once('exit', resolve) : resolve(null)));
    await emulator.close();
  }
}
