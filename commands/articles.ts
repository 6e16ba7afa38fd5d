// /articles: the articles seen where it is asked (library-view.ts), the place's own first, a page at a time.
import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/discord/command-types.js';
import { visibleArticles } from '../src/discord/library-view.js';
import { renderArticleList } from '../src/discord/render.js';

export const data = new SlashCommandBuilder()
  .setName('articles')
  .setDescription('List the articles I can answer from.')
  .addIntegerOption((o) => o.setName('page').setDescription('Page number').setMinValue(1))
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);

export const execute: Command['execute'] = async (interaction, { libraries }) => {
  const articles = (await visibleArticles(libraries, interaction.guildId)).map((s) => ({
    ...s.article,
    shared: s.shared,
  }));
  if (!articles.length) {
    await interaction.reply({ content: 'No articles are indexed yet. An admin can run `/reindex`.' });
    return;
  }
  await interaction.reply({ embeds: [renderArticleList(articles, interaction.options.getInteger('page'))] });
};
