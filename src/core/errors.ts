/**
 * Failures the operator fixes by changing how they run Footnote (a flag, a variable, a missing
 * model): the CLI exits 2 for these, 1 for everything else (contract). Their messages name
 * paths, variables and commands, so a Discord user never sees them: the bot logs them and
 * apologises with an error id.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A variable in the environment or `.env` is missing or malformed. */
export class ConfigError extends UsageError {
  override name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message} (see .env.example)`);
  }
}

/** A model (embedder or re-ranker) could not be loaded; the message says where we looked and what to do. */
export class ModelLoadError extends UsageError {
  override name = 'ModelLoadError';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Where an article came from, as a failure names it: a page (where it was fetched from) or a file sent. */
export type ArticleOrigin = { page: string } | { file: string };

/** Why a connection to a site failed, from the system's error code. */
export type ConnectionProblem =
  | 'refused'
  | 'closed'
  | 'timed-out'
  | 'unreachable'
  | 'certificate-expired'
  | 'certificate-other-site'
  | 'certificate-untrusted'
  | 'no-secure-connection'
  | 'not-a-web-server'
  | 'other';

/**
 * Every failure that is worded for a person, by its code, with the data the words need. The core
 * and the library carry these; only the adapters (src/cli/, src/discord/) turn them into words,
 * each for whoever reads them there. A code is stable: a feed's last failure is stored by it.
 */
export interface ErrorDetails {
  'question.empty': Record<string, never>;
  'article.unknown': { id: string };
  /** A home library article a server's admin asked to change: only the home library's keepers may. */
  'article.shared': { id: string };
  /** A server with no library of its own yet (its first add makes one). */
  'library.none': Record<string, never>;
  /** Neither a link nor a file, or both. */
  'add.no-source': Record<string, never>;
  /** `file` is null when it is named only as "that file" (an attachment refused before download). */
  'article.too-large': { file: string | null; maxMb: number };
  'article.not-article-file': { file: string };
  /** `reason`: what the text is instead (binary, not valid UTF-8…), as the article loader says it. */
  'article.unreadable': { from: ArticleOrigin; reason: string };
  'article.unparsable': { from: ArticleOrigin; reason: string };
  'article.no-text': { from: ArticleOrigin };
  'article.wrong-charset': { from: ArticleOrigin; charset: string };
  /**
   * A page with more markup than can be read (src/articles/html/markup-size.ts), or that takes too much memory to
   * read (src/articles/html/parse-thread.ts, `max` in MB): which limit, and the limit.
   */
  'article.too-complex': { from: ArticleOrigin; limit: 'elements' | 'depth' | 'nesting' | 'memory'; max: number };
  /** A file that cannot be moved out of the articles folder from afar (a link, a device). */
  'article.not-regular-file': { file: string };
  /** Gone from the articles folder since the index was built. */
  'article.gone': { file: string };
  'feed.already-followed': { title: string };
  'feed.not-a-feed': Record<string, never>;
  /** A server follows `max` feeds already (MAX_FEEDS_PER_SERVER). */
  'feed.server-limit': { max: number };
  /** A feed and its new pages were not all read within a poll's deadline for one feed. */
  'feed.too-slow': { seconds: number };
  /** A server's library holds as many articles as one may (MAX_ARTICLES_PER_SERVER). */
  'library.full': { max: number };
  /** A feed's last failure as an earlier version stored it: words, shown as they are. */
  'feed.old-error': { text: string };
  'fetch.not-a-url': { text: string };
  'fetch.scheme': { scheme: string };
  'fetch.credentials': Record<string, never>;
  'fetch.unknown-host': { host: string };
  /** `address`: what kind of address it is ("a private-network address"). */
  'fetch.refused': { host: string; address: string };
  'fetch.too-many-redirects': { max: number };
  'fetch.connect-timeout': { host: string };
  'fetch.timeout': { seconds: number };
  'fetch.failed': { problem: ConnectionProblem };
  /** `statusText`: the status's standard name, not the server's own text, which could say anything. */
  'fetch.status': { status: number; statusText: string | null };
  'fetch.wrong-type': { expected: 'page' | 'feed'; contentType: string | null };
  'fetch.too-large': { maxMb: number };
  /** A reindex is running in this process. */
  'index.busy': Record<string, never>;
  /** Another process holds the build lock (`owner` null: it took it a moment ago). */
  'index.locked': { indexDir: string; lockFile: string; owner: { pid: number; host: string; since: string } | null };
  /** `npm run backup` into a folder that has something in it already (or is a file). */
  'backup.not-empty': { dir: string };
  /** `npm run backup` into a folder inside one it copies (`variable` names that folder's setting). */
  'backup.inside-data': { dir: string; variable: string; folder: string };
  /** Something failed on the bot's side; the log has it under `errorId`. */
  internal: { errorId: string };
}

export type ErrorCode = keyof ErrorDetails;

/** A failure as data (a code and its details): kept (a feed's last poll) and worded later. */
export type Failure = { [C in ErrorCode]: { code: C; details: ErrorDetails[C] } }[ErrorCode];

// `satisfies` keeps this list and ErrorDetails the same set: a code missing or extra does not compile.
const CODES = {
  'question.empty': true,
  'article.unknown': true,
  'article.shared': true,
  'library.none': true,
  'add.no-source': true,
  'article.too-large': true,
  'article.not-article-file': true,
  'article.unreadable': true,
  'article.unparsable': true,
  'article.no-text': true,
  'article.wrong-charset': true,
  'article.too-complex': true,
  'article.not-regular-file': true,
  'article.gone': true,
  'feed.already-followed': true,
  'feed.not-a-feed': true,
  'feed.server-limit': true,
  'feed.too-slow': true,
  'library.full': true,
  'feed.old-error': true,
  'fetch.not-a-url': true,
  'fetch.scheme': true,
  'fetch.credentials': true,
  'fetch.unknown-host': true,
  'fetch.refused': true,
  'fetch.too-many-redirects': true,
  'fetch.connect-timeout': true,
  'fetch.timeout': true,
  'fetch.failed': true,
  'fetch.status': true,
  'fetch.wrong-type': true,
  'fetch.too-large': true,
  'index.busy': true,
  'index.locked': true,
  'backup.not-empty': true,
  'backup.inside-data': true,
  internal: true,
} satisfies Record<ErrorCode, true>;

export const ERROR_CODES = Object.keys(CODES) as ErrorCode[];

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(CODES, code);
}

/**
 * A failure with a code (as Sapphire's `UserError.identifier`) and the data its words need. Its
 * message is the code and the data, for the log; what a person reads comes from the adapter.
 */
export class CodedError<C extends ErrorCode = ErrorCode> extends Error {
  override name = 'CodedError';
  constructor(
    readonly code: C,
    readonly details: ErrorDetails[C],
    options?: ErrorOptions,
  ) {
    super(Object.keys(details).length ? `${code} ${JSON.stringify(details)}` : code, options);
  }

  get failure(): Failure {
    return { code: this.code, details: this.details } as Failure;
  }
}

/**
 * Something the person asking can put right themselves (an empty question, an article id that
 * is not indexed, a link refused). Its words are shown to them, on Discord too; the CLI exits 2.
 */
export class UserError<C extends ErrorCode = ErrorCode> extends CodedError<C> {
  override name = 'UserError';
}

/**
 * A reindex was asked for while one is running (here, or in another process): only one runs at a
 * time. Not the asker's mistake: "try again when it is done".
 */
export class ReindexInProgressError<
  C extends 'index.busy' | 'index.locked' = 'index.busy' | 'index.locked',
> extends CodedError<C> {
  override name = 'ReindexInProgressError';
}
