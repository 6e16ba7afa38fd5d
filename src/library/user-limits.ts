// The per-user limits (questions, adds) and the notices to wait, kept in ANSWERS_DB rather than in a process: every
// process of the bot (each shard) counts a person against one budget, which a restart does not reset. People are
// kept as the answer log keeps them, by salted hash; a count is deleted once its window has passed.
import { openAnswersDb, type AnswersDb } from './feedback/answers-db.js';

/** What a person is limited in, each its own budget: questions asked, articles and feeds added. */
export type Budget = 'questions' | 'adds';

/** A count taken (ok), or refused: how long until the person may go on, and when that is (the same for one wait). */
export type Verdict = { ok: true } | { ok: false; retryAfterMs: number; until: number };

/**
 * The limits' own connection to ANSWERS_DB, shared by every budget and the notices of one process. Each check and
 * count is one IMMEDIATE transaction, so two processes never both take a budget's last place.
 */
export class LimitStore {
  private readonly opened: AnswersDb;

  /** Opens `file` (ANSWERS_DB), making it when new; a ConfigError naming ANSWERS_DB when it cannot be. */
  constructor(file: string) {
    this.opened = openAnswersDb(file);
    // A count lost to a power cut costs nothing; a sync to disk on every question would.
    this.opened.db.pragma('synchronous = NORMAL');
  }

  /**
   * Counts a take of `budget` by `userId` at `now`, unless they took `limit` within the last `windowMs`. Deletes
   * every count of the budget whose window has passed, so that the table holds no more than the takes of one window.
   */
  take(budget: Budget, limit: number, windowMs: number, userId: string, now: number): Verdict {
    const { db } = this.opened;
    const user = this.opened.userHash(userId);
    return db
      .transaction((): Verdict => {
        db.prepare('DELETE FROM limit_takes WHERE budget = ? AND taken_at <= ?').run(budget, now - windowMs);
        const recent = db
          .prepare(
            'SELECT count(*) AS taken, min(taken_at) AS first FROM limit_takes WHERE budget = ? AND user_hash = ?',
          )
          .get(budget, user) as { taken: number; first: number | null };
        if (recent.taken >= limit) {
          const until = recent.first! + windowMs;
          return { ok: false, retryAfterMs: until - now, until };
        }
        db.prepare('INSERT INTO limit_takes (budget, user_hash, taken_at) VALUES (?, ?, ?)').run(budget, user, now);
        return { ok: true };
      })
      .immediate();
  }

  /**
   * True the first time, in any process, that `userId` is refused for the wait that ends at `until`. Deletes the
   * notices of waits that are over.
   */
  firstNotice(userId: string, until: number, now: number): boolean {
    const { db } = this.opened;
    const user = this.opened.userHash(userId);
    return db
      .transaction(() => {
        db.prepare('DELETE FROM limit_notices WHERE until <= ?').run(now);
        const told = db.prepare('SELECT until FROM limit_notices WHERE user_hash = ?').pluck().get(user);
        if (told === until) return false;
        db.prepare(
          `INSERT INTO limit_notices (user_hash, until) VALUES (?, ?)
           ON CONFLICT (user_hash) DO UPDATE SET until = excluded.until`,
        ).run(user, until);
        return true;
      })
      .immediate();
  }

  /**
   * A person's records, found by the salted hash of their id: their questions and adds still counted, in every
   * budget, and the wait they were told of. Counted, and deleted when `apply`, in one transaction.
   */
  forgetUser(userId: string, apply: boolean): number {
    const { db } = this.opened;
    const user = this.opened.userHash(userId);
    const count = (sql: string): number => db.prepare(sql).pluck().get(user) as number;
    return db
      .transaction(() => {
        const forgotten =
          count('SELECT count(*) FROM limit_takes WHERE user_hash = ?') +
          count('SELECT count(*) FROM limit_notices WHERE user_hash = ?');
        if (apply) {
          db.prepare('DELETE FROM limit_takes WHERE user_hash = ?').run(user);
          db.prepare('DELETE FROM limit_notices WHERE user_hash = ?').run(user);
        }
        return forgotten;
      })
      .immediate();
  }

  close(): void {
    this.opened.db.close();
  }
}

/** At most `limit` takes per person in any `windowMs` (a limit of 0: none), counted in `store`'s file. */
export class RateLimiter {
  constructor(
    private readonly store: LimitStore,
    readonly budget: Budget,
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Counts a take; when over the limit, how long until the person may go on, and when that is. */
  take(userId: string, now = Date.now()): Verdict {
    if (this.limit <= 0) return { ok: true };
    return this.store.take(this.budget, this.limit, this.windowMs, userId, now);
  }
}

/**
 * Who has been told to wait, and until when: a message over the limit gets one notice per wait, then silence, so
 * that twenty messages never make twenty replies, whichever processes they reach.
 */
export class Notices {
  constructor(private readonly store: LimitStore) {}

  /** True the first time `userId` is refused for the wait that ends at `until`. */
  first(userId: string, until: number, now = Date.now()): boolean {
    return this.store.firstNotice(userId, until, now);
  }
}
