// One shard of a sharded bot: the process npm start's ShardingManager forks for it (shard-manager.ts), which gives it
// SHARDS and SHARD_COUNT, read by discord.js's Client. Shard 0 does what must happen once (BotRole.primary).
import { runBot } from './bot-process.js';
import { runFootnoteCommand } from './run.js';

runFootnoteCommand(
  'start',
  async ({ config, log }) => {
    const shard = Number(process.env.SHARDS);
    try {
      await runBot(config, log.child({ shard }), { primary: shard === 0, managed: true });
    } catch (error) {
      // The channel to the manager would keep a shard that failed to start alive: it exits with its code instead.
      process.channel?.unref();
      throw error;
    }
  },
  { logs: 'service' },
);
