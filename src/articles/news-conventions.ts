// The conventions of scraped news pages: widget labels, bylines, datelines, credit lines and a headline captured
// twice, found in a text article's lines or an HTML page's opening paragraphs.
import { collapseWhitespace } from '../core/text/words.js';
import type { Credit, Paragraph } from '../core/types.js';
import { findDate } from './dates.js';
import type { Line } from './text/lines.js';
import { isShortLine } from './titles.js';

// Stand-alone lines left behind by page widgets when a page is scraped to text.
const WIDGET_LINES = new Set([
  'share',
  'share this',
  'share this article',
  'share this story',
  'share on facebook',
  'share on twitter',
  'tweet',
  'email',
  'print',
  'pin it',
  'copy link',
  'facebook',
  'twitter',
  'linkedin',
  'whatsapp',
  'reddit',
  'advertisement',
  'advertisements',
  'sponsored',
  'sponsored content',
  'subscribe',
  'subscribe now',
  'sign up',
  'read more',
  'read next',
  'continue reading',
  'related',
  'related articles',
  'related stories',
  'related content',
  'comments',
  'comment',
  'leave a comment',
  'show comments',
  'view comments',
  'my queue',
  'add to queue',
  'follow us',
  'skip to content',
  'skip to main content',
  'back to top',
]);

/** A line that is only a widget's label ("Share", "Related:", "12 Comments"). */
export function isWidgetLine(line: string): boolean {
  const s = collapseWhitespace(line)
    .toLowerCase()
    .replace(/\s*[:»›]$/, '');
  return WIDGET_LINES.has(s) || /^(?:\d+\s+comments?|comments?\s*\(\d+\))$/.test(s);
}

const IMAGE_CREDIT_RE = /^(?:image|photo|picture)\s*(?:credits?|courtesy)?\s*:/i;
const MIN_READ_RE = /^\d+\s*-?\s*min(?:ute)?s?\.?\s+read$/i;
const ORIGINALLY_RE =
  /^(?:this\s+(?:story|article|post|piece)\s+)?(?:was\s+)?originally\s+(?:appeared|published)\s+(?:on|in|at|by)\s+(.+?)\.?$/i;
const DATE_PREFIX_RE = /^(?:dated|date|published|posted|updated)\b(?:\s+on)?\s*:?\s*/i;
const TIME_ONLY_RE = /^[\s,|·•-]*(?:\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\s*[a-z]{0,4})?\s*$/i;
const BYLINE_RE = /^(?:by|By|BY)\s+(\p{Lu}.*)$/u;
// Lower-case words that may sit inside a personal name.
const NAME_PARTICLES = new Set([
  'and',
  '&',
  'al',
  'bin',
  'da',
  'de',
  'del',
  'della',
  'der',
  'di',
  'dos',
  'du',
  'el',
  'la',
  'le',
  'van',
  'von',
  'y',
]);
const REPORTING_RE = /^\(\s*(?:reporting|writing|reported)\s+by\s+([^;)]+)/i;
// "in San Francisco" after a reporter's name is where they filed from, not part of the name.
const FILED_FROM_RE = /\s+in\s+\p{Lu}[\p{L}.'’-]*(?:\s+\p{Lu}[\p{L}.'’-]*)*/gu;

// Scraped headers run to a handful of lines; anything further down is body text.
const HEADER_MAX_LINES = 12;

