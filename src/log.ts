// Logging: structured logs for the bot, plain lines for the commands, always on stderr.
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

// An interaction's token, the segment after the id in /interactions/{id}/{token}/callback and
// /webhooks/{application id}/{token}/…, answers for that interaction for 15 minutes; a Discord error carries the URL
// of its request (and @discordjs/rest's rate-limit error the webhook's "{application id}/{token}").
const TOKEN_IN_ROUTE = /(\/(?:interactions|webhooks)\/[^/\s]+\/)[^/?#\s"']+/g;
const TOKEN_AFTER_ID = /^(\d{17,20}\/)[^/?#\s]+$/;
const MAX_DEPTH = 5;

/** `value` with every interaction token in its strings, however deep, replaced by `:token`. */
export function withoutInteractionTokens<T>(value: T, depth = 0): T {
  if (typeof value === 'string')
    return value.replace(TOKEN_IN_ROUTE, '$1:token').replace(TOKEN_AFTER_ID, '$1:token') as T;
  if (typeof value !== 'object' || value === null || depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v: unknown) => withoutInteractionTokens(v, depth + 1)) as T;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [key, withoutInteractionTokens(v as unknown, depth + 1)]),
  ) as T;
}

/** `service`: the bot's structured logs. `plain`: a command's messages for the person who ran it. */
export type LogStyle = 'service' | 'plain';

const PLAIN_LABELS: Record<number, string> = { 60: 'fatal: ', 50: 'error: ', 40: 'warning: ' };

/**
 * Logs always go to stderr so stdout stays clean for answers and `--json`.
 * The bot's logs are JSON lines for log tooling, readable lines on a terminal. A command's are
 * plain lines ("warning: …"), unless LOG_LEVEL asks for debug detail, which needs the fields.
 * `destination` takes the JSON lines instead of stderr (a test reads them).
 */
export function createLogger(
  level: string,
  options: { pretty?: boolean; style?: LogStyle; destination?: DestinationStream } = {},
): Logger {
  // Belt and braces: nothing should log a token, but if an object carrying one is logged, it is censored.
  const settings = {
    level,
    // A logged error keeps its URL and route, with the interaction's token taken out.
    serializers: { err: (error: Error) => withoutInteractionTokens(pino.stdSerializers.err(error)) },
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
  return pino(settings, options.destination ?? pino.destination({ fd: 2, sync: true }));
}
