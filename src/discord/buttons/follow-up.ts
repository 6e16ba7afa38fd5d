/**
 * "Ask a follow-up" on an answer in a server channel: a thread opens on the answer, and questions
 * asked there (/ask, or a mention) are read with its last turns as context. Only an answer given in
 * the server where the button is clicked opens one, so no thread reads another server's questions.
 */
import {
  DiscordAPIError,
  MessageFlags,
  RESTJSONErrorCodes,
  ThreadAutoArchiveDuration,
  type AnyThreadChannel,
  type ButtonInteraction,
  type Message,
} from 'discord.js';
import type { CommandContext } from '../command-types.js';
import { unescaped } from '../markdown.js';
import { FOLLOW_UP_PREFIX, shorten } from '../render.js';

export const IN_THE_THREAD =
  'Ask your follow-up in the thread with /ask or by mentioning me; I read it with the questions before it.';

export const NOT_HERE = 'That answer can no longer be followed up.';

export const prefix = FOLLOW_UP_PREFIX;
export const action = 'open a follow-up thread';

export async function execute(interaction: ButtonInteraction, { answers, log }: CommandContext): Promise<void> {
  const answerId = Number(interaction.customId.slice(FOLLOW_UP_PREFIX.length));
  if (!Number.isInteger(answerId)) return;
  const where = { guildId: interaction.guildId, channelId: interaction.channelId };
  // Checked before the thread opens, so that a refused click leaves no thread; added after, under its id.
  if (!answers.givenIn(answerId, where)) {
    await interaction.reply({ content: NOT_HERE, flags: MessageFlags.Ephemeral });
    return;
  }
  const thread = await threadOn(interaction.message);
  answers.addToThread(thread.id, answerId, where);
  await interaction.reply({ content: `${IN_THE_THREAD} <#${thread.id}>`, flags: MessageFlags.Ephemeral });
  log.info({ threadId: thread.id, answerId }, 'follow-up thread opened');
}

/** The answer's thread: a second click finds the one the first click opened. */
async function threadOn(message: Message): Promise<AnyThreadChannel> {
  if (message.thread) return message.thread;
  try {
    return await message.startThread({
      // A thread's name is not Markdown: the first quote as it reads in the answer.
      name: shorten(unescaped(message.content.split('\n')[0]!.replace(/^> /, '')), 90) || 'Follow-up',
      // Quiet threads archive after an hour; a question in one brings it back.
      autoArchiveDuration: ThreadAutoArchiveDuration.OneHour,
    });
  } catch (error) {
    // A thread the client has not seen (archived, or opened before a restart) is still there, under the
    // message's id, and Discord will not start a second one.
    if (!(error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage))
      throw error;
    const thread = await message.client.channels.fetch(message.id);
    if (!thread?.isThread()) throw error;
    return thread;
  }
}
