/**
 * Following feeds for someone on Discord: /feeds add, list and remove, for the people who may
 * reindex, each with an audit line; and the line a channel gets for each new article a poll takes.
 * A feed belongs to the server it is followed in (a DM's, to the home library): only there is it
 * listed, offered, removed and announced, and its articles go to that server's library (Feeds.pollNow).
 */
import type { AutocompleteInteraction } from 'discord.js';
import { HOME_LIBRARY } from '../../library/library-id.js';
import { MAX_NEW_PER_POLL, type PollResult } from '../../library/feeds/feeds.js';
import type { CommandContext } from '../command-types.js';
import { errorText } from '../error-text.js';
import { runFlow } from '../flow.js';
import { ADDING_BUSY, QueueFullError } from '../limits.js';
import { inline, safeLink } from '../markdown.js';
import { isIndexAdmin, mayFollowFeeds, roomToAdd, withinAddRate } from '../preconditions.js';
import { LIMITS, shorten } from '../render.js';
import { managesServer, type Request } from '../request.js';

export const FEED_CHANNEL_REFUSED =
  'A feed can only announce in a text channel of the server that follows it, and that channel is not one. ' +
  'Nothing was followed.';

/** Whose feeds a request lists and changes: its server's, or in a DM the home library's. */
export function feedOwner(where: { guildId: string | null }): string {
  return where.guildId ?? HOME_LIBRARY;
}

/** A feed to follow: its link, and the channel to announce in with a way to ask Discord which server that is in. */
export interface FeedToFollow {
  url: string;
  channelId: string | null;
  /** The server a channel is in, as Discord says; null for a channel in none, or one the bot cannot see. */
  serverOf: (channelId: string) => Promise<string | null>;
}

export function followFeed(request: Request, given: FeedToFollow, context: CommandContext): Promise<void> {
  const preconditions = [mayFollowFeeds({ change: 'add', url: given.url }), withinAddRate, roomToAdd];
  return runFlow(request, context, preconditions, async () => {
    const { feeds, log } = context;
    const audit = log.child({ audit: 'feeds', change: 'add', where: request.guildId ?? 'DM' });
    await request.defer();
    // A DM has no channels to announce in; a server's feed announces only in that server.
    if (given.channelId && (!request.guildId || (await given.serverOf(given.channelId)) !== request.guildId)) {
      audit.info(
        { url: given.url, channelId: given.channelId, result: 'refused', reason: 'channel elsewhere' },
        'feed not followed',
      );
      await request.reply({ content: FEED_CHANNEL_REFUSED, embeds: [] });
      return;
    }
    let feed;
    try {
      // Following reads the feed: it takes a place among the adds.
      feed = await context.limits.addQueue.run(() =>
        feeds.follow(given.url, { owner: feedOwner(request), addedBy: request.userId, announceTo: given.channelId }),
      );
    } catch (error) {
      if (error instanceof QueueFullError) {
        await request.reply({ content: ADDING_BUSY, embeds: [] });
        return;
      }
      audit.info({ url: given.url, result: 'refused', reason: (error as Error).message }, 'feed not followed');
      throw error;
    }
    audit.info({ url: feed.url, feedId: feed.id, channelId: feed.announceTo, result: 'followed' }, 'feed followed');
    // Its first poll is due now and starts now (with the next check, when a round is under way), announced as any
    // poll is: the reply does not wait for its pages. Not among the adds: a round bounds its own work (a few feeds at
    // once, each within a deadline). One that cannot index now (a build in another process) leaves the feed due.
    feeds.pollDue().catch((error: unknown) => log.warn({ err: error, feedId: feed.id }, 'first poll of a feed failed'));
    const title = `**${inline(feed.title, 200)}**`;
    // Where to announce is a channel id: this adapter is the one that stored it.
    const where = feed.announceTo ? ` New articles will be announced in <#${feed.announceTo}>.` : '';
    const content = `Following ${title}. ${firstItems(feed.listed)}${where}`;
    await request.reply({ content: shorten(content, LIMITS.content), embeds: [] });
  });
}

/** What a feed's first read found, and what its first poll, starting as this is said, takes of it. */
export function firstItems(listed: number): string {
  if (listed === 0) return 'It lists no items yet.';
  const taking = Math.min(listed, MAX_NEW_PER_POLL);
  const found = `${listed} item${listed === 1 ? '' : 's'} found`;
  if (taking === listed) return `${found}: ${listed === 1 ? 'it is' : 'they are'} being added now.`;
  return `${found}: the newest ${taking} are being added now.`;
}

export function listFeeds(request: Request, context: CommandContext): Promise<void> {
  return runFlow(request, context, [mayFollowFeeds({ change: 'list' })], async () => {
    const feeds = context.feeds.list(feedOwner(request));
    if (!feeds.length) {
      await request.reply({ content: 'No feeds are followed. Add one with `/feeds add`.', embeds: [] });
      return;
    }
    const lines = feeds.map((f) => {
      const polled = f.lastPolledAt ? `last read ${f.lastPolledAt.slice(0, 16).replace('T', ' ')} UTC` : 'not read yet';
      const failing = f.lastError ? `; failing: ${shorten(errorText(f.lastError), 200)}` : '';
      // A link that cannot be shown as one is shown as text, which links nowhere.
      const link = safeLink(f.url);
      return `• **${inline(f.title, 150)}** ${link ? `<${link}>` : inline(f.url, 300)} (${polled}${failing})`;
    });
    await request.reply({ content: shorten(lines.join('\n'), LIMITS.content), embeds: [] });
  });
}

export function unfollowFeed(request: Request, feedId: string, context: CommandContext): Promise<void> {
  return runFlow(request, context, [mayFollowFeeds({ change: 'remove', feedId })], async () => {
    // Another server's feed is "no such feed", as an unknown id is: no server learns what another follows.
    const feed = /^\d+$/.test(feedId) ? context.feeds.unfollow(feedOwner(request), Number(feedId)) : null;
    context.log.info(
      {
        audit: 'feeds',
        change: 'remove',
        where: request.guildId ?? 'DM',
        feedId,
        url: feed?.url,
        result: feed ? 'removed' : 'no such feed',
      },
      feed ? 'feed no longer followed' : 'feed not found',
    );
    const content = feed
      ? `No longer following **${inline(feed.title, 200)}**; the articles taken from it stay.`
      : 'No feed is followed under that name. Nothing was changed.';
    await request.reply({ content, embeds: [] });
  });
}

/**
 * Autocomplete for `feed:`: the feeds followed where it is typed whose title or link holds what was typed,
 * shown only to those who may manage feeds (as /feeds list is), in a DM too, where no server permission hides
 * the command.
 */
export async function respondWithFeeds(
  interaction: AutocompleteInteraction,
  { feeds, config }: CommandContext,
): Promise<void> {
  if (!isIndexAdmin({ userId: interaction.user.id, managesServer: managesServer(interaction) }, config)) {
    await interaction.respond([]);
    return;
  }
  const typed = interaction.options.getFocused().toLowerCase();
  const matches = feeds
    .list(feedOwner(interaction))
    .filter((f) => f.title.toLowerCase().includes(typed) || f.url.toLowerCase().includes(typed));
  await interaction.respond(
    matches.slice(0, 25).map((f) => ({ name: shorten(`${f.title} (${f.url})`, 100), value: String(f.id) })),
  );
}

/** The line a feed's channel gets for an article a poll took. */
export function announcement(result: PollResult, article: { title: string; file: string }): string {
  return shorten(`New from ${inline(result.feed.title, 150)}: **${inline(article.title, 300)}**`, LIMITS.content);
}
