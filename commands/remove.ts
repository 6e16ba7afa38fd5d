// /remove: take an article out of the index, its file kept aside (the handler: src/discord/handlers/remove-handler.ts).
import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import { respondWithOwnArticles } from '../src/discord/article-choices.js';
import type { Command } from '../src/discord/command-types.js';
import { removeArticle } from '../src/discord/handlers/remove-handler.js';

export const data = new SlashCommandBuilder()
  .setName('remove')
  .setDescription('Take an article out of the index; its file is kept (admins only).')
  .addStringOption((o) =>
    o.setName('article').setDescription('The article to remove').setRequired(true).setAutocomplete(true),
  )
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);

export const execute: Command['execute'] = (interaction, context) =>
  removeArticle(interaction, interaction.options.getString('article', true), context);

export const autocomplete: NonNullable<Command['autocomplete']> = respondWithOwnArticles;
