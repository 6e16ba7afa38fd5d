// /articles: the articles seen where it is asked (library-view.ts), the place's own first, a page at a time.
import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/discord/command-types.js';
import { visibleArticles } from '../src/discord/library-view.js';
import { isIndexAdmin } from '../src/discord/preconditions.js';
import { renderArticleList } from '../src/discord/render.js';
import { managesServer } from '../src/discord/request.js';

export const data = new SlashCommandBuilder()
  .setName('articles')
  .setDescription('List the articles I can answer from.')
  .addIntegerOption((o) => o.setName('page').setDescription('Page number').setMinValue(1))
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);

export const execute: Command['execute'] = async (interaction, { libraries, config }) => {
  const { guildId } = interaction;
  // Shared articles are told apart from the server's own, once it has some.
  const mark = guildId !== null && libraries.exists(guildId);
  // Those who may remove articles here (as /remove checks) see the ids of the ones they may remove: the place's own.
  const mayRemove = isIndexAdmin({ userId: interaction.user.id, managesServer: managesServer(interaction) }, config);
  const seen = await visibleArticles(libraries, guildId);
  const articles = seen.map((s) => ({ ...s.article, shared: mark && s.shared, showId: mayRemove && !s.shared }));
  if (!articles.length) {
    // A server without a library of its own (and no shared one) gets one with its first /add.
    const how = guildId === null || libraries.isHome(guildId) ? 'run `/reindex`' : 'add one with `/add`';
    await interaction.reply({ content: `No articles are indexed yet. An admin can ${how}.` });
    return;
  }
  await interaction.reply({ embeds: [renderArticleList(articles, interaction.options.getInteger('page'))] });
};
