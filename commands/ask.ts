// /ask: a question answered with quotes from the articles (the question handler is src/discord/questions.ts).
import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/discord/command-types.js';
import { askQuestion } from '../src/discord/questions.js';
import { fromInteraction } from '../src/discord/request.js';

export const data = new SlashCommandBuilder()
  .setName('ask')
  .setDescription('Ask a question about the articles; the answer quotes them.')
  .addStringOption((o) => o.setName('question').setDescription('Your question').setRequired(true).setMaxLength(500))
  .addStringOption((o) => o.setName('article').setDescription('Only search this article').setAutocomplete(true))
  .addBooleanOption((o) => o.setName('private').setDescription('Only you see the answer'))
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);

export const execute: Command['execute'] = (interaction, context) =>
  askQuestion(
    fromInteraction(interaction, { privately: interaction.options.getBoolean('private') ?? false }),
    {
      text: interaction.options.getString('question', true),
      articleId: interaction.options.getString('article') ?? undefined,
    },
    context,
  );

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
