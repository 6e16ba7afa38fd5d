// The libraries one process serves: the home library and each Discord server's own, opened when needed, a bounded
// number at once, each lent to one use at a time so that closing one never takes an index from under a reader.
import fs from 'node:fs';
import path from 'node:path';
import { answerText } from '../core/answer/cite.js';
import { NOT_FOUND } from '../core/answer/compose.js';
import { floorOf } from '../core/answer/select.js';
import { normalizeQuestion } from '../core/text/words.js';
import { isDiscordId, type Config } from '../config.js';
import type { Logger } from '../log.js';
import { ModelHost } from '../models/host.js';
import { Footnote, type AskOptions, type FootnoteOptions, type TimedAnswer } from './footnote.js';

interface OpenLibrary {
  library: Footnote;
  /** Uses under way: an open library is closed only when it has none. */
  leases: number;
}

// Quotes in an answer drawn from two libraries, as in one drawn from one (composeAnswer's default).
const MAX_QUOTES = 3;

export class Libraries {
  readonly home: Footnote;
  private readonly models: ModelHost;
  // In order of last use, least recent first: the first idle one is closed when too many are open.
  private readonly open = new Map<string, OpenLibrary>();
  private closing: Promise<void>[] = [];

  constructor(
    readonly config: Config,
    private readonly log: Logger,
    private readonly options: FootnoteOptions = {},
  ) {
    this.models =
      options.models ?? new ModelHost(config, log, { onDownload: options.onDownload, retryMs: options.modelRetryMs });
    this.home = new Footnote(config, log, { ...options, models: this.models, sharedModels: true });
  }

  /** After the model failed to load: tries it again with a growing wait until it loads, then calls `loaded`. */
  keepTryingModel(loaded: () => void): void {
    this.models.keepTrying(loaded);
  }

  /** Whether a server's library is the home library (HOME_SERVER_IDS): a bot run for one community. */
  isHome(serverId: string | null): boolean {
    return serverId === null || this.config.homeServerIds.includes(serverId);
  }

  /** The folder of a server's own library: its articles, index and removed files. */
  folderOf(serverId: string): string {
    // Digits only, so a server id can never name another folder.
    if (!isDiscordId(serverId)) throw new Error(`not a Discord server id: ${JSON.stringify(serverId)}`);
    return path.join(this.config.librariesDir, serverId);
  }

  /** Every library's removed folder: the home library's, and each server library's (made or not yet). */
  removedDirs(): string[] {
    const { librariesDir, removedDir } = this.config;
    const servers = fs.existsSync(librariesDir) ? fs.readdirSync(librariesDir).filter(isDiscordId) : [];
    return [removedDir, ...servers.map((id) => serverFolders(this.folderOf(id)).removedDir)];
  }

  /** Whether a server has a library of its own (made on its first add). */
  exists(serverId: string): boolean {
    return !this.isHome(serverId) && fs.existsSync(path.join(this.folderOf(serverId), 'articles'));
  }

  /**
   * Runs `use` with the library a server's admins change: the home library for HOME_SERVER_IDS (and null: the CLI,
   * a DM), else the server's own, made on first need when `create`. Null when the server has none and none is made.
   */
  async withLibrary<T>(
    serverId: string | null,
    use: (library: Footnote) => Promise<T>,
    options: { create?: boolean } = {},
  ): Promise<T | null> {
    if (serverId === null || this.isHome(serverId)) return use(this.home);
    if (!this.exists(serverId)) {
      if (!options.create) return null;
      fs.mkdirSync(path.join(this.folderOf(serverId), 'articles'), { recursive: true });
    }
    const entry = this.lease(serverId);
    try {
      return await use(entry.library);
    } finally {
      entry.leases--;
      this.closeIdle();
    }
  }

  /**
   * Whether the library a server's admins change (as withLibrary picks it) is being rebuilt: a server library is
   * open while it is, so one not open is not.
   */
  reindexing(serverId: string | null): boolean {
    if (serverId === null || this.isHome(serverId)) return this.home.reindexing;
    return this.open.get(serverId)?.library.reindexing ?? false;
  }

