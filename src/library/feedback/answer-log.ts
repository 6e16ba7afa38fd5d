// The answers the bot gave on Discord and the votes on them, in their own SQLite file (ANSWERS_DB): what /report
// reads. People are kept only as salted hashes of their ids, and records older than RETAIN_DAYS are pruned.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Vote = 1 | -1;

export interface LoggedAnswer {
  question: string;
  found: boolean;
  citations: { n: number; file: string; quote: string }[];
  mode: string;
  /** When the index that answered was built: which generation of the articles it saw. */
  generation: string | null;
  userId: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS answers (
  -- AUTOINCREMENT: an id is never given again after its answer is pruned, so an old message's
  -- buttons cannot vote on a newer answer.
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  asked_at INTEGER NOT NULL,
  -- sha256(salt + Discord user id): who asked twice is seen, who asked is not.
  user_hash TEXT NOT NULL,
  question TEXT NOT NULL,
  found INTEGER NOT NULL,
  -- JSON: [{n, file, quote}]
  citations TEXT NOT NULL,
  mode TEXT NOT NULL,
  generation TEXT
);
CREATE INDEX IF NOT EXISTS answers_by_time ON answers(asked_at);
-- The answers of a follow-up thread, in order: its context.
CREATE TABLE IF NOT EXISTS thread_answers (
  thread_id TEXT NOT NULL,
  answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
  PRIMARY KEY (thread_id, answer_id)
);
CREATE TABLE IF NOT EXISTS votes (
  answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
  user_hash TEXT NOT NULL,
  vote INTEGER NOT NULL CHECK (vote IN (1, -1)),
  voted_at INTEGER NOT NULL,
  PRIMARY KEY (answer_id, user_hash)
);
`;

const DAY_MS = 24 * 60 * 60_000;
const PRUNE_EVERY_MS = 60 * 60_000;

export class AnswerLog {
  private db: Database.Database | null = null;
  private salt = '';
  private prunedAt = -Infinity;

  constructor(
    private readonly file: string,
    private readonly retainDays: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records an answer; returns the id its vote buttons carry. */
  record(answer: LoggedAnswer): number {
    const db = this.open();
    this.prune();
    const row = db
      .prepare(
        `INSERT INTO answers (asked_at, user_hash, question, found, citations, mode, generation)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      )
      .get(
        this.now(),
        this.hash(answer.userId),
        answer.question,
        answer.found ? 1 : 0,
        JSON.stringify(answer.citations),
        answer.mode,
        answer.generation,
      ) as { id: number };
    return row.id;
  }

  /**
   * One vote per person per answer, which they may change: returns the vote it replaced (null
   * for a first vote), or undefined when the answer is not (or no longer) in the log.
   */
  vote(answerId: number, userId: string, vote: Vote): Vote | null | undefined {
    const db = this.open();
    if (!db.prepare('SELECT 1 FROM answers WHERE id = ?').get(answerId)) return undefined;
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

  /** Makes `threadId` a follow-up thread of `answerId`, or adds an answer given in it. */
  addToThread(threadId: string, answerId: number): void {
    this.open()
      .prepare('INSERT OR IGNORE INTO thread_answers (thread_id, answer_id) VALUES (?, ?)')
      .run(threadId, answerId);
  }

  /**
   * A follow-up thread's last `turns` answers, oldest first (questions and the files they cited),
   * or null when `threadId` is not one.
   */
  threadContext(threadId: string, turns: number): { questions: string[]; files: string[] } | null {
    if (!fs.existsSync(this.file)) return null;
    const rows = this.open()
      .prepare(
        `SELECT a.question, a.citations FROM thread_answers t JOIN answers a ON a.id = t.answer_id
         WHERE t.thread_id = ? ORDER BY a.id DESC LIMIT ?`,
      )
      .all(threadId, turns) as { question: string; citations: string }[];
    if (!rows.length) return null;
    rows.reverse();
    const files = rows.flatMap((r) => (JSON.parse(r.citations) as { file: string }[]).map((c) => c.file));
    return { questions: rows.map((r) => r.question), files: [...new Set(files)] };
  }

  /** Every answer since `since` (ms) with its votes' sum and count: what /report groups. */
  since(since: number): { question: string; found: boolean; citations: string; score: number; votes: number }[] {
    if (!fs.existsSync(this.file)) return [];
    return this.open()
      .prepare(
        `SELECT a.question, a.found, a.citations, coalesce(sum(v.vote), 0) AS score, count(v.vote) AS votes
         FROM answers a LEFT JOIN votes v ON v.answer_id = a.id WHERE a.asked_at >= ? GROUP BY a.id ORDER BY a.id`,
      )
      .all(since)
      .map((r) => {
        const row = r as { question: string; found: number; citations: string; score: number; votes: number };
        return { ...row, found: row.found === 1 };
      });
  }

  close(): void {
    this.db?.close();
    this.db = null;
  }

  private open(): Database.Database {
    if (this.db) return this.db;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const db = new Database(this.file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.exec(SCHEMA);
    // The salt is made once per file and never leaves it.
    db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run('salt', randomBytes(16).toString('hex'));
    this.salt = db.prepare("SELECT value FROM meta WHERE key = 'salt'").pluck().get() as string;
    this.db = db;
    this.prune();
    return db;
  }

  private prune(): void {
    // Records are kept for days: deleting the old ones once an hour is enough, not on every answer.
    if (this.now() - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = this.now();
    this.db!.prepare('DELETE FROM answers WHERE asked_at < ?').run(this.now() - this.retainDays * DAY_MS);
  }

  private hash(userId: string): string {
    return createHash('sha256').update(`${this.salt}:${userId}`).digest('hex');
  }
}
