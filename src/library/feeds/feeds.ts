// Following RSS, Atom and JSON feeds: subscribe, list, unsubscribe, and poll the due ones, taking their new items
// through the same path as /add and indexing each poll's articles in one incremental build.
import { randomBytes } from 'node:crypto';
import { extractFromJson, extractFromXml, type FeedData } from '@extractus/feed-extractor';
import { canonicalUrl, indexSaved, saveArticle, type AddOptions, type Batch } from '../add-article.js';
import type { Config } from '../../config.js';
import { UserError, type Failure } from '../../core/errors.js';
import { safeFetch } from '../../fetch/safe-fetch.js';
import type { Footnote } from '../footnote.js';
import type { Libraries } from '../libraries.js';
import type { Logger } from '../../log.js';
import { HOME_LIBRARY } from '../library-id.js';
import { FeedStore, type Feed } from './feed-store.js';
import type { IndexedArticle } from '../../core/types.js';
import type { PassageIndex } from '../../store/passage-index.js';

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
  /**
   * The articles of the feed's new items, in its owner's library: saved by this poll, or already there under the
   * item's link (another copy of the feed there took it first, or someone added it).
   */
  added: IndexedArticle[];
  /** Items that could not be added, with why (a page with no text, a refused link…). */
  skipped: { link: string; failure: Failure }[];
  /** Why the feed itself could not be read, or null. */
  error: Failure | null;
}

/** Who follows a feed and where it is announced. */
export interface Follower {
  /** Whose feed it is: a Discord server's id, or HOME_LIBRARY (see Feed.owner). */
  owner: string;
  addedBy: string;
  /** See Feed.announceTo. */
  announceTo: string | null;
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
    private readonly libraries: Libraries,
    private readonly config: Config,
    private readonly log: Logger,
    private readonly options: FeedsOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /**
   * Follows a feed for its owner: it is read once to check it is one (and for its title), then polled on
   * schedule, first now. Refused when the owner follows it already, or (a server) follows MAX_FEEDS_PER_SERVER.
   */
  async follow(url: string, follower: Follower): Promise<Feed> {
    const store = this.open(true)!;
    // Operators follow the home library's feeds: only servers have a limit.
    const max = follower.owner === HOME_LIBRARY ? null : this.config.maxFeedsPerServer;
    // Before the feed is fetched, and again as it is written, for a follow made meanwhile.
    store.checkRoom(follower.owner, url, max);
    const read = await this.read(url, null);
    if (read.notModified) throw new Error('a first read of a feed cannot be "not modified"');
    return store.add({ url, title: read.title, ...follower, now: this.now() }, max);
  }

  /** The feeds `owner` follows: nobody sees another owner's. */
  list(owner: string): Feed[] {
    return this.open(false)?.list(owner) ?? [];
  }

  /** `owner`'s feed; another owner's is null, as an unknown id is. */
  get(owner: string, id: number): Feed | null {
    return this.open(false)?.owned(owner, id) ?? null;
  }

