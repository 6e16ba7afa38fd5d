// Credit lines of a text article: where the lines its conventions left out of the text, and those of its front matter,
// sit in the file.
import { reportingCredits } from '../news-conventions.js';
import type { Credit, Paragraph } from '../../core/types.js';
import type { Line } from './lines.js';

/**
 * The credit lines a reader may ask about: those the conventions left out of the text, located in
 * the file, and a closing "(Reporting by …; Editing by …)" paragraph, located in the text.
 */
export function creditsOf(
  content: string,
  raw: readonly string[],
  bodyStart: number,
  lines: readonly Line[],
  text: string,
  paragraphs: readonly Paragraph[],
): Credit[] {
  const credits: Credit[] = [];
  let offset = 0;
  raw.forEach((r, i) => {
    const line = i >= bodyStart ? lines[i - bodyStart] : undefined;
    // Front matter lines ("author: Jane Doe") are the file's own words for these facts too.
    const key = i > 0 && i < bodyStart - 1 ? FRONT_MATTER_CREDIT.exec(r)?.[1]?.toLowerCase() : undefined;
    const credit = line?.credit ?? (key ? { kind: FRONT_MATTER_KINDS[key]!, length: r.trim().length } : undefined);
    if (credit) {
      const start = offset + (r.length - r.trimStart().length);
      const end = start + credit.length;
      credits.push({ kind: credit.kind, text: content.slice(start, end), in: 'file', start, end });
    }
    // The line break after this line: \r\n, \r or \n.
    offset += r.length + (content.startsWith('\r\n', offset + r.length) ? 2 : 1);
  });
  return [...credits, ...reportingCredits(text, paragraphs)];
}

const FRONT_MATTER_KINDS: Record<string, Credit['kind']> = {
  date: 'date',
  published: 'date',
  published_at: 'date',
  pubdate: 'date',
  author: 'byline',
  authors: 'byline',
  byline: 'byline',
  source: 'source',
  publisher: 'source',
  site: 'source',
  site_name: 'source',
};
const FRONT_MATTER_CREDIT = new RegExp(`^\\s*(${Object.keys(FRONT_MATTER_KINDS).join('|')})\\s*:\\s*\\S`, 'i');
