import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import Database from 'better-sqlite3';
import { UserError } from '../../src/core/errors.js';
import { HOME_LIBRARY } from '../../src/library/library-id.js';
import { Feeds, MAX_NEW_PER_POLL, type Follower, type PollResult } from '../../src/library/feeds/feeds.js';
import { Libraries } from '../../src/library/libraries.js';
import { articlesCopy, closeServer, logRecord, silentLog, tempDir, testConfig } from '../support/setup.js';

// Following feeds on a real index, with feeds and pages from a local server (FETCH_ALLOW_HOSTS
// lets the test reach 127.0.0.1), and a clock the test moves.

const STORIES: Record<string, string> = {
  ferry:
    'The night ferry to Vardo leaves at eleven from the north pier, except on Sundays in winter, when the harbour closes early.',
  orchard:
    'The quince orchard behind the old mill gives its fruit in late October, and the village presses it into a dark amber jelly.',
  lighthouse:
    'The keeper on Skerry Island logs every ship that passes in a leather ledger, and has done so for thirty one years now.',
  market:
    'The fish market on the quay reopened on Tuesday after the storm, with eleven stalls selling cod, herring and crab again.',
};
const storyPage = (slug: string): string =>
  `<html><head><title>${slug[0]!.toUpperCase()}${slug.slice(1)} news</title></head><body><article><p>${STORIES[slug.replace(/\d+$/, '')] ?? 'Sign in to read.'}</p></article></body></html>`;

