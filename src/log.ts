// Logging: structured logs for the bot, plain lines for the commands, always on stderr.
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** `service`: the bot's structured logs. `plain`: a command's messages for the person who ran it. */
export type LogStyle = 'service' | 'plain';

const PLAIN_LABELS: Record<number, string> = { 60: 'fatal: ', 50: 'error: ', 40: 'warning: ' };

/**
 * Logs always go to stderr so stdout stays clean for answers and `--json`.
 * The bot's logs are JSON lines for log tooling, readable lines on a terminal. A command's are
 * plain lines ("warning: …"), unless LOG_LEVEL asks for debug detail, which needs the fields.
 */
export function createLogger(level: string, options: { pretty?: boolean; style?: LogStyle } = {}): Logger {
  // Belt and braces: nothing should log a token, but if an object carrying one is logged, it is censored.
  const settings = {
    level,
    redact: [
      'token',
      '*.token',
      'discord.token',
      '*.discord.token',
      'headers.authorization',
      '*.headers.authorization',
    ],
  };
  if (options.style === 'plain' && level !== 'debug' && level !== 'trace') {
    return pino(
      settings,
      pretty({
        destination: 2,
        sync: true,
        colorize: false,
        hideObject: true,
        ignore: 'pid,hostname,time,level',
        messageFormat: (record, messageKey) =>
          `${PLAIN_LABELS[record.level as number] ?? ''}${String(record[messageKey])}`,
      }),
    );
  }
  const human = options.pretty ?? process.stderr.isTTY === true;
  if (human) {
    return pino(settings, pretty({ destination: 2, sync: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' }));
  }
  return pino(settings, pino.destination({ fd: 2, sync: true }));
}
