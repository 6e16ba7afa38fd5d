/** The Discord client and its events: slash commands, autocomplete, DMs and mentions handed to their handlers. */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  Client,
  DiscordjsErrorCodes,
  Events,
  GatewayCloseCodes,
  GatewayIntentBits,
  MessageFlags,
  Partials,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type Interaction,
  type Message,
} from 'discord.js';
import { ConfigError } from '../core/errors.js';
import { AnswerLog } from '../library/feedback/answer-log.js';
import { Feeds } from '../library/feeds/feeds.js';
import type { Command, CommandContext } from './command-types.js';
import { announcement } from './handlers/feeds-handler.js';
import { failureReply, replyWithFailure } from './flow.js';
import { RateLimiter, WorkQueue } from './limits.js';
import { handleMessage } from './messages.js';
import { openFollowUp } from './buttons/follow-up.js';
import { FOLLOW_UP_PREFIX, SHARE_BUTTON, VOTE_PREFIX } from './render.js';
import { fromInteraction } from './request.js';
import { shareAnswer } from './buttons/share.js';
import { recordVote } from './buttons/votes.js';

export interface Bot {
  client: Client;
  limits: CommandContext['limits'];
  feeds: Feeds;
  /** Polls the feeds that are due and announces their new articles (the bot does so every minute). */
  pollFeeds(): Promise<void>;
  start(token: string): Promise<void>;
  stop(): Promise<void>;
}

// How often the bot looks for feeds due a poll (each feed's own interval is FEED_POLL_MINUTES).
const FEED_CHECK_MS = 60_000;

/**
 * The Discord client: slash commands, autocomplete, direct messages and mentions, all turned
 * into calls on the Footnote core, and the feeds polled on schedule. Needs no privileged intent:
 * Discord delivers the content of DMs and of messages that mention the bot without Message Content,
 * which it asks for only with MESSAGE_CONTENT=true (every message in a follow-up thread).
 */
export function createBot(
  commands: Map<string, Command>,
  base: Omit<CommandContext, 'limits' | 'feeds' | 'answers'> & { feeds?: Feeds; answers?: AnswerLog },
): Bot {
  const { rateLimit, queue } = base.config.discord;
  const context: CommandContext = {
    ...base,
    feeds: base.feeds ?? new Feeds(base.footnote, base.config, base.log),
    answers: base.answers ?? new AnswerLog(base.config.answersDb, base.config.retainDays),
    limits: {
      rate: new RateLimiter(rateLimit.questions, rateLimit.windowMs),
      queue: new WorkQueue(queue.concurrency, queue.capacity),
    },
  };
  const client = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.DirectMessages,
      // Privileged: only when the operator turned it on (MESSAGE_CONTENT), for follow-up threads.
      ...(context.config.discord.messageContent ? [GatewayIntentBits.MessageContent] : []),
    ],
    // DM channels are not cached before their first message arrives.
    partials: [Partials.Channel],
    rest: { api: context.config.discord.apiBase },
    // Set once here, for every message the bot sends: article and user text can hold
    // @everyone, roles or user mentions, and no reply may ping anyone.
    allowedMentions: { parse: [] },
  });
  const { log } = context;

  // How long the event loop ever waited while serving: the gateway's heartbeats need it short.
  const delay = monitorEventLoopDelay({ resolution: 10 });
  client.once(Events.ClientReady, (ready) => {
    delay.enable();
    log.info({ user: ready.user.tag, guilds: ready.guilds.cache.size }, 'connected to Discord');
  });
  client.on(Events.ShardResume, (shard, replayed) => log.info({ shard, replayed }, 'gateway session resumed'));
  // The last close code, which says why a login failed (4014: an intent the portal has not granted).
  let closedWith: number | null = null;
  client.on(Events.ShardDisconnect, (event, shard) => {
    closedWith = event.code;
    log.warn({ shard, code: event.code }, 'gateway disconnected');
  });
  client.on(Events.Error, (error) => log.error({ err: error }, 'discord client error'));

  client.on(Events.InteractionCreate, (interaction) => {
    void onInteraction(interaction, commands, context);
  });
  client.on(Events.MessageCreate, (message) => {
    void onMessage(message, context);
  });

  // Feeds are polled while connected; each new article gets a line in its feed's channel, if it has one.
  let feedTimer: NodeJS.Timeout | null = null;
  const pollFeeds = async (): Promise<void> => {
    try {
      for (const result of await context.feeds.pollDue()) {
        const channelId = result.feed.announceTo;
        if (!channelId || !result.added.length) continue;
        const channel = await client.channels.fetch(channelId).catch(() => null);
        if (!channel?.isSendable()) {
          log.warn({ feed: result.feed.url, channelId }, 'cannot announce in the feed’s channel');
          continue;
        }
        for (const article of result.added) await channel.send(announcement(result, article));
      }
    } catch (error) {
      log.warn({ err: error }, 'feed poll failed');
    }
  };
  client.once(Events.ClientReady, () => {
    feedTimer = setInterval(() => void pollFeeds(), FEED_CHECK_MS);
    feedTimer.unref();
    void pollFeeds();
  });

  return {
    client,
    limits: context.limits,
    feeds: context.feeds,
    pollFeeds,
    async start(token) {
      try {
        await client.login(token);
      } catch (error) {
        throw loginFailure(error, closedWith);
      }
    },
    async stop() {
      if (feedTimer) clearInterval(feedTimer);
      delay.disable();
      if (delay.count) {
        const ms = (ns: number): number => Number((ns / 1e6).toFixed(1));
        const eventLoopDelayMs = { max: ms(delay.max), p99: ms(delay.percentile(99)), mean: ms(delay.mean) };
        log.info({ eventLoopDelayMs }, 'event-loop delay while connected');
      }
      await client.destroy();
      // A poll under way finishes first: its articles are saved and indexed, or taken out again.
      await context.feeds.settled();
      context.feeds.close();
      context.answers.close();
    },
  };
}

