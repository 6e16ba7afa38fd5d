import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/**
 * Logs always go to stderr so stdout stays clean for answers and `--json`.
 * People at a terminal get readable lines; anything else gets JSON lines for log tooling.
 */
export function createLogger(level: string, options: { pretty?: boolean } = {}): Logger {
  const human = options.pretty ?? process.stderr.isTTY === true;
  if (human) {
    return pino({ level }, pretty({ destination: 2, sync: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' }));
  }
  return pino({ level }, pino.destination({ fd: 2, sync: true }));
}
