// `npm run deploy-commands`: registers the slash commands in commands/ with Discord.
import { ConfigError } from '../errors.js';
import { loadCommands } from '../discord/load-commands.js';
import { deployCommands } from '../discord/deploy.js';
import { runCommand } from './run.js';

runCommand(async ({ config }) => {
  const { token, clientId, guildId, apiBase } = config.discord;
  if (!token)
    throw new ConfigError('DISCORD_TOKEN', 'is not set; put the bot token from the Discord developer portal in .env');
  if (!clientId)
    throw new ConfigError(
      'DISCORD_CLIENT_ID',
      'is not set; put the application id from the Discord developer portal in .env',
    );
  const commands = await loadCommands();
  const count = await deployCommands({ token, clientId, guildId, apiBase }, commands.values());
  const where = guildId ? `to server ${guildId} (available now)` : 'globally (may take up to an hour to appear)';
  process.stdout.write(
    `Registered ${count} slash commands ${where}: ${[...commands.keys()].map((n) => `/${n}`).join(', ')}\n`,
  );
});
