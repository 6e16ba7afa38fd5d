// The build lock: one build at a time on an index, and a lock left by a dead process taken over.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ConfigError, ReindexInProgressError, type ErrorDetails } from '../core/errors.js';

const LOCK_FILE = 'build.lock';

/**
 * Another process holds the build lock: a reindex in progress, with the process and the lock file,
 * for the adapters that may name them.
 */
export class IndexLockedError extends ReindexInProgressError<'index.locked'> {
  override name = 'IndexLockedError';
  constructor(details: ErrorDetails['index.locked']) {
    super('index.locked', details);
  }
}

type LockOwner = NonNullable<ErrorDetails['index.locked']['owner']>;

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
      const { pid, host, since } = owner;
      throw new IndexLockedError({ indexDir, lockFile: file, owner: { pid, host, since } });
    }
    // Stale: its owner is gone. Remove it and try once more (another process may win the race).
    fs.rmSync(file, { force: true });
  }
  throw new IndexLockedError({ indexDir, lockFile: file, owner: null });
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
