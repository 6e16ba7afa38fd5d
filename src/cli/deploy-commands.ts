// `npm run deploy-commands`: registers the slash commands in commands/ with Discord.
import { discordCredentials } from '../config.js';
import { loadCommands } from '../discord/load-commands.js';
import { deployCommands } from '../discord/deploy.js';
import { runFootnoteCommand } from './run.js';

runFootnoteCommand('deploy-commands', async ({ config }) => {
  const { token, clientId } = discordCredentials(config);
  const { guildId, apiBase } = config.discord;
  const commands = await loadCommands();
  const count = await deployCommands({ token, clientId, guildId, apiBase }, commands.values());
  const where = guildId ? `to server ${guildId} (available now)` : 'globally (may take up to an hour to appear)';
  process.stdout.write(
    `Registered ${count} slash commands ${where}: ${[...commands.keys()].map((n) => `/${n}`).join(', ')}\n`,
  );
});
