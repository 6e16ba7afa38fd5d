// Adding an article from a link or a file: fetch it safely, keep its main text, refuse what is already there,
// save it as a new article file and index it incrementally. Discord's /add and `npm run add` both call this.
import { createHash } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { ARTICLE_EXTENSIONS, MIN_ARTICLE_WORDS, decodeArticleText, isHtmlFile } from '../articles/load.js';
import { MarkupTooLargeError } from '../articles/html/markup-size.js';
import { parseHtmlOffThread } from '../articles/html/parse-thread.js';
import { parseText } from '../articles/parse-text.js';
import { saveNewArticle } from '../articles/save.js';
import type { Config } from '../config.js';
import { UserError, type ArticleOrigin } from '../core/errors.js';
import { safeFetch, type FetchOptions } from '../fetch/safe-fetch.js';
import type { Footnote } from './footnote.js';
import type { PassageIndex } from '../store/passage-index.js';
import { collapseWhitespace, words } from '../core/text/words.js';
import type { ArticleEntry, IndexedArticle, ParsedArticle } from '../core/types.js';

/** A link to fetch, or a file's name and bytes (an attachment, a file on disk). */
export type ArticleSource = { url: string } | { name: string; bytes: Buffer };

export type AddResult =
  | { added: true; article: IndexedArticle; passages: number; firstParagraph: string }
  | { added: false; article: ArticleEntry; because: 'same link' | 'same text' };

/** Content types a link may return, and how each is read. */
const PAGE_TYPES: Record<string, 'html' | 'markdown' | 'text'> = {
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/plain': 'text',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
};

export interface AddOptions {
  /** Overrides of the fetcher's settings (tests: a resolver and a connect watcher). */
  fetch?: Partial<FetchOptions>;
}

/**
 * Adds one article: see ArticleSource. Throws a UserError for what the person adding can act on
 * (a refused link, a page with no text, a file type not read); a duplicate is not an error and
 * names the article already there. On any failure the articles folder and the index are as before.
 */
export async function addArticle(
  footnote: Footnote,
  config: Config,
  source: ArticleSource,
  options: AddOptions = {},
): Promise<AddResult> {
  await footnote.ensureIndex('lexical');
  const saved = await saveArticle(footnote.index(), config, source, options);
  // A batch of one has no earlier article to repeat.
  if (!('file' in saved)) return saved as AddResult;
  const [added] = await indexSaved(footnote, config, [saved.file]);
  return added!;
}

/**
 * Links, text hashes and files of the articles saved so far in one batch (a round of feed polls), which
 * the index may not hold yet. Saves in a batch may run at once: each is in it before its file is written.
 */
export interface Batch {
  links: Set<string>;
  texts: Set<string>;
  files: Set<string>;
}

/** The library's index, or how to get the current one: a build may replace it while a page is fetched. */
export type IndexSource = PassageIndex | null | (() => PassageIndex | null);

/**
 * Reads, checks and saves one article as a new file, without indexing it (indexSaved does, once
 * for a batch): `{ file }` names the file saved, a duplicate names the article already indexed,
 * and `{ added: false, article: null }` is a duplicate of one saved earlier in `batch`.
 */
export async function saveArticle(
  indexSource: IndexSource,
  config: Config,
  source: ArticleSource,
  options: AddOptions = {},
  batch: Batch = { links: new Set(), texts: new Set(), files: new Set() },
): Promise<{ file: string } | AddResult | { added: false; article: null }> {
  const current = (): PassageIndex | null => (typeof indexSource === 'function' ? indexSource() : indexSource);
  // A full server library refuses before anything is fetched: the cap bounds the work as well as the disk.
  checkRoom(current(), config, batch);
  const read = 'url' in source ? await fromLink(source.url, config, options) : await fromFile(source, config);
  // From here to the batch's update nothing waits: no other save or build comes in between.
  const index = current();
  const existing = index?.articles() ?? [];
  // Again: other saves of the batch may have filled it meanwhile.
  checkRoom(index, config, batch);
  const { parsed } = read;
  const links = [parsed.url, 'url' in source ? source.url : null].flatMap((u) => (u ? [canonicalUrl(u)] : []));
  const sameLink = existing.find((a) => a.url && links.includes(canonicalUrl(a.url)));
  if (sameLink) return { added: false, article: sameLink, because: 'same link' };
  const textHash = hashText(parsed.text);
  for (const { id, text } of index?.articleTexts() ?? []) {
    if (hashText(text) !== textHash) continue;
    const sameText = existing.find((a) => a.id === id);
    if (sameText) return { added: false, article: sameText, because: 'same text' };
  }
  if (links.some((l) => batch.links.has(l)) || batch.texts.has(textHash)) return { added: false, article: null };
  if (read.fromPage && words(parsed.text).length < MIN_ARTICLE_WORDS) {
    throw new UserError('article.no-text', { from: read.from });
  }
  // In the batch before the file is written, so that a save running meanwhile sees it; out again if it is not.
  for (const l of links) batch.links.add(l);
  batch.texts.add(textHash);
  let file: string;
  try {
    file = await saveNewArticle(config.articlesDir, parsed.title, read.extension, read.content);
  } catch (error) {
    for (const l of links) batch.links.delete(l);
    batch.texts.delete(textHash);
    throw error;
  }
  batch.files.add(file);
  return { file };
}

/** Refuses a save into a full server library: its articles, and those of the batch not indexed yet. */
function checkRoom(index: PassageIndex | null, config: Config, batch: Batch): void {
  if (config.maxArticles === null) return;
  const indexed = new Set((index?.articles() ?? []).map((a) => a.file));
  // One text per article saved or being saved in the batch; those indexed since are counted once.
  const waiting = batch.texts.size - [...batch.files].filter((f) => indexed.has(f)).length;
  if (indexed.size + waiting >= config.maxArticles) throw new UserError('library.full', { max: config.maxArticles });
}

