import { once } from 'node:events';
import { ApplicationCommandOptionType, Events, type APIUser } from 'discord.js';
import { expect } from 'vitest';
import type { Config } from '../../src/config.js';
import { createBot, type Bot } from '../../src/discord/client.js';
import { configuredLimits } from '../../src/discord/limits.js';
import { loadCommands } from '../../src/discord/load-commands.js';
import { AnswerLog } from '../../src/library/feedback/answer-log.js';
import { Feeds } from '../../src/library/feeds/feeds.js';
import type { Footnote } from '../../src/library/footnote.js';
import { Libraries } from '../../src/library/libraries.js';
import type { Logger } from '../../src/log.js';
import { DiscordEmulator, type DiscordEmulatorOptions, type InteractionReply } from '../../scripts/discord-emulator.js';
import { silentLog, testConfig } from './setup.js';

/** A bot and what was opened for it, as src/cli/bot-process.ts wires them. */
export interface WiredBot {
  bot: Bot;
  /** Stops the bot, then closes its feeds, answer log and limits, as npm start does on SIGTERM. */
  close: () => Promise<void>;
}

export interface RunningBot {
  emulator: DiscordEmulator;
  libraries: Libraries;
  /** The home library (libraries.home). */
  footnote: Footnote;
  config: Config;
  /** restartBot replaces it with a new bot on the same emulator; stop() stops that one. */
  wired: WiredBot;
  /** The bot running now (wired.bot). */
  readonly bot: Bot;
  stop(): Promise<void>;
}

/**
 * The bot as src/cli/bot-process.ts wires it, not yet connected: its feeds (`feeds`, else new), answer log and limits
 * opened.
 */
export async function wireBot(
  libraries: Libraries,
  config: Config,
  log: Logger,
  feeds = new Feeds(libraries, config, log),
): Promise<WiredBot> {
  const answers = new AnswerLog(config.answersDb, config.retainDays);
  const commands = await loadCommands();
  const limits = configuredLimits(config);
  const bot = createBot({ libraries, feeds, answers, commands, limits, config, log, startedAt: new Date() });
  return {
    bot,
    close: async () => {
      await bot.stop();
      feeds.close();
      answers.close();
      limits.close();
    },
  };
}

/** Wires a bot and waits until it is connected. */
async function connectBot(emulator: DiscordEmulator, ...wiring: Parameters<typeof wireBot>): Promise<WiredBot> {
  const wired = await wireBot(...wiring);
  const ready = once(wired.bot.client, Events.ClientReady);
  await wired.bot.start(emulator.token);
  await ready;
  return wired;
}

/**
 * The real bot, as `npm start` assembles it, connected to a fresh emulator over loopback and
 * answering from an index built from `env`'s articles (the shipped ones by default; `reindex:
 * false` leaves INDEX_DIR as it is): the home library. `libraries` makes the libraries, with models of
 * the test's for one that must hold them in some state.
 */
export async function startBot(
  env: (emulator: DiscordEmulator) => Record<string, string> = () => ({}),
  options: {
    log?: Logger;
    emulator?: DiscordEmulatorOptions;
    reindex?: boolean;
    libraries?: (config: Config, log: Logger) => Libraries;
    feeds?: (libraries: Libraries, config: Config, log: Logger) => Feeds;
  } = {},
): Promise<RunningBot> {
  const emulator = await DiscordEmulator.start(options.emulator);
  const log = options.log ?? silentLog;
  const config = testConfig({ DISCORD_API_BASE: emulator.apiBase, ...env(emulator) });
  const libraries = options.libraries?.(config, log) ?? new Libraries(config, log);
  if (options.reindex ?? true) await libraries.home.reindex();
  const feeds = options.feeds?.(libraries, config, log);
  const running: RunningBot = {
    emulator,
    libraries,
    footnote: libraries.home,
    config,
    wired: await connectBot(emulator, libraries, config, log, feeds),
    get bot() {
      return running.wired.bot;
    },
    async stop() {
      await running.wired.close();
      await libraries.close();
      await emulator.close();
    },
  };
  return running;
}

/** Stops the bot and starts a new one on the same emulator, libraries and files, as `npm start` again would. */
export async function restartBot(running: RunningBot): Promise<void> {
  await running.wired.close();
  running.wired = await connectBot(running.emulator, running.libraries, running.config, silentLog);
}

/** Nothing only an operator should read: a local path, a variable name, a shell command. */
export function expectNothingForOperators(text: string, paths: string[]): void {
  for (const p of paths) expect(text).not.toContain(p);
  expect(text).not.toMatch(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/);
  expect(text).not.toMatch(/\bnpm\b|\bnode\b/);
  expect(text).not.toMatch(/(?:^|\s)\/(?:tmp|home|work|usr|var)\//);
}

/** `/ask question:` in the fixture server (by the regular user unless `user`), and its reply. */
export async function askInServer(
  emulator: DiscordEmulator,
  question: string,
  where: { user?: APIUser; channelId?: string } = {},
): Promise<InteractionReply> {
  const options = [{ name: 'question', type: ApplicationCommandOptionType.String as const, value: question }];
  const sent = emulator.sendSlashCommand({ name: 'ask', options, guildId: emulator.fixture.guild.id, ...where });
  return emulator.waitForInteractionReply(sent.id);
}
