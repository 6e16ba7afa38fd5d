/** Polls the feeds that are due, on a timer, and announces each new article in its feed's channel. */
import type { Channel, Client } from 'discord.js';
import type { Feed } from '../library/feeds/feed-store.js';
import { HOME_LIBRARY } from '../library/library-id.js';
import type { Feeds } from '../library/feeds/feeds.js';
import type { Logger } from '../log.js';
import { announcement } from './handlers/feeds-handler.js';

// How often the bot looks for feeds due a poll (each feed's own interval is FEED_POLL_MINUTES).
const FEED_CHECK_MS = 60_000;

/** Feeds are polled while connected; each new article gets a line in its feed's channel, if it has one. */
export class FeedAnnouncer {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly client: Client,
    private readonly feeds: Feeds,
    private readonly log: Logger,
  ) {}

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
      for (const result of await this.feeds.pollDue()) {
        const channelId = result.feed.announceTo;
        if (!channelId || !result.added.length) continue;
        const channel = await this.client.channels.fetch(channelId).catch(() => null);
        if (!channel?.isSendable() || !mayAnnounceIn(result.feed, channel)) {
          this.log.warn(
            { feed: result.feed.url, owner: result.feed.owner, channelId },
            'cannot announce in the feed’s channel',
          );
          continue;
        }
        for (const article of result.added) await channel.send(announcement(result, article));
      }
    } catch (error) {
      this.log.warn({ err: error }, 'feed poll failed');
    }
  }

  /** No new polls; one under way carries on (see settled). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** A poll under way has finished: its articles are saved and indexed, or taken out again. */
  settled(): Promise<void> {
    return this.feeds.settled();
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
