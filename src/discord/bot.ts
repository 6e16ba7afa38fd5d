import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Partials,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type Message,
} from 'discord.js';
import { UserError, errorMessage } from '../errors.js';
import type { Command, CommandContext } from './command-types.js';
import { RateLimiter, WorkQueue } from './limits.js';
import { handleMessage } from './messages.js';
import { renderFailure } from './render.js';

export interface Bot {
  client: Client;
  limits: CommandContext['limits'];
  start(token: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The Discord client: slash commands, autocomplete, direct messages and mentions, all turned
 * into calls on the Footnote core. Needs no privileged intent: Discord delivers the content of
 * DMs and of messages that mention the bot without Message Content.
 */
export function createBot(commands: Map<string, Command>, base: Omit<CommandContext, 'limits'>): Bot {
  const { rateLimit, queue } = base.config.discord;
  const context: CommandContext = {
    ...base,
    limits: { rate: new RateLimiter(rateLimit.questions, rateLimit.windowMs), queue: new WorkQueue(queue.concurrency, queue.capacity) },
  };
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages],
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
  client.on(Events.ShardDisconnect, (event, shard) => log.warn({ shard, code: event.code }, 'gateway disconnected'));
  client.on(Events.Error, (error) => log.error({ err: error }, 'discord client error'));

  client.on(Events.InteractionCreate, (interaction) => {
    void onInteraction(interaction, commands, context);
  });
  client.on(Events.MessageCreate, (message) => {
    void onMessage(message, context);
  });

  return {
    client,
    limits: context.limits,
    async start(token) {
      await client.login(token);
    },
    async stop() {
      delay.disable();
      if (delay.count) {
        const ms = (ns: number): number => Number((ns / 1e6).toFixed(1));
        log.info({ eventLoopDelayMs: { max: ms(delay.max), p99: ms(delay.percentile(99)), mean: ms(delay.mean) } }, 'event-loop delay while connected');
      }
      await client.destroy();
    },
  };
}

async function onInteraction(interaction: Interaction, commands: Map<string, Command>, context: CommandContext): Promise<void> {
  if (interaction.isAutocomplete()) return onAutocomplete(interaction, commands, context);
  if (!interaction.isChatInputCommand()) return;
  const started = performance.now();
  const log = context.log.child({ interactionId: interaction.id, command: interaction.commandName, userId: interaction.user.id, guildId: interaction.guildId });
  const command = commands.get(interaction.commandName);
  try {
    if (!command) throw new Error(`no handler for /${interaction.commandName}; run npm run deploy-commands`);
    const refusal = command.preconditions?.map((check) => check(interaction, context)).find((r) => r !== null);
    if (refusal) {
      log.info({ refusal }, 'command refused');
      await interaction.reply({ content: refusal, flags: MessageFlags.Ephemeral });
      return;
    }
    await command.execute(interaction, { ...context, log });
    log.info({ latencyMs: Math.round(performance.now() - started) }, 'command answered');
  } catch (error) {
    await replyWithFailure(interaction, error, log);
  }
}

async function onAutocomplete(interaction: AutocompleteInteraction, commands: Map<string, Command>, context: CommandContext): Promise<void> {
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
    await message.reply(failureReply(error, log, 'message')).catch((e: unknown) => log.warn({ err: e }, 'could not send the failure reply'));
    return;
  }
  log.debug({ latencyMs: Math.round(performance.now() - started) }, 'message handled');
}

/**
 * What a failure becomes for the person asking: their own mistake (UserError) its message;
 * anything else, operator errors included (their messages name paths and variables), a short
 * apology with an id that is in the log beside the whole message.
 */
function failureReply(error: unknown, log: CommandContext['log'], what: string) {
  if (error instanceof UserError) {
    log.info({ reason: errorMessage(error) }, `${what} rejected`);
    return { content: errorMessage(error), embeds: [] };
  }
  const id = errorId();
  log.error({ err: error, errorId: id }, `${what} failed`);
  return renderFailure(id);
}

async function replyWithFailure(interaction: ChatInputCommandInteraction, error: unknown, log: CommandContext['log']): Promise<void> {
  const payload = failureReply(error, log, 'command');
  try {
    if (interaction.deferred || interaction.replied) await interaction.editReply(payload);
    else await interaction.reply({ ...payload, flags: MessageFlags.Ephemeral });
  } catch (replyError) {
    log.warn({ err: replyError }, 'could not send the failure reply');
  }
}

function errorId(): string {
  return randomBytes(4).toString('hex');
}
