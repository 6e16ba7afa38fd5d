// `npm start`: the Discord bot, warming the model and the index while it connects.
import os from 'node:os';
import { discordCredentials } from '../config.js';
import { createBot } from '../discord/client.js';
import { configuredLimits } from '../discord/limits.js';
import { loadCommands } from '../discord/load-commands.js';
import { AnswerLog } from '../library/feedback/answer-log.js';
import { Feeds } from '../library/feeds/feeds.js';
import { Libraries } from '../library/libraries.js';
import { downloadProgress } from './progress.js';
import { runCommand } from './run.js';

runCommand(
  async ({ config: settings, log }) => {
    // The model's threads leave one core to the bot's own thread (gateway, Discord replies).
    const config = { ...settings, modelThreads: settings.modelThreads || Math.max(1, os.availableParallelism() - 1) };
    const { token } = discordCredentials(config);

    const download = downloadProgress(config.embeddingModel);
    // The home library and each server's own, which share the models.
    const libraries = new Libraries(config, log, { onDownload: download.update, lexicalWhileLoading: true });
    // The model loads (and the home library's missing index is built) while the gateway connects. Questions that
    // come meanwhile wait for them, or with RETRIEVAL_MODE=auto are answered lexically until the
    // model is ready. A broken set-up still stops the bot, with its message.
    // RETRIEVAL_MODE=lexical never needs the model: the bot runs without it.
    const needsModel = config.retrievalMode !== 'lexical';
    const warming = Promise.all([
      libraries.home.ensureIndex(needsModel ? 'hybrid' : 'lexical'),
      needsModel && libraries.home.embedder(),
    ]).finally(() => download.stop());
    warming.catch(() => {});

    const commands = await loadCommands();
    // Everything the bot is given is opened here, and closed here after the bot has stopped.
    const feeds = new Feeds(libraries, config, log);
    const answers = new AnswerLog(config.answersDb, config.retainDays);
    const bot = createBot({
      libraries,
      feeds,
      answers,
      commands,
      limits: configuredLimits(config.discord),
      config,
      log,
      startedAt: new Date(),
    });
    const close = async (): Promise<void> => {
      await bot.stop();
      feeds.close();
      answers.close();
      await libraries.close();
    };
    let stopping = false;
    const shutdown = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      void close().finally(() => process.exit(0));
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
    await bot.start(token);
    try {
      await warming;
      if (needsModel) log.info(`the embedding model is loaded: answering with ${config.embeddingModel}`);
    } catch (error) {
      stopping = true;
      await close();
      throw error;
    }
  },
  { logs: 'service' },
);
