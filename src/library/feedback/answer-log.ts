// The answers the bot gave on Discord and the votes on them, in their own SQLite file (ANSWERS_DB): what /report
// reads. People are kept only as salted hashes of their ids, and records older than RETAIN_DAYS are pruned. Each
// answer keeps where it was given, and nothing reached from one server (a vote, a thread) reads another's.
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { openAnswersDb, type AnswersDb } from './answers-db.js';

export type Vote = 1 | -1;

export interface LoggedAnswer {
  question: string;
  found: boolean;
  citations: { n: number; file: string; quote: string }[];
  mode: string;
  /** When the index that answered was built: which generation of the articles it saw. */
  generation: string | null;
  userId: string;
  where: Place;
  /** Only the asker saw it (/ask private:true, a direct message): /report counts it but never shows it. */
  private: boolean;
}

/** Where an answer was given, or a button clicked. */
export interface Place {
  /** The server; null in a direct message. */
  guildId: string | null;
  channelId: string;
}

/** An answer as the reports read it. */
export interface LoggedRow {
  question: string;
  found: boolean;
  citations: string;
  /** The sum of its votes, and their number. */
  score: number;
  votes: number;
  guildId: string | null;
  /** Null only for answers recorded before places were. */
  channelId: string | null;
  private: boolean;
}

// An answer given in `place`: in the same server, or in a DM, the same DM channel. An answer recorded
// before places were (no channel) is from nowhere a button can be clicked.
const GIVEN_IN = `(a.guild_id = @guild OR (@guild IS NULL AND a.guild_id IS NULL AND a.channel_id = @channel))`;
const placeParams = (place: Place) => ({ guild: place.guildId, channel: place.channelId });

/** What forgetting someone or a server takes from the log: answers (each with the votes and threads on it), votes. */
export interface ForgottenAnswers {
  answers: number;
  votes: number;
}

const DAY_MS = 24 * 60 * 60_000;
const PRUNE_EVERY_MS = 60 * 60_000;

export class AnswerLog {
  private opened: AnswersDb | null = null;
  private prunedAt = -Infinity;

  private readonly now: () => number;
  private readonly prunes: boolean;

  /**
   * `prunes: false` leaves deleting old answers to another process on the same file (a sharded bot's shard 0), so
   * that the upkeep runs once.
   */
  constructor(
    private readonly file: string,
    private readonly retainDays: number,
    options: { now?: () => number; prunes?: boolean } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.prunes = options.prunes ?? true;
  }

