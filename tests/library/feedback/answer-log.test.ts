import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerLog, type LoggedAnswer, type Place } from '../../../src/library/feedback/answer-log.js';
import {
  operatorReport,
  operatorText,
  reportText,
  serverReport,
} from '../../../src/library/feedback/question-report.js';
import { tempDir } from '../../support/setup.js';

// The answer log on real SQLite files: each answer keeps where it was given, a server's report holds
// only its own questions (a private one counted, never shown), the operator's holds everything, votes
// and follow-up threads stay in their server, and a file written before all this is brought over once.

const SERVER_A = '100000000000000001';
const SERVER_B = '200000000000000002';
const inA: Place = { guildId: SERVER_A, channelId: '110' };
const inB: Place = { guildId: SERVER_B, channelId: '220' };
const inDm: Place = { guildId: null, channelId: '330' };

const answer = (question: string, where: Place, privately = false): LoggedAnswer => ({
  question,
  found: false,
  citations: [{ n: 1, file: 'a.txt', quote: 'q' }],
  mode: 'lexical',
  generation: null,
  userId: '42',
  where,
  private: privately,
});

const ASKED = [
  { question: 'Who founded the public library?', where: inA, private: false },
  { question: 'Is my private diagnosis covered?', where: inA, private: true },
  { question: 'What did I ask in a direct message?', where: inDm, private: true },
  { question: 'What does server B keep to itself?', where: inB, private: false },
];

function logWithEachPlace(): AnswerLog {
  const log = new AnswerLog(path.join(tempDir(), 'answers.db'), 90);
  for (const a of ASKED) log.record(answer(a.question, a.where, a.private));
  return log;
}

describe('who reads which questions', () => {
  let log: AnswerLog;
  let a = '';
  let b = '';
  let operator = '';
  beforeAll(() => {
    log = logWithEachPlace();
    a = reportText(serverReport(log, 0, SERVER_A));
    b = reportText(serverReport(log, 0, SERVER_B));
    operator = operatorText(operatorReport(log, 0));
  });
  afterAll(() => log.close());

  it.each([
    // question, shown in server A's /report, in server B's, to the operator
    [ASKED[0]!.question, true, false, true],
    [ASKED[1]!.question, false, false, true],
    [ASKED[2]!.question, false, false, true],
    [ASKED[3]!.question, false, true, true],
  ])('%s: in A %s, in B %s, for the operator %s', (question, inServerA, inServerB, forOperator) => {
    expect(a.includes(question)).toBe(inServerA);
    expect(b.includes(question)).toBe(inServerB);
    expect(operator.includes(question)).toBe(forOperator);
  });

  it('counts a private question in its server without its words', () => {
    expect(serverReport(log, 0, SERVER_A)).toMatchObject({ answers: 2, private: 1 });
    expect(a.split('\n')[0]).toMatch(/: 2 answers, 1 of them private \(counted, not shown\)\.$/);
    expect(serverReport(log, 0, SERVER_B)).toMatchObject({ answers: 1, private: 0 });
  });

  it('gives the operator each place on its own, and one server with --server', () => {
    const all = operatorReport(log, 0);
    expect(all).toMatchObject({ answers: 4, private: 2 });
    expect(all.places.map((p) => [p.where, 'server' in p ? p.server : null, p.answers, p.private])).toEqual([
      ['server', SERVER_A, 2, 1],
      ['server', SERVER_B, 1, 0],
      ['dm', null, 1, 1],
    ]);
    expect(operator).toContain(`Server ${SERVER_A}: 2 answers (1 private).`);
    expect(operator).toContain('Direct messages: 1 answer (1 private).');
    const one = operatorReport(log, 0, SERVER_B);
    expect(one.places.map((p) => p.where)).toEqual(['server']);
    expect(operatorText(one)).toContain(ASKED[3]!.question);
    expect(operatorText(one)).not.toContain(ASKED[0]!.question);
    expect(operatorReport(log, 0, '999').places).toMatchObject([{ where: 'server', server: '999', answers: 0 }]);
  });

  it('keeps a vote in the answer’s own server, or its own DM', () => {
    const votes = logWithEachPlace();
    const [public_, , dm] = [1, 2, 3];
    expect(votes.vote(public_, '7', -1, inB)).toBeUndefined();
    expect(votes.vote(public_, '7', -1, inDm)).toBeUndefined();
    expect(votes.vote(dm, '7', -1, { guildId: null, channelId: '331' })).toBeUndefined();
    expect(votes.vote(dm, '7', -1, inA)).toBeUndefined();
    expect(serverReport(votes, 0, SERVER_A).votedDown).toEqual([]);
    // Any channel of the same server is the answer's server.
    expect(votes.vote(public_, '7', -1, { guildId: SERVER_A, channelId: '111' })).toBeNull();
    expect(votes.vote(dm, '7', 1, inDm)).toBeNull();
    expect(serverReport(votes, 0, SERVER_A).votedDown).toMatchObject([{ question: ASKED[0]!.question, score: -1 }]);
    votes.close();
  });

  it('never reads a thread’s context across servers', () => {
    const threads = logWithEachPlace();
    const thread: Place = { guildId: SERVER_B, channelId: '900' };
    // Server A's answer cannot start a thread in server B…
    expect(threads.addToThread(thread.channelId, 1, inB)).toBe(false);
    expect(threads.threadContext(thread, 5)).toBeNull();
    // …and B's own answer can.
    expect(threads.addToThread(thread.channelId, 4, inB)).toBe(true);
    expect(threads.threadContext(thread, 5)?.questions).toEqual([ASKED[3]!.question]);
    // The same thread id read as another server's is not a thread there.
    expect(threads.threadContext({ guildId: SERVER_A, channelId: '900' }, 5)).toBeNull();
    expect(threads.threadContext({ guildId: null, channelId: '900' }, 5)).toBeNull();
    threads.close();
  });
});