  /**
   * Answers as a server does: from its own library and, with SHARED_LIBRARY, the home library, the best quotes of
   * either first (null: as a DM or the CLI does, from the home library).
   */
  async ask(serverId: string | null, question: string, options: AskOptions = {}): Promise<TimedAnswer> {
    if (serverId === null || this.isHome(serverId)) return this.home.ask(question, options);
    const started = performance.now();
    const own = await this.withLibrary(serverId, async (library) =>
      !options.articleId || library.article(options.articleId) ? library.ask(question, options) : null,
    );
    const home =
      this.config.sharedLibrary && (!options.articleId || !own) ? await this.home.ask(question, options) : null;
    const answers = [own, home].filter((a): a is TimedAnswer => a !== null);
    const timings = { totalMs: Number((performance.now() - started).toFixed(1)) };
    return answers.length ? { ...rankedTogether(answers), timings } : this.notFound(question, timings);
  }

  /** Closes every library and the models. */
  async close(): Promise<void> {
    for (const [id, { library }] of this.open) {
      this.open.delete(id);
      this.closing.push(library.close());
    }
    await Promise.all(this.closing);
    await this.home.close();
    if (!this.options.models) await this.models.close();
  }

  /** The servers whose libraries are open now, least recently used first. */
  openServers(): string[] {
    return [...this.open.keys()];
  }

  private lease(serverId: string): OpenLibrary {
    let entry = this.open.get(serverId);
    if (entry) this.open.delete(serverId);
    else {
      const folders = serverFolders(this.folderOf(serverId));
      const config: Config = { ...this.config, ...folders, maxArticles: this.config.maxArticlesPerServer };
      const library = new Footnote(config, this.log, {
        ...this.options,
        models: this.models,
        sharedModels: true,
        library: serverId,
      });
      entry = { library, leases: 0 };
    }
    // Re-inserted: the most recently used goes last.
    this.open.set(serverId, entry);
    entry.leases++;
    return entry;
  }

  /** Closes the least recently used idle libraries beyond MAX_OPEN_LIBRARIES; one in use waits for its turn. */
  private closeIdle(): void {
    let excess = this.open.size - this.config.maxOpenLibraries;
    for (const [id, entry] of this.open) {
      if (excess <= 0) break;
      if (entry.leases > 0) continue;
      this.open.delete(id);
      excess--;
      const closed = entry.library.close().catch((error: unknown) => this.log.warn({ err: error }, 'closing failed'));
      this.closing.push(closed);
      void closed.then(() => (this.closing = this.closing.filter((c) => c !== closed)));
    }
  }

  /** "Not found" for a server with no library of its own and no shared one to ask. */
  private notFound(question: string, timings: TimedAnswer['timings']): TimedAnswer {
    const mode = this.config.retrievalMode === 'auto' ? 'lexical' : this.config.retrievalMode;
    const retrieval = { mode, model: this.config.embeddingModel };
    return { question: normalizeQuestion(question), found: false, text: NOT_FOUND, citations: [], retrieval, timings };
  }
}

/**
 * One answer from several libraries' answers: the best-scored one whole, then the others' quotes that score within
 * the floor a further quote of one library must reach, best first, renumbered.
 */
function rankedTogether(answers: TimedAnswer[]): Omit<TimedAnswer, 'timings'> {
  const found = answers.filter((a) => a.found);
  if (!found.length) return answers[0]!;
  const best = found.reduce((a, b) => (b.citations[0]!.score > a.citations[0]!.score ? b : a));
  const floor = floorOf({ score: best.citations[0]!.score }, 0);
  const others = found
    .filter((a) => a !== best)
    .flatMap((a) => a.citations)
    .filter((c) => c.score >= floor);
  const citations = [...best.citations, ...others.sort((a, b) => b.score - a.score)]
    .slice(0, MAX_QUOTES)
    .map((c, i) => ({ ...c, n: i + 1 }));
  return { ...best, text: answerText(citations), citations };
}

/** A server library's folders, in its folder under LIBRARIES_DIR. */
function serverFolders(folder: string): Pick<Config, 'articlesDir' | 'indexDir' | 'removedDir'> {
  return {
    articlesDir: path.join(folder, 'articles'),
    indexDir: path.join(folder, 'index'),
    removedDir: path.join(folder, 'removed'),
  };
}
