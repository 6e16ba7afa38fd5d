/**
 * What discord.js keeps of the servers the bot is in. By default it keeps every member, user, emoji and sticker it is
 * sent and 200 messages a channel, for as long as it runs: in thousands of servers (up to 2,500 a shard process) that
 * grows with every asker. The bot needs almost none of it: it answers from its index, reads a follow-up thread's
 * turns from its answer log, and is sent what it acts on (the asker's permissions, a clicked message) with each
 * interaction. Guilds, channels (DM channels too), threads, roles and permission overwrites stay whole: discord.js
 * breaks without them, and the feed announcer finds its channels there.
 */
import { Options, type CacheFactory, type SweeperOptions } from 'discord.js';

/** Kept past a limit of 0: the bot's own entry, whose id is its user id (unknown before the gateway's READY). */
const itself = (entry: { id: string; client: { user: { id: string } | null } }): boolean =>
  entry.id === entry.client.user?.id;

const cacheLimits = {
  // Guild and DM messages alike: nothing reads a message back (a follow-up thread's turns are in the answer log).
  MessageManager: 0,
  // The bot's own member (guild.members.me), for discord.js's permission helpers; an asker's come with the interaction.
  GuildMemberManager: { maxSize: 0, keepOverLimit: itself },
  // The bot's own user (client.user); authors and askers come whole with each event, and DMs are opened by id.
  UserManager: { maxSize: 0, keepOverLimit: itself },
  // The bot's membership of the threads it opens; who else is in them is never read.
  ThreadMemberManager: { maxSize: 0, keepOverLimit: itself },
  // Every server's GUILD_CREATE lists all its emojis, and the bot shows none.
  GuildEmojiManager: 0,
  // Listed whole in GUILD_CREATE too, and never sent.
  GuildStickerManager: 0,
  // Listed in GUILD_CREATE, and never read.
  GuildScheduledEventManager: 0,
  // Listed in GUILD_CREATE, and never read: the bot is in no stage.
  StageInstanceManager: 0,
  // Needs the presence intent, which the bot does not ask for.
  PresenceManager: 0,
  // The bot joins no voice channel.
  VoiceStateManager: 0,
  // Votes are buttons, not reactions.
  ReactionManager: 0,
  // Who reacted is never read either.
  ReactionUserManager: 0,
  // The bot creates and reads no invites.
  GuildInviteManager: 0,
  // The bot bans no one.
  GuildBanManager: 0,
} as const;

/** Archived threads are dropped from the cache an hour after archiving, looked for every hour. */
export const THREAD_SWEEP = { interval: 3600, lifetime: 3600 } as const;

/** The client options that bound its caches. */
export function cacheOptions(): { makeCache: CacheFactory; sweepers: SweeperOptions } {
  return {
    makeCache: Options.cacheWithLimits(cacheLimits),
    // A follow-up thread archives after an hour without a question. Once swept, a question there still reaches the
    // bot (the message brings the thread with it) and a second click finds the thread by id (buttons/follow-up.ts).
    sweepers: { threads: THREAD_SWEEP },
  };
}