function endsSentence(s: string): boolean {
  return /[.!?…]["'”’)\]]*$/.test(s);
}

/**
 * A header date line: "date 2014-10-28 My Queue", "Published: Oct 28, 2014", "October 28, 2014 10:30 AM ET".
 * Returns the ISO date (null when impossible), or undefined when the line is not a date line.
 */
export function parseDateLine(line: string): string | null | undefined {
  return datePart(line)?.iso;
}

/** A date line's date (ISO, or null when impossible) and where its label and date end. */
function datePart(line: string): { iso: string | null; end: number } | undefined {
  const label = DATE_PREFIX_RE.exec(line);
  const rest = label ? line.slice(label[0].length) : line;
  const found = findDate(rest);
  // The date must open the line (after the label, or a weekday).
  if (!found || !/^(?:\p{L}+\.?,?\s+)?$/u.test(rest.slice(0, found.index))) return undefined;
  const after = rest.slice(found.index + found.length);
  // A labelled date may carry widget text ("My Queue"); a bare one at most a time of day.
  const ok = label ? after.length <= 40 : TIME_ONLY_RE.test(after);
  const end = (label?.[0].length ?? 0) + found.index + found.length;
  return ok ? { iso: found.iso, end: label ? end : line.length } : undefined;
}

/** "By Jane Doe" (also "By Jane Doe | Reuters") → "Jane Doe"; null when the line is not a byline. */
export function parseByline(line: string): string | null {
  const m = BYLINE_RE.exec(line);
  if (!m) return null;
  const name = m[1]!.split(/\s+[|·•]\s+/)[0]!.trim();
  const words = name.split(/\s+/);
  // "By Monday, the shares had fallen" is a sentence, not a byline.
  const nameLike = words.every((w) => /^\p{Lu}/u.test(w) || NAME_PARTICLES.has(w.toLowerCase()));
  return words.length <= 8 && nameLike ? name : null;
}

interface NewsMeta {
  title: string | null;
  date: string | null;
  source: string | null;
  author: string | null;
}

/** Drops the lines the conventions explain from the text (noting where credit lines sit); returns what they tell. */
export function applyNewsConventions(lines: Line[]): NewsMeta {
  const meta: NewsMeta = { title: null, date: null, source: null, author: null };
  const isContent = (l: Line | undefined): l is Line => l?.kind === 'text' || l?.kind === 'heading';

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!isContent(line)) continue;
    const originally = ORIGINALLY_RE.exec(line.text);
    // "Originally published in 1851, the novel…" is body text, not a credit line.
    const source = originally && /^[^,;]{1,60}$/.test(originally[1]!) ? originally[1]!.trim() : null;
    if (isWidgetLine(line.text) || MIN_READ_RE.test(line.text)) {
      line.kind = 'dropped';
    } else if (source) {
      meta.source ??= source;
      line.kind = 'dropped';
      line.credit = { kind: 'source', length: line.text.length };
    } else if (IMAGE_CREDIT_RE.test(line.text)) {
      line.kind = 'dropped';
      const caption = lines[i + 1];
      if (caption?.kind === 'text' && caption.text.length <= 200 && !endsSentence(caption.text)) {
        caption.kind = 'dropped';
      }
    }
  }

  // The header: lines before the first line of body text.
  const candidates: Line[] = [];
  let seen = 0;
  for (const line of lines) {
    if (line.kind === 'blank') continue;
    if (++seen > HEADER_MAX_LINES || line.kind === 'code') break;
    if (line.kind === 'dropped') continue;
    const date = line.kind === 'text' ? datePart(line.text) : undefined;
    const author = line.kind === 'text' ? parseByline(line.text) : null;
    if (date !== undefined) {
      meta.date ??= date.iso;
      line.kind = 'dropped';
      line.credit = { kind: 'date', length: date.end };
    } else if (author) {
      meta.author ??= author;
      line.kind = 'dropped';
      line.credit = { kind: 'byline', length: line.text.length };
    } else if (isShortLine(line.text)) {
      candidates.push(line);
    } else {
      break;
    }
  }
  // Scrapers often capture the headline twice; what precedes it is a section label.
  const k = candidates.findIndex((c, j) => j + 1 < candidates.length && c.text === candidates[j + 1]!.text);
  if (k >= 0) {
    meta.title = candidates[k]!.text;
    for (const c of candidates.slice(0, k + 2)) c.kind = 'dropped';
  }

  const last = lines.findLast(isContent);
  const reporting = last ? REPORTING_RE.exec(last.text) : null;
  if (reporting) {
    meta.author ??= collapseWhitespace(reporting[1]!.replace(FILED_FROM_RE, '')) || null;
  }
  return meta;
}

/** The closing "(Reporting by …; Editing by …)" paragraph of a news story, as a credit in the text. */
export function reportingCredits(text: string, paragraphs: readonly Paragraph[]): Credit[] {
  const last = paragraphs.at(-1);
  if (!last || !REPORTING_RE.test(text.slice(last.start, last.end))) return [];
  return [{ kind: 'reporting', text: text.slice(last.start, last.end), in: 'text', start: last.start, end: last.end }];
}
