/** The per-user rate limits and the bounded queues that every way of asking, and of adding, shares. */
import type { Config } from '../config.js';

/**
 * Per-user rate limit: at most `limit` questions in any `windowMs`. A sliding window of
 * timestamps per user; users with no recent questions are forgotten.
 */
export class RateLimiter {
  private readonly recent = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /**
   * Counts a question; when over the limit, how long until the user may ask again, and when that is (`until`, the
   * same for every refusal of one wait).
   */
  take(userId: string, now = Date.now()): { ok: true } | { ok: false; retryAfterMs: number; until: number } {
    if (this.limit <= 0) return { ok: true };
    const times = (this.recent.get(userId) ?? []).filter((t) => now - t < this.windowMs);
    if (times.length >= this.limit) {
      this.recent.set(userId, times);
      const until = times[0]! + this.windowMs;
      return { ok: false, retryAfterMs: until - now, until };
    }
    times.push(now);
    this.recent.set(userId, times);
    if (this.recent.size > 10_000) this.forget(now);
    return { ok: true };
  }

  private forget(now: number): void {
    for (const [user, times] of this.recent) if (times.every((t) => now - t >= this.windowMs)) this.recent.delete(user);
  }
}

/**
 * Who has been told to wait, and until when: a message over the limit gets one notice per wait, then silence, so
 * that twenty messages never make twenty replies.
 */
export class Notices {
  private readonly told = new Map<string, number>();

  /** True the first time `userId` is refused for the wait that ends at `until`. */
  first(userId: string, until: number, now = Date.now()): boolean {
    if (this.told.get(userId) === until) return false;
    this.told.set(userId, until);
    if (this.told.size > 10_000) for (const [user, end] of this.told) if (end <= now) this.told.delete(user);
    return true;
  }
}

/** The queue is full: the question is refused rather than left waiting for minutes. */
export class QueueFullError extends Error {
  override name = 'QueueFullError';
}

/**
 * Runs at most `concurrency` jobs at once and keeps at most `capacity` waiting; more are
 * refused at once with QueueFullError, so a burst cannot pile up unbounded work.
 */
export class WorkQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly concurrency: number,
    readonly capacity: number,
  ) {}

  get pending(): number {
    return this.running + this.waiting.length;
  }

  /** Throws QueueFullError at once when no place is free; otherwise runs `job` in turn. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.capacity) throw new QueueFullError('too many questions are waiting');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.running++;
    try {
      return await job();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  /** Whether `run` would refuse a job right now. */
  get full(): boolean {
    return this.running >= this.concurrency && this.waiting.length >= this.capacity;
  }
}

export const BUSY = 'I’m answering a lot of questions right now — please try again in a minute.';

export function slowDown(retryAfterMs: number, now = Date.now()): string {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const at = Math.ceil((now + retryAfterMs) / 1000);
  return `You’re asking faster than I can keep up with. Please try again in ${seconds} s (<t:${at}:R>).`;
}

export const ADDING_BUSY = 'I’m adding other articles right now — please try again in a minute. Nothing was changed.';

export function addingTooFast(retryAfterMs: number, now = Date.now()): string {
  const at = Math.ceil((now + retryAfterMs) / 1000);
  return `You’ve added as much as one person may for now. Please try again <t:${at}:R>. Nothing was changed.`;
}

// Adds waiting for a place at most: each holds a fetch and an index update, so a longer line only waits longer.
const QUEUED_ADDS = 10;

/** Every limit a bot enforces, one set per bot. */
export interface Limits {
  /** Questions per user (RATE_LIMIT_QUESTIONS per RATE_LIMIT_WINDOW_SECONDS). */
  rate: RateLimiter;
  /** Questions answered at once and waiting (MAX_CONCURRENT_ANSWERS, MAX_QUEUED_QUESTIONS). */
  queue: WorkQueue;
  /** Articles and feeds added per user (RATE_LIMIT_ADDS per RATE_LIMIT_ADDS_WINDOW_SECONDS). */
  adds: RateLimiter;
  /** Adds (a fetch, a parse, an index update) run at once (MAX_CONCURRENT_ADDS), so no one can take the machine. */
  addQueue: WorkQueue;
  /** The rate-limit notices given to messages, one per wait. */
  notices: Notices;
  /** The requests already counted against the question limit: a message is counted once, at the door. */
  counted: WeakSet<object>;
}

/** The limits as configured. */
export function configuredLimits({ rateLimit, queue, addLimit }: Config['discord']): Limits {
  return {
    rate: new RateLimiter(rateLimit.questions, rateLimit.windowMs),
    queue: new WorkQueue(queue.concurrency, queue.capacity),
    adds: new RateLimiter(addLimit.adds, addLimit.windowMs),
    addQueue: new WorkQueue(addLimit.concurrency, QUEUED_ADDS),
    notices: new Notices(),
    counted: new WeakSet(),
  };
}
