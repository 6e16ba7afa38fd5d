// Takes an article file out of the articles folder into the removed folder: moved, never overwritten; and
// deletes, from the removed folder, the files removed long enough ago.
import { constants } from 'node:fs';
import { copyFile, link, lstat, mkdir, readdir, realpath, unlink } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { isInside } from './paths.js';

/**
 * Moves `file` (relative to `articlesDir`, as the index names it) to the same relative path under
 * `removedDir`, or beside it with `-2`, `-3`… before the extension when a file of that name is
 * already there. Returns where it went, relative to `removedDir`. Refuses a path that leads out of
 * `articlesDir`, by `..` or through a link, and anything that is not a regular file.
 */
export async function moveToRemoved(articlesDir: string, removedDir: string, file: string): Promise<string> {
  const source = path.resolve(articlesDir, file);
  if (source === articlesDir || !isInside(articlesDir, source)) {
    throw new Error(`refusing to remove "${file}": it is not inside ${articlesDir}`);
  }
  const [rootReal, sourceReal] = await Promise.all([realpath(articlesDir), realpath(source).catch(gone(file))]);
  if (!isInside(rootReal, sourceReal)) {
    throw new Error(`refusing to remove "${file}": it leads out of ${articlesDir} (to ${sourceReal})`);
  }
  // Moving a symbolic link would leave its target indexed (or break a relative one): only files move.
  if (!(await lstat(source)).isFile()) {
    throw new UserError('article.not-regular-file', { file });
  }
  const wanted = path.join(removedDir, path.relative(articlesDir, source));
  await mkdir(path.dirname(wanted), { recursive: true });
  const ext = path.extname(wanted);
  const stem = wanted.slice(0, wanted.length - ext.length);
  for (let n = 1; ; n++) {
    const target = n === 1 ? wanted : `${stem}-${n}${ext}`;
    // link() and COPYFILE_EXCL fail when the target exists, so a file there is never replaced,
    // even one created meanwhile (rename() would overwrite it).
    if (!(await placeAt(source, target))) continue;
    await unlink(source);
    return path.relative(removedDir, target);
  }
}

/** A second name for the file at `target` (a copy across file systems); false when `target` exists. */
async function placeAt(source: string, target: string): Promise<boolean> {
  try {
    await link(source, target);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
  }
  try {
    await copyFile(source, target, constants.COPYFILE_EXCL);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** A file that is no longer there (removed by hand since the last build) is the asker's news, not a failure. */
function gone(file: string): (error: NodeJS.ErrnoException) => never {
  return (error) => {
    if (error.code !== 'ENOENT') throw error;
    throw new UserError('article.gone', { file });
  };
}

/**
 * Deletes the files under `removedDir` removed before `before` (ms since the epoch), and returns them, relative to
 * `removedDir`. A file's removal is the later of its modification and change times: moving it there (a new link,
 * or a copy) sets its change time. Links and anything else but files are left.
 */
export async function deleteRemovedBefore(removedDir: string, before: number): Promise<string[]> {
  const deleted: string[] = [];
  for (const file of await filesUnder(removedDir)) {
    const stat = await lstat(file).catch(() => null);
    if (!stat?.isFile() || Math.max(stat.mtimeMs, stat.ctimeMs) >= before) continue;
    try {
      await unlink(file);
    } catch (error) {
      // Deleted meanwhile (by hand, or another process): nothing left to do.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    deleted.push(path.relative(removedDir, file));
  }
  return deleted.sort();
}

/** Every file under `dir`, in its folders too, without following links; none for a folder not made yet. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(full)));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}
