// HTML articles: the main text (Readability), its paragraphs and metadata, with offsets into the cleaned text.
import { Readability } from '@mozilla/readability';
import { DOMParser } from 'linkedom';
import { collapseWhitespace } from '../core/text/words.js';
import {
  assembleText,
  isWidgetLine,
  normalizeDate,
  parseByline,
  parseDateLine,
  reportingCredits,
  titleFromFileName,
} from './parse-text.js';
import type { ParsedArticle } from '../core/types.js';

// The DOM subset used here: the project compiles without the DOM lib, and linkedom's own types lean on it.
interface DomNode {
  nodeType: number;
  textContent: string | null;
  childNodes: Iterable<DomNode>;
}

interface DomElement extends DomNode {
  tagName: string;
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  remove(): void;
  replaceWith(node: DomNode): void;
  closest(selector: string): DomElement | null;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): Iterable<DomElement>;
}

interface DomDocument {
  body: DomElement | null;
  createElement(tag: string): DomElement;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): Iterable<DomElement>;
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

/** Elements whose boundaries end a paragraph of running text. */
const BLOCK_TAGS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'br',
  'caption',
  'dd',
  'details',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hgroup',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
]);

/** Never article text. */
const NON_TEXT_TAGS = new Set([
  'title',
  'meta',
  'link',
  'script',
  'style',
  'noscript',
  'template',
  'iframe',
  'frame',
  'object',
  'embed',
  'svg',
  'canvas',
  'video',
  'audio',
  'button',
  'select',
  'textarea',
  'input',
  'dialog',
  'nav',
  'footer',
]);

const FURNITURE_ROLES = new Set([
  'navigation',
  'banner',
  'contentinfo',
  'complementary',
  'search',
  'dialog',
  'alertdialog',
]);
const FURNITURE_NAME_PARTS = new Set([
  'ad',
  'ads',
  'advert',
  'advertisement',
  'banner',
  'breadcrumb',
  'breadcrumbs',
  'comment',
  'comments',
  'consent',
  'cookie',
  'cookies',
  'gdpr',
  'menu',
  'modal',
  'newsletter',
  'popup',
  'promo',
  'related',
  'share',
  'sharing',
  'sidebar',
  'social',
  'sponsored',
  'subscribe',
  'subscription',
]);
// A class or id naming the story itself ("article-body has-share-bar") outweighs a furniture word in it.
const CONTENT_NAME_PARTS = new Set(['article', 'body', 'content', 'main', 'story', 'post', 'entry', 'text']);

/** Removed from the page's body before anything reads it. */
function isFurniture(el: DomElement): boolean {
  const tag = el.tagName.toLowerCase();
  if (NON_TEXT_TAGS.has(tag) || tag === 'aside') return true;
  // A header outside the story is the site's masthead; one inside holds the headline and standfirst.
  return tag === 'header' && !el.closest('article, main');
}

/** Marked as furniture by its attributes: hidden, a landmark role, or a furniture name. */
function isMarkedFurniture(el: DomElement): boolean {
  // Only whole blocks go: removing an inline element would join the text on either side of it.
  if (!BLOCK_TAGS.has(el.tagName.toLowerCase())) return false;
  if (el.hasAttribute('hidden') || el.getAttribute('aria-hidden') === 'true') return true;
  if (FURNITURE_ROLES.has(el.getAttribute('role')?.toLowerCase() ?? '')) return true;
  const parts = `${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`.toLowerCase().split(/[^a-z]+/);
  return parts.some((p) => FURNITURE_NAME_PARTS.has(p)) && !parts.some((p) => CONTENT_NAME_PARTS.has(p));
}

/**
 * Runs of text between block boundaries, in document order. Each run is a contiguous stretch of the
 * document's text, so a quote from it is found in the page's text content.
 */
function blockTexts(root: DomElement): string[] {
  const out: string[] = [];
  let run = '';
  const flush = (): void => {
    const text = collapseWhitespace(run);
    if (text) out.push(text);
    run = '';
  };
  const visit = (node: DomNode): void => {
    if (node.nodeType === TEXT_NODE) {
      run += node.textContent ?? '';
      return;
    }
    if (node.nodeType !== ELEMENT_NODE) return;
    const block = BLOCK_TAGS.has((node as DomElement).tagName.toLowerCase());
    if (block) flush();
    for (const child of node.childNodes) visit(child);
    if (block) flush();
  };
  visit(root);
  flush();
  return out;
}

