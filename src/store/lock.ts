// The build lock: one build at a time on an index, and a lock left by a dead process taken over.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ConfigError, ReindexInProgressError } from '../core/errors.js';

const LOCK_FILE = 'build.lock';

/**
 * Another process holds the build lock. A reindex in progress as far as a Discord user is concerned
 * ("try again when it is done"); its message, naming the process and the lock file, is the operator's.
 */
export class IndexLockedError extends ReindexInProgressError {
  override name = 'IndexLockedError';
}

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

/**
 * Takes the index's build lock so that two processes never build into one INDEX_DIR at once.
 * A lock left by a process that no longer runs (killed mid-build) is taken over. Returns the
 * function that releases it.
 */
export function lockIndex(indexDir: string): () => void {
  try {
    fs.mkdirSync(indexDir, { recursive: true });
  } catch (error) {
    // A path through a file, a read-only disk, a folder of another user's: the setting is what to fix.
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(
      'INDEX_DIR',
      `${indexDir} cannot be created (${code}): point it at a folder this user can write`,
    );
  }
  const file = path.join(indexDir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(me), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readOwner(file);
    if (owner && isAlive(owner)) {
      throw new IndexLockedError(
        `Another process (pid ${owner.pid} on ${owner.host}, since ${owner.since}) ` +
          `is building the index in ${indexDir}. ` +
          `Wait for it to finish and run again; if no such process exists, delete ${file}.`,
      );
    }
    // Stale: its owner is gone. Remove it and try once more (another process may win the race).
    fs.rmSync(file, { force: true });
  }
  throw new IndexLockedError(
    `Another process took the build lock of ${indexDir} just now; run again once it has finished.`,
  );
}

// How often a process waiting for another's build looks at the lock again.
const LOCK_POLL_MS = 250;

/** Resolves once no live process holds the build lock of `indexDir`. */
export async function lockReleased(indexDir: string): Promise<void> {
  const file = path.join(indexDir, LOCK_FILE);
  for (;;) {
    const owner = fs.existsSync(file) ? readOwner(file) : null;
    if (!owner || !isAlive(owner)) return;
    await delay(LOCK_POLL_MS);
  }
}

function readOwner(file: string): LockOwner | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
  } catch {
    return null;
  }
}

function isAlive(owner: LockOwner): boolean {
  // A lock from another machine (a shared disk) cannot be checked: treat it as held.
  if (owner.host !== os.hostname()) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
