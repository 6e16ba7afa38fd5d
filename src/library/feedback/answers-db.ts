// Opening ANSWERS_DB, which the answer log and the per-user limits share, and which every process of the bot (each
// shard) and the operator's commands open together: each opens it the same way here, and finds people only by the
// salted hash made here, so that no Discord id is ever written to it.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError } from '../../core/errors.js';
import { prepareAnswersDb } from './answers-schema.js';

// How long a statement waits for another process's write to the file before it fails: every write is a short
// transaction, so waiting this long means a stuck process, not a busy one.
const BUSY_TIMEOUT_MS = 5_000;

/** ANSWERS_DB, open and up to date, with the hash it keeps people as. */
export interface AnswersDb {
  db: Database.Database;
  /** sha256(salt:id), the salt made once per file: who came twice is seen, who came is not. */
  userHash(userId: string): string;
}

/**
 * Opens `file` (made, with its folder, when new) in WAL mode, brings its tables up to date, and reads its salt (made
 * when new). A file that cannot be opened at all is a ConfigError naming ANSWERS_DB: the setting is what to fix.
 */
export function openAnswersDb(file: string): AnswersDb {
  const db = openFile(file);
  try {
    db.pragma('foreign_keys = ON');
    prepareAnswersDb(db);
    // The salt is made once per file and never leaves it; a second process making it at once keeps the first's.
    db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run('salt', randomBytes(16).toString('hex'));
    const salt = db.prepare("SELECT value FROM meta WHERE key = 'salt'").pluck().get() as string;
    return { db, userHash: (userId) => createHash('sha256').update(`${salt}:${userId}`).digest('hex') };
  } catch (error) {
    db.close();
    throw error;
  }
}

/** The file opened in WAL mode: its first read, where a file that is no database fails. */
function openFile(file: string): Database.Database {
  let db: Database.Database | null = null;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
    db.pragma('journal_mode = WAL');
    return db;
  } catch (error) {
    db?.close();
    const code = (error as { code?: unknown }).code;
    // Another process holding the file is no fault of the setting: that failure is passed on as it is.
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) throw error;
    throw new ConfigError(
      'ANSWERS_DB',
      `${file} cannot be opened (${typeof code === 'string' ? code : 'error'}): point it at a SQLite file, or a ` +
        'new one, in a folder this user can write',
    );
  }
}
