// Following RSS and Atom feeds: subscribe, list, unsubscribe, and poll the due ones, taking their new items through
// the same path as /add and indexing each poll's articles in one incremental build.
import { randomBytes } from 'node:crypto';
import { extractFromJson, extractFromXml, type FeedData } from '@extractus/feed-extractor';
import { indexSaved, saveArticle, type AddOptions, type Batch } from '../add-article.js';
import type { Config } from '../../config.js';
import { UserError, type Failure } from '../../core/errors.js';
import { safeFetch } from '../../fetch/safe-fetch.js';
import type { Footnote } from '../footnote.js';
import type { Logger } from '../../log.js';
import { FeedStore, type Feed } from './feed-store.js';
import type { IndexedArticle } from '../../core/types.js';

const FEED_TYPES = [
  'application/rss+xml',
  'application/atom+xml',
  'application/rdf+xml',
  'application/xml',
  'text/xml',
  'application/feed+json',
  'application/json',
];
// New items taken from one feed per poll, newest first: a feed first followed may list years of
// them, and each is a page fetched and an article indexed. The rest are marked seen.
export const MAX_NEW_PER_POLL = 10;
// Each failed poll in a row doubles the wait, up to a day.
const MAX_BACKOFF_MS = 24 * 60 * 60_000;
// The wait varies by up to this share either way, so that feeds followed together are not all polled at once.
const JITTER = 0.1;

export interface FeedItem {
  id: string;
  link: string;
  title: string;
}

export interface PollResult {
  feed: Feed;
  added: IndexedArticle[];
  /** Items that could not be added, with why (a page with no text, a refused link…). */
  skipped: { link: string; failure: Failure }[];
  /** Why the feed itself could not be read, or null. */
  error: Failure | null;
}

export interface FeedsOptions extends AddOptions {
  now?: () => number;
  random?: () => number;
}

