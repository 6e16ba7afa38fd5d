import { InteractionContextType, MessageFlags, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/discord/command-types.js';
import { BUSY, QueueFullError, withinRateLimit } from '../src/discord/limits.js';
import { renderAnswer } from '../src/discord/render.js';

export const data = new SlashCommandBuilder()
  .setName('ask')
  .setDescription('Ask a question about the articles; the answer quotes them.')
  .addStringOption((o) => o.setName('question').setDescription('Your question').setRequired(true).setMaxLength(500))
  .addStringOption((o) => o.setName('article').setDescription('Only search this article').setAutocomplete(true))
  .addBooleanOption((o) => o.setName('private').setDescription('Only you see the answer'))
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);

export const preconditions: Command['preconditions'] = [withinRateLimit];

export const execute: Command['execute'] = async (interaction, { footnote, limits }) => {
  if (limits.queue.full) {
    await interaction.reply({ content: BUSY, flags: MessageFlags.Ephemeral });
    return;
  }
  // Discord drops an interaction not acknowledged within 3 s; answering can take longer.
  await interaction.deferReply(interaction.options.getBoolean('private') ? { flags: MessageFlags.Ephemeral } : {});
  const article = interaction.options.getString('article') ?? undefined;
  try {
    const answer = await limits.queue.run(() => footnote.ask(interaction.options.getString('question', true), { articleId: article }));
    await interaction.editReply(renderAnswer(answer));
  } catch (error) {
    if (!(error instanceof QueueFullError)) throw error;
    await interaction.editReply({ content: BUSY });
  }
};

export const autocomplete: NonNullable<Command['autocomplete']> = async (interaction, { footnote }) => {
  const typed = interaction.options.getFocused().toLowerCase();
  const articles = footnote.index()?.articles() ?? [];
  const matches = articles.filter((a) => a.title.toLowerCase().includes(typed) || a.id.toLowerCase().includes(typed));
  // Choices: at most 25, name and value at most 100 characters each; ids longer than that
  // cannot be offered.
  await interaction.respond(
    matches
      .filter((a) => a.id.length <= 100)
      .slice(0, 25)
      .map((a) => ({ name: a.title.length > 100 ? `${a.title.slice(0, 99)}…` : a.title, value: a.id })),
  );
};
