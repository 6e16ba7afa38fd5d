// A copy of everything Footnote keeps (the operator's `npm run backup`), safe to take while the bot runs: the SQLite
// files the bot writes through SQLite's online backup, each index's live generation (written once, never changed
// after) file by file and checked against its manifest, and the article folders file by file.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { isInside } from '../articles/paths.js';
import { isDiscordId, type Config } from '../config.js';
import { UserError } from '../core/errors.js';
import { syncDirectory, writeFileDurably } from '../store/durable.js';
import { currentGeneration, writePointer } from '../store/layout.js';
import { MANIFEST_FILE, damagedFile, readManifest } from '../store/manifest.js';
import { IndexDamagedError } from '../store/passage-index.js';

export interface BackupSummary {
  dir: string;
  files: number;
  bytes: number;
}

/** What a backup holds, under the names a default `data/` folder gives them, so that restoring is copying back. */
const BACKUP_LAYOUT = {
  ANSWERS_DB: 'answers.db',
  FEEDS_DB: 'feeds.db',
  ARTICLES_DIR: 'articles',
  REMOVED_DIR: 'removed',
  INDEX_DIR: 'index',
  LIBRARIES_DIR: 'libraries',
} as const;

/** Written last, into the backup itself: a folder without it is not a whole backup. */
export const BACKUP_RECORD = 'backup.json';
const PARTIAL = '.partial';

// A build publishing a new generation deletes the one being copied: the new one is copied then (a few times at most).
const GENERATION_ATTEMPTS = 5;
// Pages of a database copied per step of SQLite's backup: all of them, in one read transaction. A copy made a step at
// a time starts over whenever the bot writes in between, and might never finish.
const ALL_PAGES = 0x7fffffff;
const CHUNK = 1 << 20;

type Tally = { files: number; bytes: number };

/**
 * Copies everything Footnote keeps into `dir`, which must not exist or be empty (else UserError, and nothing is
 * written). The copy is made in `dir`/.partial, whose contents move into `dir` once complete; BACKUP_RECORD comes
 * last, so a folder with it is a whole backup. A failure removes what was written.
 */
export async function backup(config: Config, dir: string): Promise<BackupSummary> {
  const target = path.resolve(dir);
  checkTarget(config, target);
  const made = !fs.existsSync(target);
  const partial = path.join(target, PARTIAL);
  fs.mkdirSync(partial, { recursive: true });
  try {
    const tally = await copyAll(config, partial);
    // .partial cannot be renamed to `dir`, its own parent: its entries move, each in one rename on the same disk.
    for (const name of fs.readdirSync(partial)) fs.renameSync(path.join(partial, name), path.join(target, name));
    fs.rmdirSync(partial);
    syncDirectory(target);
    const variables = Object.keys(BACKUP_LAYOUT) as (keyof typeof BACKUP_LAYOUT)[];
    const from = Object.fromEntries(variables.map((name) => [name, sourceOf(config, name)]));
    const record = { madeAt: new Date().toISOString(), from, ...tally };
    writeFileDurably(path.join(target, BACKUP_RECORD), `${JSON.stringify(record, null, 2)}\n`);
    return { dir: target, ...tally };
  } catch (error) {
    // `dir` was absent or empty: everything in it is this backup's.
    if (made) fs.rmSync(target, { recursive: true, force: true });
    else for (const name of fs.readdirSync(target)) fs.rmSync(path.join(target, name), { recursive: true });
    throw error;
  }
}

/** `dir` is a folder that is empty or not there yet, outside every folder the backup copies. */
function checkTarget(config: Config, dir: string): void {
  for (const variable of ['ARTICLES_DIR', 'REMOVED_DIR', 'INDEX_DIR', 'LIBRARIES_DIR'] as const) {
    const folder = sourceOf(config, variable);
    if (isInside(folder, dir)) throw new UserError('backup.inside-data', { dir, variable, folder });
  }
  const info = fs.statSync(dir, { throwIfNoEntry: false });
  if (info && (!info.isDirectory() || fs.readdirSync(dir).length > 0)) {
    throw new UserError('backup.not-empty', { dir });
  }
}

function sourceOf(config: Config, variable: keyof typeof BACKUP_LAYOUT): string {
  const sources: Record<keyof typeof BACKUP_LAYOUT, string> = {
    ANSWERS_DB: config.answersDb,
    FEEDS_DB: config.feedsDb,
    ARTICLES_DIR: config.articlesDir,
    REMOVED_DIR: config.removedDir,
    INDEX_DIR: config.indexDir,
    LIBRARIES_DIR: config.librariesDir,
  };
  return sources[variable];
}

