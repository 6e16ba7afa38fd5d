// Every npm command's wrapper: configuration, logs, and the contract's exit codes with words for each failure.
import { parseArgs } from 'node:util';
import { loadConfig, loadDotenv, type Config } from '../config.js';
import { CodedError, UsageError, UserError, errorMessage } from '../core/errors.js';
import { createLogger, type LogStyle, type Logger } from '../log.js';
import { commandArguments } from './arguments.js';
import { errorText } from './error-text.js';
import { USAGES, usage, type CommandName } from './usage.js';

/**
 * Runs a command with the contract's exit codes: 0 done, 2 bad usage or configuration, or a
 * mistake in what was asked (the message says what to fix), 1 anything else. A coded failure
 * is told in the terminal's words. Its logs are plain lines unless it is a service (the bot),
 * whose logs are structured. With `usage`, --help or -h prints it and exits 0 before anything else, and
 * a command that does not `takesArguments` refuses any.
 */
export function runCommand(
  main: (context: { config: Config; log: Logger; argv: string[] }) => Promise<void> | void,
  options: { logs?: LogStyle; usage?: string; takesArguments?: boolean } = {},
): void {
  const argv = process.argv.slice(2);
  let log: Logger | null = null;
  const run = async (): Promise<void> => {
    // Before the configuration: help needs no .env, and a wrong one must not hide it (nor start the bot).
    if (options.usage !== undefined && asksForHelp(argv)) {
      process.stdout.write(`${options.usage}\n`);
      return;
    }
    // `npm start -- --verbose` is a mistake to say, not a flag to ignore.
    if (options.usage !== undefined && options.takesArguments === false)
      commandArguments(argv, options.usage, {}, { positionals: false });
    loadDotenv();
    const config = loadConfig();
    log = createLogger(config.logLevel, { style: options.logs ?? 'plain' });
    for (const deprecation of config.deprecations) log.warn(deprecation);
    await main({ config, log, argv });
  };
  run().then(
    () => {
      process.exitCode ??= 0;
    },
    (error: unknown) => {
      const words = error instanceof CodedError ? errorText(error) : errorMessage(error);
      if (error instanceof UsageError || error instanceof UserError) {
        process.stderr.write(`${words}\n`);
        process.exitCode = 2;
        return;
      }
      process.stderr.write(`error: ${words}\n`);
      log?.debug({ err: error }, 'failure details');
      process.exitCode = 1;
    },
  );
}

/**
 * One of Footnote's commands (src/cli/usage.ts), run as runCommand runs it: --help prints its usage, and a command
 * that takes no arguments refuses any (exit 2), before the configuration is read.
 */
export function runFootnoteCommand(
  name: CommandName,
  main: Parameters<typeof runCommand>[0],
  options: { logs?: LogStyle } = {},
): void {
  runCommand(main, { ...options, usage: usage(name), takesArguments: USAGES[name].args !== '' });
}

/** --help or -h among the options (not after `--`, nor as the words of a question). */
function asksForHelp(argv: string[]): boolean {
  const { tokens } = parseArgs({
    args: argv,
    strict: false,
    allowPositionals: true,
    tokens: true,
    options: { help: { type: 'boolean', short: 'h' } },
  });
  return tokens.some((token) => token.kind === 'option' && token.name === 'help');
}
