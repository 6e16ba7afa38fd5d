// Forgetting a person or a Discord server (the operator's `npm run forget`): what the answer log, the limits, the feeds
// and the libraries keep of them, counted first and deleted only when asked to, each store in its own transaction.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isDiscordId, type Config } from '../config.js';
import { lockIndex } from '../store/lock.js';
import { AnswerLog, type ForgottenAnswers } from './feedback/answer-log.js';
import { FeedStore } from './feeds/feed-store.js';
import { LimitStore } from './user-limits.js';

/** Who added a feed, once the person who did is forgotten: the feed is its server's and stays. */
export const FORGOTTEN_USER = 'forgotten';

/**
 * What a person leaves: the answers they were given and their votes, their recent questions and adds as the limits
 * count them, and the feeds they followed. The limits are per person: forgetting a server leaves them.
 */
export interface UserRecords extends ForgottenAnswers {
  /** Their questions and adds still counted against their limits, and the wait they were told of. */
  limits: number;
  /** Feeds they followed: those stay, credited to FORGOTTEN_USER. */
  feeds: number;
}

/** What a server leaves: the answers given there (and the votes on them), its feeds, and its library. */
export interface ServerRecords extends ForgottenAnswers {
  feeds: number;
  /** Items its feeds listed, seen so as to be taken once. */
  feedItems: number;
  library: LibraryRecords;
}

/**
 * A server's library: its own folder under LIBRARIES_DIR, none (it never added an article), or the home library
 * (a HOME_SERVER_IDS server), which forgetting the server leaves as it is.
 */
export type LibraryRecords =
  { kind: 'own'; folder: string; articles: number; files: number; bytes: number } | { kind: 'none' } | { kind: 'home' };

/** Counts a person's records, and deletes them when `apply`. */
export function forgetUser(config: Config, userId: string, apply: boolean): UserRecords {
  checkId(userId);
  const answers = withAnswerLog(config, (log) => log.forgetUser(userId, apply));
  const limits = withLimitStore(config, (store) => store.forgetUser(userId, apply)) ?? 0;
  const feeds = withFeedStore(config, (store) => store.forgetAdder(userId, FORGOTTEN_USER, apply)) ?? 0;
  return { ...answers, limits, feeds };
}

/**
 * Counts a server's records, and deletes them when `apply`. Refused (IndexLockedError) while its library is being
 * built, before anything is deleted: the build would write into the folder as it goes.
 */
export function forgetServer(config: Config, serverId: string, apply: boolean): ServerRecords {
  checkId(serverId);
  const library = libraryOf(config, serverId);
  let release = apply && library.kind === 'own' ? lockIndex(path.join(library.folder, 'index')) : null;
  try {
    // The feeds first: a poll that started before takes nothing more into the library after.
    const feeds = withFeedStore(config, (store) => store.forgetOwner(serverId, apply)) ?? { feeds: 0, items: 0 };
    const answers = withAnswerLog(config, (log) => log.forgetServer(serverId, apply));
    if (release && library.kind === 'own') {
      removeFolder(config.librariesDir, library.folder);
      // The lock went with the folder; releasing it now could delete a lock a new build took in a new folder.
      release = null;
    }
    return { ...answers, feeds: feeds.feeds, feedItems: feeds.items, library };
  } finally {
    release?.();
  }
}

/** Ids become a folder's name and SQL parameters: only a Discord id (digits) is taken. */
function checkId(id: string): void {
  if (!isDiscordId(id)) throw new Error(`not a Discord id: ${JSON.stringify(id)}`);
}

function withAnswerLog(config: Config, use: (log: AnswerLog) => ForgottenAnswers): ForgottenAnswers {
  const log = new AnswerLog(config.answersDb, config.retainDays);
  try {
    return use(log);
  } finally {
    log.close();
  }
}

/** Runs `use` on the limits in ANSWERS_DB; null when there is no such file (nothing was ever counted). */
function withLimitStore<T>(config: Config, use: (store: LimitStore) => T): T | null {
  if (!fs.existsSync(config.answersDb)) return null;
  const store = new LimitStore(config.answersDb);
  try {
    return use(store);
  } finally {
    store.close();
  }
}

/** Runs `use` on the feed file; null when there is none (no feed was ever followed). */
function withFeedStore<T>(config: Config, use: (store: FeedStore) => T): T | null {
  const store = FeedStore.open(config.feedsDb, false);
  if (!store) return null;
  try {
    return use(store);
  } finally {
    store.close();
  }
}

function libraryOf(config: Config, serverId: string): LibraryRecords {
  if (config.homeServerIds.includes(serverId)) return { kind: 'home' };
  const folder = path.join(config.librariesDir, serverId);
  if (!fs.existsSync(folder)) return { kind: 'none' };
  const all = filesUnder(folder);
  const articles = filesUnder(path.join(folder, 'articles')).filter((f) => !path.basename(f.file).startsWith('.'));
  return { kind: 'own', folder, articles: articles.length, files: all.length, bytes: sum(all.map((f) => f.bytes)) };
}

/**
 * Takes the folder out of LIBRARIES_DIR in one rename, then deletes it: a running bot finds the library gone whole,
 * never half its articles.
 */
function removeFolder(librariesDir: string, folder: string): void {
  const doomed = path.join(librariesDir, `.forgotten-${path.basename(folder)}-${randomBytes(4).toString('hex')}`);
  fs.renameSync(folder, doomed);
  fs.rmSync(doomed, { recursive: true, force: true });
}

/** The files under `dir` (links counted as files), with their sizes. */
function filesUnder(dir: string): { file: string; bytes: number }[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(file) : [{ file, bytes: fs.lstatSync(file).size }];
  });
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
