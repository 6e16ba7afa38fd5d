// Whether the articles an answer quotes are still as the index read them: an edited or removed file
// would make a quote that is no longer in it.
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { fileHash } from './load.js';
import { isInside } from './paths.js';
import { readArticleBytes } from './read-bytes.js';

/**
 * The files among `articles` (paths relative to `articlesDir`) whose bytes changed or that are gone. A file is read
 * as the loader reads it (see readArticleBytes), at most `maxBytes`: one the loader would not read (a named pipe, a
 * link out of the folder, one too large) counts as changed without being read, and the update leaves it out.
 */
export async function changedSinceIndexed(
  articlesDir: string,
  articles: { file: string; hash: string }[],
  maxBytes: number,
): Promise<string[]> {
  const changed: string[] = [];
  const root = await realpath(articlesDir).catch(() => null);
  for (const { file, hash } of articles) {
    // realpath opens nothing, so a link out of the folder is refused without touching what it leads to.
    const real = root && (await realpath(path.join(articlesDir, file)).catch(() => null));
    const bytes = real && isInside(root, real) ? await readArticleBytes(real, maxBytes).catch(() => null) : null;
    if (typeof bytes === 'string' || !bytes || fileHash(bytes) !== hash) changed.push(file);
  }
  return changed;
}