export class Feeds {
  private store: FeedStore | null = null;
  private polling: Promise<PollResult[]> | null = null;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(
    private readonly footnote: Footnote,
    private readonly config: Config,
    private readonly log: Logger,
    private readonly options: FeedsOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /**
   * Follows a feed: it is read once to check it is one (and for its title), then polled on schedule, first now.
   * `announceTo` is kept for the caller, who says what it means (see Feed).
   */
  async follow(url: string, addedBy: string, announceTo: string | null): Promise<Feed> {
    const store = this.open(true)!;
    const existing = store.byUrl(url);
    if (existing) throw new UserError('feed.already-followed', { title: existing.title });
    const read = await this.read(url, null);
    if (read.notModified) throw new Error('a first read of a feed cannot be "not modified"');
    return store.add({ url, title: read.title, announceTo, addedBy, now: this.now() });
  }

  list(): Feed[] {
    return this.open(false)?.list() ?? [];
  }

  get(id: number): Feed | null {
    return this.open(false)?.get(id) ?? null;
  }

  /** Stops following; the articles already taken from it stay. */
  unfollow(id: number): Feed | null {
    const store = this.open(false);
    const feed = store?.get(id) ?? null;
    if (feed) store!.remove(id);
    return feed;
  }

  /** Polls the feeds that are due (one poll at a time: a second call shares the first's). */
  pollDue(): Promise<PollResult[]> {
    this.polling ??= this.pollNow().finally(() => (this.polling = null));
    return this.polling;
  }

  /** Resolves when no poll is under way. */
  async settled(): Promise<void> {
    await this.polling?.catch(() => undefined);
  }

  close(): void {
    this.store?.close();
    this.store = null;
  }

  /**
   * Why a poll failed, as it is kept for /feeds: the feed's own fault (a UserError's code), or for
   * anything else (a full disk, the articles folder unwritable: messages that name server paths) an
   * error id, under which the log has the whole story.
   */
  private failureOf(feed: Feed, error: unknown): Failure {
    if (error instanceof UserError) return error.failure;
    const errorId = randomBytes(4).toString('hex');
    this.log.error({ err: error, errorId, feed: feed.url }, 'feed poll failed');
    return { code: 'internal', details: { errorId } };
  }

  private async pollNow(): Promise<PollResult[]> {
    const store = this.open(false);
    if (!store) return [];
    const due = store.due(this.now());
    if (!due.length) return [];
    await this.footnote.ensureIndex('lexical');
    const index = this.footnote.index();
    const batch: Batch = { links: new Set(), texts: new Set() };
    const polled: { feed: Feed; files: string[]; result: PollResult; seen: string[]; validators: Validators }[] = [];
    for (const feed of due) {
      const result: PollResult = { feed, added: [], skipped: [], error: null };
      let seen: string[] = [];
      let validators: Validators = {};
      const files: string[] = [];
      try {
        const read = await this.read(feed.url, feed);
        validators = read.validators;
        if (!read.notModified) {
          seen = read.items.map((i) => i.id);
          const fresh = store.unseen(feed.id, seen);
          for (const item of read.items.filter((i) => fresh.has(i.id)).slice(0, MAX_NEW_PER_POLL)) {
            try {
              const saved = await saveArticle(index, this.config, { url: item.link }, this.options, batch);
              if ('file' in saved) files.push(saved.file);
            } catch (error) {
              if (!(error instanceof UserError)) throw error;
              result.skipped.push({ link: item.link, failure: error.failure });
            }
          }
        }
      } catch (error) {
        result.error = this.failureOf(feed, error);
      }
      polled.push({ feed, files, result, seen, validators });
    }
    // One build for every article this poll saved.
    const added = await indexSaved(
      this.footnote,
      this.config,
      polled.flatMap((p) => p.files),
    );
    const byFile = new Map(added.map((a) => [a.article.file, a.article]));
    const now = this.now();
    for (const { feed, files, result, seen, validators } of polled) {
      result.added = files.flatMap((f) => byFile.get(f) ?? []);
      const failures = result.error ? feed.failures + 1 : 0;
      // Unfollowed while it was being read: its articles stay, its state goes with it.
      if (!store.get(feed.id)) continue;
      store.recordPoll(feed.id, {
        seen,
        ...validators,
        error: result.error,
        failures,
        nextPollAt: now + this.wait(failures),
        now,
      });
      this.log.info(
        { audit: 'feed poll', feed: feed.url, added: files, skipped: result.skipped, error: result.error },
        result.error ? 'feed poll failed' : 'feed polled',
      );
    }
    return polled.map((p) => p.result);
  }

  /** Until the next poll: FEED_POLL_MINUTES, doubled for each failure in a row (at most a day), with jitter. */
  private wait(failures: number): number {
    const base = Math.min(this.config.feedPollMinutes * 60_000 * 2 ** failures, MAX_BACKOFF_MS);
    return Math.round(base * (1 + JITTER * (2 * this.random() - 1)));
  }

  private async read(url: string, feed: Feed | null): Promise<FeedRead> {
    const headers: Record<string, string> = {};
    if (feed?.etag) headers['if-none-match'] = feed.etag;
    if (feed?.lastModified) headers['if-modified-since'] = feed.lastModified;
    const page = await safeFetch(url, {
      maxBytes: this.config.maxArticleBytes,
      accept: FEED_TYPES,
      expected: 'feed',
      allowHosts: this.config.fetchAllowHosts,
      headers,
      ...this.options.fetch,
    });
    const validators = { etag: page.etag, lastModified: page.lastModified };
    if (page.status === 304) return { notModified: true, validators };
    let data: FeedData | null;
    try {
      const text = page.body.toString('utf8');
      data = page.contentType.includes('json')
        ? extractFromJson(text, { baseUrl: page.url })
        : extractFromXml(text, { baseUrl: page.url });
    } catch {
      data = null;
    }
    if (!data) throw new UserError('feed.not-a-feed', {});
    const items = (data.entries ?? []).flatMap((e): FeedItem[] =>
      e.link && /^https?:/.test(e.link) ? [{ id: e.id || e.link, link: e.link, title: e.title ?? e.link }] : [],
    );
    return { notModified: false, title: data.title || url, items, validators };
  }

  private open(create: boolean): FeedStore | null {
    this.store ??= FeedStore.open(this.config.feedsDb, create);
    return this.store;
  }
}

type Validators = { etag?: string | null; lastModified?: string | null };
type FeedRead =
  | { notModified: true; validators: Validators }
  | { notModified: false; title: string; items: FeedItem[]; validators: Validators };
