// The answer as the terminal shows it (quotes with their citations for a person, or the contract's JSON), and counts
// and sizes as the operator's commands print them.
import { placeInArticle } from '../core/answer/cite.js';
import { collapseWhitespace } from '../core/text/words.js';
import type { ArticleEntry } from '../core/types.js';
import type { TimedAnswer } from '../library/footnote.js';

/** The `ask --json` object, exactly in the contract's shape. */
export function answerJson(answer: TimedAnswer): object {
  return {
    question: answer.question,
    found: answer.found,
    answer: answer.text,
    citations: answer.citations.map((c) => ({
      n: c.n,
      article: {
        id: c.article.id,
        title: c.article.title,
        date: c.article.date,
        source: c.article.source,
        file: c.article.file,
        library: c.article.library,
      },
      paragraph: c.paragraph,
      quote: c.quote,
      start: c.start,
      end: c.end,
      located: c.located,
      score: c.score,
    })),
    retrieval: answer.retrieval,
    timings: answer.timings,
    ...(answer.explanation ? { explanation: answer.explanation } : {}),
  };
}

/**
 * The answer for a person at a terminal: each quote once, with its number, then where each is
 * from (article, source and date, paragraph, file, link).
 */
export function answerText(answer: TimedAnswer): string {
  if (!answer.found) return `${answer.text}\n`;
  const lines = answer.citations.map((c) => `“${collapseWhitespace(c.quote)}” [${c.n}]`);
  lines.push('');
  for (const c of answer.citations) {
    const details = [c.article.source, c.article.date].filter(Boolean).join(', ');
    lines.push(
      `[${c.n}] ${c.article.title}${details ? ` (${details})` : ''}, ${placeInArticle(c)} · ${c.article.file}`,
    );
    if (c.article.url) lines.push(`    ${c.article.url}`);
  }
  return `${lines.join('\n')}\n`;
}

/** "1 file", "3 files". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A size for a person: bytes up to a kilobyte, then kB, MB or GB to three significant figures. */
export function sizeText(bytes: number): string {
  const units = ['kB', 'MB', 'GB', 'TB'];
  if (bytes < 1000) return `${bytes} bytes`;
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toPrecision(3))} ${units[unit]}`;
}

/** The `articles --json` object: the library listed, and each of its articles as `ask --json` names one. */
export function articlesJson(library: string, articles: ArticleEntry[]): object {
  return {
    library,
    articles: articles.map(({ id, title, date, source, file, passages }) => ({
      id,
      title,
      date,
      source,
      file,
      passages,
    })),
  };
}

// Ids longer than this are not padded to: one long path would push every other line's title off the screen.
const ID_COLUMN = 40;

/** The articles for a person: one line each, its id first (to copy), then title, source and date, passages, file. */
export function articlesText(articles: ArticleEntry[]): string {
  if (!articles.length) return 'No articles are indexed yet.\n';
  const width = Math.min(ID_COLUMN, Math.max(...articles.map((a) => a.id.length)));
  const lines = articles.map((a) => {
    const details = [a.source, a.date].filter(Boolean).join(', ');
    const passages = `${a.passages} passage${a.passages === 1 ? '' : 's'}`;
    return `${a.id.padEnd(width)}  ${a.title}${details ? ` (${details})` : ''} · ${passages} · ${a.file}`;
  });
  return `${lines.join('\n')}\n`;
}