/**
 * linkedom builds only what the markup spells out (no implied html/head/body), so a page missing
 * them gets them here.
 */
function completeDocument(html: string): string {
  let s = html.replace(/^\s*<!doctype[^>]*>/i, '');
  // Tags in comments do not count: "<!--<html>" alone would leave a document with no root element.
  const tags = s.replace(/<!--[\s\S]*?(?:-->|$)/g, (comment) => ' '.repeat(comment.length));
  const hasHtml = /<html[\s>]/i.test(tags);
  if (!/<body[\s>]/i.test(tags)) {
    const headEnd = /<\/head\s*>/i.exec(tags);
    const htmlOpen = /<html[^>]*>/i.exec(tags);
    const at = headEnd ? headEnd.index + headEnd[0].length : htmlOpen ? htmlOpen.index + htmlOpen[0].length : 0;
    const htmlClose = tags.search(/<\/html\s*>/i);
    const end = htmlClose >= at ? htmlClose : s.length;
    s = `${s.slice(0, at)}<body>${s.slice(at, end)}</body>${s.slice(end)}`;
  }
  if (!hasHtml) s = `<html>${s}</html>`;
  return `<!DOCTYPE html>${s}`;
}

// ---------------------------------------------------------------------------
// Metadata.
// ---------------------------------------------------------------------------

interface PageMeta {
  title: string | null;
  headline: string | null;
  date: string | null;
  source: string | null;
  author: string | null;
  url: string | null;
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return collapseWhitespace(value) || null;
  if (Array.isArray(value)) {
    const parts = value.map(text).filter((s): s is string => s !== null);
    return parts.length > 0 ? parts.join(', ') : null;
  }
  if (value && typeof value === 'object') {
    // Person/Organization have a name; a mainEntityOfPage WebPage has an @id.
    if ('name' in value) return text(value.name);
    if ('@id' in value) return text(value['@id']);
  }
  return null;
}

function isArticleType(type: unknown): boolean {
  const types = Array.isArray(type) ? type : [type];
  return types.some((t) => typeof t === 'string' && (/Article$/.test(t) || t === 'BlogPosting'));
}

/** The first NewsArticle/Article (or subtype) object in the page's JSON-LD blocks. */
function jsonLdArticle(doc: DomDocument): Record<string, unknown> | null {
  for (const script of doc.querySelectorAll('script')) {
    if (!/ld\+json/i.test(script.getAttribute('type') ?? '')) continue;
    let data: unknown;
    try {
      data = JSON.parse(script.textContent ?? '');
    } catch {
      continue; // Broken JSON-LD is common and only costs metadata.
    }
    const queue: unknown[] = [data];
    while (queue.length > 0) {
      const item = queue.shift();
      if (Array.isArray(item)) queue.push(...(item as unknown[]));
      else if (item && typeof item === 'object') {
        const obj = item as Record<string, unknown>;
        if (isArticleType(obj['@type'])) return obj;
        // Articles also sit in a @graph, or as the mainEntity of a WebPage.
        queue.push(...[obj['@graph'], obj['mainEntity']].filter((v) => v !== undefined));
      }
    }
  }
  return null;
}

