// /feeds add|list|remove: follow RSS, Atom and JSON feeds (the handlers are src/discord/handlers/feeds-handler.ts).
import {
  ChannelType,
  DiscordAPIError,
  InteractionContextType,
  PermissionFlagsBits,
  Routes,
  SlashCommandBuilder,
  type APIChannel,
  type ChatInputCommandInteraction,
} from 'discord.js';
import type { Command } from '../src/discord/command-types.js';
import { followFeed, listFeeds, respondWithFeeds, unfollowFeed } from '../src/discord/handlers/feeds-handler.js';
import { fromInteraction } from '../src/discord/request.js';

export const data = new SlashCommandBuilder()
  .setName('feeds')
  .setDescription('Follow news feeds: their new articles are added on their own (admins only).')
  .addSubcommand((s) =>
    s
      .setName('add')
      .setDescription('Follow an RSS, Atom or JSON feed')
      .addStringOption((o) => o.setName('url').setDescription('The feed’s link').setRequired(true))
      .addChannelOption((o) =>
        o
          .setName('channel')
          .setDescription('Where to announce each new article (optional)')
          .addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement),
      ),
  )
  .addSubcommand((s) => s.setName('list').setDescription('The feeds followed'))
  .addSubcommand((s) =>
    s
      .setName('remove')
      .setDescription('Stop following a feed; its articles stay')
      .addStringOption((o) => o.setName('feed').setDescription('The feed').setRequired(true).setAutocomplete(true)),
  )
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);

export const execute: Command['execute'] = (interaction, context) => {
  const request = fromInteraction(interaction);
  switch (interaction.options.getSubcommand()) {
    case 'add':
      return followFeed(
        request,
        {
          url: interaction.options.getString('url', true),
          // The id as sent: the resolved channel discord.js builds is filed under this interaction's server.
          channelId: (interaction.options.get('channel')?.value as string | undefined) ?? null,
          serverOf: (channelId) => serverOf(interaction, channelId),
        },
        context,
      );
    case 'remove':
      return unfollowFeed(request, interaction.options.getString('feed', true), context);
    default:
      return listFeeds(request, context);
  }
};

/** The server a channel is in, as Discord's API says (the client's cache takes it from the interaction). */
async function serverOf(interaction: ChatInputCommandInteraction, channelId: string): Promise<string | null> {
  try {
    const channel = (await interaction.client.rest.get(Routes.channel(channelId))) as APIChannel;
    return 'guild_id' in channel ? (channel.guild_id ?? null) : null;
  } catch (error) {
    // Unknown, or not one the bot may see: not a channel it could announce in.
    if (error instanceof DiscordAPIError) return null;
    throw error;
  }
}

export const autocomplete: NonNullable<Command['autocomplete']> = respondWithFeeds;
