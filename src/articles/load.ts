import { createHash } from 'node:crypto';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Article, ParsedArticle } from './article.js';
import { parseHtml } from './parse-html.js';
import { parseText } from './parse-text.js';

/** File extensions read as articles (compared case-insensitively). */
export const ARTICLE_EXTENSIONS: readonly string[] = ['.txt', '.md', '.markdown', '.html', '.htm'];

export interface SkippedFile {
  /** Path relative to the articles directory, with forward slashes. */
  file: string;
  reason: string;
}

export interface LoadResult {
  articles: Article[];
  skipped: SkippedFile[];
}

interface Found {
  file: string;
  abs: string;
}

function isArticleFile(name: string): boolean {
  return ARTICLE_EXTENSIONS.includes(path.extname(name).toLowerCase());
}

function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** Article files under the directory whose real path is `rootReal`, in sorted order. */
async function findArticleFiles(rootDir: string, rootReal: string, skipped: SkippedFile[]): Promise<Found[]> {
  const found: Found[] = [];
  // Real paths of directories already walked: symlinks must not walk a directory twice or loop.
  const visited = new Set<string>();

  const walk = async (dirAbs: string, dirReal: string, relDir: string): Promise<void> => {
    if (visited.has(dirReal)) return;
    visited.add(dirReal);
    const entries = await readdir(dirAbs, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const abs = path.join(dirAbs, entry.name);
      const file = relDir ? `${relDir}/${entry.name}` : entry.name;
      let real = path.join(dirReal, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          real = await realpath(abs);
          const target = await stat(real);
          isDir = target.isDirectory();
          isFile = target.isFile();
        } catch {
          if (isArticleFile(entry.name)) skipped.push({ file, reason: 'broken symlink' });
          continue;
        }
        if (!isInside(rootReal, real)) {
          if (isDir || (isFile && isArticleFile(entry.name))) {
            skipped.push({ file, reason: `symlink points outside the articles directory (to ${real})` });
          }
          continue;
        }
      }
      if (isDir) await walk(abs, real, file);
      else if (isFile && isArticleFile(entry.name)) found.push({ file, abs });
    }
  };

  await walk(rootDir, rootReal, '');
  return found;
}

/** Reads and parses one file; a string is the reason it was skipped. */
async function loadFile(found: Found): Promise<(ParsedArticle & { hash: string }) | string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(found.abs);
  } catch (err) {
    return `could not be read: ${(err as Error).message}`;
  }
  if (bytes.length === 0) return 'empty file';
  const hash = createHash('sha256').update(bytes).digest('hex');
  let content: string;
  try {
    // TextDecoder drops a leading byte-order mark by default.
    content = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return 'not valid UTF-8 text';
  }
  content = content.replace(/\r\n?/g, '\n');
  const ext = path.extname(found.file).toLowerCase();
  let parsed: ParsedArticle;
  try {
    parsed = ext === '.html' || ext === '.htm' ? parseHtml(content, found.file) : parseText(content, found.file);
  } catch (err) {
    return (err as Error).message;
  }
  if (!parsed.text) return 'no article text after cleaning';
  return { ...parsed, hash };
}

function withoutExtension(file: string): string {
  return file.slice(0, file.length - path.extname(file).length);
}

/**
 * Loads every article under `dir` (recursively, sorted by path). Files that cannot be used are
 * reported in `skipped` with the reason instead of failing the whole load.
 */
export async function loadArticles(dir: string): Promise<LoadResult> {
  const resolved = path.resolve(dir);
  const dirStat = await stat(resolved).catch(() => null);
  if (!dirStat?.isDirectory()) {
    throw new Error(
      `Articles directory ${resolved} does not exist or is not a directory: ` +
        'set ARTICLES_DIR to the folder holding your articles, or create it.',
    );
  }
  const skipped: SkippedFile[] = [];
  const found = await findArticleFiles(resolved, await realpath(resolved), skipped);

  // Counted over every article file, loadable or not, so fixing one file never renames another.
  const stems = new Map<string, number>();
  for (const f of found) {
    const stem = withoutExtension(f.file).toLowerCase();
    stems.set(stem, (stems.get(stem) ?? 0) + 1);
  }

  const articles: Article[] = [];
  for (const f of found) {
    const result = await loadFile(f);
    if (typeof result === 'string') {
      skipped.push({ file: f.file, reason: result });
      continue;
    }
    const stem = withoutExtension(f.file);
    const id = (stems.get(stem.toLowerCase()) ?? 0) > 1 ? f.file : stem;
    articles.push({
      id,
      file: f.file,
      hash: result.hash,
      title: result.title,
      date: result.date,
      source: result.source,
      author: result.author,
      url: result.url,
      text: result.text,
      paragraphs: result.paragraphs,
    });
  }
  skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { articles, skipped };
}
