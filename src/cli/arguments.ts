// A command's arguments as node:util parseArgs reads them, with the contract's handling of mistakes and --help.
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

/** `--server ID`: the Discord server whose library a command reads or changes (null: the home library). */
export function serverOption(value: string | undefined, usage: string): string | null {
  if (value === undefined) return null;
  if (!isDiscordId(value))
    throw new UsageError(`--server must be a Discord server id: ${DISCORD_ID_FORM} (got "${value}")\n${usage}`);
  return value;
}
