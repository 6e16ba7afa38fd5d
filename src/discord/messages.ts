import { ChannelType, type Message } from 'discord.js';
import { auditRefusal, mayReindex, REINDEX_REFUSED } from './access.js';
import type { CommandContext } from './command-types.js';
import { BUSY, QueueFullError, slowDown } from './limits.js';
import { describeSummary, reindexFor } from './reindex.js';
import { renderAnswer, type ReplyPayload } from './render.js';

const REINDEX_WORD = /^[!/]?reindex$/i;
const MAX_QUESTION = 1000;

/**
 * Direct messages are questions (or `reindex`, for admins); in a server, a message that
 * mentions the bot is a question answered as a reply. Everything else is ignored.
 */
export async function handleMessage(message: Message, context: CommandContext): Promise<void> {
  const reply = (payload: ReplyPayload): Promise<unknown> => message.reply(payload);
  const botId = message.client.user.id;
  if (message.author.bot || message.author.id === botId) return;
  const direct = message.channel.type === ChannelType.DM;
  if (!direct && !message.mentions.users.has(botId)) return;
  // The mention itself is not part of the question.
  const text = message.content.replace(new RegExp(`<@!?${botId}>`, 'g'), ' ').trim();
  if (!text) {
    if (!direct) await reply({ content: 'Ask me a question about the articles, e.g. “@me what did Jack Ma say about Apple?”', embeds: [] });
    return;
  }

  if (direct && REINDEX_WORD.test(text)) {
    if (!mayReindex(message.author.id, null, context.config.discord.adminUserIds)) {
      auditRefusal(context.log, message.author.id, 'DM');
      await reply({ content: REINDEX_REFUSED, embeds: [] });
      return;
    }
    if (context.footnote.reindexing) {
      await reply({ content: 'A reindex is already running.', embeds: [] });
      return;
    }
    const summary = await reindexFor(context.footnote, context.log, { userId: message.author.id, where: 'DM' });
    await reply({ content: describeSummary(summary), embeds: [] });
    return;
  }

  const verdict = context.limits.rate.take(message.author.id);
  if (!verdict.ok) {
    await reply({ content: slowDown(verdict.retryAfterMs), embeds: [] });
    return;
  }
  if ('sendTyping' in message.channel) await message.channel.sendTyping().catch(() => undefined);
  let answer;
  try {
    // As long as /ask allows and then some: the model reads only the first few hundred words anyway.
    answer = await context.limits.queue.run(() => context.footnote.ask(text.slice(0, MAX_QUESTION)));
  } catch (error) {
    if (!(error instanceof QueueFullError)) throw error;
    await reply({ content: BUSY, embeds: [] });
    return;
  }
  await reply(renderAnswer(answer));
}