/** A login Discord refused because of the operator's set-up, as the variable to fix (npm start exits 2). */
function loginFailure(error: unknown, closeCode: number | null): unknown {
  if ((error as { code?: unknown }).code === DiscordjsErrorCodes.TokenInvalid) {
    return new ConfigError(
      'DISCORD_TOKEN',
      'Discord did not accept this token. Copy the bot token from the developer portal (Bot > Reset Token)',
    );
  }
  if (closeCode === GatewayCloseCodes.DisallowedIntents) {
    return new ConfigError(
      'MESSAGE_CONTENT',
      'Discord refused the Message Content intent: turn it on in the developer portal ' +
        '(Bot > Privileged Gateway Intents), or set MESSAGE_CONTENT=false',
    );
  }
  return error;
}

const ANSWER_BUTTONS: {
  prefix: string;
  does: string;
  handle: (interaction: ButtonInteraction, context: CommandContext) => Promise<void>;
}[] = [
  { prefix: SHARE_BUTTON, does: 'share the answer', handle: shareAnswer },
  { prefix: FOLLOW_UP_PREFIX, does: 'open a follow-up thread', handle: openFollowUp },
  { prefix: VOTE_PREFIX, does: 'record the vote', handle: recordVote },
];

async function onInteraction(
  interaction: Interaction,
  commands: Map<string, Command>,
  context: CommandContext,
): Promise<void> {
  if (interaction.isAutocomplete()) return onAutocomplete(interaction, commands, context);
  // The buttons every answer may carry; others belong to the handler that awaits them (/remove's confirmation).
  if (interaction.isButton()) {
    const button = ANSWER_BUTTONS.find((b) => interaction.customId.startsWith(b.prefix));
    if (!button) return;
    const log = context.log.child({ interactionId: interaction.id, button: button.prefix });
    return button.handle(interaction, { ...context, log }).catch(async (error: unknown) => {
      log.warn({ err: error }, `could not ${button.does}`);
      // Unanswered, the click would show "This interaction failed" and nothing the user can act on.
      if (interaction.replied || interaction.deferred) return;
      const reply = failureReply(error, log);
      await interaction.reply({ content: reply.content, flags: MessageFlags.Ephemeral }).catch(() => undefined);
    });
  }
  if (!interaction.isChatInputCommand()) return;
  const started = performance.now();
  const { id: interactionId, commandName, user, guildId } = interaction;
  const log = context.log.child({ interactionId, command: commandName, userId: user.id, guildId });
  const command = commands.get(commandName);
  try {
    if (!command) throw new Error(`no handler for /${commandName}; run npm run deploy-commands`);
    await command.execute(interaction, { ...context, log });
    log.info({ latencyMs: Math.round(performance.now() - started) }, 'command answered');
  } catch (error) {
    // /ask and /reindex handle their own failures (flow.ts); this is for the others.
    await replyWithFailure(fromInteraction(interaction), error, log);
  }
}

async function onAutocomplete(
  interaction: AutocompleteInteraction,
  commands: Map<string, Command>,
  context: CommandContext,
): Promise<void> {
  try {
    await commands.get(interaction.commandName)?.autocomplete?.(interaction, context);
  } catch (error) {
    context.log.warn({ err: error, interactionId: interaction.id }, 'autocomplete failed');
    if (!interaction.responded) await interaction.respond([]).catch(() => undefined);
  }
}

async function onMessage(message: Message, context: CommandContext): Promise<void> {
  const started = performance.now();
  const log = context.log.child({ messageId: message.id, userId: message.author.id, guildId: message.guildId });
  try {
    await handleMessage(message, { ...context, log });
  } catch (error) {
    // Questions and reindexing handle their own failures (flow.ts): this is the hint to a bare mention.
    log.warn({ err: error }, 'could not answer the message');
    return;
  }
  log.debug({ latencyMs: Math.round(performance.now() - started) }, 'message handled');
}
