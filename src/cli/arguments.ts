// A command's arguments as node:util parseArgs reads them, with the contract's handling of mistakes and --help.
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DISCORD_ID_FORM, isDiscordId } from '../config.js';
import { UsageError } from '../core/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses `argv` (positionals allowed unless `positionals: false`); a mistake is a UsageError (exit 2)
 * that ends with `usage`. Returns null after printing `usage` for --help.
 */
export function commandArguments<O extends Options>(
  argv: string[],
  usage: string,
  options: O,
  { positionals = true } = {},
) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: positionals,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usage}`);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(`${usage}\n`);
    return null;
  }
  return parsed;
}

/**
 * `--server ID`: the Discord server whose library a command reads or changes (null: the home library);
 * `flag` names another option that takes a server id.
 */
export function serverOption(value: string | undefined, usage: string, flag = '--server'): string | null {
  return discordIdOption(flag, 'server', value, usage);
}

/** `--user ID`: a Discord user (null when not given). */
export function userOption(value: string | undefined, usage: string): string | null {
  return discordIdOption('--user', 'user', value, usage);
}

function discordIdOption(flag: string, what: 'server' | 'user', value: string | undefined, usage: string) {
  if (value === undefined) return null;
  if (!isDiscordId(value))
    throw new UsageError(`${flag} must be a Discord ${what} id: ${DISCORD_ID_FORM} (got "${value}")\n${usage}`);
  return value;
}

/**
 * A path the person typed, from where they typed it: `npm run` moves to the repository's root before the command runs,
 * and keeps the directory it was run from in INIT_CWD.
 */
export function typedPath(typed: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), typed);
}
