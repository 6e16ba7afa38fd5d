import { ApplicationCommandOptionType, MessageFlags } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/discord/bot.js';
import { BUSY, RateLimiter, WorkQueue, QueueFullError } from '../../src/discord/limits.js';
import { startBot, type RunningBot } from '../support/bot.js';
import type { DiscordEmulator } from '../../scripts/discord-emulator.js';

describe('RateLimiter', () => {
  it('allows N questions per window per user and says when the next one is allowed', () => {
    const limiter = new RateLimiter(2, 30_000);
    expect(limiter.take('a', 0)).toEqual({ ok: true });
    expect(limiter.take('a', 1_000)).toEqual({ ok: true });
    expect(limiter.take('a', 2_000)).toEqual({ ok: false, retryAfterMs: 28_000 });
    expect(limiter.take('b', 2_000)).toEqual({ ok: true });
    expect(limiter.take('a', 30_000)).toEqual({ ok: true });
  });
});

describe('WorkQueue', () => {
  it('runs a bounded number at once, queues a bounded number, and refuses the rest', async () => {
    const queue = new WorkQueue(1, 1);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const first = queue.run(async () => { await held; order.push('first'); });
    const second = queue.run(async () => { order.push('second'); });
    expect(queue.full).toBe(true);
    await expect(queue.run(async () => undefined)).rejects.toBeInstanceOf(QueueFullError);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
    expect(queue.pending).toBe(0);
  });
});

describe('limits through Discord', () => {
  let emulator: DiscordEmulator;
  let bot: Bot;
  let running: RunningBot;

  beforeAll(async () => {
    running = await startBot(() => ({
      RATE_LIMIT_QUESTIONS: '2',
      RATE_LIMIT_WINDOW_SECONDS: '600',
      MAX_CONCURRENT_ANSWERS: '1',
      MAX_QUEUED_QUESTIONS: '0',
    }));
    ({ emulator, bot } = running);
  });

  afterAll(() => running?.stop());

  const ask = (user: 'regular' | 'admin') =>
    emulator.sendSlashCommand({
      name: 'ask',
      user: emulator.fixture.users[user],
      guildId: emulator.fixture.guild.id,
      options: [{ name: 'question', type: ApplicationCommandOptionType.String, value: 'Is Jack Ma open to working with Apple?' }],
    });

  it('tells a user who asks too often, privately, when to try again; others are unaffected', async () => {
    for (let i = 0; i < 2; i++) expect((await emulator.waitForInteractionReply(ask('regular').id)).content).toContain('open to working with Apple');
    const refused = await emulator.waitForInteractionReply(ask('regular').id);
    expect(refused.content).toMatch(/try again in \d+ s \(<t:\d+:R>\)/);
    expect(refused.flags & MessageFlags.Ephemeral).toBeTruthy();
    const dm = emulator.sendMessage({ content: 'Is Jack Ma open to working with Apple?' });
    const dmReply = await emulator.waitForRequest((r) => (r.body as { message_reference?: { message_id: string } })?.message_reference?.message_id === dm.id);
    expect((dmReply.body as { content: string }).content).toMatch(/try again in \d+ s/);
    expect((await emulator.waitForInteractionReply(ask('admin').id)).content).toContain('open to working with Apple');
  });

  it('answers "busy, try again" when the queue is full', async () => {
    let release!: () => void;
    const held = bot.limits.queue.run(() => new Promise<void>((resolve) => (release = resolve)));
    const busy = await emulator.waitForInteractionReply(ask('admin').id);
    expect(busy.content).toBe(BUSY);
    expect(busy.flags & MessageFlags.Ephemeral).toBeTruthy();
    release();
    await held;
  });
});
