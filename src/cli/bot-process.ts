// The bot in this process: the libraries, feeds and answer log opened, the model warmed while the gateway connects,
// and all of it closed again on SIGTERM or SIGINT. npm start runs it alone, or once per shard (shard-process.ts).
import os from 'node:os';
import { discordCredentials, type Config } from '../config.js';
import { ModelLoadError, errorMessage } from '../core/errors.js';
import { createBot } from '../discord/client.js';
import { configuredLimits } from '../discord/limits.js';
import { loadCommands } from '../discord/load-commands.js';
import { AnswerLog } from '../library/feedback/answer-log.js';
import { Feeds } from '../library/feeds/feeds.js';
import { Libraries } from '../library/libraries.js';
import { keepPruningRemoved } from '../library/prune-removed.js';
import type { Logger } from '../log.js';
import { downloadProgress } from './progress.js';

export interface BotRole {
  /**
   * This process runs what must happen once: feed polls, pruning removed files, the answer log's upkeep. The only
   * process, or shard 0 of a sharded bot.
   */
  primary: boolean;
  /** A shard stops when its manager is gone, rather than run on unmanaged. */
  managed: boolean;
}

/** Runs the bot until a signal stops it (it then exits 0), or its start fails (thrown). */
export async function runBot(settings: Config, log: Logger, role: BotRole): Promise<void> {
  // The model's threads leave one core to the bot's own thread (gateway, Discord replies).
  const config = { ...settings, modelThreads: settings.modelThreads || Math.max(1, os.availableParallelism() - 1) };
  const { token } = discordCredentials(config);
  // Opened first: an ANSWERS_DB that cannot be opened stops the bot before the model is loaded.
  const limits = configuredLimits(config);

  const download = downloadProgress(config.embeddingModel);
  // The home library and each server's own, which share the models.
  const libraries = new Libraries(config, log, { onDownload: download.update, lexicalWhileLoading: true });
  // The model loads (and the home library's missing index is built) while the gateway connects. Questions that
  // come meanwhile wait for them, or with RETRIEVAL_MODE=auto are answered lexically until the model is ready.
  // Shards that start together build it once: the others wait for the build lock and open what it wrote.
  const warming = warm(libraries, config, log).finally(() => download.stop());
  warming.catch(() => {});

  const commands = await loadCommands();
  // Everything the bot is given is opened here, and closed here after the bot has stopped.
  const feeds = new Feeds(libraries, config, log);
  const answers = new AnswerLog(config.answersDb, config.retainDays, { prunes: role.primary });
  const bot = createBot(
    {
      libraries,
      feeds,
      answers,
      commands,
      limits,
      config,
      log,
      startedAt: new Date(),
    },
    { primary: role.primary },
  );
  let stopPruning = (): void => {};
  const close = async (): Promise<void> => {
    stopPruning();
    await bot.stop();
    feeds.close();
    answers.close();
    limits.close();
    await libraries.close();
  };
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    void close().finally(() => process.exit(0));
  };
  // Not `once`: a shard is sent SIGTERM by its manager and by a service manager stopping the whole group, and the
  // second signal must not kill it halfway through answering.
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  if (role.managed) process.once('disconnect', () => shutdown('manager gone'));
  const loaded = (): void => log.info(`the embedding model is loaded: answering with ${config.embeddingModel}`);
  try {
    await bot.start(token);
    // Removed articles' files, in every library, are deleted RETAIN_DAYS after their removal.
    if (role.primary) stopPruning = keepPruningRemoved(libraries, log);
    if (await warming) loaded();
    else if (config.retrievalMode === 'auto')
      // The home index gains its vectors before the next question needs them; a server's, on its next question.
      libraries.keepTryingModel(() => {
        libraries.home.ensureIndex('hybrid').then(loaded, (error: unknown) => {
          log.error(`the index could not be built with the embedding model: ${errorMessage(error)}`);
        });
      });
  } catch (error) {
    stopping = true;
    await close();
    throw error;
  }
}

/**
 * Loads the model and builds the home library's missing index; true when the model loaded. RETRIEVAL_MODE=lexical
 * never needs the model. With auto, a model that cannot be loaded (the hub unreachable for a while) is no reason to
 * stop, and have a service manager restart the bot in a loop: it answers by words and tries the model again on later
 * questions and on a timer (a growing wait). A mode forced to dense or hybrid still stops it, naming the variable.
 */
async function warm(libraries: Libraries, config: Config, log: Logger): Promise<boolean> {
  if (config.retrievalMode === 'lexical') {
    await libraries.home.ensureIndex('lexical');
    return false;
  }
  // Both settle before a lexical build starts: one may not be under way while the other is begun.
  const settled = await Promise.allSettled([libraries.home.ensureIndex('hybrid'), libraries.home.embedder()]);
  const failed = settled.find((result) => result.status === 'rejected');
  if (!failed) return true;
  const error: unknown = failed.reason;
  if (config.retrievalMode !== 'auto' || !(error instanceof ModelLoadError)) throw error;
  log.warn(`answering by keyword search until the embedding model loads: ${errorMessage(error).split('\n')[0]}`);
  await libraries.home.ensureIndex('lexical');
  return false;
}
