// Loading the articles folder: every article file found, read, decoded, parsed and hashed, or skipped with the reason.
import { createHash } from 'node:crypto';
import type { Dirent, Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import { isInside } from './paths.js';
import { readArticleBytes, specialKind } from './read-bytes.js';
import { parseHtmlOffThread } from './html/parse-thread.js';
import { parseText } from './parse-text.js';
import { words } from '../core/text/words.js';
import type { Article, ParsedArticle } from '../core/types.js';

/** File extensions read as articles (compared case-insensitively). */
export const ARTICLE_EXTENSIONS: readonly string[] = ['.txt', '.md', '.markdown', '.html', '.htm'];

// Fewer words than this is a page that was not an article: a sign-in wall, an empty shell filled
// in by scripts. A judgment, checked against real articles (docs/decisions/min-article-words.md).
export const MIN_ARTICLE_WORDS = 20;

/** Files larger than this are skipped unless `LoadOptions.maxBytes` says otherwise: 10 MiB. */
export const DEFAULT_MAX_ARTICLE_BYTES = 10 * 1024 * 1024;

export interface LoadOptions {
  /** Files larger than this many bytes are skipped without being read. */
  maxBytes?: number;
}

export interface SkippedFile {
  /** Path relative to the articles directory, with forward slashes. */
  file: string;
  reason: string;
}

export interface LoadResult {
  articles: Article[];
  skipped: SkippedFile[];
}

export interface Found {
  file: string;
  /** Real path (no symlinks), checked to be inside the articles directory. */
  real: string;
}

/** Whether a file name is a web page's (read with Readability) rather than text or Markdown. */
export function isHtmlFile(name: string): boolean {
  const ext = path.extname(name).toLowerCase();
  return ext === '.html' || ext === '.htm';
}

/** Whether a file name has one of the article extensions. */
export function isArticleFile(name: string): boolean {
  return ARTICLE_EXTENSIONS.includes(path.extname(name).toLowerCase());
}

/** Article files under the directory whose real path is `rootReal`, in sorted order. */
async function findArticleFiles(rootDir: string, rootReal: string, skipped: SkippedFile[]): Promise<Found[]> {
  const found: Found[] = [];
  // Real paths of directories already walked: symlinks must not walk a directory twice or loop.
  const visited = new Set<string>();

  const walk = async (dirAbs: string, dirReal: string, relDir: string): Promise<void> => {
    if (visited.has(dirReal)) return;
    visited.add(dirReal);
    let entries: Dirent[];
    try {
      entries = await readdir(dirAbs, { withFileTypes: true });
    } catch (err) {
      // One unreadable folder costs its own articles, not the whole index.
      if (!relDir) throw err;
      skipped.push({ file: relDir, reason: `folder could not be read: ${(err as Error).message}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const abs = path.join(dirAbs, entry.name);
      const file = relDir ? `${relDir}/${entry.name}` : entry.name;
      let real = path.join(dirReal, entry.name);
      let kind: Dirent | Stats = entry;
      if (entry.isSymbolicLink()) {
        // realpath and stat never open the target, so a link outside is refused without touching it.
        try {
          real = await realpath(abs);
          kind = await stat(real);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (isArticleFile(entry.name))
            skipped.push({ file, reason: code === 'ELOOP' ? 'broken symlink (it loops)' : 'broken symlink' });
          continue;
        }
        if (!isInside(rootReal, real)) {
          if (kind.isDirectory() || isArticleFile(entry.name)) {
            skipped.push({ file, reason: `symlink points outside the articles directory (to ${real})` });
          }
          continue;
        }
      }
      if (kind.isDirectory()) await walk(abs, real, file);
      else if (!isArticleFile(entry.name)) continue;
      else if (kind.isFile()) found.push({ file, real });
      else skipped.push({ file, reason: `not a regular file (${specialKind(kind) ?? 'unknown type'})` });
    }
  };

  await walk(rootDir, rootReal, '');
  return found;
}

const BINARY = 'not a text file (it contains NUL bytes); articles must be UTF-8 text, or UTF-16 with a byte-order mark';

/**
 * The text of the file: UTF-8, or UTF-16 when it opens with a byte-order mark (Windows editors
 * save "Unicode" text so, and the mark makes the encoding certain). Other bytes are refused.
 */
export function decodeArticleText(bytes: Buffer): { text: string } | { skip: string } {
  const encoding =
    bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-8';
  // Checked before decoding so that a binary file is named as one rather than as bad UTF-8.
  if (encoding === 'utf-8' && bytes.includes(0)) return { skip: BINARY };
  let text: string;
  try {
    // TextDecoder drops a leading byte-order mark by default.
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return { skip: encoding === 'utf-8' ? 'not valid UTF-8 text' : `not valid ${encoding.toUpperCase()} text` };
  }
  // A NUL character after a UTF-16 mark means the bytes were something else (UTF-32, binary).
  if (text.includes('\0')) return { skip: BINARY };
  return { text: text.replace(/\r\n?/g, '\n') };
}

/**
 * Reads and parses one article file, `found.file` naming it in messages and choosing the parser
 * by its extension; a string is the reason it cannot be used (the loader skips it, `npm run
 * inspect` says so).
 */
export async function loadFile(found: Found, maxBytes: number): Promise<(ParsedArticle & { hash: string }) | string> {
  let bytes: Buffer | string;
  try {
    bytes = await readArticleBytes(found.real, maxBytes);
  } catch (err) {
    return `could not be read: ${(err as Error).message}`;
  }
  if (typeof bytes === 'string') return bytes;
  const decoded = decodeArticleText(bytes);
  if ('skip' in decoded) return decoded.skip;
  const html = isHtmlFile(found.file);
  let parsed: ParsedArticle;
  try {
    // A web page is parsed in a worker thread, so an index build leaves the event loop free for questions.
    parsed = html ? await parseHtmlOffThread(decoded.text, found.file) : parseText(decoded.text, found.file);
  } catch (err) {
    return (err as Error).message;
  }
  if (!parsed.text) return 'no article text after cleaning';
  // A web page whose reading kept almost nothing lost its story (a page that needs scripts or a
  // sign-in): it is skipped, and named, rather than indexed with nothing to answer from. A text
  // file holds what its writer meant, however short.
  const count = words(parsed.text).length;
  if (html && count < MIN_ARTICLE_WORDS) {
    return `almost no article text after cleaning (${count} words; npm run inspect shows what was read)`;
  }
  return { ...parsed, hash: fileHash(bytes) };
}

/** What the index knows a file's content by: SHA-256 of its bytes. */
export function fileHash(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function withoutExtension(file: string): string {
  return file.slice(0, file.length - path.extname(file).length);
}

/**
 * Loads every article under `dir` (recursively, sorted by path). Files that cannot be used are
 * reported in `skipped` with the reason instead of failing the whole load. Nothing outside `dir`
 * is opened: symlinks leading out of it are reported, not followed.
 */
export async function loadArticles(dir: string, options: LoadOptions = {}): Promise<LoadResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_ARTICLE_BYTES;
  if (!(maxBytes > 0))
    throw new RangeError(`The article size limit must be a positive number of bytes, not ${maxBytes}.`);
  const resolved = path.resolve(dir);
  const dirStat = await stat(resolved).catch(() => null);
  if (!dirStat?.isDirectory()) {
    throw new ConfigError(
      'ARTICLES_DIR',
      `${resolved} does not exist or is not a directory: set it to the folder holding your articles, or create it`,
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
  // A second copy would be quoted beside the first in every answer it matches, and take its
  // passages' places in retrieval: the first file in path order is indexed, the others skipped.
  const firstWithHash = new Map<string, string>();
  for (const f of found) {
    const result = await loadFile(f, maxBytes);
    if (typeof result === 'string') {
      skipped.push({ file: f.file, reason: result });
      continue;
    }
    const original = firstWithHash.get(result.hash);
    if (original !== undefined) {
      skipped.push({ file: f.file, reason: `same content as ${original}, which is indexed instead` });
      continue;
    }
    firstWithHash.set(result.hash, f.file);
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
      credits: result.credits,
    });
  }
  skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { articles, skipped };
}
