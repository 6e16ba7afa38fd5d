// The feeds the bot follows and what it has seen of each, in their own SQLite file (FEEDS_DB): the index is rebuilt
// from the articles, but which items were already taken must outlive any build.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { isErrorCode, type Failure } from '../../core/errors.js';

export interface Feed {
  id: number;
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
// an earlier version opens as it is.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS feeds (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  channel_id TEXT,
  added_by TEXT NOT NULL,
  added_at TEXT NOT NULL,
  etag TEXT,
  last_modified TEXT,
  last_polled_at TEXT,
  last_error TEXT,
  failures INTEGER NOT NULL DEFAULT 0,
  next_poll_at INTEGER NOT NULL
);
-- Every item a feed listed when it was polled, taken or not: an item is considered once.
CREATE TABLE IF NOT EXISTS feed_items (
  feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
  item_id TEXT NOT NULL,
  seen_at TEXT NOT NULL,
  PRIMARY KEY (feed_id, item_id)
);
`;

interface FeedRow {
  id: number;
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
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.exec(SCHEMA);
    return new FeedStore(db);
  }

  add(feed: { url: string; title: string; announceTo: string | null; addedBy: string; now: number }): Feed {
    const row = this.db
      .prepare(
        `INSERT INTO feeds (url, title, channel_id, added_by, added_at, next_poll_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(feed.url, feed.title, feed.announceTo, feed.addedBy, new Date(feed.now).toISOString(), feed.now) as FeedRow;
    return toFeed(row);
  }

  byUrl(url: string): Feed | null {
    const row = this.db.prepare('SELECT * FROM feeds WHERE url = ?').get(url) as FeedRow | undefined;
    return row ? toFeed(row) : null;
  }

  get(id: number): Feed | null {
    const row = this.db.prepare('SELECT * FROM feeds WHERE id = ?').get(id) as FeedRow | undefined;
    return row ? toFeed(row) : null;
  }

  list(): Feed[] {
    return (this.db.prepare('SELECT * FROM feeds ORDER BY title, id').all() as FeedRow[]).map(toFeed);
  }

  /** Feeds whose next poll is due at `now`. */
  due(now: number): Feed[] {
    return (
      this.db.prepare('SELECT * FROM feeds WHERE next_poll_at <= ? ORDER BY next_poll_at').all(now) as FeedRow[]
    ).map(toFeed);
  }

  /** Stops following a feed; its items are forgotten, the articles taken from it stay. */
  remove(id: number): boolean {
    return this.db.prepare('DELETE FROM feeds WHERE id = ?').run(id).changes > 0;
  }

  /** Which of `itemIds` the feed has not listed before. */
  unseen(feedId: number, itemIds: string[]): Set<string> {
    const seen = this.db.prepare('SELECT 1 FROM feed_items WHERE feed_id = ? AND item_id = ?').pluck();
    return new Set(itemIds.filter((id) => !seen.get(feedId, id)));
  }

  /** Records a poll: the items it listed, the validators for the next conditional request, any error, and when next. */
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
    },
  ): void {
    const at = new Date(poll.now).toISOString();
    const insert = this.db.prepare('INSERT OR IGNORE INTO feed_items (feed_id, item_id, seen_at) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      for (const id of poll.seen) insert.run(feedId, id, at);
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
    })();
  }

  close(): void {
    this.db.close();
  }
}

function toFeed(row: FeedRow): Feed {
  return {
    id: row.id,
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
