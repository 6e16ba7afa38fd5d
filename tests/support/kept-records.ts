// What Footnote keeps of people and servers, written by the product's own stores (AnswerLog, LimitStore, FeedStore)
// into the files a configuration names, and read back raw: for the backup and forget tests.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Config } from '../../src/config.js';
import { AnswerLog, type Place } from '../../src/library/feedback/answer-log.js';
import { FeedStore } from '../../src/library/feeds/feed-store.js';
import { HOME_LIBRARY } from '../../src/library/library-id.js';
import { LimitStore, Notices, RateLimiter } from '../../src/library/user-limits.js';

export const ALICE = '300000000000000001';
export const BOB = '300000000000000002';
export const SERVER_A = '100000000000000001';
export const SERVER_B = '100000000000000002';

const inA: Place = { guildId: SERVER_A, channelId: '110' };
const inB: Place = { guildId: SERVER_B, channelId: '220' };
const inAlicesDm: Place = { guildId: null, channelId: '330' };

/**
 * Alice asks in server A and in a DM, Bob in A and in B; each votes on the other's answer in A, and Alice's answer
 * in A opened a follow-up thread. Alice follows a feed for A and one for the home library (an operator's DM), Bob one
 * for B; each feed has seen two items. The limits count Alice's two questions, a third refused (with its notice) and
 * an add, and Bob's one question.
 */
export function writeRecords(config: Config): void {
  const log = new AnswerLog(config.answersDb, config.retainDays);
  const ask = (question: string, userId: string, where: Place): number =>
    log.record({
      question,
      found: true,
      citations: [],
      mode: 'lexical',
      generation: null,
      userId,
      where,
      private: false,
    });
  const alicesInA = ask('alice in A', ALICE, inA);
  ask('alice in a DM', ALICE, inAlicesDm);
  const bobsInA = ask('bob in A', BOB, inA);
  ask('bob in B', BOB, inB);
  log.vote(alicesInA, BOB, 1, inA);
  log.vote(bobsInA, ALICE, -1, inA);
  log.addToThread('440', alicesInA, inA);
  log.close();

  const limits = new LimitStore(config.answersDb);
  const questions = new RateLimiter(limits, 'questions', 2, 60 * 60_000);
  questions.take(ALICE);
  questions.take(ALICE);
  const refused = questions.take(ALICE);
  if (!refused.ok) new Notices(limits).first(ALICE, refused.until);
  new RateLimiter(limits, 'adds', 5, 60 * 60_000).take(ALICE);
  questions.take(BOB);
  limits.close();

  const store = FeedStore.open(config.feedsDb, true)!;
  const follow = (owner: string, addedBy: string, url: string): void => {
    const feed = store.add({ owner, url, title: url, announceTo: null, addedBy, now: 0 }, null);
    store.recordPoll(feed.id, {
      seen: ['one', 'two'],
      error: null,
      failures: 0,
      nextPollAt: 0,
      now: 0,
      forgetBefore: 0,
    });
  };
  follow(SERVER_A, ALICE, 'https://a.example/rss');
  follow(HOME_LIBRARY, ALICE, 'https://home.example/rss');
  follow(SERVER_B, BOB, 'https://b.example/rss');
  store.close();
}

/** Every row of `tables` in a SQLite file, in order. */
export function rows(file: string, tables: string[]): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()]));
  } finally {
    db.close();
  }
}

/** The questions still in the answer log, the limits' records, and the feeds with who added them. */
export function kept(config: Config): {
  questions: string[];
  votes: number;
  threads: number;
  limits: number;
  feeds: string[];
} {
  const answers = rows(config.answersDb, ['answers', 'votes', 'thread_answers', 'limit_takes', 'limit_notices']);
  const feeds = rows(config.feedsDb, ['feeds']).feeds as { owner: string; added_by: string }[];
  return {
    questions: (answers.answers as { question: string }[]).map((a) => a.question),
    votes: answers.votes!.length,
    threads: answers.thread_answers!.length,
    limits: answers.limit_takes!.length + answers.limit_notices!.length,
    feeds: feeds.map((f) => `${f.owner} by ${f.added_by}`),
  };
}

/** Everything in the stores and folders a configuration names, to tell whether anything changed. */
export function everything(config: Config): string {
  return JSON.stringify({
    answers: rows(config.answersDb, ['answers', 'votes', 'thread_answers', 'meta', 'limit_takes', 'limit_notices']),
    feeds: rows(config.feedsDb, ['feeds', 'feed_items']),
    folders: [config.articlesDir, config.indexDir, config.librariesDir, config.removedDir].map(listing),
  });
}

/** The files and folders under `dir`, relative to it, sorted. */
export function listing(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map((p) => p.split(path.sep).join('/')).sort();
}
