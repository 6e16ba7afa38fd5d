import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { AnswerLog } from '../../src/library/feedback/answer-log.js';
import { LimitStore, Notices, RateLimiter } from '../../src/library/user-limits.js';
import { ROOT, tempDir } from '../support/setup.js';

// The per-user limits on real SQLite files, as the shards of one bot share ANSWERS_DB: two stores in this process on
// one file, and stores in other processes, count against one budget and give one notice per wait.

const ALICE = '300000000000000001';
const BOB = '300000000000000002';
const HOUR = 3_600_000;

const opened: LimitStore[] = [];
afterEach(() => {
  for (const store of opened.splice(0)) store.close();
});

const newFile = (): string => path.join(tempDir('footnote-limits-'), 'answers.db');

function open(file: string): LimitStore {
  const store = new LimitStore(file);
  opened.push(store);
  return store;
}

/** The rows of a limits table, read on a connection of their own. */
function rowCount(file: string, table: 'limit_takes' | 'limit_notices'): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
}

// A shard's limits in a process of its own: it opens the file, says "ready", then answers one JSON line per command.
const SHARD = `
import { createInterface } from 'node:readline';
import { LimitStore, Notices, RateLimiter } from ${JSON.stringify(path.join(ROOT, 'src/library/user-limits.ts'))};
const store = new LimitStore(process.argv[1]);
const notices = new Notices(store);
process.stdout.write('ready\\n');
for await (const line of createInterface({ input: process.stdin })) {
  const c = JSON.parse(line);
  if (c.op === 'take') {
    const limiter = new RateLimiter(store, c.budget, c.limit, c.windowMs);
    const verdicts = [];
    for (let i = 0; i < c.times; i++) for (const user of c.users) verdicts.push(limiter.take(user, c.now ?? Date.now()));
    process.stdout.write(JSON.stringify(verdicts) + '\\n');
  } else {
    process.stdout.write(JSON.stringify(notices.first(c.user, c.until, c.now)) + '\\n');
  }
}
store.close();
`;

interface Shard {
  child: ChildProcessByStdio<Writable, Readable, null>;
  /** Sends a command and resolves with its answer. */
  send(command: object): Promise<unknown>;
}

const shards: Shard[] = [];
afterEach(async () => {
  for (const { child } of shards.splice(0)) {
    child.stdin.end();
    if (child.exitCode === null) await once(child, 'exit');
  }
});

/** A process with its own LimitStore on `file`, once it has opened it. */
async function startShard(file: string): Promise<Shard> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SHARD, file], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const line = await lines.next();
    if (line.done) throw new Error('the shard process ended');
    return line.value;
  };
  expect(await next()).toBe('ready');
  const shard: Shard = {
    child,
    send: async (command) => {
      child.stdin.write(`${JSON.stringify(command)}\n`);
      return JSON.parse(await next()) as unknown;
    },
  };
  shards.push(shard);
  return shard;
}

