/** messageCreate: a DM, a mention or a message in a follow-up thread, handed to messages.ts. */
import { Events, type Message } from 'discord.js';
import type { EventContext } from '../load-events.js';
import { handleMessage } from '../messages.js';

export const name = Events.MessageCreate;

export async function execute({ context, inFlight }: EventContext, message: Message): Promise<void> {
  // A message is not acknowledged until it is answered: while the bot stops, it is left for no one to half-answer.
  if (inFlight.stopping) return;
  const started = performance.now();
  const log = context.log.child({ messageId: message.id, userId: message.author.id, guildId: message.guildId });
  try {
    await handleMessage(message, { ...context, log });
  } catch (error) {
    // Questions, reindexing and adding handle their own failures (flow.ts): this is the hint to a bare mention.
    log.warn({ err: error }, 'could not answer the message');
    return;
  }
  log.debug({ latencyMs: Math.round(performance.now() - started) }, 'message handled');
}
