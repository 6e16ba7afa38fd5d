// HTML articles: the main text (Readability), its paragraphs and metadata, with offsets into the cleaned text.
import type { ParsedArticle } from '../core/types.js';
import { assembleText } from './article-text.js';
import { normalizeDate } from './dates.js';
import { blockTexts, parseDocument } from './html/dom.js';
import { cleanDocument } from './html/furniture.js';
import { checkMarkupSize } from './html/markup-size.js';
import { readMainText, storyText } from './html/main-text.js';
import { metaText, pageMeta } from './html/metadata.js';
import { chooseTitle } from './html/title.js';
import { isWidgetLine, parseByline, parseDateLine, reportingCredits } from './news-conventions.js';

/**
 * Parses an HTML page: metadata from its head and JSON-LD, paragraphs from the main text. A page with more markup
 * than can be read in reasonable time is refused before it is parsed (MarkupTooLargeError).
 */
export function parseHtml(content: string, fileName: string): ParsedArticle {
  checkMarkupSize(content);
  const original = parseDocument(content);
  const meta = pageMeta(original);
  const h1 = metaText(original.querySelector('h1')?.textContent);
  const titleElement = metaText(original.querySelector('title')?.textContent);
  // Readability's own reading of the page as it is (it rewrites the tree, read last): its byline,
  // site name and date come first. It finds bylines in the markup (rel=author, "byline" classes)
  // that the furniture removal below takes away, and weighs Dublin Core, Open Graph and JSON-LD as
  // a well-kept library does. It costs a second read, a fraction of embedding the page's passages
  // (docs/decisions/html-readability-metadata.md).
  const page = readMainText(original);

  const article = storyText(content);
  const source = metaText(page?.siteName) ?? meta.source ?? metaText(article?.siteName);
  const title = chooseTitle(meta, { h1, titleElement }, { page, article }, source, fileName);

  const keep = (p: string): boolean => p.toLowerCase() !== title.toLowerCase() && !isWidgetLine(p);
  let paragraphs = article?.content ? blockTexts(article.content).filter(keep) : [];
  if (paragraphs.length === 0) {
    // Readability found no main text: read the whole body (Readability rewrites the pages it reads).
    const body = cleanDocument(content).body;
    paragraphs = body ? blockTexts(body).filter(keep) : [];
  }

  // A byline or dateline opening the story is metadata, not text.
  const bylines = [page?.byline, meta.author, article?.byline].flatMap(
    (b) => metaText(b?.replace(/^\s*by\s+/i, '')) ?? [],
  );
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
