/**
 * Who is asking, where, and how to answer them: the one shape a slash command, a direct
 * message and a mention are each turned into, so that preconditions and handlers never see
 * which of them it was.
 */
import {
  DiscordAPIError,
  MessageFlags,
  PermissionFlagsBits,
  RESTJSONErrorCodes,
  type BaseInteraction,
  type ChatInputCommandInteraction,
  type Message,
} from 'discord.js';
import type { Notices } from './limits.js';
import { LIMITS, shorten, type ReplyPayload } from './render.js';

export interface Request {
  userId: string;
  /** The server it was asked in; null in a DM. */
  guildId: string | null;
  /** The channel (or thread) it was asked in. */
  channelId: string;
  /** Whether the person holds Manage Server where they ask (never in a DM; never known for a message). */
  managesServer: boolean;
  /** Sends the reply, or replaces the one shown so far. */
  reply(payload: ReplyPayload): Promise<void>;
  /**
   * Says that the person is over the question limit until `until`: a slash command is told privately each time (it
   * must be answered); a message once per wait, privately, then nothing.
   */
  refuse(notice: string, until: number): Promise<void>;
  /** Says that an answer is on its way, before work that can take a while. */
  defer(): Promise<void>;
  /** Shows how far the work has got, where the reply can be edited as it goes (slash commands). */
  progress?: (text: string) => void;
}

/**
 * A slash command. Until it is deferred, replies are seen only by the person asking (refusals,
 * "busy"); after, they fill in the deferred reply, private when `privately`.
 */
export function fromInteraction(
  interaction: ChatInputCommandInteraction,
  options: { privately?: boolean } = {},
): Request {
  // Each write waits for the one before, so a slow progress edit cannot land after the final reply.
  let last: Promise<unknown> = Promise.resolve();
  const write = (send: () => Promise<unknown>): Promise<void> => {
    const sent = last.then(send);
    last = sent.catch(() => undefined);
    return sent.then(() => undefined);
  };
  return {
    userId: interaction.user.id,
    guildId: interaction.guildId,
    channelId: interaction.channelId,
    managesServer: managesServer(interaction),
    reply: (payload) =>
      write(async () => {
        if (!interaction.deferred && !interaction.replied) {
          await interaction.reply({ ...payload, flags: MessageFlags.Ephemeral });
          return;
        }
        try {
          await interaction.editReply(payload);
        } catch (error) {
          if (!(error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.InvalidWebhookToken)) throw error;
          await sendLate(interaction, payload, options.privately ?? false);
        }
      }),
    refuse: (notice) => write(() => interaction.reply({ content: notice, flags: MessageFlags.Ephemeral })),
    defer: () => write(() => interaction.deferReply(options.privately ? { flags: MessageFlags.Ephemeral } : {})),
    progress: (text) => void write(() => interaction.editReply({ content: text })).catch(() => undefined),
  };
}

/**
 * A reply after the interaction's token ran out (Discord keeps it 15 minutes; a large /reindex takes
 * longer): a message to the person who asked, in the channel, or by DM when the reply was private.
 */
async function sendLate(interaction: ChatInputCommandInteraction, payload: ReplyPayload, privately: boolean) {
  const content = shorten(`<@${interaction.user.id}> ${payload.content}`, LIMITS.content);
  const channel = interaction.channel;
  if (!privately && interaction.inGuild() && channel?.isSendable()) await channel.send({ ...payload, content });
  else await interaction.user.send({ ...payload, content });
}

/** Whether the person interacting holds Manage Server where they do (never in a DM). */
export function managesServer(interaction: BaseInteraction): boolean {
  return interaction.inGuild() && interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild);
}

/**
 * A direct message or a mention in a server: answered with a reply to it. Over the question limit, the first message
 * of a wait gets a private notice (in the DM, or by DM for a mention; nothing if the person's DMs are closed), and the
 * rest nothing: the channel never sees the refusals.
 */
export function fromMessage(message: Message, notices: Notices): Request {
  return {
    userId: message.author.id,
    guildId: message.guildId,
    channelId: message.channelId,
    // Only a DM may change the index by message (messages.ts), and a DM holds no server's permissions; in a server,
    // the sender's member is not kept (cache-policy.ts) to read them from.
    managesServer: false,
    reply: async (payload) => {
      await message.reply(payload);
    },
    refuse: async (notice, until) => {
      if (!notices.first(message.author.id, until)) return;
      if (message.channel.isDMBased()) await message.reply({ content: notice, embeds: [] });
      else await message.author.send({ content: notice }).catch(() => undefined);
    },
    defer: async () => {
      if ('sendTyping' in message.channel) await message.channel.sendTyping().catch(() => undefined);
    },
  };
}
