// The feeds the bot follows and what it has seen of each, in their own SQLite file (FEEDS_DB): the index is rebuilt
// from the articles, but which items were already taken must outlive any build.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { UserError, isErrorCode, type Failure } from '../../core/errors.js';
import { HOME_LIBRARY } from '../library-id.js';

/** The owner of the feeds followed from a DM by an operator, and of those recorded before feeds had owners. */

export interface Feed {
  id: number;
  /** Whose feed it is: a Discord server's id, or HOME_LIBRARY. Only its owner lists or removes it. */
  owner: string;
  url: string;
  title: string;
  /**
   * Where each new article is announced, or null: opaque here, read only by the adapter that
   * followed the feed (a Discord channel id).
   */
  announceTo: string | null;
  addedBy: string;
  addedAt: string;
  etag: string | null;
  lastModified: string | null;
  lastPolledAt: string | null;
  lastError: Failure | null;
  /** Polls that failed in a row (the next waits longer for each). */
  failures: number;
  /** When it is polled next (ms since the epoch). */
  nextPollAt: number;
}

// The columns keep the names they were created with (channel_id holds announceTo), so that a file written by
// an earlier version opens as it is (with owner added: see migrateToOwners).
const FEEDS_TABLE = (name: string): string => `
CREATE TABLE IF NOT EXISTS ${name} (
  id INTEGER PRIMARY KEY,
  owner TEXT NOT NULL,
  url TEXT NOT NULL,
  title TEXT NOT NULL,
  channel_id TEXT,
  added_by TEXT NOT NULL,
  added_at TEXT NOT NULL,
  etag TEXT,
  last_modified TEXT,
  last_polled_at TEXT,
  last_error TEXT,
  failures INTEGER NOT NULL DEFAULT 0,
  next_poll_at INTEGER NOT NULL,
  -- Two servers may follow the same feed: each has its own copy, with its own items seen.
  UNIQUE (owner, url)
);`;
const SCHEMA = `${FEEDS_TABLE('feeds')}
-- Every item a feed listed when it was polled, taken or not: an item is considered once. seen_at is when a
-- poll last listed it: one the feed no longer lists is forgotten RETAIN_DAYS after (see recordPoll).
CREATE TABLE IF NOT EXISTS feed_items (
  feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
  item_id TEXT NOT NULL,
  seen_at TEXT NOT NULL,
  PRIMARY KEY (feed_id, item_id)
);
`;
// The columns copied when the feeds table is rebuilt with owners: all of the first version's.
const FIRST_COLUMNS = [
  'id, url, title, channel_id, added_by, added_at',
  'etag, last_modified, last_polled_at, last_error, failures, next_poll_at',
].join(', ');

interface FeedRow {
  id: number;
  owner: string;
  url: string;
  title: string;
  channel_id: string | null;
  added_by: string;
  added_at: string;
  etag: string | null;
  last_modified: string | null;
  last_polled_at: string | null;
  last_error: string | null;
  failures: number;
  next_poll_at: number;
}

export class FeedStore {
  private constructor(private readonly db: Database.Database) {}

