// /add: add an article from a link or an attached file (the handler is src/discord/handlers/add-handler.ts).
import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import { addFromDiscord } from '../src/discord/handlers/add-handler.js';
import type { Command } from '../src/discord/command-types.js';
import { fromInteraction } from '../src/discord/request.js';

export const data = new SlashCommandBuilder()
  .setName('add')
  .setDescription('Add an article from a link or a file (admins only).')
  .addStringOption((o) => o.setName('url').setDescription('A link to a web page or text (http or https)'))
  .addAttachmentOption((o) => o.setName('file').setDescription('A .txt, .md or .html file'))
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);

export const execute: Command['execute'] = (interaction, context) => {
  const file = interaction.options.getAttachment('file');
  return addFromDiscord(
    fromInteraction(interaction),
    {
      url: interaction.options.getString('url'),
      file: file ? { name: file.name, size: file.size, url: file.url } : null,
    },
    context,
  );
};
