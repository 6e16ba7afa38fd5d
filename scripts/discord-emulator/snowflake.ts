// Fresh ids for everything the Discord emulator creates, laid out like Discord's snowflakes.
const DISCORD_EPOCH = 1_420_070_400_000n;

let increment = 0n;

/** A fresh, time-ordered snowflake: guild, channel, message and interaction ids all come from here. */
export function snowflake(): string {
  increment = (increment + 1n) % 4096n;
  return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | increment).toString();
}
