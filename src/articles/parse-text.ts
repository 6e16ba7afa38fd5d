import { parse as parseYaml, YAMLParseError } from 'yaml';
import { collapseWhitespace } from '../core/text/words.js';
import type { ArticleMeta, Credit, Paragraph, ParsedArticle } from '../core/types.js';

// ---------------------------------------------------------------------------
// Helpers shared with the HTML parser.
// ---------------------------------------------------------------------------

/** Joins paragraphs with a blank line and records where each one sits in the joined text. */
export function assembleText(paragraphTexts: readonly string[]): { text: string; paragraphs: Paragraph[] } {
  let text = '';
  const paragraphs: Paragraph[] = [];
  for (const p of paragraphTexts) {
    if (paragraphs.length > 0) text += '\n\n';
    paragraphs.push({ n: paragraphs.length + 1, start: text.length, end: text.length + p.length });
    text += p;
  }
  return { text, paragraphs };
}

/** "sub/alibaba-jack-ma_2014.txt" → "Alibaba jack ma 2014". */
export function titleFromFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const words = collapseWhitespace(base.replace(/\.[^.]*$/, '').replace(/[-_.]+/g, ' '));
  if (!words) return base;
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const MONTH =
  String.raw`(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|` +
  String.raw`sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

interface DatePattern {
  re: RegExp;
  toParts(m: RegExpExecArray): [year: string, month: string, day: string];
}

const DATE_PATTERNS: DatePattern[] = [
  // 2014-10-28, 2014/10/28, 2014.10.28, and ISO timestamps (the calendar date is kept as written).
  { re: /(?<!\d)(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?!\d)/, toParts: (m) => [m[1]!, m[3]!, m[4]!] },
  // October 28, 2014 / Oct. 28 2014 / Tuesday, Oct 28th, 2014
  {
    re: new RegExp(String.raw`\b${MONTH}\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)`, 'i'),
    toParts: (m) => [m[3]!, m[1]!, m[2]!],
  },
  // 28 Oct 2014 / 28th of October, 2014 / Tue, 28 Oct 2014 10:00:00 GMT
  {
    re: new RegExp(String.raw`(?<!\d)(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?${MONTH}\.?,?\s+(\d{4})(?!\d)`, 'i'),
    toParts: (m) => [m[3]!, m[2]!, m[1]!],
  },
];

interface DateMatch {
  iso: string | null;
  index: number;
  length: number;
}

function findDate(s: string): DateMatch | null {
  let best: { m: RegExpExecArray; p: DatePattern } | null = null;
  for (const p of DATE_PATTERNS) {
    const m = p.re.exec(s);
    if (m && (!best || m.index < best.m.index)) best = { m, p };
  }
  if (!best) return null;
  const [y, mo, d] = best.p.toParts(best.m);
  const year = Number(y);
  const month = /^\d+$/.test(mo) ? Number(mo) : MONTHS.indexOf(mo.slice(0, 3).toLowerCase()) + 1;
  const day = Number(d);
  // Day 0 of the next month is the last day of this one.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const valid = year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth;
  const iso = valid ? `${y}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` : null;
  return { iso, index: best.m.index, length: best.m[0].length };
}

/** The first date written in `value`, as YYYY-MM-DD; null when there is none or it is impossible (2014-02-30). */
export function normalizeDate(value: string | null | undefined): string | null {
  return value ? (findDate(value)?.iso ?? null) : null;
}

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

// ---------------------------------------------------------------------------
// Front matter.
// ---------------------------------------------------------------------------

type FrontMatter = Record<string, unknown>;

function parseFrontMatter(yamlText: string, fileName: string): FrontMatter {
  let data: unknown;
  try {
    data = parseYaml(yamlText);
  } catch (err) {
    // Besides YAMLParseError, yaml throws ReferenceErrors for bad aliases (`*undefined`, alias bombs).
    if (!(err instanceof Error)) throw err;
    const pos = err instanceof YAMLParseError ? err.linePos?.[0] : undefined;
    // +1: the opening "---" is line 1 of the file.
    const where = pos ? ` at line ${pos.line + 1}, column ${pos.col}` : '';
    const reason = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new Error(`Invalid YAML front matter in ${fileName}${where}: ${reason}`, { cause: err });
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new Error(`Invalid YAML front matter in ${fileName} at line 2: expected "key: value" pairs`);
  }
  const out: FrontMatter = {};
  for (const [k, v] of Object.entries(data)) out[k.toLowerCase()] = v;
  return out;
}

/** `within`: the arrays and objects `value` sits in. */
function metaString(value: unknown, within: readonly unknown[] = []): string | null {
  if (typeof value === 'string') return collapseWhitespace(value) || null;
  if (typeof value === 'number') return String(value);
  // YAML anchors let a value contain itself (`author: &a [*a]`): reading it again would never end.
  if (within.includes(value)) return null;
  const inner = [...within, value];
  if (Array.isArray(value)) {
    const parts = value.map((v) => metaString(v, inner)).filter((s): s is string => s !== null);
    return parts.length > 0 ? parts.join(', ') : null;
  }
  // e.g. `author: { name: Jane Doe }` or `publisher: { name: Reuters }`.
  if (value && typeof value === 'object' && 'name' in value) return metaString(value.name, inner);
  return null;
}

function firstMeta(fm: FrontMatter, keys: readonly string[]): string | null {
  for (const k of keys) {
    const v = metaString(fm[k]);
    if (v) return v;
  }
  return null;
}

/** Splits leading front matter off the lines; returns the metadata and the index of the first body line. */
function splitFrontMatter(lines: readonly string[], fileName: string): { fm: FrontMatter; bodyStart: number } {
  if (lines[0]?.trimEnd() !== '---') return { fm: {}, bodyStart: 0 };
  const close = lines.findIndex((l, i) => i > 0 && /^(?:---|\.\.\.)\s*$/.test(l));
  // An unclosed fence is not front matter: the "---" is then just a rule.
  if (close < 0) return { fm: {}, bodyStart: 0 };
  return { fm: parseFrontMatter(lines.slice(1, close).join('\n'), fileName), bodyStart: close + 1 };
}

// ---------------------------------------------------------------------------
// Line classification.
// ---------------------------------------------------------------------------

interface Line {
  /** The line with its ends trimmed (for headings: the heading text without its #'s). */
  text: string;
  kind: 'blank' | 'text' | 'heading' | 'code' | 'dropped';
  /** Markdown heading level. */
  level?: number;
  /** A Markdown list item begins a paragraph of its own. */
  startsParagraph?: boolean;
  /** A credit line left out of the text: what it tells, and how much of it (from its start) to quote. */
  credit?: { kind: Credit['kind']; length: number };
}

const RULE_RE = /^([-*_=~•—–])(?:\s*\1){2,}$/u;
const FENCE_RE = /^ {0,3}(`{3,}|~{3,})/;
const ATX_RE = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const IMAGE_ONLY_RE = /^(?:\[?!\[[^\]]*\]\([^)]*\)(?:\]\([^)]*\))?\s*)+$/;
const LIST_ITEM_RE = /^\s*(?:[-*+]|\d{1,9}[.)])\s+/;

