// /help: what the bot does and how to ask it.
import { InteractionContextType, MessageFlags, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/discord/command-types.js';

export const HELP = [
  '**Footnote** answers questions about a collection of articles, and backs every answer with quotes.',
  '',
  '• `/ask question:` — ask anything; add `article:` to search one article, `private:` to see the answer alone.',
  '• Send me a direct message, or mention me in a channel, to ask the same way.',
  '• `/articles` — the articles I know.',
  '• `/status` — the index, the model and how long I have been up.',
  '• `/reindex`, `/remove article:` — for admins: rebuild the index, or take an article out of it (its file is kept).',
  '',
  'Every answer is made of sentences quoted word for word from the articles, numbered [1], [2]…, ' +
    'each with its article, source, date and paragraph (¶). ' +
    'I never write text of my own: when the articles do not answer a question, I say so.',
].join('\n');

export const data = new SlashCommandBuilder()
  .setName('help')
  .setDescription('What I do and how to ask.')
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);

export const execute: Command['execute'] = async (interaction) => {
  await interaction.reply({ content: HELP, flags: MessageFlags.Ephemeral });
};
