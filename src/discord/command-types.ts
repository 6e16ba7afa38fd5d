/** The types a module in `commands/` is written against: what it exports and what it is given. */
import type {
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Config } from '../config.js';
import type { AnswerLog } from '../library/feedback/answer-log.js';
import type { Feeds } from '../library/feeds/feeds.js';
import type { Libraries } from '../library/libraries.js';
import type { Logger } from '../log.js';
import type { Limits } from './limits.js';

/** What every command, precondition and handler is given besides the interaction or request. */
export interface CommandContext {
  /** The home library and each server's own (see library-view.ts for what each place sees). */
  libraries: Libraries;
  /** The feeds followed (/feeds), polled by the bot on schedule. */
  feeds: Feeds;
  /** The answers given and the votes on them (/report reads them). */
  answers: AnswerLog;
  config: Config;
  log: Logger;
  startedAt: Date;
  /** The slash commands the bot answers, by name: exactly those in `commands/` (/help lists them). */
  commands: ReadonlyMap<string, Command>;
  /** Shared by every way of asking (slash command, DM, mention). */
  limits: Limits;
}

/** The shape of each module in `commands/`, as in discord.js's guide: `data` and `execute`. */
export interface Command {
  data: { name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, context: CommandContext): Promise<void>;
}
