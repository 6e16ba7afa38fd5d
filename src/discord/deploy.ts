/** Registers the slash commands with Discord, and removes those registered in one server. */
import { REST, Routes } from 'discord.js';
import type { Command } from './command-types.js';

/** The application whose commands these are, and where its REST API is. */
export interface Application {
  token: string;
  clientId: string;
  apiBase: string;
}

export interface DeployTarget extends Application {
  /** Register in this server only (instant), else globally. */
  guildId: string | null;
}

/** What clearing a server's commands did, and how many global commands still serve it. */
export interface ClearedCommands {
  removed: number;
  global: number;
}

function restFor(app: Application): REST {
  return new REST({ api: app.apiBase }).setToken(app.token);
}

/** Replaces the application's registered slash commands with exactly `commands`. */
export async function deployCommands(target: DeployTarget, commands: Iterable<Command>): Promise<number> {
  const body = [...commands].map((c) => c.data.toJSON());
  const route = target.guildId
    ? Routes.applicationGuildCommands(target.clientId, target.guildId)
    : Routes.applicationCommands(target.clientId);
  const registered = (await restFor(target).put(route, { body })) as unknown[];
  return registered.length;
}

/** Removes every command the application registered in server `guildId`; its global commands stay. */
export async function clearGuildCommands(app: Application, guildId: string): Promise<ClearedCommands> {
  const rest = restFor(app);
  const route = Routes.applicationGuildCommands(app.clientId, guildId);
  // Counted first: the bulk overwrite answers with what is left, which is nothing.
  const registered = (await rest.get(route)) as unknown[];
  await rest.put(route, { body: [] });
  const global = (await rest.get(Routes.applicationCommands(app.clientId))) as unknown[];
  return { removed: registered.length, global: global.length };
}
