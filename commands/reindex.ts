// /reindex: rebuild the index after the articles changed (the handler is src/discord/handlers/reindex-handler.ts).
import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/discord/command-types.js';
import { rebuildIndex } from '../src/discord/handlers/reindex-handler.js';
import { fromInteraction } from '../src/discord/request.js';

export const data = new SlashCommandBuilder()
  .setName('reindex')
  .setDescription('Rebuild the index after the articles changed (admins only).')
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild);

export const execute: Command['execute'] = (interaction, context) =>
  rebuildIndex(fromInteraction(interaction), context);
