/**
 * The per-user rate limits and the bounded queues that every way of asking, and of adding, shares. The limits are
 * kept in ANSWERS_DB (src/library/user-limits.ts), one budget per person across every process of the bot; the queues
 * are this process's.
 */
import type { Config } from '../config.js';
import { LimitStore, Notices, RateLimiter } from '../library/user-limits.js';

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

/** Every limit a bot enforces, one set per bot; close() once the bot has stopped. */
export interface Limits {
  /** Questions per user (RATE_LIMIT_QUESTIONS per RATE_LIMIT_WINDOW_SECONDS), in every process together. */
  rate: RateLimiter;
  /** Questions answered at once and waiting (MAX_CONCURRENT_ANSWERS, MAX_QUEUED_QUESTIONS), in this process. */
  queue: WorkQueue;
  /** Articles and feeds added per user (RATE_LIMIT_ADDS per RATE_LIMIT_ADDS_WINDOW_SECONDS), in every process. */
  adds: RateLimiter;
  /** Adds (a fetch, a parse, an index update) run at once (MAX_CONCURRENT_ADDS), so no one can take the machine. */
  addQueue: WorkQueue;
  /** The rate-limit notices given to messages, one per wait, in every process. */
  notices: Notices;
  /** The requests already counted against the question limit: a message is counted once, at the door. */
  counted: WeakSet<object>;
  /** Closes ANSWERS_DB as the limits hold it open. */
  close(): void;
}

/**
 * The limits as configured, their budgets opened in ANSWERS_DB (a ConfigError naming it when it cannot be opened).
 */
export function configuredLimits({ discord, answersDb }: Pick<Config, 'discord' | 'answersDb'>): Limits {
  const { rateLimit, queue, addLimit } = discord;
  const store = new LimitStore(answersDb);
  return {
    rate: new RateLimiter(store, 'questions', rateLimit.questions, rateLimit.windowMs),
    // The queues bound this process's CPU, so each process keeps its own.
    queue: new WorkQueue(queue.concurrency, queue.capacity),
    adds: new RateLimiter(store, 'adds', addLimit.adds, addLimit.windowMs),
    addQueue: new WorkQueue(addLimit.concurrency, QUEUED_ADDS),
    notices: new Notices(store),
    counted: new WeakSet(),
    close: () => store.close(),
  };
}
