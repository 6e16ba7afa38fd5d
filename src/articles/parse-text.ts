// Text articles (.txt, .md, .markdown): front matter, lines, news conventions and paragraphs, read into the
// article's metadata, text and credits.
import type { ArticleMeta, ParsedArticle } from '../core/types.js';
import { assembleText } from './article-text.js';
import { normalizeDate } from './dates.js';
import { applyNewsConventions } from './news-conventions.js';
import { creditsOf } from './text/credits.js';
import { firstMeta, metaString, splitFrontMatter } from './text/front-matter.js';
import { classifyMarkdown, classifyPlain } from './text/lines.js';
import { groupParagraphs } from './text/paragraphs.js';
import { isShortLine, sameTitle, titleFromFileName } from './titles.js';

// Front-matter keys for the publication date, most specific first.
const DATE_KEYS = ['date', 'published', 'published_at', 'pubdate'];

/** Parses a plain-text (.txt) or Markdown (.md, .markdown) article. */
export function parseText(content: string, fileName: string): ParsedArticle {
  const raw = content.split(/\r\n?|\n/);
  const { fm, bodyStart } = splitFrontMatter(raw, fileName);
  const markdown = /\.(?:md|markdown)$/i.test(fileName);
  const lines = (markdown ? classifyMarkdown : classifyPlain)(raw.slice(bodyStart));
  const news = applyNewsConventions(lines);

  let title = firstMeta(fm, ['title']);
  const first = lines.find((l) => l.kind === 'text' || l.kind === 'heading');
  if (first?.kind === 'heading' && (title ? sameTitle(first.text, title) : first.level === 1)) {
    title ??= first.text;
    first.kind = 'dropped';
  }
  title ??= lines.find((l) => l.kind === 'heading')?.text ?? news.title;

  const paragraphTexts = groupParagraphs(lines);
  const firstParagraph = paragraphTexts[0];
  title ??= firstParagraph !== undefined && isShortLine(firstParagraph) ? firstParagraph : titleFromFileName(fileName);

  const meta: ArticleMeta = {
    title,
    date: DATE_KEYS.map((k) => normalizeDate(metaString(fm[k]))).find((d) => d !== null) ?? news.date,
    source: firstMeta(fm, ['source', 'publisher', 'site', 'site_name']) ?? news.source,
    author: firstMeta(fm, ['author', 'authors', 'byline']) ?? news.author,
    url: firstMeta(fm, ['url', 'link', 'canonical']),
  };
  const assembled = assembleText(paragraphTexts);
  return {
    ...meta,
    ...assembled,
    credits: creditsOf(content, raw, bodyStart, lines, assembled.text, assembled.paragraphs),
  };
}