describe('RateLimiter', () => {
  it('allows N per window per user and says when the next is allowed', () => {
    const limiter = new RateLimiter(open(newFile()), 'questions', 2, 30_000);
    expect(limiter.take('a', 0)).toEqual({ ok: true });
    expect(limiter.take('a', 1_000)).toEqual({ ok: true });
    expect(limiter.take('a', 2_000)).toEqual({ ok: false, retryAfterMs: 28_000, until: 30_000 });
    // Still refused seconds later, with the wait counted from the first of the window.
    expect(limiter.take('a', 7_000)).toEqual({ ok: false, retryAfterMs: 23_000, until: 30_000 });
    expect(limiter.take('b', 2_000)).toEqual({ ok: true });
    expect(limiter.take('a', 30_000)).toEqual({ ok: true });
  });

  it('gives two stores on one file, as two shards have, one budget per user; each budget its own', () => {
    const file = newFile();
    const [first, second] = [open(file), open(file)];
    const inFirst = new RateLimiter(first, 'questions', 2, 30_000);
    const inSecond = new RateLimiter(second, 'questions', 2, 30_000);
    expect(inFirst.take('a', 0)).toEqual({ ok: true });
    expect(inSecond.take('a', 1_000)).toEqual({ ok: true });
    expect(inFirst.take('a', 2_000)).toEqual({ ok: false, retryAfterMs: 28_000, until: 30_000 });
    expect(inSecond.take('a', 7_000)).toEqual({ ok: false, retryAfterMs: 23_000, until: 30_000 });
    // Adding is counted apart from asking.
    expect(new RateLimiter(second, 'adds', 1, HOUR).take('a', 7_000)).toEqual({ ok: true });
    expect(new RateLimiter(first, 'adds', 1, HOUR).take('a', 8_000)).toMatchObject({ ok: false, until: 7_000 + HOUR });
    expect(inSecond.take('a', 30_000)).toEqual({ ok: true });
  });

  it('never lets processes taking from one budget at once exceed it together', { timeout: 60_000 }, async () => {
    const file = newFile();
    open(file);
    const running = await Promise.all([1, 2, 3, 4].map(() => startShard(file)));
    // A hundred people, each asking 15 times in each of the four processes at once (60 times) for a budget of 10: a
    // hundred moments where the processes race for a budget's last place.
    const users = Array.from({ length: 100 }, (_, i) => `user${i}`);
    const command = { op: 'take', budget: 'questions', limit: 10, windowMs: HOUR, users, times: 15 };
    const answers = (await Promise.all(running.map((s) => s.send(command)))) as { ok: boolean }[][];
    const taken = new Map<string, number>();
    for (const verdicts of answers) {
      expect(verdicts).toHaveLength(15 * users.length);
      verdicts.forEach((v, i) => {
        const user = users[i % users.length]!;
        if (v.ok) taken.set(user, (taken.get(user) ?? 0) + 1);
      });
    }
    expect(users.map((u) => taken.get(u))).toEqual(users.map(() => 10));
    expect(rowCount(file, 'limit_takes')).toBe(1000);
    // And a process that comes later finds each budget spent.
    expect(new RateLimiter(open(file), 'questions', 10, HOUR).take('user0')).toMatchObject({ ok: false });
  });

  it('deletes every count whose window has passed, so the table holds one window of counts', () => {
    const file = newFile();
    const store = open(file);
    const questions = new RateLimiter(store, 'questions', 5, 30_000);
    const adds = new RateLimiter(store, 'adds', 5, HOUR);
    for (let user = 0; user < 100; user++) questions.take(`user${user}`, user);
    adds.take(ALICE, 0);
    expect(rowCount(file, 'limit_takes')).toBe(101);
    // 30 s after the last of them, one more question: every other question's window is over.
    expect(questions.take(BOB, 30_099)).toEqual({ ok: true });
    // The add's window (an hour) is not.
    expect(rowCount(file, 'limit_takes')).toBe(2);
  });

  it('keeps its counts across a restart, and closes its file', () => {
    const file = newFile();
    const store = new LimitStore(file);
    const before = new RateLimiter(store, 'questions', 1, HOUR);
    expect(before.take(ALICE, 0)).toEqual({ ok: true });
    store.close();
    expect(() => before.take(ALICE, 1)).toThrow(/not open/);
    // The last connection closed: SQLite folded its log back into the file.
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    expect(new RateLimiter(open(file), 'questions', 1, HOUR).take(ALICE, 1_000)).toMatchObject({ ok: false });
  });
});