let items: string[] = ['ferry', 'orchard'];
let failing = false;
let feedRequests = 0;
const rss = (base: string): string =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour News</title><link>${base}/</link>` +
  items.map((s) => `<item><title>${s}</title><link>${base}/stories/${s}</link><guid>${s}</guid></item>`).join('') +
  '</channel></rss>';

let server: http.Server;
let base: string;

/** A request the test holds unanswered until it lets it go: a site that is slow, or never answers. */
interface Hold {
  /** Resolves when the request has come. */
  arrived: Promise<void>;
  /** Whether it has been answered (or its connection closed by the bot). */
  ended: () => boolean;
  release: () => void;
}
const holds = new Map<string, { arrive: () => void; released: Promise<void>; ended: boolean }>();

/** Holds the next requests for `url` (a path, with its query) until released. */
function hold(url: string): Hold {
  let arrive = (): void => {};
  let release = (): void => {};
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const entry = { arrive, released, ended: false };
  holds.set(url, entry);
  return {
    arrived,
    ended: () => entry.ended,
    release: () => {
      holds.delete(url);
      release();
    },
  };
}

// A feed followed from a DM by an operator, and by two servers.
const home: Follower = { owner: HOME_LIBRARY, addedBy: 'operator', announceTo: null };
const harbourGuild: Follower = { owner: '100000000000000001', addedBy: 'harbour-admin', announceTo: null };
const islandGuild: Follower = { owner: '100000000000000002', addedBy: 'island-admin', announceTo: null };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const held = holds.get(url);
    if (held) {
      res.on('close', () => (held.ended = true));
      held.arrive();
      return void held.released.then(() => server.emit('request', req, res));
    }
    // A query names another feed with the same items (a second feed for the limit on feeds).
    if (url.split('?')[0] === '/rss.xml') {
      feedRequests++;
      if (failing) return void res.writeHead(503).end();
      const etag = `"${items.join('+')}"`;
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
      return void res.writeHead(200, { 'content-type': 'application/rss+xml', etag }).end(rss(base));
    }
    if (url === '/atom.xml') {
      const atom =
        `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Island Log</title>` +
        `<id>urn:island</id><updated>2026-11-30T10:00:00Z</updated><entry><title>Lighthouse</title><id>urn:lighthouse</id>` +
        `<link href="${base}/stories/lighthouse"/><updated>2026-11-30T10:00:00Z</updated></entry></feed>`;
      return void res.writeHead(200, { 'content-type': 'application/atom+xml' }).end(atom);
    }
    if (url === '/feed.json') {
      const json = {
        version: 'https://jsonfeed.org/version/1.1',
        title: 'Quay Notes',
        items: [{ id: 'market', url: `${base}/stories/market`, title: 'Market' }],
      };
      return void res.writeHead(200, { 'content-type': 'application/feed+json' }).end(JSON.stringify(json));
    }
    if (url === '/not-a-feed') return void res.writeHead(200, { 'content-type': 'text/html' }).end(storyPage('ferry'));
    const story = url.match(/^\/stories\/(\w+)$/);
    if (story) return void res.writeHead(200, { 'content-type': 'text/html' }).end(storyPage(story[1]!));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await closeServer(server);
});

/** A FEEDS_DB with the schema the first version with feeds created (before owners), open to fill in. */
function firstVersionFile(file: string): Database.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const old = new Database(file);
  old.exec(`CREATE TABLE feeds (
    id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, title TEXT NOT NULL, channel_id TEXT, added_by TEXT NOT NULL,
    added_at TEXT NOT NULL, etag TEXT, last_modified TEXT, last_polled_at TEXT, last_error TEXT,
    failures INTEGER NOT NULL DEFAULT 0, next_poll_at INTEGER NOT NULL);
  CREATE TABLE feed_items (feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE, item_id TEXT NOT NULL,
    seen_at TEXT NOT NULL, PRIMARY KEY (feed_id, item_id));`);
  return old;
}

function setUp(env: Record<string, string> = {}) {
  items = ['ferry', 'orchard'];
  failing = false;
  const articles = articlesCopy();
  const config = testConfig({
    ARTICLES_DIR: articles,
    // Its own, or a remove would move the article into the checkout's data/removed.
    REMOVED_DIR: path.join(tempDir('footnote-removed-'), 'removed'),
    FETCH_ALLOW_HOSTS: '127.0.0.1',
    RETRIEVAL_MODE: 'lexical',
    FEED_POLL_MINUTES: '30',
    ...env,
  });
  const libraries = new Libraries(config, silentLog);
  let now = Date.UTC(2026, 11, 1, 12);
  const feeds = new Feeds(libraries, config, silentLog, { now: () => now, random: () => 0.5 });
  const clock = { advance: (minutes: number) => (now += minutes * 60_000), now: () => now };
  const shipped = fs.readdirSync(articles);
  const files = () =>
    fs
      .readdirSync(articles)
      .filter((f) => !shipped.includes(f))
      .sort();
  /** The files in a server's own library. */
  const serverFiles = (server: string) => fs.readdirSync(path.join(libraries.folderOf(server), 'articles')).sort();
  return { articles, config, libraries, feeds, clock, files, serverFiles };
}

describe('following feeds', () => {
  it('follows an RSS feed, takes its items in one build, and then only what is new', async () => {
    const { libraries, feeds, clock, files, config } = setUp();
    try {
      const feed = await feeds.follow(`${base}/rss.xml`, home);
      expect(feed).toMatchObject({ title: 'Harbour News', url: `${base}/rss.xml`, listed: 2 });
      const [first] = await feeds.pollDue();
      expect(first!.added.map((a) => a.file).sort()).toEqual(['ferry-news.txt', 'orchard-news.txt']);
      expect(files()).toEqual(['ferry-news.txt', 'orchard-news.txt']);
      expect((await libraries.home.ask('When does the night ferry to Vardo leave?')).citations[0]!.article.file).toBe(
        'ferry-news.txt',
      );
      // Not due again before FEED_POLL_MINUTES (the test's random() puts the jitter at 0).
      expect(feeds.get(HOME_LIBRARY, feed.id)!.nextPollAt).toBe(clock.now() + config.feedPollMinutes * 60_000);
      expect(await feeds.pollDue()).toEqual([]);

      // Unchanged: a conditional request, answered 304, adds nothing.
      clock.advance(30);
      const before = feedRequests;
      const [unchanged] = await feeds.pollDue();
      expect(feedRequests).toBe(before + 1);
      expect(unchanged).toMatchObject({ added: [], error: null });

      items = ['market', 'ferry', 'orchard'];
      clock.advance(30);
      const [later] = await feeds.pollDue();
      expect(later!.added.map((a) => a.file)).toEqual(['market-news.txt']);
      expect(files()).toEqual(['ferry-news.txt', 'market-news.txt', 'orchard-news.txt']);
    } finally {
      feeds.close();
      await libraries.close();
    }
  });

  it('polls a due feed once when two processes poll one FEEDS_DB (the shards of a sharded bot)', async () => {
    const { libraries, feeds, config, clock, files } = setUp();
    // The second shard: its own libraries and feeds on the same files, with the same clock.
    const otherLibraries = new Libraries(config, silentLog);
    const other = new Feeds(otherLibraries, config, silentLog, { now: clock.now, random: () => 0.5 });
    try {
      await feeds.follow(`${base}/rss.xml`, home);
      const held = hold('/rss.xml');
      const before = feedRequests;
      const first = feeds.pollDue();
      await held.arrived;
      // Taken by the first: not due for the second while it is read, nor once it is recorded.
      expect(await other.pollDue()).toEqual([]);
      held.release();
      expect((await first)[0]!.added.map((a) => a.file).sort()).toEqual(['ferry-news.txt', 'orchard-news.txt']);
      expect(await other.pollDue()).toEqual([]);
      expect(feedRequests).toBe(before + 1);
      expect(files()).toEqual(['ferry-news.txt', 'orchard-news.txt']);
      // Due again, it goes to whichever asks first, once.
      clock.advance(30);
      items = ['market', 'ferry', 'orchard'];
      const [a, b] = await Promise.all([feeds.pollDue(), other.pollDue()]);
      expect([...a, ...b].map((r) => r.added.map((x) => x.file))).toEqual([['market-news.txt']]);
      expect(feedRequests).toBe(before + 2);
    } finally {
      feeds.close();
      other.close();
      await libraries.close();
      await otherLibraries.close();
    }
  });

  it('reads JSON feeds too', async () => {
    const { libraries, feeds } = setUp();
    try {
      expect(await feeds.follow(`${base}/feed.json`, home)).toMatchObject({ title: 'Quay Notes' });
      const [result] = await feeds.pollDue();
      expect(result!.added.map((a) => a.title)).toEqual(['Market news']);
    } finally {
      feeds.close();
      await libraries.close();
    }
  });

  it('reads Atom feeds too', async () => {
    const { libraries, feeds } = setUp();
    try {
      expect(await feeds.follow(`${base}/atom.xml`, home)).toMatchObject({ title: 'Island Log' });
      const [result] = await feeds.pollDue();
      expect(result!.added.map((a) => a.title)).toEqual(['Lighthouse news']);
    } finally {
      feeds.close();
      await libraries.close();
    }
  });

  it(`takes at most ${MAX_NEW_PER_POLL} new items a poll, and skips one with no readable text, saying why`, async () => {
    const { libraries, feeds } = setUp();
    try {
      items = ['paywalled', ...Array.from({ length: 12 }, (_, i) => `ferry${i}`)];
      await feeds.follow(`${base}/rss.xml`, home);
      const [result] = await feeds.pollDue();
      // The ferry pages all hold the same text: the first is taken, the others are the same article.
      expect(result!.added.map((a) => a.file)).toEqual(['ferry0-news.txt']);
      expect(result!.skipped).toEqual([
        {
          link: `${base}/stories/paywalled`,
          failure: { code: 'article.no-text', details: { from: { page: `${base}/stories/paywalled` } } },
        },
      ]);
      // Twelve items beyond the first ten were listed: they are seen and not taken later.
      items = [...items, 'market'];
      const next = await feeds.pollDue();
      expect(next).toEqual([]);
    } finally {
      feeds.close();
      await libraries.close();
    }
  });

  it('records a failure on the bot side as an error id, naming no server path', async () => {
    const { libraries, config, articles } = setUp();
    let armed = false;
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const feeds = new Feeds(libraries, config, log, {
      fetch: {
        // As the articles folder refusing a write would fail: a system error whose message names a path.
        onConnect: () => {
          if (armed)
            throw Object.assign(new Error(`EACCES: permission denied, open '${articles}/.adding-1'`), {
              code: 'EACCES',
            });
        },
      },
    });
    try {
      const feed = await feeds.follow(`${base}/rss.xml`, home);
      armed = true;
      const [failed] = await feeds.pollDue();
      expect(failed!.error).toEqual({ code: 'internal', details: { errorId: expect.stringMatching(/^[0-9a-f]{8}$/) } });
      expect(feeds.get(HOME_LIBRARY, feed.id)!.lastError).toEqual(failed!.error);
      expect(JSON.stringify(failed!.error)).not.toContain(articles);
      const id = failed!.error!.code === 'internal' && failed!.error.details.errorId;
      const entry = lines.map(logRecord).find((l) => l.errorId === id);
      expect(entry?.err?.message).toContain(articles);
    } finally {
      feeds.close();
      await libraries.close();
    }
  });

  it('records a failed poll and waits longer after each failure in a row', async () => {
    const { libraries, feeds, clock, config } = setUp();
    try {
      const feed = await feeds.follow(`${base}/rss.xml`, home);
      failing = true;
      const [failed] = await feeds.pollDue();
      expect(failed!.error).toEqual({
        code: 'fetch.status',
        details: { status: 503, statusText: 'Service Unavailable' },
      });
      const interval = config.feedPollMinutes * 60_000;
      expect(feeds.get(HOME_LIBRARY, feed.id)).toMatchObject({
        failures: 1,
        lastError: failed!.error,
        nextPollAt: clock.now() + 2 * interval,
      });
      clock.advance(60);
      await feeds.pollDue();
      expect(feeds.get(HOME_LIBRARY, feed.id)).toMatchObject({ failures: 2, nextPollAt: clock.now() + 4 * interval });
      failing = false;
      clock.advance(120);
      const [recovered] = await feeds.pollDue();
      expect(recovered!.added).toHaveLength(2);
      expect(feeds.get(HOME_LIBRARY, feed.id)).toMatchObject({
        failures: 0,
        lastError: null,
        nextPollAt: clock.now() + interval,
      });
    } finally {
      feeds.close();
      await libraries.close();
    }
  });

  it('refuses what is not a feed, a feed already followed, and a refused address; unfollowing keeps the articles', async () => {
    const { libraries, feeds, files } = setUp();
    try {
      await expect(feeds.follow(`${base}/not-a-feed`, home)).rejects.toMatchObject({
        code: 'fetch.wrong-type',
        details: { expected: 'feed', contentType: 'text/html' },
      });
      await expect(feeds.follow('http://10.0.0.1/rss', home)).rejects.toMatchObject({
        code: 'fetch.refused',
        details: { address: 'a private-network address' },
      });
      expect(feeds.list(HOME_LIBRARY)).toEqual([]);
      const feed = await feeds.follow(`${base}/rss.xml`, home);
      const again = feeds.follow(`${base}/rss.xml`, home);
      await expect(again).rejects.toBeInstanceOf(UserError);
      await expect(again).rejects.toMatchObject({ code: 'feed.already-followed', details: { title: 'Harbour News' } });
      await feeds.pollDue();
      expect(feeds.unfollow(HOME_LIBRARY, feed.id)).toMatchObject({ title: 'Harbour News' });
      expect(feeds.list(HOME_LIBRARY)).toEqual([]);
      expect(files()).toEqual(['ferry-news.txt', 'orchard-news.txt']);
    } finally {
      feeds.close();
      await libraries.close();
    }
  });

  it('finishes a poll of a feed unfollowed while it is read, keeping the articles taken', async () => {
    const { libraries, config, clock, files } = setUp();
    let connects = 0;
    let feedId = 0;
    const feeds: Feeds = new Feeds(libraries, config, silentLog, {
      now: clock.now,
      random: () => 0.5,
      // Someone runs /feeds remove while the first item page is being fetched.
      fetch: { onConnect: () => void (++connects === 3 && feeds.unfollow(HOME_LIBRARY, feedId)) },
    });
    try {
      feedId = (await feeds.follow(`${base}/rss.xml`, home)).id;
      const [result] = await feeds.pollDue();
      expect(result!.added).toHaveLength(2);
      expect(feeds.list(HOME_LIBRARY)).toEqual([]);
      expect(files()).toEqual(['ferry-news.txt', 'orchard-news.txt']);
    } finally {
      feeds.close();
      await libraries.close();
    }
  });

  it('keeps its state in FEEDS_DB, across restarts', async () => {
    const { libraries, feeds, config } = setUp();
    try {
      await feeds.follow(`${base}/rss.xml`, { ...home, announceTo: '123' });
      await feeds.pollDue();
      feeds.close();
      const again = new Feeds(libraries, config, silentLog);
      expect(again.list(HOME_LIBRARY)).toMatchObject([
        { title: 'Harbour News', announceTo: '123', etag: '"ferry+orchard"' },
      ]);
      again.close();
      expect(fs.existsSync(path.resolve(config.feedsDb))).toBe(true);
    } finally {
      await libraries.close();
    }
  });

  it('opens a FEEDS_DB written before failures had codes: its channel and its last error in the words it had', () => {
    const { libraries, config } = setUp();
    // A failure stored as words.
    const old = firstVersionFile(config.feedsDb);
    old
      .prepare(
        `INSERT INTO feeds (url, title, channel_id, added_by, added_at, last_error, failures, next_poll_at)
         VALUES (?, 'Harbour News', '456', 'someone', '2026-11-30T12:00:00.000Z', ?, 1, 0)`,
      )
      .run(`${base}/rss.xml`, 'The page answered 503 Service Unavailable.');
    old.close();
    const feeds = new Feeds(libraries, config, silentLog);
    try {
      expect(feeds.list(HOME_LIBRARY)).toMatchObject([
        {
          owner: HOME_LIBRARY,
          title: 'Harbour News',
          announceTo: '456',
          failures: 1,
          lastError: { code: 'feed.old-error', details: { text: 'The page answered 503 Service Unavailable.' } },
        },
      ]);
    } finally {
      feeds.close();
    }
  });
});

describe('feeds belong to a server', () => {
  it('lists, finds and removes a feed only for its owner: another server and the home library see none', async () => {
    const { libraries, feeds } = setUp();
    try {
      const feed = await feeds.follow(`${base}/rss.xml`, harbourGuild);
      expect(feed.owner).toBe(harbourGuild.owner);
      expect(feeds.list(harbourGuild.owner).map((f) => f.id)).toEqual([feed.id]);
      for (const other of [islandGuild.owner, HOME_LIBRARY]) {
        expect(feeds.list(other)).toEqual([]);
        // Another's feed is no feed, as an unknown id is.
        expect(feeds.get(other, feed.id)).toBeNull();
        expect(feeds.unfollow(other, feed.id)).toBeNull();
      }
      expect(feeds.unfollow(harbourGuild.owner, 9999)).toBeNull();
      expect(feeds.get(harbourGuild.owner, feed.id)).toMatchObject({ title: 'Harbour News' });
      expect(feeds.unfollow(harbourGuild.owner, feed.id)).toMatchObject({ id: feed.id });
      expect(feeds.list(harbourGuild.owner)).toEqual([]);
    } finally {
      feeds.close();
      await libraries.close();
    }
  });

  it("gives two servers following one feed a copy each, saving its items in each server's own library", async () => {
    const { libraries, feeds, clock, files, serverFiles } = setUp();
    try {
      const harbour = await feeds.follow(`${base}/rss.xml`, harbourGuild);
      const island = await feeds.follow(`${base}/rss.xml`, islandGuild);
      expect(island.id).not.toBe(harbour.id);
      await expect(feeds.follow(`${base}/rss.xml`, islandGuild)).rejects.toMatchObject({
        code: 'feed.already-followed',
      });
      const first = await feeds.pollDue();
      expect(first.map((r) => [r.feed.owner, r.added.map((a) => a.file).sort()])).toEqual([
        [harbourGuild.owner, ['ferry-news.txt', 'orchard-news.txt']],
        [islandGuild.owner, ['ferry-news.txt', 'orchard-news.txt']],
      ]);
      // Each server's library has its copy; the home library has none.
      for (const server of [harbourGuild.owner, islandGuild.owner]) {
        expect(serverFiles(server)).toEqual(['ferry-news.txt', 'orchard-news.txt']);
        const answer = await libraries.ask(server, 'When does the night ferry to Vardo leave?');
        expect(answer.citations[0]!.article.library).toBe(server);
      }
      expect(files()).toEqual([]);

      // One copy gone, the other is polled on with its own items seen.
      feeds.unfollow(harbourGuild.owner, harbour.id);
      items = ['market', 'ferry', 'orchard'];
      clock.advance(30);
      const [later] = await feeds.pollDue();
      expect(later).toMatchObject({ feed: { id: island.id }, error: null });
      expect(later!.added.map((a) => a.file)).toEqual(['market-news.txt']);

      // Followed again, a copy gets the items already in its library, not saved again, and the new one.
      const again = await feeds.follow(`${base}/rss.xml`, harbourGuild);
      const [copy] = await feeds.pollDue();
      expect(copy!.feed.id).toBe(again.id);
      expect(copy!.added.map((a) => a.file).sort()).toEqual(['ferry-news.txt', 'market-news.txt', 'orchard-news.txt']);
      expect(serverFiles(harbourGuild.owner)).toEqual(['ferry-news.txt', 'market-news.txt', 'orchard-news.txt']);
    } finally {
      feeds.close();
      await libraries.close();
    }
  });

  it('refuses a server a feed beyond MAX_FEEDS_PER_SERVER, naming it, without reading the feed', async () => {
    const { libraries, feeds } = setUp({ MAX_FEEDS_PER_SERVER: '2' });
    try {
      await feeds.follow(`${base}/rss.xml`, harbourGuild);
      // Two follows at once for the last place: one is refused as it is written.
      const both = await Promise.allSettled([
        feeds.follow(`${base}/atom.xml`, harbourGuild),
        feeds.follow(`${base}/rss.xml?b`, harbourGuild),
      ]);
      expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(both.find((r) => r.status === 'rejected')).toMatchObject({
        reason: { code: 'feed.server-limit', details: { max: 2 } },
      });
      const before = feedRequests;
      const refused = feeds.follow(`${base}/rss.xml?c`, harbourGuild);
      await expect(refused).rejects.toBeInstanceOf(UserError);
      await expect(refused).rejects.toMatchObject({ code: 'feed.server-limit', details: { max: 2 } });
      expect(feedRequests).toBe(before);
      expect(feeds.list(harbourGuild.owner)).toHaveLength(2);
      // Another server has its own places; the home library has no limit.
      await feeds.follow(`${base}/rss.xml`, islandGuild);
      for (const url of ['/rss.xml', '/atom.xml', '/rss.xml?b']) await feeds.follow(`${base}${url}`, home);
      expect(feeds.list(HOME_LIBRARY)).toHaveLength(3);
    } finally {
      feeds.close();
      await libraries.close();
    }
  });

  it('moves a FEEDS_DB from before owners to the home library once, with its items seen and its error', async () => {
    const { libraries, config, clock } = setUp();
    const old = firstVersionFile(config.feedsDb);
    const failure = { code: 'fetch.status', details: { status: 503, statusText: 'Service Unavailable' } };
    old
      .prepare(
        `INSERT INTO feeds (id, url, title, channel_id, added_by, added_at, last_error, failures, next_poll_at)
         VALUES (7, ?, 'Harbour News', '456', 'someone', '2026-11-30T12:00:00.000Z', ?, 1, 0)`,
      )
      .run(`${base}/rss.xml`, JSON.stringify(failure));
    old.prepare(`INSERT INTO feed_items VALUES (7, 'ferry', '2026-11-30T12:00:00.000Z')`).run();
    old.close();
    let feeds = new Feeds(libraries, config, silentLog, { now: clock.now, random: () => 0.5 });
    try {
      expect(feeds.list(HOME_LIBRARY)).toMatchObject([
        { id: 7, owner: HOME_LIBRARY, announceTo: '456', failures: 1, lastError: failure },
      ]);
      expect(feeds.list(harbourGuild.owner)).toEqual([]);
      // The item seen before is not taken again.
      const [result] = await feeds.pollDue();
      expect(result!.added.map((a) => a.file)).toEqual(['orchard-news.txt']);
      feeds.close();

      // Opened again, it is not moved again; and a server may now follow the same feed.
      feeds = new Feeds(libraries, config, silentLog, { now: clock.now, random: () => 0.5 });
      expect(feeds.list(HOME_LIBRARY)).toMatchObject([{ id: 7, failures: 0, lastError: null }]);
      await feeds.follow(`${base}/rss.xml`, harbourGuild);
      const db = new Database(config.feedsDb, { readonly: true });
      const seen = db.prepare('SELECT item_id FROM feed_items WHERE feed_id = 7 ORDER BY item_id').pluck().all();
      db.close();
      expect(seen).toEqual(['ferry', 'orchard']);
    } finally {
      feeds.close();
      await libraries.close();
    }
  });
});

describe('polling feeds at once, each within a deadline', () => {
  it('takes a fast feed’s articles, indexed and reported, while a slow feed has not answered yet', async () => {
    const { libraries, feeds } = setUp();
    try {
      // The slow one is followed first: polled one after another, the fast one would wait for it.
      const slow = await feeds.follow(`${base}/rss.xml?slow`, home);
      const fast = await feeds.follow(`${base}/atom.xml`, home);
      const held = hold('/rss.xml?slow');
      const fastPolled = new Promise<PollResult>((resolve) =>
        feeds.onPolled((result) => void (result.feed.id === fast.id && resolve(result))),
      );
      const round = feeds.pollDue();
      await held.arrived;
      const result = await fastPolled;
      expect(result.added.map((a) => a.file)).toEqual(['lighthouse-news.txt']);
      // Indexed, and answered from, while the slow feed's site still holds its answer.
      const answer = await libraries.home.ask('Who logs every ship that passes Skerry Island?');
      expect(answer.citations[0]!.article.file).toBe('lighthouse-news.txt');
      expect(held.ended()).toBe(false);
      held.release();
      const results = await round;
      expect(results.map((r) => [r.feed.id, r.added.map((a) => a.file).sort()])).toEqual([
        [slow.id, ['ferry-news.txt', 'orchard-news.txt']],
        [fast.id, ['lighthouse-news.txt']],
      ]);
    } finally {
      feeds.close();
      await libraries.close();
    }
  });

  it('abandons a feed past its deadline: keeps what it took, fails and backs off, and takes the rest later', async () => {
    const { libraries, config, clock, files } = setUp();
    let deadline = new AbortController();
    const feeds = new Feeds(libraries, config, silentLog, {
      now: clock.now,
      random: () => 0.5,
      feedDeadline: () => deadline.signal,
    });
    items = ['ferry', 'orchard', 'market'];
    const held = hold('/stories/orchard');
    try {
      const feed = await feeds.follow(`${base}/rss.xml`, home);
      const round = feeds.pollDue();
      // The feed's second page does not answer; its deadline passes meanwhile.
      await held.arrived;
      deadline.abort();
      const [abandoned] = await round;
      expect(abandoned!.error).toEqual({ code: 'feed.too-slow', details: { seconds: 120 } });
      expect(abandoned!.added.map((a) => a.file)).toEqual(['ferry-news.txt']);
      // The page's fetch was ended, not left running.
      expect(held.ended()).toBe(true);
      const interval = config.feedPollMinutes * 60_000;
      expect(feeds.get(HOME_LIBRARY, feed.id)).toMatchObject({
        failures: 1,
        lastError: abandoned!.error,
        nextPollAt: clock.now() + 2 * interval,
      });

      held.release();
      deadline = new AbortController();
      clock.advance(60);
      const [next] = await feeds.pollDue();
      expect(next).toMatchObject({ error: null, skipped: [] });
      expect(next!.added.map((a) => a.file).sort()).toEqual(['market-news.txt', 'orchard-news.txt']);
      expect(files()).toEqual(['ferry-news.txt', 'market-news.txt', 'orchard-news.txt']);
    } finally {
      held.release();
      feeds.close();
      await libraries.close();
    }
  });
});

describe('what a feed has seen', () => {
  const DAY_MINUTES = 24 * 60;
  /** The items FEEDS_DB holds as seen for a feed, by id. */
  const seenItems = (file: string, feedId: number): string[] => {
    const db = new Database(file, { readonly: true });
    try {
      return db
        .prepare('SELECT item_id FROM feed_items WHERE feed_id = ? ORDER BY item_id')
        .pluck()
        .all(feedId) as string[];
    } finally {
      db.close();
    }
  };

  it('does not bring back an article an admin removed while its feed lists it, past RETAIN_DAYS too', async () => {
    const { libraries, feeds, clock, files } = setUp({ RETAIN_DAYS: '30' });
    try {
      await feeds.follow(`${base}/rss.xml`, home);
      await feeds.pollDue();
      const ferry = libraries.home.articles().find((a) => a.file === 'ferry-news.txt')!;
      await libraries.home.remove(ferry.id);
      // The feed changes each time (it is read in full, not "not modified") and lists the removed story throughout.
      const polls: [number, string[], string[]][] = [
        [1, ['market', 'ferry', 'orchard'], ['market-news.txt']],
        [40, ['lighthouse', 'market', 'ferry', 'orchard'], ['lighthouse-news.txt']],
        [41, ['paywalled', 'lighthouse', 'market', 'ferry', 'orchard'], []],
      ];
      let day = 0;
      for (const [on, listed, added] of polls) {
        clock.advance((on - day) * DAY_MINUTES);
        day = on;
        items = listed;
        const [result] = await feeds.pollDue();
        expect(result!.added.map((a) => a.file)).toEqual(added);
      }
      expect(files()).toEqual(['lighthouse-news.txt', 'market-news.txt', 'orchard-news.txt']);
    } finally {
      feeds.close();
      await libraries.close();
    }
  });

  it('forgets exactly the items its feed stopped listing more than RETAIN_DAYS ago', async () => {
    const { libraries, feeds, clock, config } = setUp({ RETAIN_DAYS: '30' });
    try {
      const feed = await feeds.follow(`${base}/rss.xml`, home);
      // Day 0 lists ferry and orchard; day 20 drops orchard; day 25 drops ferry; day 45 forgets what was
      // last listed before day 15: orchard only. Market, listed since day 20, stays.
      const polls: [number, string[]][] = [
        [0, ['ferry', 'orchard']],
        [20, ['market', 'ferry']],
        [25, ['lighthouse', 'market']],
        [45, ['paywalled', 'lighthouse', 'market']],
      ];
      let day = 0;
      for (const [on, listed] of polls) {
        clock.advance((on - day) * DAY_MINUTES);
        day = on;
        items = listed;
        const [result] = await feeds.pollDue();
        expect(result!.error).toBeNull();
      }
      expect(seenItems(config.feedsDb, feed.id)).toEqual(['ferry', 'lighthouse', 'market', 'paywalled']);
      // A read that lists nothing (a feed broken for a moment) forgets nothing.
      items = [];
      clock.advance(40 * DAY_MINUTES);
      await feeds.pollDue();
      expect(seenItems(config.feedsDb, feed.id)).toEqual(['ferry', 'lighthouse', 'market', 'paywalled']);
    } finally {
      feeds.close();
      await libraries.close();
    }
  });
});
