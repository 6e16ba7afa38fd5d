/** Builds the Discord client from what the caller opened, registers its events, and starts and stops it. */
import { Client, GatewayIntentBits, Partials } from 'discord.js';
import type { Feeds } from '../library/feeds/feeds.js';
import { cacheOptions } from './cache-policy.js';
import type { CommandContext } from './command-types.js';
import { EventLoopMonitor } from './event-loop-monitor.js';
import { FeedAnnouncer } from './feed-announcer.js';
import { registerEvents } from './load-events.js';
import { LoginErrors } from './login-errors.js';

export interface Bot {
  client: Client;
  limits: CommandContext['limits'];
  feeds: Feeds;
  /** Polls the feeds that are due and announces their new articles (the bot does so every minute). */
  pollFeeds(): Promise<void>;
  start(token: string): Promise<void>;
  /** Disconnects and waits for a feed poll under way; what the caller opened (feeds, answers) it closes itself. */
  stop(): Promise<void>;
}

/**
 * The Discord client: slash commands, autocomplete, direct messages and mentions, all turned
 * into calls on the Footnote core, and the feeds polled on schedule. Needs no privileged intent:
 * Discord delivers the content of DMs and of messages that mention the bot without Message Content,
 * which it asks for only with MESSAGE_CONTENT=true (every message in a follow-up thread).
 */
export function createBot(context: CommandContext): Bot {
  const { config, log } = context;
  const client = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.DirectMessages,
      // Privileged: only when the operator turned it on (MESSAGE_CONTENT), for follow-up threads.
      ...(config.discord.messageContent ? [GatewayIntentBits.MessageContent] : []),
    ],
    // DM channels are not cached before their first message arrives.
    partials: [Partials.Channel],
    rest: { api: config.discord.apiBase },
    // Set once here, for every message the bot sends: article and user text can hold
    // @everyone, roles or user mentions, and no reply may ping anyone.
    allowedMentions: { parse: [] },
    // Little of each server kept: members, users, messages and emojis would grow with every asker and server.
    ...cacheOptions(),
  });
  // How long the event loop ever waited while serving: the gateway's heartbeats need it short.
  const monitor = new EventLoopMonitor(log);
  const announcer = new FeedAnnouncer(client, context.feeds, log);
  const loginErrors = new LoginErrors();
  registerEvents(client, { context, monitor, announcer, loginErrors });

  return {
    client,
    limits: context.limits,
    feeds: context.feeds,
    pollFeeds: () => announcer.poll(),
    async start(token) {
      try {
        await client.login(token);
      } catch (error) {
        throw loginErrors.explain(error);
      }
    },
    async stop() {
      announcer.stop();
      monitor.stop();
      await client.destroy();
      await announcer.settled();
    },
  };
}
