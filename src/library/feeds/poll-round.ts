// One round of feed polls: the due feeds read a few at once, each within a deadline, and each feed's new articles
// indexed as soon as it is done, so that a slow or hostile feed holds up no other.
import { canonicalUrl, indexSaved, saveArticle, type AddOptions, type Batch } from '../add-article.js';
import { UserError, type Failure } from '../../core/errors.js';
import type { IndexedArticle } from '../../core/types.js';
import type { Footnote } from '../footnote.js';
import type { Libraries } from '../libraries.js';
import { HOME_LIBRARY } from '../library-id.js';
import type { Logger } from '../../log.js';
import type { PassageIndex } from '../../store/passage-index.js';
import type { Feed, FeedStore } from './feed-store.js';
import type { FeedItem, FeedRead, Validators } from './read-feed.js';

// New items taken from one feed per poll, newest first: a feed first followed may list years of
// them, and each is a page fetched and an article indexed. The rest are marked seen.
export const MAX_NEW_PER_POLL = 10;
// Feeds polled at once: a feed mostly waits on its site, so a few at once keep one slow feed from holding up the
// others; only a few, as every page read is parsed on the bot's one thread.
const FEEDS_AT_ONCE = 4;
// One feed's poll, its feed and up to MAX_NEW_PER_POLL pages at up to 30 s each: past this it is abandoned for the
// round as a failed poll (which backs off), so a hostile feed holds one of FEEDS_AT_ONCE places no longer.
export const FEED_DEADLINE_MS = 2 * 60_000;

export interface PollResult {
  feed: Feed;
  /**
   * The articles of the feed's new items, in its owner's library: saved by this poll, or already there under the
   * item's link (another copy of the feed there took it first, or someone added it).
   */
  added: IndexedArticle[];
  /** Items that could not be added, with why (a page with no text, a refused link…). */
  skipped: { link: string; failure: Failure }[];
  /** Why the feed itself could not be read, or all its new items not taken in time, or null. */
  error: Failure | null;
}

/** One feed's poll, to be recorded: `files` are its new items' articles, `saved` those it saved itself. */
export interface Polled {
  feed: Feed;
  result: PollResult;
  /** The items it listed, but those it was to take and did not reach before its deadline. */
  seen: string[];
  validators: Validators;
  files: string[];
  saved: string[];
}

/** What a round needs of Feeds. */
export interface RoundContext {
  libraries: Libraries;
  store: FeedStore;
  log: Logger;
  /** Overrides of the fetcher's settings, for the pages (tests). */
  options: AddOptions;
  /** Aborts when the feed's poll is past its deadline (FEED_DEADLINE_MS after it starts, unless a test says). */
  deadline(feed: Feed): AbortSignal;
  read(feed: Feed, signal: AbortSignal): Promise<FeedRead>;
  failureOf(feed: Feed, error: unknown): Failure;
  /** Takes the feed for this poll: false when another process (a sharded bot's other shard) has it. */
  claim(feed: Feed): boolean;
  /** Makes a claimed feed due again, its poll not recorded. */
  release(feed: Feed): void;
  /** Records a feed's poll once its articles are indexed, and passes its result on. */
  done(polled: Polled): PollResult;
}

/**
 * Polls the due feeds, FEEDS_AT_ONCE at a time; resolves with their results, in `due`'s order, when all are done.
 * Each owner's feeds go into its library: a server's own (made by its first feed's articles), or the home library
 * for HOME_LIBRARY and HOME_SERVER_IDS servers.
 */
export async function pollRound(due: Feed[], context: RoundContext): Promise<PollResult[]> {
  const shelves = new Map<Footnote, Shelf>();
  const results = new Map<number, PollResult>();
  await eachAtOnce(due, FEEDS_AT_ONCE, async (feed) => {
    const server = feed.owner === HOME_LIBRARY ? null : feed.owner;
    const into = (library: Footnote): Promise<Polled> => {
      if (!shelves.has(library)) shelves.set(library, new Shelf(library));
      return pollInto(shelves.get(library)!, feed, context);
    };
    if (!context.claim(feed)) return;
    try {
      const polled = await context.libraries.withLibrary(server, into, { create: true });
      if (polled) results.set(feed.id, context.done(polled));
      else context.release(feed);
    } catch (error) {
      // Its articles could not be indexed (another build under way, here or in another process): none of the poll
      // is recorded, so the feed is due again, its items unseen, for the next check.
      context.release(feed);
      context.log.warn({ err: error, feedId: feed.id, feed: feed.url, owner: feed.owner }, 'feed poll not recorded');
    }
  });
  return due.flatMap((feed) => results.get(feed.id) ?? []);
}

/** Polls one feed into its library and indexes the articles it saved; throws when they cannot be indexed. */
async function pollInto(shelf: Shelf, feed: Feed, context: RoundContext): Promise<Polled> {
  await shelf.ready;
  const polled = await pollFeed(shelf, feed, context);
  await shelf.index(polled.saved);
  const articleOf = articlesByFile(shelf.library.index());
  polled.result.added = polled.files.flatMap((f) => articleOf(f) ?? []);
  return polled;
}

