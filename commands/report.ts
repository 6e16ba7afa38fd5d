// /report: what the articles did not answer, the answers voted down, the most asked (handlers/report-handler.ts).
import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/discord/command-types.js';
import { showReport } from '../src/discord/handlers/report-handler.js';
import { fromInteraction } from '../src/discord/request.js';

export const data = new SlashCommandBuilder()
  .setName('report')
  .setDescription('What the articles did not answer lately (admins only; shown only to you).')
  .addIntegerOption((o) =>
    o.setName('days').setDescription('How many days back (default 7)').setMinValue(1).setMaxValue(3650),
  )
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);

export const execute: Command['execute'] = (interaction, context) =>
  showReport(fromInteraction(interaction, { privately: true }), interaction.options.getInteger('days') ?? 7, context);