describe('Notices', () => {
  it('tells a person once per wait, and again in the next one', () => {
    const notices = new Notices(open(newFile()));
    expect(notices.first('a', 30_000, 0)).toBe(true);
    expect(notices.first('a', 30_000, 0)).toBe(false);
    expect(notices.first('b', 30_000, 0)).toBe(true);
    expect(notices.first('a', 95_000, 40_000)).toBe(true);
  });

  it('is given once per wait across processes: the second process does not tell again', async () => {
    const file = newFile();
    const shard = await startShard(file);
    // The budget is spent in the other process, which refuses and tells first.
    const take = { op: 'take', budget: 'questions', limit: 2, windowMs: HOUR, users: [ALICE], times: 3, now: 1_000 };
    const verdicts = (await shard.send(take)) as { ok: boolean; until?: number }[];
    expect(verdicts.map((v) => v.ok)).toEqual([true, true, false]);
    const until = verdicts[2]!.until!;
    expect(await shard.send({ op: 'notice', user: ALICE, until, now: 2_000 })).toBe(true);

    // Here the same wait is refused, ending at the same moment, and not told again.
    const store = open(file);
    expect(new RateLimiter(store, 'questions', 2, HOUR).take(ALICE, 3_000)).toEqual({
      ok: false,
      retryAfterMs: until - 3_000,
      until,
    });
    const notices = new Notices(store);
    expect(notices.first(ALICE, until, 3_000)).toBe(false);
    // The next wait is told once, wherever it is told first.
    expect(notices.first(ALICE, until + HOUR, until + 1)).toBe(true);
    expect(await shard.send({ op: 'notice', user: ALICE, until: until + HOUR, now: until + 2 })).toBe(false);
  });

  it('deletes the notices of waits that are over', () => {
    const file = newFile();
    const notices = new Notices(open(file));
    for (let user = 0; user < 50; user++) notices.first(`user${user}`, 30_000, 0);
    expect(rowCount(file, 'limit_notices')).toBe(50);
    expect(notices.first(ALICE, 60_000, 30_000)).toBe(true);
    expect(rowCount(file, 'limit_notices')).toBe(1);
  });
});

describe('what the limits keep of people', () => {
  it('is the answer log’s salted hash of their id, never the id', () => {
    const file = newFile();
    const store = new LimitStore(file);
    new RateLimiter(store, 'questions', 5, HOUR).take(ALICE);
    new Notices(store).first(ALICE, Date.now() + HOUR);
    store.close();
    const log = new AnswerLog(file, 90);
    const where = { guildId: null, channelId: '330' };
    log.record({
      question: 'q',
      found: false,
      citations: [],
      mode: 'lexical',
      generation: null,
      userId: ALICE,
      where,
      private: true,
    });
    log.close();

    const db = new Database(file, { readonly: true });
    const hashes = (sql: string): unknown[] => db.prepare(sql).pluck().all();
    const answered = hashes('SELECT user_hash FROM answers');
    expect(hashes('SELECT user_hash FROM limit_takes')).toEqual(answered);
    expect(hashes('SELECT user_hash FROM limit_notices')).toEqual(answered);
    expect(hashes("SELECT value FROM meta WHERE key = 'salt'")).toHaveLength(1);
    db.close();
    expect(fs.readFileSync(file).includes(ALICE)).toBe(false);
  });

  it('is counted, and deleted when asked, for one person in every budget, with their notice', () => {
    const file = newFile();
    const store = open(file);
    const questions = new RateLimiter(store, 'questions', 1, HOUR);
    questions.take(ALICE, 0);
    expect(questions.take(ALICE, 1)).toMatchObject({ ok: false });
    new Notices(store).first(ALICE, HOUR, 1);
    new RateLimiter(store, 'adds', 5, HOUR).take(ALICE, 2);
    questions.take(BOB, 3);

    expect(store.forgetUser(ALICE, false)).toBe(3);
    expect(rowCount(file, 'limit_takes') + rowCount(file, 'limit_notices')).toBe(4);
    expect(store.forgetUser(ALICE, true)).toBe(3);
    expect(store.forgetUser(ALICE, false)).toBe(0);
    // Her budget starts afresh; Bob's is whole.
    expect(questions.take(ALICE, 4)).toEqual({ ok: true });
    expect(questions.take(BOB, 5)).toMatchObject({ ok: false });
  });
});

describe('a file the limits cannot open', () => {
  it('is a ConfigError naming ANSWERS_DB: a path through a file, or a file that is no database', () => {
    const dir = tempDir('footnote-limits-');
    const notADatabase = path.join(dir, 'answers.db');
    fs.writeFileSync(notADatabase, 'These are my notes, not a database. '.repeat(100));
    for (const file of [path.join(notADatabase, 'answers.db'), notADatabase]) {
      const failure = (() => {
        try {
          return new LimitStore(file);
        } catch (error) {
          return error;
        }
      })();
      expect(failure).toBeInstanceOf(ConfigError);
      expect((failure as ConfigError).variable).toBe('ANSWERS_DB');
      expect((failure as Error).message).toContain(file);
    }
    expect(fs.readFileSync(notADatabase, 'utf8')).toMatch(/^These are my notes/);
  });
});