  /** Records an answer; returns the id its vote buttons carry. */
  record(answer: LoggedAnswer): number {
    const db = this.open();
    this.prune();
    const row = db
      .prepare(
        `INSERT INTO answers
           (asked_at, user_hash, question, found, citations, mode, generation, guild_id, channel_id, private)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      )
      .get(
        this.now(),
        this.hash(answer.userId),
        answer.question,
        answer.found ? 1 : 0,
        JSON.stringify(answer.citations),
        answer.mode,
        answer.generation,
        answer.where.guildId,
        answer.where.channelId,
        answer.private ? 1 : 0,
      ) as { id: number };
    return row.id;
  }

  /** Whether `answerId` is in the log and was given in `place` (its server; a DM: that DM). */
  givenIn(answerId: number, place: Place): boolean {
    if (!fs.existsSync(this.file)) return false;
    return (
      this.open()
        .prepare(`SELECT 1 FROM answers a WHERE a.id = @id AND ${GIVEN_IN}`)
        .get({ id: answerId, ...placeParams(place) }) !== undefined
    );
  }

  /**
   * One vote per person per answer, which they may change: returns the vote it replaced (null
   * for a first vote), or undefined when the answer is not (or no longer) in the log, or was
   * given elsewhere than `place`, where the vote was cast.
   */
  vote(answerId: number, userId: string, vote: Vote, place: Place): Vote | null | undefined {
    if (!this.givenIn(answerId, place)) return undefined;
    const db = this.open();
    const user = this.hash(userId);
    const previous = db
      .prepare('SELECT vote FROM votes WHERE answer_id = ? AND user_hash = ?')
      .pluck()
      .get(answerId, user) as Vote | undefined;
    db.prepare(
      `INSERT INTO votes (answer_id, user_hash, vote, voted_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (answer_id, user_hash) DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at`,
    ).run(answerId, user, vote, this.now());
    return previous ?? null;
  }

  /**
   * Makes `threadId`, in `place`'s server, a follow-up thread of `answerId`, or adds an answer given
   * in it. False (nothing added) when the answer was not given in that server.
   */
  addToThread(threadId: string, answerId: number, place: Place): boolean {
    if (!this.givenIn(answerId, place)) return false;
    this.open()
      .prepare('INSERT OR IGNORE INTO thread_answers (thread_id, answer_id) VALUES (?, ?)')
      .run(threadId, answerId);
    return true;
  }

  /**
   * A follow-up thread's last `turns` answers given in `place`'s server, oldest first (questions and
   * the files they cited), or null when `place` is not one.
   */
  threadContext(place: Place, turns: number): { questions: string[]; files: string[] } | null {
    if (place.guildId === null || !fs.existsSync(this.file)) return null;
    const rows = this.open()
      .prepare(
        `SELECT a.question, a.citations FROM thread_answers t JOIN answers a ON a.id = t.answer_id
         WHERE t.thread_id = ? AND a.guild_id = ? ORDER BY a.id DESC LIMIT ?`,
      )
      .all(place.channelId, place.guildId, turns) as { question: string; citations: string }[];
    if (!rows.length) return null;
    rows.reverse();
    const files = rows.flatMap((r) => (JSON.parse(r.citations) as { file: string }[]).map((c) => c.file));
    return { questions: rows.map((r) => r.question), files: [...new Set(files)] };
  }

  /**
   * Every answer since `since` (ms) with its votes' sum and count, oldest first: what the reports
   * group. With `guildId`, only the answers given in that server.
   */
  since(since: number, guildId?: string): LoggedRow[] {
    if (!fs.existsSync(this.file)) return [];
    return this.open()
      .prepare(
        `SELECT a.question, a.found, a.citations, coalesce(sum(v.vote), 0) AS score, count(v.vote) AS votes,
                a.guild_id AS guildId, a.channel_id AS channelId, a.private
         FROM answers a LEFT JOIN votes v ON v.answer_id = a.id
         WHERE a.asked_at >= @since AND (@guild IS NULL OR a.guild_id = @guild)
         GROUP BY a.id ORDER BY a.id`,
      )
      .all({ since, guild: guildId ?? null })
      .map((r) => {
        const row = r as Omit<LoggedRow, 'found' | 'private'> & { found: number; private: number };
        return { ...row, found: row.found === 1, private: row.private === 1 };
      });
  }

  /**
   * A person's records, found by the salted hash of their id: the answers they were given and the votes they cast.
   * Counted, and deleted when `apply`; the votes and thread entries on their answers go with them.
   */
  forgetUser(userId: string, apply: boolean): ForgottenAnswers {
    if (!fs.existsSync(this.file)) return { answers: 0, votes: 0 };
    this.open();
    return this.forget({ user: this.hash(userId) }, apply, {
      answers: 'SELECT count(*) FROM answers WHERE user_hash = @user',
      votes: 'SELECT count(*) FROM votes WHERE user_hash = @user',
      deletes: ['DELETE FROM votes WHERE user_hash = @user', 'DELETE FROM answers WHERE user_hash = @user'],
    });
  }

  /** The answers given in a server, with the votes on them: counted, and deleted (threads too) when `apply`. */
  forgetServer(guildId: string, apply: boolean): ForgottenAnswers {
    if (!fs.existsSync(this.file)) return { answers: 0, votes: 0 };
    this.open();
    return this.forget({ guild: guildId }, apply, {
      answers: 'SELECT count(*) FROM answers WHERE guild_id = @guild',
      votes: 'SELECT count(*) FROM votes v JOIN answers a ON a.id = v.answer_id WHERE a.guild_id = @guild',
      deletes: ['DELETE FROM answers WHERE guild_id = @guild'],
    });
  }

  close(): void {
    this.opened?.db.close();
    this.opened = null;
  }

  private open(): Database.Database {
    if (!this.opened) {
      this.opened = openAnswersDb(this.file);
      this.prune();
    }
    return this.opened.db;
  }

  /**
   * Counts, then runs `deletes` when `apply`, in one IMMEDIATE transaction: what is counted is what is deleted,
   * however the bot writes meanwhile. Votes and thread entries go with their answers (ON DELETE CASCADE).
   */
  private forget(
    params: Record<string, string>,
    apply: boolean,
    sql: { answers: string; votes: string; deletes: string[] },
  ): ForgottenAnswers {
    const db = this.opened!.db;
    const count = (query: string): number => db.prepare(query).pluck().get(params) as number;
    return db
      .transaction(() => {
        const forgotten = { answers: count(sql.answers), votes: count(sql.votes) };
        if (apply) for (const statement of sql.deletes) db.prepare(statement).run(params);
        return forgotten;
      })
      .immediate();
  }

  private prune(): void {
    // Records are kept for days: deleting the old ones once an hour is enough, not on every answer.
    if (!this.prunes || this.now() - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = this.now();
    this.opened!.db.prepare('DELETE FROM answers WHERE asked_at < ?').run(this.now() - this.retainDays * DAY_MS);
  }

  private hash(userId: string): string {
    return this.opened!.userHash(userId);
  }
}
