import { once } from 'node:events';
import { ApplicationCommandOptionType, Events, type APIUser } from 'discord.js';
import { expect } from 'vitest';
import type { Config } from '../../src/config.js';
import { createBot, type Bot } from '../../src/discord/client.js';
import { loadCommands } from '../../src/discord/load-commands.js';
import type { Feeds } from '../../src/library/feeds/feeds.js';
import { Footnote } from '../../src/library/footnote.js';
import type { Logger } from '../../src/log.js';
import { DiscordEmulator, type DiscordEmulatorOptions, type InteractionReply } from '../../scripts/discord-emulator.js';
import { silentLog, testConfig } from './setup.js';

export interface RunningBot {
  emulator: DiscordEmulator;
  footnote: Footnote;
  config: Config;
  /** A test may replace it with a new bot on the same emulator (a restart); stop() stops that one. */
  bot: Bot;
  stop(): Promise<void>;
}

/**
 * The real bot, as `npm start` assembles it, connected to a fresh emulator over loopback and
 * answering from an index built from `env`'s articles (the shipped ones by default; `reindex:
 * false` leaves INDEX_DIR as it is). `footnote` makes the core, a subclass of it for a test
 * that must hold it in some state.
 */
export async function startBot(
  env: (emulator: DiscordEmulator) => Record<string, string> = () => ({}),
  options: {
    log?: Logger;
    emulator?: DiscordEmulatorOptions;
    reindex?: boolean;
    footnote?: (config: Config, log: Logger) => Footnote;
    feeds?: (footnote: Footnote, config: Config, log: Logger) => Feeds;
  } = {},
): Promise<RunningBot> {
  const emulator = await DiscordEmulator.start(options.emulator);
  const log = options.log ?? silentLog;
  const config = testConfig({ DISCORD_API_BASE: emulator.apiBase, ...env(emulator) });
  const footnote = options.footnote?.(config, log) ?? new Footnote(config, log);
  if (options.reindex ?? true) await footnote.reindex();
  const feeds = options.feeds?.(footnote, config, log);
  const bot = createBot(await loadCommands(), { footnote, config, log, startedAt: new Date(), feeds });
  const ready = once(bot.client, Events.ClientReady);
  await bot.start(emulator.token);
  await ready;
  const running: RunningBot = {
    emulator,
    footnote,
    config,
    bot,
    async stop() {
      await running.bot.stop();
      await footnote.close();
      await emulator.close();
    },
  };
  return running;
}

/** Stops the bot and starts a new one on the same emulator, core and files, as `npm start` again would. */
export async function restartBot(running: RunningBot): Promise<void> {
  await running.bot.stop();
  const bot = createBot(await loadCommands(), {
    footnote: running.footnote,
    config: running.config,
    log: silentLog,
    startedAt: new Date(),
  });
  const ready = once(bot.client, Events.ClientReady);
  await bot.start(running.emulator.token);
  await ready;
  running.bot = bot;
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