function pageMeta(doc: DomDocument): PageMeta {
  const meta = new Map<string, string>();
  for (const el of doc.querySelectorAll('meta')) {
    const key = (el.getAttribute('property') ?? el.getAttribute('name') ?? el.getAttribute('itemprop'))?.toLowerCase();
    const content = text(el.getAttribute('content'));
    if (key && content && !meta.has(key)) meta.set(key, content);
  }
  let canonical: string | null = null;
  for (const el of doc.querySelectorAll('link')) {
    if ((el.getAttribute('rel') ?? '').toLowerCase().split(/\s+/).includes('canonical')) {
      canonical = text(el.getAttribute('href'));
      if (canonical) break;
    }
  }
  const ld = jsonLdArticle(doc);
  const metaAuthor = meta.get('author') ?? meta.get('article:author');
  const dates = [
    text(ld?.['datePublished']),
    meta.get('article:published_time'),
    doc.querySelector('time[datetime]')?.getAttribute('datetime'),
    meta.get('datepublished'),
    meta.get('date'),
  ];
  return {
    title: text(ld?.['headline']) ?? meta.get('og:title') ?? meta.get('twitter:title') ?? null,
    headline: text(ld?.['headline']),
    date: dates.map(normalizeDate).find((d) => d !== null) ?? null,
    source: text(ld?.['publisher']) ?? meta.get('og:site_name') ?? null,
    // article:author is often a profile URL rather than a name.
    author: text(ld?.['author']) ?? (metaAuthor && !/^https?:\/\//i.test(metaAuthor) ? metaAuthor : null),
    url: canonical ?? meta.get('og:url') ?? text(ld?.['url']) ?? text(ld?.['mainEntityOfPage']),
  };
}

/**
 * Whether the page's h1 is the headline that a <title> like "Ferry Service Resumes | Island Times"
 * shortens or decorates (and not, say, the site's name in a logo).
 */
function isHeadlineOf(h1: string, docTitle: string, siteName: string | null): boolean {
  const lower = (s: string): string => s.toLowerCase();
  // Short strings ("News", "Home") match by accident.
  const headlineLike = (s: string): boolean => s.split(' ').length >= 3 && (!siteName || lower(s) !== lower(siteName));
  if (!headlineLike(h1)) return false;
  // The site's name comes last ("Headline | Site"): an h1 like it is the site's heading.
  const parts = docTitle.split(/\s+[|–—·:-]\s+/);
  return (parts.length > 1 ? parts.slice(0, -1) : parts)
    .filter(headlineLike)
    .some((part) => lower(h1).includes(lower(part)) || lower(part).includes(lower(h1)));
}

// Readability 0.6 (its latest release) cuts a <title> at its last " | " or " - " ("Headline |
// Site"), but not yet at an en or em dash, as its later versions do: there the dash cuts first,
// and when four words or fewer are left the whole <title> is kept ("Evolve: Shared Mutable
// History — evolve extension for Mercurial").
const DASH_SUFFIX = /^(.*\S)\s+[–—]\s+\S.*$/;

function titleCutAtDash(title: string): string | null {
  const head = DASH_SUFFIX.exec(title)?.[1];
  if (!head) return null;
  return head.split(/\s+/).length > 4 ? head : title;
}

/** A parsed copy of the page with its furniture removed. */
function cleanDocument(content: string, options: { marked?: boolean } = {}): DomDocument & { markedRemoved: number } {
  const doc = new DOMParser().parseFromString(completeDocument(content), 'text/html') as unknown as DomDocument;
  // The head stays: Readability reads the title and metadata from it.
  const remove = (el: DomElement): void => {
    // An inline element (a script mid-paragraph) leaves a break behind, so the text either side stays apart.
    if (BLOCK_TAGS.has(el.tagName.toLowerCase())) el.remove();
    else el.replaceWith(doc.createElement('br'));
  };
  const marked = options.marked ?? true;
  let markedRemoved = 0;
  for (const el of [...(doc.body?.querySelectorAll('*') ?? [])]) {
    if (isFurniture(el)) remove(el);
    else if (marked && isMarkedFurniture(el)) {
      remove(el);
      markedRemoved++;
    }
  }
  return Object.assign(doc, { markedRemoved });
}

type MainText = ReturnType<Readability<DomElement>['parse']>;

/**
 * Removing marked blocks kept nearly all of the main text or almost none of it on Readability's test
 * pages; 0.75 sits in that gap (docs/decisions/html-keeps-the-story.md).
 */
const KEEPS_THE_STORY = 0.75;

/** Readability's main text of a page, or null when it finds none. */
function readMainText(doc: DomDocument): MainText {
  try {
    return new Readability<DomElement>(doc, { serializer: (node: unknown) => node as DomElement }).parse();
  } catch {
    // Readability expects the tree a browser builds; markup that linkedom leaves outside <body>
    // ("</body><p>…") makes it throw. The body is then read as when it finds nothing.
    return null;
  }
}

/** Parses an HTML page: metadata from its head and JSON-LD, paragraphs from the main text. */
export function parseHtml(content: string, fileName: string): ParsedArticle {
  const original = new DOMParser().parseFromString(completeDocument(content), 'text/html') as unknown as DomDocument;
  const meta = pageMeta(original);
  const h1 = text(original.querySelector('h1')?.textContent);
  const titleElement = text(original.querySelector('title')?.textContent);
  // Readability's own reading of the page as it is (it rewrites the tree, read last): its byline,
  // site name and date come first. It finds bylines in the markup (rel=author, "byline" classes)
  // that the furniture removal below takes away, and weighs Dublin Core, Open Graph and JSON-LD as
  // a well-kept library does. It costs a second read, a fraction of embedding the page's passages
  // (docs/decisions/html-readability-metadata.md).
  const page = readMainText(original);

  const doc = cleanDocument(content);
  const cleaned = readMainText(doc);
  // Some pages mark the story itself as furniture (a hydration root left hidden until scripts run,
  // an article shown in a "modal", a layout panel named "sidebar"): when removing marked blocks
  // loses most of what Readability finds without that step, the page is read without it. A page
  // with no marked block reads the same either way, and is read once.
  const unmarked = doc.markedRemoved ? readMainText(cleanDocument(content, { marked: false })) : cleaned;
  const length = (a: MainText): number => a?.textContent?.length ?? 0;
  const article = length(cleaned) >= KEEPS_THE_STORY * length(unmarked) ? cleaned : unmarked;
  const source = text(page?.siteName) ?? meta.source ?? text(article?.siteName);
  // Readability's title, read from the <title> as its later versions do when no metadata declares one.
  const read = (!meta.title && titleElement && titleCutAtDash(titleElement)) || text(page?.title);
  const docTitle = read ?? text(article?.title) ?? titleElement;
  const pageTitle = h1 && docTitle && isHeadlineOf(h1, docTitle, source) ? h1 : (docTitle ?? h1);
  // The title the page declares: a JSON-LD headline (also an article's nested as a page's
  // mainEntity, which Readability does not read), else Readability's choice among Dublin Core,
  // Open Graph and others; when it has only the <title>, the h1 that the <title> decorates with
  // the site's name ("Ferry Resumes | Island Times"). Readability's own titles differ mostly by
  // keeping the site's name (docs/decisions/html-title.md).
  const declared = read !== null && read !== titleElement ? read : null;
  const title =
    meta.headline ?? declared ?? (read ? pageTitle : null) ?? meta.title ?? pageTitle ?? titleFromFileName(fileName);

  const keep = (p: string): boolean => p.toLowerCase() !== title.toLowerCase() && !isWidgetLine(p);
  let paragraphs = article?.content ? blockTexts(article.content).filter(keep) : [];
  if (paragraphs.length === 0) {
    // Readability found no main text: read the whole body (Readability has rewritten `doc`).
    const body = cleanDocument(content).body;
    paragraphs = body ? blockTexts(body).filter(keep) : [];
  }

  // A byline or dateline opening the story is metadata, not text.
  const bylines = [page?.byline, meta.author, article?.byline].flatMap((b) => text(b?.replace(/^\s*by\s+/i, '')) ?? []);
  // A "byline" holding a date is the dateline Readability sometimes takes for one.
  let author = bylines.find((b) => normalizeDate(b) === null) ?? null;
  let date =
    normalizeDate(page?.publishedTime) ??
    meta.date ??
    normalizeDate(article?.publishedTime) ??
    bylines.map(normalizeDate).find((d) => d !== null) ??
    null;
  while (paragraphs.length > 1) {
    const byline = parseByline(paragraphs[0]!);
    const dateline = byline === null ? parseDateLine(paragraphs[0]!) : undefined;
    if (byline === null && dateline === undefined) break;
    author ??= byline;
    date ??= dateline ?? null;
    paragraphs.shift();
  }

  const assembled = assembleText(paragraphs);
  // Bylines and datelines of a page are markup, not lines of the file: only a closing
  // "(Reporting by …)" paragraph, which stays in the text, is a credit to quote.
  return {
    title,
    date,
    source,
    author,
    url: meta.url,
    ...assembled,
    credits: reportingCredits(assembled.text, assembled.paragraphs),
  };
}
