// `npm run deploy-commands`: registers the slash commands in commands/ with Discord (to DISCORD_GUILD_ID when set,
// else globally), or with `--clear-server ID` removes those registered in one server.
import { DiscordAPIError, RESTJSONErrorCodes } from 'discord.js';
import { discordCredentials } from '../config.js';
import { ConfigError, UsageError } from '../core/errors.js';
import { loadCommands } from '../discord/load-commands.js';
import { clearGuildCommands, deployCommands, type Application, type DeployTarget } from '../discord/deploy.js';
import { commandArguments, serverOption } from './arguments.js';
import { runFootnoteCommand } from './run.js';
import { usage } from './usage.js';

const CLEAR = 'npm run deploy-commands -- --clear-server';

runFootnoteCommand('deploy-commands', async ({ config, argv }) => {
  const USAGE = usage('deploy-commands');
  const parsed = commandArguments(argv, USAGE, { 'clear-server': { type: 'string' } }, { positionals: false });
  if (!parsed) return;
  const server = serverOption(parsed.values['clear-server'], USAGE, '--clear-server');
  const app = { ...discordCredentials(config), apiBase: config.discord.apiBase };
  process.stdout.write(server ? await clear(app, server) : await register({ ...app, guildId: config.discord.guildId }));
});

async function register(target: DeployTarget): Promise<string> {
  const commands = await loadCommands();
  const { guildId } = target;
  const count = await deployCommands(target, commands.values()).catch((error: unknown) => {
    throw guildId && missingAccess(error)
      ? new ConfigError(
          'DISCORD_GUILD_ID',
          `${refused(guildId)}; invite it there, fix the id, or unset it to register globally`,
        )
      : error;
  });
  const names = [...commands.keys()].map((n) => `/${n}`).join(', ');
  if (!guildId) {
    // Finding those servers would take a request per server the bot is in; a hint costs none.
    return (
      `Registered ${slashCommands(count)} globally (may take up to an hour to appear): ${names}\n` +
      `If you registered them to one server before (DISCORD_GUILD_ID), each shows twice there until that ` +
      `server's copies are removed: ${CLEAR} ID\n`
    );
  }
  return (
    `Registered ${slashCommands(count)} to server ${guildId} (available now): ${names}\n` +
    `They work only in server ${guildId}, not in DMs. For DMs, register them globally (unset DISCORD_GUILD_ID, ` +
    `run npm run deploy-commands), then remove this server's copies: ${CLEAR} ${guildId}\n`
  );
}

async function clear(app: Application, server: string): Promise<string> {
  const { removed, global } = await clearGuildCommands(app, server).catch((error: unknown) => {
    throw missingAccess(error)
      ? new UsageError(`--clear-server: ${refused(server)}; check the id. Nothing was removed.`)
      : error;
  });
  const left = global
    ? `the ${slashCommands(global)} registered globally are unchanged`
    : 'none are registered globally, so none work there now: npm run deploy-commands with DISCORD_GUILD_ID unset ' +
      'registers them';
  return `Removed ${slashCommands(removed)} from server ${server}; ${left}.\n`;
}

/** Discord's answer for a server the application is not in (or an id that names no server). */
function missingAccess(error: unknown): boolean {
  return error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.MissingAccess;
}

function refused(server: string): string {
  return `Discord refused access to server ${server} (Missing Access): the bot is not in that server`;
}

function slashCommands(count: number): string {
  return `${count} slash command${count === 1 ? '' : 's'}`;
}
