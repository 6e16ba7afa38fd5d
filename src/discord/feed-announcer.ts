/** Polls the feeds that are due, on a timer, and announces each new article in its feed's channel. */
import { DiscordAPIError, type Channel, type Client } from 'discord.js';
import type { Feed } from '../library/feeds/feed-store.js';
import { HOME_LIBRARY } from '../library/library-id.js';
import type { Feeds, PollResult } from '../library/feeds/feeds.js';
import type { Logger } from '../log.js';
import { announcement } from './handlers/feeds-handler.js';

// How often the bot looks for feeds due a poll (each feed's own interval is FEED_POLL_MINUTES).
const FEED_CHECK_MS = 60_000;

/** Feeds are polled while connected; each new article gets a line in its feed's channel, if it has one. */
export class FeedAnnouncer {
  private timer: NodeJS.Timeout | null = null;
  private readonly announcing = new Set<Promise<void>>();

  constructor(
    private readonly client: Client,
    private readonly feeds: Feeds,
    private readonly log: Logger,
  ) {
    // Each feed as soon as it is polled, in every poll (this timer's, or a followed feed's first): a slow
    // feed holds up no other's lines, and a channel that refuses costs only its own feed's.
    feeds.onPolled((result) => {
      const announced = this.announce(result).finally(() => this.announcing.delete(announced));
      this.announcing.add(announced);
    });
  }

  /** Once connected: a poll now, then one every minute. */
  start(): void {
    this.timer = setInterval(() => void this.poll(), FEED_CHECK_MS);
    // The timer alone does not keep the process alive: the gateway connection does.
    this.timer.unref();
    void this.poll();
  }

  /** Polls the feeds that are due and announces their new articles; a failure is logged, not thrown. */
  async poll(): Promise<void> {
    try {
      await this.feeds.pollDue();
    } catch (error) {
      this.log.warn({ err: error }, 'feed poll failed');
    }
    await this.announced();
  }

  /** No new polls; one under way carries on (see settled). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** A poll under way has finished (its articles saved and indexed, or taken out again), and been announced. */
  async settled(): Promise<void> {
    await this.feeds.settled();
    await this.announced();
  }

  /** Resolves when every announcement begun so far is posted or given up. */
  private async announced(): Promise<void> {
    while (this.announcing.size) await Promise.all(this.announcing);
  }

  /** Posts a line for each article a feed's poll took, in the feed's channel; what fails is logged, not thrown. */
  private async announce(result: PollResult): Promise<void> {
    const { feed, added } = result;
    const channelId = feed.announceTo;
    if (!channelId || !added.length) return;
    const where = { feedId: feed.id, feed: feed.url, owner: feed.owner, channelId };
    // Over REST, which needs no gateway connection to the channel's server: a sharded bot's feeds are polled by
    // shard 0, and a channel of a server on another shard is fetched (not kept: this shard gets none of its events).
    const channel = await this.client.channels
      .fetch(channelId, { allowUnknownGuild: true, cache: false })
      .catch(() => null);
    if (!channel?.isSendable() || !mayAnnounceIn(feed, channel)) {
      this.log.warn(where, 'cannot announce in the feed’s channel');
      return;
    }
    for (const [i, article] of added.entries()) {
      try {
        await channel.send(announcement(result, article));
      } catch (error) {
        // A channel that refuses one line (no access, gone) refuses the rest, and every refusal counts
        // against Discord's limit on invalid requests: the feed's other lines are not tried this time.
        const refused = error instanceof DiscordAPIError && (error.status === 403 || error.status === 404);
        const unannounced = refused ? added.length - i : 1;
        this.log.warn({ ...where, err: error, unannounced }, 'feed announcement not posted');
        if (refused) return;
      }
    }
  }
}

/**
 * A server's feed is announced only in that server: its channel was checked when it was followed,
 * and again here, whatever FEEDS_DB holds. The home library's feeds (operators', and those followed
 * before feeds had owners) keep the channel they were given.
 */
function mayAnnounceIn(feed: Feed, channel: Channel): boolean {
  return feed.owner === HOME_LIBRARY || ('guildId' in channel && channel.guildId === feed.owner);
}
