/**
 * Direct messages and mentions turned into requests: a DM is a question (or `reindex`, `add URL`,
 * or an article file sent alone); in a server, a message that mentions the bot is a question
 * answered as a reply. Everything else is ignored.
 */
import { ChannelType, type Attachment, type Message } from 'discord.js';
import { isArticleFile } from '../articles/load.js';
import { addFromDiscord } from './handlers/add-handler.js';
import type { CommandContext } from './command-types.js';
import { askQuestion, readThread } from './handlers/question-handler.js';
import { rebuildIndex } from './handlers/reindex-handler.js';
import { runFlow } from './flow.js';
import { isIndexAdmin, withinRateLimit } from './preconditions.js';
import { fromMessage, type Request } from './request.js';

const REINDEX_WORD = /^[!/]?reindex$/i;
// `add https://…` in a DM (a link with its scheme, so that "add salt?" stays a question); a file
// needs no words, or just `add`.
const ADD_LINK = /^[!/]?add\s+<?([a-z][a-z\d+.-]*:\S+?)>?$/i;
const ADD_WORD = /^[!/]?add$/i;

export async function handleMessage(message: Message, context: CommandContext): Promise<void> {
  const botId = message.client.user.id;
  if (message.author.bot || message.author.id === botId) return;
  const direct = message.channel.type === ChannelType.DM;
  // With the Message Content intent, every message in a follow-up thread is a question too.
  const inFollowUp =
    context.config.discord.messageContent &&
    message.channel.isThread() &&
    readThread(message, 1, context) !== undefined;
  if (!direct && !inFollowUp && !message.mentions.users.has(botId)) return;
  // The mention itself is not part of the question.
  const text = message.content.replace(new RegExp(`<@!?${botId}>`, 'g'), ' ').trim();
  const files = direct ? [...message.attachments.values()].filter((a) => isArticleFile(a.name)) : [];
  // A DM without text or an article file (an image, a sticker) is not for the bot, and gets no reply.
  if (!text && !files.length && direct) return;
  const request = fromMessage(message, context.limits.notices);
  // Every reply to a message counts against its sender, whatever it says (an answer, a hint, a refusal), so that a
  // flood of messages costs its sender their limit, not the bot a reply each.
  await runFlow(request, context, [withinRateLimit], () => reply(message, request, { text, files, direct }, context));
}

async function reply(
  message: Message,
  request: Request,
  { text, files, direct }: { text: string; files: Attachment[]; direct: boolean },
  context: CommandContext,
): Promise<void> {
  // An article file sent alone in a DM is added, for those who may; the others are told why not, once.
  if (files.length && (!text || ADD_WORD.test(text))) {
    const allowed = isIndexAdmin(request, context.config) ? files : files.slice(0, 1);
    for (const { name, size, url } of allowed)
      await addFromDiscord(request, { url: null, file: { name, size, url } }, context);
    return;
  }
  // A bare mention gets a hint.
  if (!text) {
    await request.reply({
      content: 'Ask me a question about the articles, e.g. “@me what did Jack Ma say about Apple?”',
      embeds: [],
    });
    return;
  }
  if (direct && REINDEX_WORD.test(text)) return rebuildIndex(request, context);
  const link = direct ? ADD_LINK.exec(text) : null;
  if (link) return addFromDiscord(request, { url: link[1]!, file: null }, context);
  // A mention in a server channel may be followed up in a thread; in a thread it is a follow-up.
  return askQuestion(request, { text, followUp: !direct && !message.channel.isThread() }, context);
}
