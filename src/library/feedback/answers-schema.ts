// ANSWERS_DB's tables: the answer log's, with the one change made to files written before answers recorded where
// they were given, and the per-user limits'. A file is brought up to date when it is opened, in one transaction.
import type Database from 'better-sqlite3';

// The tables as first written; a new file is made the same way as an old one is updated, so the two never differ.
const FIRST_SCHEMA = `
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

// Where each answer was given, so that a server reads only its own. An answer recorded before has
// neither server nor channel and counts as private: it belongs to the home library, for the operator.
const WHERE_ASKED = `
-- The Discord server; NULL in a direct message (and before servers were recorded).
ALTER TABLE answers ADD COLUMN guild_id TEXT;
-- The channel, thread or DM channel; NULL only before servers were recorded.
ALTER TABLE answers ADD COLUMN channel_id TEXT;
-- 1 when only the asker saw the answer (/ask private:true, a direct message).
ALTER TABLE answers ADD COLUMN private INTEGER NOT NULL DEFAULT 1;
CREATE INDEX answers_by_guild ON answers(guild_id, asked_at);
`;

// The per-user limits (src/library/user-limits.ts), kept here so that every process counts against one budget. Made
// alike in a new file and an old one, which lacks them.
const LIMITS = `
-- One row per question or add counted against a person's limit, deleted once its window has passed.
CREATE TABLE IF NOT EXISTS limit_takes (
  -- Which limit: 'questions' or 'adds'.
  budget TEXT NOT NULL,
  -- sha256(salt + Discord user id), as answers.user_hash.
  user_hash TEXT NOT NULL,
  taken_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS limit_takes_by_user ON limit_takes(budget, user_hash, taken_at);
CREATE INDEX IF NOT EXISTS limit_takes_by_time ON limit_takes(budget, taken_at);
-- The wait each person over the question limit was told of (ms when it ends): one notice per wait. Deleted once over.
CREATE TABLE IF NOT EXISTS limit_notices (
  user_hash TEXT PRIMARY KEY,
  until INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS limit_notices_by_end ON limit_notices(until);
`;

/**
 * Makes `db` hold the current tables. IMMEDIATE: a second process opening the same old file (the
 * bot and `npm run report`) waits, then finds it updated. A failure rolls it all back, leaving
 * the file as it was.
 */
export function prepareAnswersDb(db: Database.Database): void {
  db.transaction(() => {
    db.exec(FIRST_SCHEMA);
    const columns = db.pragma('table_info(answers)') as { name: string }[];
    if (!columns.some((c) => c.name === 'guild_id')) db.exec(WHERE_ASKED);
    db.exec(LIMITS);
  }).immediate();
}