/** Reads one feed and saves the articles of its new items, until its deadline: what is left waits for a later poll. */
async function pollFeed(shelf: Shelf, feed: Feed, context: RoundContext): Promise<Polled> {
  const polled: Polled = {
    feed,
    result: { feed, added: [], skipped: [], error: null },
    seen: [],
    validators: {},
    files: [],
    saved: [],
  };
  // Past the deadline, the fetch under way ends with this failure, and so does the poll.
  const deadline = new AbortController();
  const over = context.deadline(feed);
  const abandon = (): void => deadline.abort(new UserError('feed.too-slow', { seconds: FEED_DEADLINE_MS / 1000 }));
  if (over.aborted) abandon();
  else over.addEventListener('abort', abandon, { once: true });
  try {
    const read = await context.read(feed, deadline.signal);
    polled.validators = read.validators;
    if (read.notModified) return polled;
    const ids = read.items.map((i) => i.id);
    const fresh = context.store.unseen(feed.id, ids);
    const taking = read.items.filter((i) => fresh.has(i.id)).slice(0, MAX_NEW_PER_POLL);
    // Each item to take is seen once taken (or skipped): one the deadline cut off is taken on a later poll.
    const later = new Set(taking.map((i) => i.id));
    polled.seen = ids.filter((id) => !later.has(id));
    for (const item of taking) {
      deadline.signal.throwIfAborted();
      await takeItem(item, shelf, deadline.signal, polled, context.options);
      polled.seen.push(item.id);
    }
  } catch (error) {
    polled.result.error = context.failureOf(feed, error);
    // The items not reached are taken when the feed is next read in full, not answered "not modified".
    polled.validators = {};
  } finally {
    over.removeEventListener('abort', abandon);
  }
  return polled;
}

/** Saves the article of a feed's new item, or finds it under the item's link; one that cannot be added is skipped. */
async function takeItem(
  item: FeedItem,
  shelf: Shelf,
  signal: AbortSignal,
  polled: Polled,
  options: AddOptions,
): Promise<void> {
  const { library, batch, taken } = shelf;
  let file: string | null;
  try {
    // `library.config`: the owner's library's, whose articles folder the article is saved in.
    const fetch = { ...options.fetch, signal };
    const saved = await saveArticle(() => library.index(), library.config, { url: item.link }, { fetch }, batch);
    const link = canonicalUrl(item.link);
    if ('file' in saved) {
      file = saved.file;
      polled.saved.push(file);
      taken.set(link, file);
    } else if (saved.article === null) {
      // Saved earlier in this round: under this link (another copy of the feed), or another link with the same text.
      file = taken.get(link) ?? null;
    } else {
      file = saved.added || saved.because === 'same link' ? saved.article.file : null;
    }
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    // Past the deadline the whole poll stops; any other UserError is this item's alone.
    if (signal.aborted) throw signal.reason;
    polled.result.skipped.push({ link: item.link, failure: error.failure });
    return;
  }
  if (file !== null && !polled.files.includes(file)) polled.files.push(file);
}

/**
 * What the feeds polled into one library in a round share: the articles saved so far, the file saved for each
 * link, and the builds that index them, one at a time, each taking every feed's files that wait.
 */
class Shelf {
  readonly batch: Batch = { links: new Set(), texts: new Set(), files: new Set() };
  readonly taken = new Map<string, string>();
  /** The index checked (built when missing) once, before any feed of the round saves into it. */
  readonly ready: Promise<void>;
  private readonly waiting: { files: string[]; settle: (error: Error | null) => void }[] = [];
  private building = false;

  constructor(readonly library: Footnote) {
    this.ready = library.ensureIndex('lexical');
  }

  /** Resolves once `files` are indexed; rejects when their build failed (they are taken out again). */
  index(files: string[]): Promise<void> {
    if (!files.length) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiting.push({ files, settle: (error) => (error === null ? resolve() : reject(error)) });
      void this.build();
    });
  }

  private async build(): Promise<void> {
    if (this.building) return;
    this.building = true;
    while (this.waiting.length) {
      const wave = this.waiting.splice(0);
      const files = wave.flatMap((w) => w.files);
      const error = await indexSaved(this.library, this.library.config, files).then(
        () => null,
        (e: unknown) => (e instanceof Error ? e : new Error(`the build failed: ${String(e)}`)),
      );
      for (const { settle } of wave) settle(error);
    }
    this.building = false;
  }
}

/** Runs `job` for each item, at most `limit` at once, each as soon as a place is free; `job` must not throw. */
async function eachAtOnce<T>(items: T[], limit: number, job: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const worker = async (): Promise<void> => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await job(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
}

/** Finds the article indexed from a file in `index`. */
function articlesByFile(index: PassageIndex | null): (file: string) => IndexedArticle | null {
  const ids = new Map((index?.articles() ?? []).map((a) => [a.file, a.id]));
  return (file) => {
    const id = ids.get(file);
    return id === undefined ? null : index!.article(id);
  };
}
