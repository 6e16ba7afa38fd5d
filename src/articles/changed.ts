// Whether the articles an answer quotes are still as the index read them: an edited or removed file
// would make a quote that is no longer in it.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileHash } from './load.js';

/** The files among `articles` (paths relative to `articlesDir`) whose bytes changed or that are gone. */
export async function changedSinceIndexed(
  articlesDir: string,
  articles: { file: string; hash: string }[],
): Promise<string[]> {
  const changed: string[] = [];
  for (const { file, hash } of articles) {
    const bytes = await readFile(path.join(articlesDir, file)).catch(() => null);
    if (!bytes || fileHash(bytes) !== hash) changed.push(file);
  }
  return changed;
}
