import { describe, expect, it } from 'vitest';
import { RateLimiter, WorkQueue, QueueFullError } from '../../src/discord/limits.js';

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