function classifyMarkdown(raw: readonly string[]): Line[] {
  const lines: Line[] = [];
  let fence: string | null = null;
  for (let i = 0; i < raw.length; i++) {
    const text = raw[i]!.trim();
    if (fence !== null) {
      const closes = text.startsWith(fence) && /^(`+|~+)$/.test(text);
      if (closes) fence = null;
      lines.push({ text, kind: closes ? 'dropped' : 'code' });
      continue;
    }
    const prev = lines[lines.length - 1];
    const fenceOpen = FENCE_RE.exec(raw[i]!);
    const heading = ATX_RE.exec(raw[i]!);
    if (fenceOpen) {
      fence = fenceOpen[1]!;
      lines.push({ text, kind: 'dropped' });
    } else if (!text) {
      lines.push({ text, kind: 'blank' });
    } else if (text.startsWith('<!--')) {
      // Only comments that fill whole lines are dropped; inline ones stay verbatim.
      let end = -1;
      let after = '';
      for (let j = i; j < raw.length && end < 0; j++) {
        const close = raw[j]!.indexOf('-->', j === i ? raw[i]!.indexOf('<!--') + 4 : 0);
        if (close >= 0) [end, after] = [j, raw[j]!.slice(close + 3)];
      }
      if (end >= 0 && after.trim() === '') {
        for (let j = i; j <= end; j++) lines.push({ text: raw[j]!.trim(), kind: 'dropped' });
        i = end;
      } else {
        lines.push({ text, kind: 'text' });
      }
    } else if (prev?.kind === 'text' && !prev.startsParagraph && /^(?:=+|-+)$/.test(text)) {
      // Setext underline: the line above is a heading.
      prev.kind = 'heading';
      prev.level = text.startsWith('=') ? 1 : 2;
      lines.push({ text, kind: 'dropped' });
    } else if (RULE_RE.test(text) || IMAGE_ONLY_RE.test(text)) {
      lines.push({ text, kind: 'dropped' });
    } else if (heading) {
      const headingText = heading[2]?.trim() ?? '';
      const level = heading[1]!.length;
      lines.push(headingText ? { text: headingText, kind: 'heading', level } : { text, kind: 'dropped' });
    } else {
      lines.push({ text, kind: 'text', startsParagraph: LIST_ITEM_RE.test(text) });
    }
  }
  return lines;
}

function classifyPlain(raw: readonly string[]): Line[] {
  return raw.map((r) => {
    const text = r.trim();
    if (!text) return { text, kind: 'blank' };
    return { text, kind: RULE_RE.test(text) ? 'dropped' : 'text' };
  });
}

// ---------------------------------------------------------------------------
// Scraped-news conventions.
// ---------------------------------------------------------------------------

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

/** Headline-like: short, and not ending the way a sentence or clause of body text does. */
function isShortLine(s: string): boolean {
  return s.length <= 150 && s.split(' ').length <= 25 && !/[.,;:]["'”’)\]]*$/.test(s);
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

function applyNewsConventions(lines: Line[]): NewsMeta {
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

// ---------------------------------------------------------------------------
// Paragraphs.
// ---------------------------------------------------------------------------

// Lines longer than this are not hard-wrapped prose, so each one is a paragraph of its own.
const WRAP_WIDTH = 100;

function groupParagraphs(lines: readonly Line[]): string[] {
  const out: string[] = [];
  let buf: Line[] = [];
  const flush = (): void => {
    const texts = buf.map((l) => l.text);
    const oneLinePerParagraph = buf[0]?.kind !== 'code' && texts.slice(0, -1).some((t) => t.length > WRAP_WIDTH);
    buf = [];
    for (const p of oneLinePerParagraph ? texts : [texts.join(' ')]) {
      const c = collapseWhitespace(p);
      if (c) out.push(c);
    }
  };
  for (const line of lines) {
    const bufKind = buf[0]?.kind;
    if (line.kind === 'blank' || line.kind === 'dropped') {
      flush();
    } else if (line.kind === 'heading') {
      flush();
      buf.push(line);
      flush();
    } else if (line.kind === 'code') {
      if (bufKind !== 'code') flush();
      buf.push(line);
    } else {
      if (bufKind === 'code' || line.startsParagraph) flush();
      buf.push(line);
    }
  }
  flush();
  return out;
}

// Front-matter keys for the publication date, most specific first.
const DATE_KEYS = ['date', 'published', 'published_at', 'pubdate'];

function sameTitle(a: string, b: string): boolean {
  return collapseWhitespace(a).toLowerCase() === collapseWhitespace(b).toLowerCase();
}

/**
 * The credit lines a reader may ask about: those the conventions left out of the text, located in
 * the file, and a closing "(Reporting by …; Editing by …)" paragraph, located in the text.
 */
function creditsOf(
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

/** The closing "(Reporting by …; Editing by …)" paragraph of a news story, as a credit in the text. */
export function reportingCredits(text: string, paragraphs: readonly Paragraph[]): Credit[] {
  const last = paragraphs.at(-1);
  if (!last || !REPORTING_RE.test(text.slice(last.start, last.end))) return [];
  return [{ kind: 'reporting', text: text.slice(last.start, last.end), in: 'text', start: last.start, end: last.end }];
}

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
