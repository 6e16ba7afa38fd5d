// Every npm command's wrapper: configuration, logs, and the contract's exit codes with words for each failure.
import { loadConfig, loadDotenv, type Config } from '../config.js';
import { CodedError, UsageError, UserError, errorMessage } from '../core/errors.js';
import { createLogger, type LogStyle, type Logger } from '../log.js';
import { errorText } from './error-text.js';

/**
 * Runs a command with the contract's exit codes: 0 done, 2 bad usage or configuration, or a
 * mistake in what was asked (the message says what to fix), 1 anything else. A coded failure
 * is told in the terminal's words. Its logs are plain lines unless it is a service (the bot),
 * whose logs are structured.
 */
export function runCommand(
  main: (context: { config: Config; log: Logger; argv: string[] }) => Promise<void> | void,
  options: { logs?: LogStyle } = {},
): void {
  const argv = process.argv.slice(2);
  let log: Logger | null = null;
  const run = async (): Promise<void> => {
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
