/**
 * Direct messages and mentions turned into requests: a DM is a question (or `reindex`); in a
 * server, a message that mentions the bot is a question answered as a reply. Everything else is
 * ignored.
 */
import { ChannelType, type Message } from 'discord.js';
import type { CommandContext } from './command-types.js';
import { askQuestion } from './questions.js';
import { rebuildIndex } from './reindex.js';
import { fromMessage } from './request.js';

const REINDEX_WORD = /^[!/]?reindex$/i;

export async function handleMessage(message: Message, context: CommandContext): Promise<void> {
  const botId = message.client.user.id;
  if (message.author.bot || message.author.id === botId) return;
  const direct = message.channel.type === ChannelType.DM;
  // With the Message Content intent, every message in a follow-up thread is a question too.
  const inFollowUp =
    context.config.discord.messageContent &&
    message.channel.isThread() &&
    context.answers.threadContext(message.channelId, 1) !== null;
  if (!direct && !inFollowUp && !message.mentions.users.has(botId)) return;
  // The mention itself is not part of the question.
  const text = message.content.replace(new RegExp(`<@!?${botId}>`, 'g'), ' ').trim();
  // A DM without text (an image, a sticker) is not a question; a bare mention gets a hint.
  if (!text && direct) return;
  const request = fromMessage(message);
  if (!text) {
    await request.reply({
      content: 'Ask me a question about the articles, e.g. “@me what did Jack Ma say about Apple?”',
      embeds: [],
    });
    return;
  }
  if (direct && REINDEX_WORD.test(text)) return rebuildIndex(request, context);
  // A mention in a server channel may be followed up in a thread; in a thread it is a follow-up.
  return askQuestion(request, { text, followUp: !direct && !message.channel.isThread() }, context);
}
