/** Registers the slash commands with Discord. */
import { REST, Routes } from 'discord.js';
import type { Command } from './command-types.js';

export interface DeployTarget {
  token: string;
  clientId: string;
  /** Register in this server only (instant), else globally. */
  guildId: string | null;
  apiBase: string;
}

/** Replaces the application's registered slash commands with exactly `commands`. */
export async function deployCommands(target: DeployTarget, commands: Iterable<Command>): Promise<number> {
  const rest = new REST({ api: target.apiBase }).setToken(target.token);
  const body = [...commands].map((c) => c.data.toJSON());
  const route = target.guildId
    ? Routes.applicationGuildCommands(target.clientId, target.guildId)
    : Routes.applicationCommands(target.clientId);
  const registered = (await rest.put(route, { body })) as unknown[];
  return registered.length;
}
