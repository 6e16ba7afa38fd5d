/** Finds and loads the slash command modules in the top-level `commands/` folder. */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from './command-types.js';

export const COMMANDS_DIR = path.resolve(import.meta.dirname, '../../commands');

/**
 * Loads every module in `commands/` (discord.js guide style): each must export `data` and
 * `execute`. The bot dispatches to exactly these, and deploy-commands registers exactly these.
 */
export async function loadCommands(dir = COMMANDS_DIR): Promise<Map<string, Command>> {
  const commands = new Map<string, Command>();
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  for (const file of files) {
    const module = (await import(pathToFileURL(path.join(dir, file)).href)) as Partial<Command>;
    if (!module.data || typeof module.execute !== 'function') {
      throw new Error(`commands/${file} must export "data" (a SlashCommandBuilder) and "execute"`);
    }
    if (commands.has(module.data.name))
      throw new Error(`commands/${file}: a command named "${module.data.name}" is already loaded`);
    commands.set(module.data.name, module as Command);
  }
  return commands;
}
