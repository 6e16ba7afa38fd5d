// `npm start`: the Discord bot, in this process, or with DISCORD_SHARDS one process per shard under a manager.
import { ConfigError } from '../core/errors.js';
import { runFootnoteCommand } from './run.js';

runFootnoteCommand(
  'start',
  async ({ config, log }) => {
    // discord.js reads SHARDS itself (and fails on `auto`, which is not JSON): the setting has a name of its own.
    if (process.env.SHARDS !== undefined)
      throw new ConfigError(
        'SHARDS',
        'discord.js reads this name itself; to shard the bot, set DISCORD_SHARDS=auto (or a number) instead',
      );
    // Imported when needed: the manager process holds no model, no index, no database.
    if (config.discord.shards === null) {
      const { runBot } = await import('./bot-process.js');
      await runBot(config, log, { primary: true, managed: false });
    } else {
      const { runShards } = await import('./shard-manager.js');
      await runShards(config, log);
    }
  },
  { logs: 'service' },
);
