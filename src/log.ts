import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/**
 * Logs always go to stderr so stdout stays clean for answers and `--json`.
 * People at a terminal get readable lines; anything else gets JSON lines for log tooling.
 */
export function createLogger(level: string, options: { pretty?: boolean } = {}): Logger {
  const human = options.pretty ?? process.stderr.isTTY === true;
  // Belt and braces: nothing should log a token, but if an object carrying one is logged, it is censored.
  const settings = { level, redact: ['token', '*.token', 'discord.token', '*.discord.token', 'headers.authorization', '*.headers.authorization'] };
  if (human) {
    return pino(settings, pretty({ destination: 2, sync: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' }));
  }
  return pino(settings, pino.destination({ fd: 2, sync: true }));
}
