// Following RSS, Atom and JSON feeds: subscribe, list, unsubscribe, and poll the due ones (poll-round.ts), taking
// their new items through the same path as /add.
import { randomBytes } from 'node:crypto';
import type { AddOptions } from '../add-article.js';
import type { Config } from '../../config.js';
import { UserError, type Failure } from '../../core/errors.js';
import type { Libraries } from '../libraries.js';
import type { Logger } from '../../log.js';
import { HOME_LIBRARY } from '../library-id.js';
import { FeedStore, type Feed } from './feed-store.js';
import { FEED_DEADLINE_MS, pollRound, type Polled, type PollResult } from './poll-round.js';
import { readFeed } from './read-feed.js';

export { MAX_NEW_PER_POLL, type PollResult } from './poll-round.js';
export type { FeedItem } from './read-feed.js';

const DAY_MS = 24 * 60 * 60_000;
// Each failed poll in a row doubles the wait, up to a day.
const MAX_BACKOFF_MS = DAY_MS;
// The wait varies by up to this share either way, so that feeds followed together are not all polled at once.
const JITTER = 0.1;
// A feed taken for a poll is not polled by another process for this long: well past one poll's deadline
// (FEED_DEADLINE_MS) and the indexing after it; a poller that dies leaves its feeds due again after it.
const CLAIM_MS = 10 * 60_000;

/** Who follows a feed and where it is announced. */
export interface Follower {
  /** Whose feed it is: a Discord server's id, or HOME_LIBRARY (see Feed.owner). */
  owner: string;
  addedBy: string;
  /** See Feed.announceTo. */
  announceTo: string | null;
}

/** A feed just followed, and how many items its first read found. */
export type Followed = Feed & { listed: number };

export interface FeedsOptions extends AddOptions {
  now?: () => number;
  random?: () => number;
  /** The signal that ends one feed's poll: by default FEED_DEADLINE_MS after it starts; a test's, when it says. */
  feedDeadline?: (feed: Feed) => AbortSignal;
}

export class Feeds {
  private store: FeedStore | null = null;
  private polling: Promise<PollResult[]> | null = null;
  private readonly listeners = new Set<(result: PollResult) => void>();
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
   * Follows a feed for its owner: it is read once to check it is one (for its title, and how many items it lists),
   * then polled on schedule, first now. Refused when the owner follows it already, or (a server) follows
   * MAX_FEEDS_PER_SERVER.
   */
  async follow(url: string, follower: Follower): Promise<Followed> {
    const store = this.open(true)!;
    // Operators follow the home library's feeds: only servers have a limit.
    const max = follower.owner === HOME_LIBRARY ? null : this.config.maxFeedsPerServer;
    // Before the feed is fetched, and again as it is written, for a follow made meanwhile.
    store.checkRoom(follower.owner, url, max);
    const read = await readFeed(url, null, this.config, this.options.fetch);
    if (read.notModified) throw new Error('a first read of a feed cannot be "not modified"');
    const feed = store.add({ url, title: read.title, ...follower, now: this.now() }, max);
    return { ...feed, listed: read.items.length };
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

  /**
   * Calls `listener` with each feed's result as soon as that feed is polled and its articles indexed, in every
   * poll, whoever started it. Returns what stops it.
   */
  onPolled(listener: (result: PollResult) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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
    return pollRound(due, {
      libraries: this.libraries,
      store,
      log: this.log,
      options: this.options,
      deadline: this.options.feedDeadline ?? (() => AbortSignal.timeout(FEED_DEADLINE_MS)),
      read: (feed, signal) => readFeed(feed.url, feed, this.config, { ...this.options.fetch, signal }),
      failureOf: (feed, error) => this.failureOf(feed, error),
      claim: (feed) => store.claim(feed.id, this.now(), this.now() + CLAIM_MS),
      release: (feed) => store.release(feed.id, this.now()),
      done: (polled) => this.record(store, polled),
    });
  }

  /** Records one feed's poll (unless it was unfollowed meanwhile), and tells the listeners. */
  private record(store: FeedStore, { feed, result, seen, validators, saved }: Polled): PollResult {
    // Unfollowed while it was being read: its articles stay, its state goes with it.
    if (store.get(feed.id)) {
      const now = this.now();
      const failures = result.error ? feed.failures + 1 : 0;
      const nextPollAt = now + this.wait(failures);
      const forgetBefore = now - this.config.retainDays * DAY_MS;
      const poll = { seen, ...validators, error: result.error, failures, nextPollAt, now, forgetBefore };
      const forgotten = store.recordPoll(feed.id, poll);
      this.log.info(
        {
          audit: 'feed poll',
          feed: feed.url,
          owner: feed.owner,
          added: saved,
          skipped: result.skipped,
          error: result.error,
          forgotten,
        },
        result.error ? 'feed poll failed' : 'feed polled',
      );
    }
    for (const listener of this.listeners) {
      try {
        listener(result);
      } catch (error) {
        this.log.warn({ err: error, feedId: feed.id }, 'a listener to feed polls failed');
      }
    }
    return result;
  }

  /** Until the next poll: FEED_POLL_MINUTES, doubled for each failure in a row (at most a day), with jitter. */
  private wait(failures: number): number {
    const base = Math.min(this.config.feedPollMinutes * 60_000 * 2 ** failures, MAX_BACKOFF_MS);
    return Math.round(base * (1 + JITTER * (2 * this.random() - 1)));
  }

  private open(create: boolean): FeedStore | null {
    this.store ??= FeedStore.open(this.config.feedsDb, create);
    return this.store;
  }
}