async function copyAll(config: Config, to: string): Promise<Tally> {
  const tally: Tally = { files: 0, bytes: 0 };
  const into = (variable: keyof typeof BACKUP_LAYOUT): string => path.join(to, BACKUP_LAYOUT[variable]);
  await copyDatabase(config.answersDb, into('ANSWERS_DB'), tally);
  await copyDatabase(config.feedsDb, into('FEEDS_DB'), tally);
  copyLibrary({ articles: config.articlesDir, removed: config.removedDir, index: config.indexDir }, to, tally);
  for (const server of serverIds(config.librariesDir)) {
    // A server's folder holds the same three as the backup's top: its copy is laid out as the folder is.
    const folder = path.join(config.librariesDir, server);
    const library = {
      articles: path.join(folder, BACKUP_LAYOUT.ARTICLES_DIR),
      removed: path.join(folder, BACKUP_LAYOUT.REMOVED_DIR),
      index: path.join(folder, BACKUP_LAYOUT.INDEX_DIR),
    };
    copyLibrary(library, path.join(into('LIBRARIES_DIR'), server), tally);
  }
  return tally;
}

/** A library's articles, removed files and live index, into `to` as BACKUP_LAYOUT names them. */
function copyLibrary(from: { articles: string; removed: string; index: string }, to: string, tally: Tally): void {
  copyIndex(from.index, path.join(to, BACKUP_LAYOUT.INDEX_DIR), tally);
  copyFolder(from.articles, path.join(to, BACKUP_LAYOUT.ARTICLES_DIR), tally);
  copyFolder(from.removed, path.join(to, BACKUP_LAYOUT.REMOVED_DIR), tally);
}

/** The servers with a library folder: the folders named by a Discord id (one being forgotten is not). */
function serverIds(librariesDir: string): string[] {
  if (!fs.existsSync(librariesDir)) return [];
  return fs
    .readdirSync(librariesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && isDiscordId(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/** A SQLite file, through SQLite's online backup: a consistent snapshot while another process writes it. */
async function copyDatabase(file: string, to: string, tally: Tally): Promise<void> {
  if (!fs.existsSync(file)) return;
  const db = new Database(file, { fileMustExist: true });
  try {
    await db.backup(to, { progress: () => ALL_PAGES });
  } finally {
    db.close();
  }
  tally.files++;
  tally.bytes += fs.statSync(to).size;
}

/**
 * The live generation of an index and a CURRENT naming it. Its files are copied as they are, not through SQLite's
 * backup, which rewrites the database's header: the copy would fail the manifest's checksums and be rebuilt.
 */
function copyIndex(indexDir: string, to: string, tally: Tally): void {
  for (let attempt = 1; ; attempt++) {
    const generation = currentGeneration(indexDir);
    if (!generation) return;
    const copy = path.join(to, path.basename(generation));
    let copied: Tally;
    try {
      copied = copyGeneration(generation, copy);
    } catch (error) {
      fs.rmSync(copy, { recursive: true, force: true });
      if (isMissing(error) && attempt < GENERATION_ATTEMPTS) continue;
      throw error;
    }
    writePointer(to, copy);
    tally.files += copied.files + 1;
    tally.bytes += copied.bytes + fs.statSync(path.join(to, 'CURRENT')).size;
    return;
  }
}

/** A generation's manifest and the files it names, checked against its checksums once copied. */
function copyGeneration(generation: string, copy: string): Tally {
  fs.mkdirSync(copy, { recursive: true });
  const tally: Tally = { files: 0, bytes: 0 };
  copyFile(path.join(generation, MANIFEST_FILE), path.join(copy, MANIFEST_FILE), tally);
  const manifest = readManifest(copy)!;
  for (const name of Object.keys(manifest.files ?? {}))
    copyFile(path.join(generation, name), path.join(copy, name), tally);
  // Never changed once published, so a mismatch is damage in the live index itself, which a rebuild repairs.
  const damage = damagedFile(copy, manifest);
  if (damage)
    throw new IndexDamagedError(`the index in ${generation} is damaged (${damage}): rebuild it, then back up`);
  syncDirectory(copy);
  return tally;
}

/**
 * A folder's files as each is when it is read. Dot-named entries (an add's temporary file) are left out, as the
 * article loader leaves them; a file moved away meanwhile (/remove) is left out too. Links are copied as links.
 */
function copyFolder(from: string, to: string, tally: Tally): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(from, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  fs.mkdirSync(to, { recursive: true });
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const [source, target] = [path.join(from, entry.name), path.join(to, entry.name)];
    try {
      if (entry.isDirectory()) copyFolder(source, target, tally);
      else if (entry.isFile()) copyFile(source, target, tally);
      else if (entry.isSymbolicLink()) {
        fs.symlinkSync(fs.readlinkSync(source), target);
        tally.files++;
      }
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }
  syncDirectory(to);
}

/** Copies a file into a new one, synced to disk. */
function copyFile(source: string, target: string, tally: Tally): void {
  const input = fs.openSync(source, 'r');
  let output: number | null = null;
  try {
    output = fs.openSync(target, 'wx');
    const chunk = Buffer.alloc(CHUNK);
    for (let read = fs.readSync(input, chunk); read > 0; read = fs.readSync(input, chunk)) {
      fs.writeSync(output, chunk, 0, read);
      tally.bytes += read;
    }
    fs.fsyncSync(output);
    tally.files++;
  } finally {
    fs.closeSync(input);
    if (output !== null) fs.closeSync(output);
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}
