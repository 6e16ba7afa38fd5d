/** clientReady: the bot is connected; the event-loop monitor and (in the primary process) the feed timer start. */
import { Events, type Client } from 'discord.js';
import type { EventContext } from '../load-events.js';

export const name = Events.ClientReady;
export const once = true;

export function execute({ context, monitor, announcer, primary }: EventContext, ready: Client<true>): void {
  monitor.start();
  context.log.info({ user: ready.user.tag, guilds: ready.guilds.cache.size }, 'connected to Discord');
  // Feeds are polled in one process only: a sharded bot's other shards would poll them again.
  if (primary) announcer.start();
}
