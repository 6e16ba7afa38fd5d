// Configuration: every environment variable read, validated and defaulted in one place.
import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { ConfigError } from './core/errors.js';
import { MODE_SETTINGS, type ModeSetting } from './core/retrieval/modes.js';
import { isInside } from './articles/paths.js';

export interface HnswParams {
  /** Graph degree: higher = better recall, more memory. */
  m: number;
  efConstruction: number;
  /** HNSW_EF_SEARCH, or null: by the graph's size (searchBreadth in src/store/vectors.ts). */
  efSearch: number | null;
}

export interface Config {
  articlesDir: string;
  /** Larger article files are skipped (with a warning) without being read. */
  maxArticleBytes: number;
  indexDir: string;
  /** Where /remove moves article files: out of the index, deleted retainDays later. Never inside articlesDir. */
  removedDir: string;
  /** Where each Discord server's own library lives: a folder per server id (articles, index, removed). */
  librariesDir: string;
  /** Questions in a server are answered from its own library and the home library together. */
  sharedLibrary: boolean;
  /** Servers whose library is the home library (a bot run for one community). */
  homeServerIds: string[];
  /** Server libraries kept open at once (least recently used closed first). */
  maxOpenLibraries: number;
  /** Articles one server's library may hold (MAX_ARTICLES_PER_SERVER). */
  maxArticlesPerServer: number;
  /** Articles this library may hold: maxArticlesPerServer in a server's library, null (no cap) in the home library. */
  maxArticles: number | null;
  /** FETCH_ALLOW_HOSTS: host names /add may fetch from although they resolve to private addresses. */
  fetchAllowHosts: string[];
  /** FEEDS_DB: the SQLite file of the feeds followed and the items seen. */
  feedsDb: string;
  /** FEED_POLL_MINUTES: how often a feed is polled. */
  feedPollMinutes: number;
  /** MAX_FEEDS_PER_SERVER: the most feeds one Discord server may follow. */
  maxFeedsPerServer: number;
  /** ANSWERS_DB: the SQLite file of the answers given on Discord and the votes on them. */
  answersDb: string;
  /** RETAIN_DAYS: answers and votes older than this are deleted, and removed files, and feed items no longer listed. */
  retainDays: number;
  /** A Hugging Face model id, or an absolute path when EMBEDDING_MODEL names a local directory. */
  embeddingModel: string;
  /** `auto` = int8 weights for hub models, and for local directories that ship them. */
  embeddingDtype: string;
  /** A cross-encoder that re-orders retrieved passages (hub id or absolute directory); null = off. */
  rerankModel: string | null;
  modelsDir: string;
  allowRemoteModels: boolean;
  /** Threads for one model run; 0 = all cores (`npm start` leaves one core to the bot itself). */
  modelThreads: number;
  /** MODEL_RETRY_SECONDS: the first wait before a model that failed to load is tried again (doubling). */
  modelRetrySeconds: number;
  chunkMaxTokens: number;
  chunkOverlapSentences: number;
  hnsw: HnswParams;
  /** Passages retrieved per question before sentences are picked. */
  topK: number;
  /** dense, lexical or hybrid; `auto` = hybrid, or lexical while the model cannot be loaded. */
  retrievalMode: ModeSetting;
  /** Below this score (dense and hybrid) the articles are taken not to answer the question. */
  minScore: number;
  /** The same for lexical mode, whose scores are on another scale. */
  minLexicalScore: number;
  /**
   * A margin, in standard deviations: how far a sentence's cosine to the question must stand above
   * the question's cosines to a sample of sentences for it to answer on meaning alone.
   */
  meaningMargin: number;
  logLevel: string;
  /** Settings that still work under an old name, with what to use instead: shown once at start. */
  deprecations: string[];
  discord: {
    /** Questions per user per window (0 = no limit), and the window. */
    rateLimit: { questions: number; windowMs: number };
    /** Questions answered at once, and waiting at most before "busy, try again". */
    queue: { concurrency: number; capacity: number };
    /** Articles and feeds one user may add per window (0 = no limit), the window, and adds run at once. */
    addLimit: { adds: number; windowMs: number; concurrency: number };
    token: string | null;
    clientId: string | null;
    guildId: string | null;
    apiBase: string;
    adminUserIds: string[];
    /** MESSAGE_CONTENT: the privileged intent is on, so every message in a follow-up thread is a question. */
    messageContent: boolean;
    /** DISCORD_SHARDS: null runs one process; `auto` (as /gateway/bot recommends) or a count runs one per shard. */
    shards: 'auto' | number | null;
  };
}