// ANSWERS_DB as the bot wrote it before answers recorded where they were given, verbatim.
const OLD_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS answers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  asked_at INTEGER NOT NULL,
  user_hash TEXT NOT NULL,
  question TEXT NOT NULL,
  found INTEGER NOT NULL,
  citations TEXT NOT NULL,
  mode TEXT NOT NULL,
  generation TEXT
);
CREATE INDEX IF NOT EXISTS answers_by_time ON answers(asked_at);
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
const OLD_QUESTION = 'What did people ask before servers were recorded?';

/** A file as today's bot leaves it: one answer, a vote on it, a follow-up thread on it. */
function oldFile(extra = ''): string {
  const file = path.join(tempDir(), 'answers.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(OLD_SCHEMA + extra);
  db.prepare("INSERT INTO meta (key, value) VALUES ('salt', 'old-salt')").run();
  db.prepare(
    `INSERT INTO answers (asked_at, user_hash, question, found, citations, mode, generation)
     VALUES (?, 'h1', ?, 0, '[]', 'lexical', NULL)`,
  ).run(Date.now() - 60_000, OLD_QUESTION);
  db.prepare("INSERT INTO votes (answer_id, user_hash, vote, voted_at) VALUES (1, 'h2', -1, ?)").run(Date.now());
  db.prepare("INSERT INTO thread_answers (thread_id, answer_id) VALUES ('900', 1)").run();
  db.close();
  return file;
}

const columns = (file: string): string[] => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.pragma('table_info(answers)') as { name: string }[]).map((c) => c.name);
  } finally {
    db.close();
  }
};

describe('a file written before answers recorded where they were given', () => {
  it('is brought over on first open: its answers and votes are the operator’s alone', () => {
    const file = oldFile();
    const log = new AnswerLog(file, 90);
    const report = operatorReport(log, 0);
    expect(report.places).toMatchObject([{ where: 'unrecorded', answers: 1, private: 1 }]);
    expect(report.places[0]!.votedDown).toMatchObject([{ question: OLD_QUESTION, score: -1, votes: 1 }]);
    expect(operatorText(report)).toContain('Before servers were recorded (home library): 1 answer (1 private).');
    expect(serverReport(log, 0, SERVER_A).answers).toBe(0);
    // Nowhere can vote on it or read its thread now.
    expect(log.vote(1, '7', 1, inA)).toBeUndefined();
    expect(log.vote(1, '7', 1, inDm)).toBeUndefined();
    expect(log.threadContext({ guildId: SERVER_A, channelId: '900' }, 5)).toBeNull();
    // New answers go on after it, with their places.
    expect(log.record(answer('A new one', inA))).toBe(2);
    log.close();
    expect(columns(file)).toEqual(expect.arrayContaining(['guild_id', 'channel_id', 'private']));
    // Opened again, nothing changes twice.
    const again = new AnswerLog(file, 90);
    expect(operatorReport(again, 0)).toMatchObject({ answers: 2, private: 1 });
    again.close();
  });

  it('is left as it was, and usable, when bringing it over fails part-way', () => {
    // A table under the name of the migration's last step makes that step fail after the columns were added.
    const file = oldFile('CREATE TABLE answers_by_guild (x);');
    expect(() => operatorReport(new AnswerLog(file, 90), 0)).toThrow(/answers_by_guild/);
    expect(columns(file)).not.toContain('guild_id');
    const db = new Database(file);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare('SELECT question FROM answers').pluck().all()).toEqual([OLD_QUESTION]);
    // The bot as it was can go on writing to it.
    db.prepare(
      `INSERT INTO answers (asked_at, user_hash, question, found, citations, mode, generation)
       VALUES (?, 'h3', 'still works', 1, '[]', 'lexical', NULL)`,
    ).run(Date.now());
    db.close();
  });
});
