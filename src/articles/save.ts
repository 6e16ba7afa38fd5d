// Saving a new article file into the articles folder: a name made from its title, never over another file, and
// never seen half-written.
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { syncDirectory } from '../store/durable.js';

/** Temporary files start with a dot, which the loader never reads; ones left by a crash are removed here. */
const TEMP_PREFIX = '.adding-';
// A temporary file this old was left by a crash: an add in progress writes its file in well under a second.
const LEFTOVER_MS = 10 * 60_000;
const MAX_SLUG = 80;

/** "Alibaba's Jack Ma: open to Apple!" → "alibabas-jack-ma-open-to-apple". */
export function slugFromTitle(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_SLUG)
    .replace(/-+$/, '');
  return slug || 'article';
}

/**
 * Writes `content` to a new file in `dir` named from `title` with `extension` (`.txt`, `.md`…),
 * adding `-2`, `-3`… while a name is taken; returns the name. Nothing of the title or of where the
 * text came from becomes a path: the name is letters, digits and dashes. The file appears whole or
 * not at all: it is written and synced under a temporary name, then linked to its own, which
 * fails rather than replace a file of that name.
 */
export async function saveNewArticle(dir: string, title: string, extension: string, content: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await removeLeftovers(dir);
  const temp = path.join(dir, `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    const slug = slugFromTitle(title);
    for (let n = 1; ; n++) {
      const name = `${n === 1 ? slug : `${slug}-${n}`}${extension}`;
      try {
        await link(temp, path.join(dir, name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw error;
      }
      syncDirectory(dir);
      return name;
    }
  } finally {
    await unlink(temp);
  }
}

async function removeLeftovers(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => null);
    if (info && Date.now() - info.mtimeMs > LEFTOVER_MS) await unlink(file).catch(() => {});
  }
}