type Env = Record<string, string | undefined>;

/** Variables renamed since they were introduced: the old name still works, with a warning. */
export const RENAMED_VARIABLES: Readonly<Record<string, string>> = {
  // A margin in standard deviations, not a score.
  MIN_DENSE_SCORE: 'MEANING_MARGIN',
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const DTYPES = ['auto', 'fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'bnb4', 'q4f16'];

/** Reads `.env` (when present) into process.env without overriding what is already set. */
export function loadDotenv(cwd = process.cwd()): void {
  // quiet: dotenv otherwise prints a banner on stdout, which would break `ask --json`.
  dotenv.config({ path: path.join(cwd, '.env'), quiet: true });
}

/** The one place that reads the environment: every variable validated, with defaults. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const { str, optional, int, num, bool, oneOf, dir, model } = envReaders(env, cwd);
  const embeddingModel = model('EMBEDDING_MODEL', str('EMBEDDING_MODEL', 'Xenova/all-MiniLM-L6-v2'));
  const rerankSetting = optional('RERANK_MODEL');

  const deprecations: string[] = [];
  // The name a setting is read from: its own, or its old one when only that is set. Errors then
  // name the variable the operator actually wrote.
  const current = (name: string): string => {
    const old = Object.keys(RENAMED_VARIABLES).find((key) => RENAMED_VARIABLES[key] === name);
    if (!old || env[name]?.trim() || !env[old]?.trim()) return name;
    deprecations.push(`${old} is deprecated and will be removed: rename it to ${name} (same meaning, same values).`);
    return old;
  };

  const apiBase = discordApiBase(str('DISCORD_API_BASE', 'https://discord.com/api'));
  const adminUserIds = discordAdmins(env);

  const { articlesDir, removedDir } = articleFolders(dir);

  return {
    articlesDir,
    maxArticleBytes: int('MAX_ARTICLE_MB', 10, 1, 1024) * 1024 * 1024,
    indexDir: dir('INDEX_DIR', 'data/index'),
    removedDir,
    ...serverLibraries(env, { dir, bool, int }),
    fetchAllowHosts: hostNames(env.FETCH_ALLOW_HOSTS),
    feedsDb: dir('FEEDS_DB', 'data/feeds.db'),
    feedPollMinutes: int('FEED_POLL_MINUTES', 30, 1, 24 * 60),
    maxFeedsPerServer: int('MAX_FEEDS_PER_SERVER', 20, 1, 1000),
    answersDb: dir('ANSWERS_DB', 'data/answers.db'),
    retainDays: int('RETAIN_DAYS', 90, 1, 3650),
    embeddingModel,
    embeddingDtype: oneOf('EMBEDDING_DTYPE', 'auto', DTYPES),
    rerankModel: rerankSetting ? model('RERANK_MODEL', rerankSetting) : null,
    modelsDir: dir('MODELS_DIR', 'data/models'),
    allowRemoteModels: bool('ALLOW_REMOTE_MODELS', true),
    modelThreads: int('MODEL_THREADS', 0, 0, 256),
    modelRetrySeconds: int('MODEL_RETRY_SECONDS', 30, 1, 3600),
    chunkMaxTokens: int('CHUNK_MAX_TOKENS', 160, 32, 510),
    chunkOverlapSentences: int('CHUNK_OVERLAP_SENTENCES', 1, 0, 5),
    hnsw: {
      m: int('HNSW_M', 16, 4, 96),
      efConstruction: int('HNSW_EF_CONSTRUCTION', 200, 10, 2000),
      efSearch: optional('HNSW_EF_SEARCH') === null ? null : int('HNSW_EF_SEARCH', 0, 10, 2000),
    },
    topK: int('TOP_K', 8, 1, 100),
    retrievalMode: oneOf('RETRIEVAL_MODE', 'auto', [...MODE_SETTINGS]) as ModeSetting,
    minScore: num('MIN_SCORE', 0.2, -1, 1),
    minLexicalScore: num('MIN_LEXICAL_SCORE', 0.3, 0, 1),
    // The lowest margin at which off-topic questions are answered no more often than lexically
    // (docs/decisions/meaning-margin.md).
    meaningMargin: num(current('MEANING_MARGIN'), 8, 0, 100),
    logLevel: oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
    deprecations,
    discord: {
      rateLimit: {
        questions: int('RATE_LIMIT_QUESTIONS', 5, 0, 1000),
        windowMs: int('RATE_LIMIT_WINDOW_SECONDS', 30, 1, 86_400) * 1000,
      },
      queue: {
        concurrency: int('MAX_CONCURRENT_ANSWERS', 4, 1, 64),
        capacity: int('MAX_QUEUED_QUESTIONS', 200, 0, 10_000),
      },
      addLimit: {
        adds: int('RATE_LIMIT_ADDS', 20, 0, 1000),
        windowMs: int('RATE_LIMIT_ADDS_WINDOW_SECONDS', 3600, 1, 86_400) * 1000,
        concurrency: int('MAX_CONCURRENT_ADDS', 2, 1, 16),
      },
      token: optional('DISCORD_TOKEN'),
      clientId: optional('DISCORD_CLIENT_ID'),
      guildId: discordId(env, 'DISCORD_GUILD_ID', 'server'),
      apiBase,
      adminUserIds,
      messageContent: bool('MESSAGE_CONTENT', false),
      shards: shardSetting(env),
    },
  };
}

// A typing mistake's guard, not a tuning: each shard is a process of some 250 MB, so 256 of them (up to 640,000
// servers) already need a 64 GB machine; more is for several hosts (README, "Running at scale").
export const MOST_SHARDS = 256;

/** DISCORD_SHARDS: empty, `auto`, or a whole number of shards. */
function shardSetting(env: Env): 'auto' | number | null {
  const value = env.DISCORD_SHARDS?.trim().toLowerCase();
  if (!value) return null;
  if (value === 'auto') return 'auto';
  const count = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(count >= 1 && count <= MOST_SHARDS))
    throw new ConfigError(
      'DISCORD_SHARDS',
      `"${value}" is not a shard count: expected auto, or a whole number from 1 to ${MOST_SHARDS}`,
    );
  return count;
}

/** A comma-separated list of host names, as compared: trimmed and lower case. */
function hostNames(list = ''): string[] {
  return list
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * Readers of the environment's variables by type: each returns its default when the variable is unset, and throws a
 * ConfigError naming the variable when its value is not one it takes.
 */
function envReaders(env: Env, cwd: string) {
  const str = (name: string, fallback: string): string => {
    const value = env[name]?.trim();
    return value ? value : fallback;
  };
  const optional = (name: string): string | null => env[name]?.trim() || null;
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  };
  const num = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new ConfigError(name, `expected a number from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.trim().toLowerCase();
    if (!raw) return fallback;
    if (['true', '1', 'yes', 'on'].includes(raw)) return true;
    if (['false', '0', 'no', 'off'].includes(raw)) return false;
    throw new ConfigError(name, `expected true or false, got "${env[name]}"`);
  };
  const oneOf = (name: string, fallback: string, allowed: string[]): string => {
    const value = str(name, fallback).toLowerCase();
    if (!allowed.includes(value)) {
      throw new ConfigError(name, `expected one of ${allowed.join(', ')}, got "${env[name]}"`);
    }
    return value;
  };
  const dir = (name: string, fallback: string): string => path.resolve(cwd, str(name, fallback));

  // A value that names an existing directory is a local model; anything else is a hub id.
  const model = (name: string, setting: string): string => {
    const modelPath = path.resolve(cwd, setting);
    if (isDirectory(modelPath)) return modelPath;
    if (setting.startsWith('.') || path.isAbsolute(setting)) {
      throw new ConfigError(
        name,
        `"${setting}" looks like a path but is not a directory; point it at a model directory ` +
          '(config.json, tokenizer files, onnx/) or use a Hugging Face model id',
      );
    }
    return setting;
  };
  return { str, optional, int, num, bool, oneOf, dir, model };
}

/** ARTICLES_DIR and REMOVED_DIR, checked to be apart. */
function articleFolders(dir: (name: string, fallback: string) => string): { articlesDir: string; removedDir: string } {
  const articlesDir = dir('ARTICLES_DIR', 'data/articles');
  const removedDir = dir('REMOVED_DIR', 'data/removed');
  // Inside the articles folder, a removed file would be indexed again by the next build.
  if (isInside(articlesDir, removedDir)) {
    throw new ConfigError('REMOVED_DIR', `"${removedDir}" is inside ARTICLES_DIR; choose a folder outside it`);
  }
  return { articlesDir, removedDir };
}

/** DISCORD_API_BASE, checked to be a URL. */
function discordApiBase(apiBase: string): string {
  try {
    new URL(apiBase);
  } catch {
    throw new ConfigError('DISCORD_API_BASE', `"${apiBase}" is not a URL; use e.g. https://discord.com/api`);
  }
  return apiBase;
}

/** Where server libraries live, whether servers also answer from the home library, and which servers it is. */
function serverLibraries(
  env: Env,
  { dir, bool, int }: Pick<ReturnType<typeof envReaders>, 'dir' | 'bool' | 'int'>,
): Pick<
  Config,
  'librariesDir' | 'sharedLibrary' | 'homeServerIds' | 'maxOpenLibraries' | 'maxArticlesPerServer' | 'maxArticles'
> {
  return {
    librariesDir: dir('LIBRARIES_DIR', 'data/libraries'),
    sharedLibrary: bool('SHARED_LIBRARY', true),
    homeServerIds: discordIds(env, 'HOME_SERVER_IDS', 'server'),
    maxOpenLibraries: int('MAX_OPEN_LIBRARIES', 32, 1, 10_000),
    maxArticlesPerServer: int('MAX_ARTICLES_PER_SERVER', 1000, 1, 1_000_000),
    maxArticles: null,
  };
}

/** ADMIN_USER_IDS, each checked to be a Discord user id. */
function discordAdmins(env: Env): string[] {
  return discordIds(env, 'ADMIN_USER_IDS', 'user');
}

/** One Discord id (a user's or a server's), checked to be one; null when unset. */
function discordId(env: Env, name: string, what: 'user' | 'server'): string | null {
  const id = env[name]?.trim();
  if (!id) return null;
  if (!isDiscordId(id)) throw new ConfigError(name, `"${id}" is not a Discord ${what} id: expected ${DISCORD_ID_FORM}`);
  return id;
}

/** A comma-separated list of Discord ids (users or servers), each checked to be one. */
function discordIds(env: Env, name: string, what: 'user' | 'server'): string[] {
  const ids = (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const id of ids) {
    if (!isDiscordId(id))
      throw new ConfigError(name, `"${id}" is not a Discord ${what} id: expected ${DISCORD_ID_FORM}`);
  }
  return ids;
}

// Discord's ids are snowflakes, 64-bit numbers: at most 20 digits, and at least 17 for any made since Discord opened.
// The check is a little wider either side; the check and the words every refusal uses are made from the same numbers,
// so that an operator is never told a range the check does not apply.
const [FEWEST, MOST] = [15, 21];
const DISCORD_ID = new RegExp(`^\\d{${FEWEST},${MOST}}$`);
export const DISCORD_ID_FORM = `digits only, ${FEWEST} to ${MOST} of them (Discord ids have 17 to 20)`;

/** A Discord id (a snowflake) as DISCORD_ID_FORM says: digits only, so one can never name a path. */
export function isDiscordId(id: string): boolean {
  return DISCORD_ID.test(id);
}

/** The bot's token and application id; without them, the error names the variable and where to find it. */
export function discordCredentials(config: Config): { token: string; clientId: string } {
  const { token, clientId } = config.discord;
  if (!token)
    throw new ConfigError('DISCORD_TOKEN', 'is not set; put the bot token from the Discord developer portal in .env');
  if (!clientId) {
    throw new ConfigError(
      'DISCORD_CLIENT_ID',
      'is not set; put the application id from the Discord developer portal in .env',
    );
  }
  return { token, clientId };
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
