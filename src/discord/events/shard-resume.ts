/** shardResume: the gateway session came back after a dropped connection, logged. */
import { Events } from 'discord.js';
import type { EventContext } from '../load-events.js';

export const name = Events.ShardResume;

export function execute({ context }: EventContext, shard: number, replayed: number): void {
  context.log.info({ shard, replayed }, 'gateway session resumed');
}
