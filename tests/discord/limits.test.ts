import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/discord/command-types.js';
import { Notices, RateLimiter, WorkQueue, QueueFullError, configuredLimits } from '../../src/discord/limits.js';
import { roomToAdd, withinAddRate } from '../../src/discord/preconditions.js';
import type { Request } from '../../src/discord/request.js';
import { testConfig } from '../support/setup.js';

describe('RateLimiter', () => {
  it('allows N questions per window per user and says when the next one is allowed', () => {
    const limiter = new RateLimiter(2, 30_000);
    expect(limiter.take('a', 0)).toEqual({ ok: true });
    expect(limiter.take('a', 1_000)).toEqual({ ok: true });
    expect(limiter.take('a', 2_000)).toEqual({ ok: false, retryAfterMs: 28_000, until: 30_000 });
    // Still refused seconds later, with the wait counted from the first question of the window.
    expect(limiter.take('a', 7_000)).toEqual({ ok: false, retryAfterMs: 23_000, until: 30_000 });
    expect(limiter.take('b', 2_000)).toEqual({ ok: true });
    expect(limiter.take('a', 30_000)).toEqual({ ok: true });
  });
});

describe('Notices', () => {
  it('tells a person once per wait, and again in the next one', () => {
    const notices = new Notices();
    expect(notices.first('a', 30_000)).toBe(true);
    expect(notices.first('a', 30_000)).toBe(false);
    expect(notices.first('b', 30_000)).toBe(true);
    expect(notices.first('a', 95_000)).toBe(true);
  });
});

describe('WorkQueue', () => {
  it('runs a bounded number at once, queues a bounded number, and refuses the rest', async () => {
    const queue = new WorkQueue(1, 1);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const first = queue.run(async () => {
      await held;
      order.push('first');
    });
    const second = queue.run(async () => {
      order.push('second');
    });
    expect(queue.full).toBe(true);
    await expect(queue.run(async () => undefined)).rejects.toBeInstanceOf(QueueFullError);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
    expect(queue.pending).toBe(0);
  });
});

describe('the limits on adding', () => {
  const request = { userId: 'u1' } as Request;
  const contextWith = (env: Record<string, string>) =>
    ({ limits: configuredLimits(testConfig(env).discord) }) as CommandContext;

  it('gives each user RATE_LIMIT_ADDS adds per window, then says when to come back', () => {
    const context = contextWith({ RATE_LIMIT_ADDS: '1' });
    expect(withinAddRate(request, context)).toBeNull();
    expect(withinAddRate(request, context)).toMatch(/^You’ve added as much as one person may for now/);
    expect(withinAddRate({ userId: 'u2' } as Request, context)).toBeNull();
  });

  it('runs MAX_CONCURRENT_ADDS adds at once and refuses more once the line behind them is full', async () => {
    const context = contextWith({ MAX_CONCURRENT_ADDS: '1' });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const running = [context.limits.addQueue.run(() => held)];
    expect(roomToAdd(request, context)).toBeNull();
    for (let i = 0; i < 10; i++) running.push(context.limits.addQueue.run(() => Promise.resolve()));
    expect(roomToAdd(request, context)).toMatch(/^I’m adding other articles right now/);
    release();
    await Promise.all(running);
    expect(roomToAdd(request, context)).toBeNull();
  });
});