  /** Stops following one of `owner`'s feeds (another's is null, as an unknown id is); its articles stay. */
  unfollow(owner: string, id: number): Feed | null {
    const store = this.open(false);
    const feed = store?.owned(owner, id) ?? null;
    if (feed) store!.remove(owner, id);
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
    // Each owner's feeds go into its library: a server's own (made by its first feed's articles), or the home
    // library for HOME_LIBRARY and HOME_SERVER_IDS servers. One library at a time, so one build each.
    const owners = new Map<string, Feed[]>();
    for (const feed of due) owners.set(feed.owner, [...(owners.get(feed.owner) ?? []), feed]);
    const polled: Polled[] = [];
    for (const [owner, feeds] of owners) {
      const server = owner === HOME_LIBRARY ? null : owner;
      const into = (library: Footnote): Promise<Polled[]> => this.pollInto(library, feeds, store);
      polled.push(...((await this.libraries.withLibrary(server, into, { create: true })) ?? []));
    }
    const now = this.now();
    for (const { feed, saved, result, seen, validators } of polled) {
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
        {
          audit: 'feed poll',
          feed: feed.url,
          owner: feed.owner,
          added: saved,
          skipped: result.skipped,
          error: result.error,
        },
        result.error ? 'feed poll failed' : 'feed polled',
      );
    }
    return polled.map((p) => p.result);
  }

  /** Polls one owner's due feeds into its library, indexing every article they saved in one build. */
  private async pollInto(library: Footnote, feeds: Feed[], store: FeedStore): Promise<Polled[]> {
    await library.ensureIndex('lexical');
    const index = library.index();
    const poll: Poll = { batch: { links: new Set(), texts: new Set() }, taken: new Map() };
    const polled: Polled[] = [];
    for (const feed of feeds) polled.push(await this.pollFeed(feed, store, index, library.config, poll));
    await indexSaved(
      library,
      library.config,
      polled.flatMap((p) => p.saved),
    );
    const articleOf = articlesByFile(library.index());
    for (const { files, result } of polled) result.added = files.flatMap((f) => articleOf(f) ?? []);
    return polled;
  }

  /** Reads one feed and saves the articles of its new items, to be indexed with the rest of the poll's. */
  private async pollFeed(
    feed: Feed,
    store: FeedStore,
    index: PassageIndex | null,
    config: Config,
    poll: Poll,
  ): Promise<Polled> {
    const polled: Polled = {
      feed,
      result: { feed, added: [], skipped: [], error: null },
      seen: [],
      validators: {},
      files: [],
      saved: [],
    };
    try {
      const read = await this.read(feed.url, feed);
      polled.validators = read.validators;
      if (read.notModified) return polled;
      polled.seen = read.items.map((i) => i.id);
      const fresh = store.unseen(feed.id, polled.seen);
      for (const item of read.items.filter((i) => fresh.has(i.id)).slice(0, MAX_NEW_PER_POLL)) {
        await this.takeItem(item, index, config, poll, polled);
      }
    } catch (error) {
      polled.result.error = this.failureOf(feed, error);
    }
    return polled;
  }

  /** Saves the article of a feed's new item, or finds it under the item's link; one that cannot be added is skipped. */
  private async takeItem(
    item: FeedItem,
    index: PassageIndex | null,
    config: Config,
    poll: Poll,
    polled: Polled,
  ): Promise<void> {
    let file: string | null;
    try {
      // `config`: the owner's library's, whose articles folder the article is saved in.
      const saved = await saveArticle(index, config, { url: item.link }, this.options, poll.batch);
      const link = canonicalUrl(item.link);
      if ('file' in saved) {
        file = saved.file;
        polled.saved.push(file);
        poll.taken.set(link, file);
      } else if (saved.article === null) {
        // Saved earlier in this poll: under this link (another copy of the feed), or another link with the same text.
        file = poll.taken.get(link) ?? null;
      } else {
        file = saved.added || saved.because === 'same link' ? saved.article.file : null;
      }
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      polled.result.skipped.push({ link: item.link, failure: error.failure });
      return;
    }
    if (file !== null && !polled.files.includes(file)) polled.files.push(file);
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
/** What one poll of every due feed shares: the articles saved so far, and the file saved for each link. */
type Poll = { batch: Batch; taken: Map<string, string> };
/** One feed's poll before indexing: `files` are its new items' articles, `saved` those it saved itself. */
type Polled = {
  feed: Feed;
  result: PollResult;
  seen: string[];
  validators: Validators;
  files: string[];
  saved: string[];
};

/** Finds the article indexed from a file in `index`. */
function articlesByFile(index: PassageIndex | null): (file: string) => IndexedArticle | null {
  const ids = new Map((index?.articles() ?? []).map((a) => [a.file, a.id]));
  return (file) => {
    const id = ids.get(file);
    return id === undefined ? null : index!.article(id);
  };
}
type FeedRead =
  | { notModified: true; validators: Validators }
  | { notModified: false; title: string; items: FeedItem[]; validators: Validators };
