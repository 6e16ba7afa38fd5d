/** shardDisconnect: the gateway closed; its code is kept, as it says why a login failed. */
import { Events, type CloseEvent } from 'discord.js';
import type { EventContext } from '../load-events.js';

export const name = Events.ShardDisconnect;

export function execute({ context, loginErrors }: EventContext, event: CloseEvent, shard: number): void {
  loginErrors.closed(event.code);
  context.log.warn({ shard, code: event.code }, 'gateway disconnected');
}
