// /ask: a question answered with quotes from the articles (the handler is src/discord/handlers/question-handler.ts).
import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import { respondWithArticles } from '../src/discord/article-choices.js';
import type { Command } from '../src/discord/command-types.js';
import { askQuestion } from '../src/discord/handlers/question-handler.js';
import { fromInteraction } from '../src/discord/request.js';

export const data = new SlashCommandBuilder()
  .setName('ask')
  .setDescription('Ask a question about the articles; the answer quotes them.')
  .addStringOption((o) => o.setName('question').setDescription('Your question').setRequired(true).setMaxLength(500))
  .addStringOption((o) => o.setName('article').setDescription('Only search this article').setAutocomplete(true))
  .addBooleanOption((o) => o.setName('private').setDescription('Only you see the answer'))
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);

export const execute: Command['execute'] = (interaction, context) => {
  const privately = interaction.options.getBoolean('private') ?? false;
  return askQuestion(
    fromInteraction(interaction, { privately }),
    {
      text: interaction.options.getString('question', true),
      articleId: interaction.options.getString('article') ?? undefined,
      shareable: privately && interaction.inGuild(),
      followUp: !privately && interaction.inGuild() && !interaction.channel?.isThread(),
    },
    context,
  );
};

export const autocomplete: NonNullable<Command['autocomplete']> = respondWithArticles;
