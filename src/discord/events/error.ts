/** error: a failure inside the Discord client, logged (discord.js recovers what it can). */
import { Events } from 'discord.js';
import type { EventContext } from '../load-events.js';

export const name = Events.Error;

export function execute({ context }: EventContext, error: Error): void {
  context.log.error({ err: error }, 'discord client error');
}
