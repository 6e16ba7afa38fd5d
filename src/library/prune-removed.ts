// Removed articles' files are kept RETAIN_DAYS, as answers are, then deleted: the removed folders do not grow forever.
import { deleteRemovedBefore } from '../articles/set-aside.js';
import type { Logger } from '../log.js';
import type { Libraries } from './libraries.js';

const DAY_MS = 24 * 60 * 60_000;
// Files are kept for days: a look once a day is enough.
const PRUNE_EVERY_MS = DAY_MS;

/**
 * Deletes, in every library's removed folder, the files removed more than RETAIN_DAYS before `now`, with an audit
 * line for each folder that had some. Returns how many were deleted.
 */
export async function pruneRemoved(libraries: Libraries, log: Logger, now = Date.now()): Promise<number> {
  const before = now - libraries.config.retainDays * DAY_MS;
  let count = 0;
  for (const folder of libraries.removedDirs()) {
    const deleted = await deleteRemovedBefore(folder, before);
    if (deleted.length) {
      log.info({ audit: 'removed files', folder, deleted }, 'removed articles deleted after RETAIN_DAYS');
    }
    count += deleted.length;
  }
  return count;
}

/** Prunes the removed folders now, then once a day, until the function returned is called; a failure is logged. */
export function keepPruningRemoved(libraries: Libraries, log: Logger): () => void {
  const prune = (): void =>
    void pruneRemoved(libraries, log).catch((error: unknown) => log.warn({ err: error }, 'removed files not pruned'));
  const timer = setInterval(prune, PRUNE_EVERY_MS);
  // The timer alone does not keep the process alive.
  timer.unref();
  prune();
  return () => clearInterval(timer);
}
