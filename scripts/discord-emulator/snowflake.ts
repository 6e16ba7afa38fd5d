// Fresh ids for everything the Discord emulator creates, laid out like Discord's snowflakes.
const DISCORD_EPOCH = 1_420_070_400_000n;

/** The last id given out: each next one is greater, so ids stay unique however many are made in a millisecond. */
let last = 0n;

/** The shard of `count` whose session gets a guild's events: Discord's `(guild_id >> 22) % num_shards`. */
export function shardOf(guildId: string, count: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

/**
 * A fresh, time-ordered snowflake: guild, channel, message and interaction ids all come from here. With
 * `shard`, one a guild could have to land on that shard: its timestamp is moved up to count - 1 ms ahead.
 */
export function snowflake(shard?: { id: number; count: number }): string {
  let next = (BigInt(Date.now()) - DISCORD_EPOCH) << 22n;
  if (next <= last) next = last + 1n;
  if (shard) {
    const count = BigInt(shard.count);
    const ahead = (((BigInt(shard.id) - (next >> 22n)) % count) + count) % count;
    if (ahead > 0n) next = ((next >> 22n) + ahead) << 22n;
  }
  last = next;
  return next.toString();
}
