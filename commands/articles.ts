// /articles: the indexed articles, newest first, a page at a time.
import { InteractionContextType, SlashCommandBuilder, escapeMarkdown, type APIEmbed } from 'discord.js';
import type { Command } from '../src/discord/command-types.js';
import { shorten } from '../src/discord/render.js';

const PER_PAGE = 10;

export const data = new SlashCommandBuilder()
  .setName('articles')
  .setDescription('List the articles I can answer from.')
  .addIntegerOption((o) => o.setName('page').setDescription('Page number').setMinValue(1))
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);

export const execute: Command['execute'] = async (interaction, { footnote }) => {
  const articles = footnote.index()?.articles() ?? [];
  if (!articles.length) {
    await interaction.reply({ content: 'No articles are indexed yet. An admin can run `/reindex`.' });
    return;
  }
  const pages = Math.ceil(articles.length / PER_PAGE);
  const page = Math.min(interaction.options.getInteger('page') ?? 1, pages);
  const lines = articles.slice((page - 1) * PER_PAGE, page * PER_PAGE).map((a) => {
    const details = [a.source, a.date]
      .filter(Boolean)
      .map((d) => escapeMarkdown(d!))
      .join(', ');
    const title = escapeMarkdown(shorten(a.title, 200));
    return `**${a.url ? `[${title}](${a.url})` : title}**${details ? ` — ${details}` : ''} · ${a.passages} passages`;
  });
  const embed: APIEmbed = {
    title: `Articles (${articles.length})`,
    description: lines.join('\n'),
    footer: {
      text:
        pages > 1
          ? `Page ${page} of ${pages} — /articles page:${page < pages ? page + 1 : 1} for more`
          : 'Ask about them with /ask',
    },
  };
  await interaction.reply({ embeds: [embed] });
};
