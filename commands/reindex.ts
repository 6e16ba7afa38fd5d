import { InteractionContextType, MessageFlags, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/discord/command-types.js';
import { requireReindexPermission } from '../src/discord/access.js';
import { describeSummary, reindexFor } from '../src/discord/reindex.js';

export const data = new SlashCommandBuilder()
  .setName('reindex')
  .setDescription('Rebuild the index after the articles changed (admins only).')
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild);

export const preconditions: Command['preconditions'] = [requireReindexPermission];

export const execute: Command['execute'] = async (interaction, { footnote, log }) => {
  if (footnote.reindexing) {
    await interaction.reply({ content: 'A reindex is already running; I will use the new index as soon as it is complete.', flags: MessageFlags.Ephemeral });
    return;
  }
  await interaction.deferReply();
  let progress = Promise.resolve();
  const summary = await reindexFor(footnote, log, {
    userId: interaction.user.id,
    where: interaction.guildId ?? 'DM',
    onProgress: (text) => {
      // Edits are chained so a slow one cannot land after the final summary.
      progress = progress.then(() => interaction.editReply({ content: text })).then(() => undefined, () => undefined);
    },
  });
  await progress;
  await interaction.editReply({ content: describeSummary(summary) });
};