  /** Opens (creating when `create`) the feed file; null when it does not exist and `create` is false. */
  static open(file: string, create: boolean): FeedStore | null {
    if (!create && !fs.existsSync(file)) return null;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      migrateToOwners(db);
      db.pragma('foreign_keys = ON');
      db.exec(SCHEMA);
    } catch (error) {
      db.close();
      throw error;
    }
    return new FeedStore(db);
  }

  /**
   * Records a feed for its owner: refused when the owner follows it already, or already follows
   * `maxFeeds` (null: no limit). Checked and written in one transaction, so two follows at once
   * cannot both pass.
   */
  add(
    feed: { owner: string; url: string; title: string; announceTo: string | null; addedBy: string; now: number },
    maxFeeds: number | null,
  ): Feed {
    return this.db
      .transaction(() => {
        this.checkRoom(feed.owner, feed.url, maxFeeds);
        const row = this.db
          .prepare(
            `INSERT INTO feeds (owner, url, title, channel_id, added_by, added_at, next_poll_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
          )
          .get(
            feed.owner,
            feed.url,
            feed.title,
            feed.announceTo,
            feed.addedBy,
            new Date(feed.now).toISOString(),
            feed.now,
          ) as FeedRow;
        return toFeed(row);
      })
      .immediate();
  }

  /** Throws the UserError that refuses a new feed for `owner`: one it follows already, or one over `maxFeeds`. */
  checkRoom(owner: string, url: string, maxFeeds: number | null): void {
    const existing = this.db.prepare('SELECT title FROM feeds WHERE owner = ? AND url = ?').pluck().get(owner, url);
    if (typeof existing === 'string') throw new UserError('feed.already-followed', { title: existing });
    if (maxFeeds === null) return;
    const count = this.db.prepare('SELECT count(*) FROM feeds WHERE owner = ?').pluck().get(owner) as number;
    if (count >= maxFeeds) throw new UserError('feed.server-limit', { max: maxFeeds });
  }

  /** Any owner's feed, for polling; what people see goes through `owned`. */
  get(id: number): Feed | null {
    const row = this.db.prepare('SELECT * FROM feeds WHERE id = ?').get(id) as FeedRow | undefined;
    return row ? toFeed(row) : null;
  }

  /** The feed if `owner` owns it: another owner's is null, as an unknown id is. */
  owned(owner: string, id: number): Feed | null {
    const row = this.db.prepare('SELECT * FROM feeds WHERE id = ? AND owner = ?').get(id, owner) as FeedRow | undefined;
    return row ? toFeed(row) : null;
  }

  list(owner: string): Feed[] {
    return (this.db.prepare('SELECT * FROM feeds WHERE owner = ? ORDER BY title, id').all(owner) as FeedRow[]).map(
      toFeed,
    );
  }

  /** Feeds whose next poll is due at `now`, the longest due first (then in the order followed). */
  due(now: number): Feed[] {
    return (
      this.db.prepare('SELECT * FROM feeds WHERE next_poll_at <= ? ORDER BY next_poll_at, id').all(now) as FeedRow[]
    ).map(toFeed);
  }

  /**
   * Takes a due feed for one poll: true when this process may poll it, false when it is not due (another process
   * took it, or polled it meanwhile). Its next poll moves to `until`, so that no other process polls it meanwhile;
   * recording the poll sets the real one, and a poller that dies leaves it due again at `until`.
   */
  claim(feedId: number, now: number, until: number): boolean {
    return (
      this.db.prepare('UPDATE feeds SET next_poll_at = ? WHERE id = ? AND next_poll_at <= ?').run(until, feedId, now)
        .changes > 0
    );
  }

  /** Gives back a claimed feed whose poll was not recorded: it is due again at `at`. */
  release(feedId: number, at: number): void {
    this.db.prepare('UPDATE feeds SET next_poll_at = ? WHERE id = ?').run(at, feedId);
  }

  /** Stops following a feed of `owner`'s; its items are forgotten, the articles taken from it stay. */
  remove(owner: string, id: number): boolean {
    return this.db.prepare('DELETE FROM feeds WHERE id = ? AND owner = ?').run(id, owner).changes > 0;
  }

  /**
   * The feeds `userId` followed: counted and, when `apply`, credited to `marker` instead. Each is its owner's
   * (a server's, the home library's) and stays.
   */
  forgetAdder(userId: string, marker: string, apply: boolean): number {
    return this.db
      .transaction(() => {
        const count = this.db.prepare('SELECT count(*) FROM feeds WHERE added_by = ?').pluck().get(userId) as number;
        if (apply) this.db.prepare('UPDATE feeds SET added_by = ? WHERE added_by = ?').run(marker, userId);
        return count;
      })
      .immediate();
  }

  /** Every feed of `owner`, with the items seen in it: counted and, when `apply`, deleted. */
  forgetOwner(owner: string, apply: boolean): { feeds: number; items: number } {
    return this.db
      .transaction(() => {
        const feeds = this.db.prepare('SELECT count(*) FROM feeds WHERE owner = ?').pluck().get(owner) as number;
        const items = this.db
          .prepare('SELECT count(*) FROM feed_items i JOIN feeds f ON f.id = i.feed_id WHERE f.owner = ?')
          .pluck()
          .get(owner) as number;
        // The items go with their feeds (ON DELETE CASCADE).
        if (apply) this.db.prepare('DELETE FROM feeds WHERE owner = ?').run(owner);
        return { feeds, items };
      })
      .immediate();
  }

  /** Which of `itemIds` the feed has not listed before. */
  unseen(feedId: number, itemIds: string[]): Set<string> {
    const seen = this.db.prepare('SELECT 1 FROM feed_items WHERE feed_id = ? AND item_id = ?').pluck();
    return new Set(itemIds.filter((id) => !seen.get(feedId, id)));
  }

  /**
   * Records a poll: the items it listed, the validators for the next conditional request, any error, and when next.
   * A poll that listed items forgets those the feed no longer lists and last listed before `forgetBefore`: an item
   * still listed, however old, stays seen, or the next poll would take it again (an article removed since, too).
   * Returns how many were forgotten.
   */
  recordPoll(
    feedId: number,
    poll: {
      seen: string[];
      etag?: string | null;
      lastModified?: string | null;
      error: Failure | null;
      failures: number;
      nextPollAt: number;
      now: number;
      forgetBefore: number;
    },
  ): number {
    const at = new Date(poll.now).toISOString();
    const listed = this.db.prepare(
      `INSERT INTO feed_items (feed_id, item_id, seen_at) VALUES (?, ?, ?)
       ON CONFLICT (feed_id, item_id) DO UPDATE SET seen_at = excluded.seen_at`,
    );
    // Every item just listed was seen now, after `forgetBefore`: only those no longer listed can be older.
    const forget = this.db.prepare('DELETE FROM feed_items WHERE feed_id = ? AND seen_at < ?');
    return this.db.transaction(() => {
      for (const id of poll.seen) listed.run(feedId, id, at);
      // A feed that lists nothing is more likely broken for a moment than emptied: it forgets nothing.
      const forgotten = poll.seen.length ? forget.run(feedId, new Date(poll.forgetBefore).toISOString()).changes : 0;
      this.db
        .prepare(
          `UPDATE feeds SET last_polled_at = ?, last_error = ?, failures = ?, next_poll_at = ?,
             etag = coalesce(?, etag), last_modified = coalesce(?, last_modified) WHERE id = ?`,
        )
        .run(
          at,
          poll.error && JSON.stringify(poll.error),
          poll.failures,
          poll.nextPollAt,
          poll.etag ?? null,
          poll.lastModified ?? null,
          feedId,
        );
      return forgotten;
    })();
  }

  close(): void {
    this.db.close();
  }
}

/**
 * A file written before feeds had owners: each feed becomes the home library's (only operators see
 * it), and `url` unique per owner rather than overall. SQLite changes a UNIQUE constraint only by
 * rebuilding the table, done once, in one transaction: a failure leaves the file as it was. Foreign
 * keys are off meanwhile, or dropping the old table would delete every item seen through the cascade.
 */
function migrateToOwners(db: Database.Database): void {
  const columns = (): string[] => db.prepare("SELECT name FROM pragma_table_info('feeds')").pluck().all() as string[];
  if (!columns().length || columns().includes('owner')) return;
  db.pragma('foreign_keys = OFF');
  db.transaction(() => {
    // Another process may have migrated it since the check above.
    if (columns().includes('owner')) return;
    db.exec(FEEDS_TABLE('feeds_with_owners'));
    db.prepare(`INSERT INTO feeds_with_owners (owner, ${FIRST_COLUMNS}) SELECT ?, ${FIRST_COLUMNS} FROM feeds`).run(
      HOME_LIBRARY,
    );
    db.exec('DROP TABLE feeds');
    // The items' foreign key names the table `feeds`: it holds again once the new one takes the name.
    db.exec('ALTER TABLE feeds_with_owners RENAME TO feeds');
  }).immediate();
}

function toFeed(row: FeedRow): Feed {
  return {
    id: row.id,
    owner: row.owner,
    url: row.url,
    title: row.title,
    announceTo: row.channel_id,
    addedBy: row.added_by,
    addedAt: row.added_at,
    etag: row.etag,
    lastModified: row.last_modified,
    lastPolledAt: row.last_polled_at,
    lastError: row.last_error === null ? null : storedFailure(row.last_error),
    failures: row.failures,
    nextPollAt: row.next_poll_at,
  };
}

/** A failure as last_error holds it: JSON, or the words an earlier version stored (shown as they are). */
function storedFailure(text: string): Failure {
  try {
    const stored = JSON.parse(text) as Failure;
    if (isErrorCode(stored?.code) && typeof stored.details === 'object') return stored;
  } catch {
    // Not JSON: words from before failures had codes.
  }
  return { code: 'feed.old-error', details: { text } };
}
