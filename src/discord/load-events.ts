/** Registers the gateway event modules in `events/` on the client, each given what the bot runs. */
import type { Client, ClientEvents } from 'discord.js';
import type { CommandContext } from './command-types.js';
import type { EventLoopMonitor } from './event-loop-monitor.js';
import * as clientReady from './events/client-ready.js';
import * as error from './events/error.js';
import * as interactionCreate from './events/interaction-create.js';
import * as messageCreate from './events/message-create.js';
import * as shardDisconnect from './events/shard-disconnect.js';
import * as shardResume from './events/shard-resume.js';
import type { FeedAnnouncer } from './feed-announcer.js';
import type { InFlight } from './in-flight.js';
import type { LoginErrors } from './login-errors.js';

/** What an event module is given besides the event's own arguments. */
export interface EventContext {
  context: CommandContext;
  monitor: EventLoopMonitor;
  announcer: FeedAnnouncer;
  loginErrors: LoginErrors;
  /** What the handlers are doing now: stopping waits for it. */
  inFlight: InFlight;
  /** This process runs the bot's schedules (feed polls): the only process, or shard 0 of a sharded bot. */
  primary: boolean;
}

/** The shape of each module in `events/`, as in discord.js's guide: `name`, optional `once`, and `execute`. */
export interface BotEvent<K extends keyof ClientEvents> {
  name: K;
  once?: boolean;
  execute(bot: EventContext, ...args: ClientEvents[K]): void | Promise<void>;
}

/** Each module is checked against its own event's arguments here, so a wrong signature fails to compile. */
function binding<K extends keyof ClientEvents>(event: BotEvent<K>): (client: Client, bot: EventContext) => void {
  return (client, bot) => {
    // The handlers catch what they can answer; a listener's promise has no one to return to but the bot's stop, which
    // waits for it.
    const listener = (...args: ClientEvents[K]): void => {
      const work = event.execute(bot, ...args);
      if (work) bot.inFlight.track(work);
    };
    if (event.once) client.once(event.name, listener);
    else client.on(event.name, listener);
  };
}

// Every module in events/ (tests/discord/load-events.test.ts checks that none is left out).
const EVENTS = [
  binding(clientReady),
  binding(error),
  binding(interactionCreate),
  binding(messageCreate),
  binding(shardDisconnect),
  binding(shardResume),
];

export function registerEvents(client: Client, bot: EventContext): void {
  for (const register of EVENTS) register(client, bot);
}
