/**
 * Failures the operator fixes by changing how they run Footnote (a flag, a variable, a missing
 * model): the CLI exits 2 for these, 1 for everything else (contract). Their messages name
 * paths, variables and commands, so a Discord user never sees them: the bot logs them and
 * apologises with an error id.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Something the person asking can put right themselves (an empty question, an article id that
 * is not indexed). The message is shown to them as it is, on Discord too, so it names no path,
 * variable or command. The CLI exits 2 for these as well.
 */
export class UserError extends Error {
  override name = 'UserError';
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

/** A reindex was asked for while one is running (here, or in another process): only one runs at a time. */
export class ReindexInProgressError extends Error {
  override name = 'ReindexInProgressError';
  constructor(message = 'A reindex is already running; the new index will be used as soon as it is complete.') {
    super(message);
  }
}