/**
 * Indexes the files saveArticle saved, in one incremental build, and describes each. When the
 * build fails they are taken out again and the index rebuilt without them: nothing is left behind.
 */
export async function indexSaved(
  footnote: Footnote,
  config: Config,
  files: string[],
): Promise<Extract<AddResult, { added: true }>[]> {
  if (!files.length) return [];
  try {
    await footnote.reindex();
    const index = footnote.index()!;
    return files.map((file) => {
      const listed = index.articles().find((a) => a.file === file);
      if (!listed) throw new Error(`${file} was saved but the index did not take it`);
      const article = index.article(listed.id)!;
      const first = article.paragraphs[0];
      const firstParagraph = first ? article.text.slice(first.start, first.end) : '';
      return { added: true as const, article, passages: article.passages, firstParagraph };
    });
  } catch (error) {
    await Promise.all(files.map((f) => unlink(path.join(config.articlesDir, f)).catch(() => {})));
    await footnote.reindex().catch(() => {});
    throw error;
  }
}

interface Read {
  /** Where it came from, for a failure to name it by. */
  from: ArticleOrigin;
  parsed: ParsedArticle;
  /** The new file's extension and content. */
  extension: string;
  content: string;
  /** Read from a link or a web page, whose reading can lose the story (a text file holds what its writer meant). */
  fromPage: boolean;
}

async function fromLink(url: string, config: Config, options: AddOptions): Promise<Read> {
  const page = await safeFetch(url, {
    maxBytes: config.maxArticleBytes,
    accept: Object.keys(PAGE_TYPES),
    allowHosts: config.fetchAllowHosts,
    ...options.fetch,
  });
  const from = { page: page.url };
  const text = decodePage(page.body, page.charset, from);
  const kind = PAGE_TYPES[page.contentType]!;
  const parsed = await parse(text, kind === 'html' ? 'page.html' : kind === 'markdown' ? 'page.md' : 'page.txt', from);
  // The page's own canonical link when it gives one (resolved against where it came from).
  const canonical = parsed.url ? safeUrl(parsed.url, page.url) : null;
  const meta = { ...parsed, url: canonical ?? page.url };
  return { from, parsed: meta, extension: '.txt', content: asTextFile(meta), fromPage: true };
}

async function fromFile(file: { name: string; bytes: Buffer }, config: Config): Promise<Read> {
  // Only the extension of the name is used: no part of it becomes a path.
  const extension = path.extname(file.name).toLowerCase();
  const name = path.basename(file.name).slice(0, 100);
  const from = { file: name };
  if (!ARTICLE_EXTENSIONS.includes(extension)) throw new UserError('article.not-article-file', { file: name });
  if (file.bytes.length > config.maxArticleBytes) {
    throw new UserError('article.too-large', { file: name, maxMb: config.maxArticleBytes / (1024 * 1024) });
  }
  const decoded = decodeArticleText(file.bytes);
  if ('skip' in decoded) throw new UserError('article.unreadable', { from, reason: decoded.skip });
  const parsed = await parse(decoded.text, `file${extension}`, from);
  // A text or Markdown file is kept as it was sent; a web page as its main text.
  if (isHtmlFile(file.name)) {
    return { from, parsed, extension: '.txt', content: asTextFile(parsed), fromPage: true };
  }
  return { from, parsed, extension, content: decoded.text, fromPage: false };
}

async function parse(text: string, fileName: string, from: ArticleOrigin): Promise<ParsedArticle> {
  try {
    // A web page is parsed in a worker thread: reading it would hold up every other user's question.
    return isHtmlFile(fileName) ? await parseHtmlOffThread(text, fileName) : parseText(text, fileName);
  } catch (error) {
    if (error instanceof MarkupTooLargeError) throw new UserError('article.too-complex', { from, ...error.exceeded });
    // The parser names the file it was given, a made-up name here: "it" reads better.
    throw new UserError('article.unparsable', { from, reason: (error as Error).message.replace(fileName, 'it') });
  }
}

function decodePage(body: Buffer, charset: string | null, from: ArticleOrigin): string {
  if (!charset || charset === 'utf-8' || charset === 'utf8') {
    const decoded = decodeArticleText(body);
    if ('skip' in decoded) throw new UserError('article.unreadable', { from, reason: decoded.skip });
    return decoded.text;
  }
  try {
    return new TextDecoder(charset, { fatal: true }).decode(body).replace(/\r\n?/g, '\n');
  } catch {
    throw new UserError('article.wrong-charset', { from, charset });
  }
}

/** The article as a text file: its metadata as front matter, then its paragraphs. */
function asTextFile(parsed: ParsedArticle): string {
  const { title, date, author, source, url } = parsed;
  const front = Object.fromEntries(Object.entries({ title, date, author, source, url }).filter(([, v]) => v));
  const paragraphs = parsed.paragraphs.map((p) => collapseWhitespace(parsed.text.slice(p.start, p.end)));
  return `---\n${toYaml(front, { lineWidth: 0 })}---\n\n${paragraphs.join('\n\n')}\n`;
}

/** A link as compared for duplicates: no fragment, the host in lower case, no default port, no final slash. */
export function canonicalUrl(url: string): string {
  try {
    const u = new URL(url);
    u.hash = '';
    return u.href.replace(/\/$/, '');
  } catch {
    return url;
  }
}

function safeUrl(url: string, base: string): string | null {
  try {
    const u = new URL(url, base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

function hashText(text: string): string {
  return createHash('sha256').update(collapseWhitespace(text)).digest('hex');
}
