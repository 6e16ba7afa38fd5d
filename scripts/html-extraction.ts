// Dev tool, `npm run eval:html -- DIR`: how well the HTML parser keeps the article, on saved pages with the text
// and metadata Mozilla Readability extracts from them (the layout of Readability's own test pages).
import fs from 'node:fs';
import path from 'node:path';
import { DOMParser } from 'linkedom';
import { parseHtml } from '../src/articles/parse-html.js';
import { normalizeDate } from '../src/articles/dates.js';
import { UsageError } from '../src/core/errors.js';
import { runCommand } from '../src/cli/run.js';
import { collapseWhitespace, words } from '../src/core/text/words.js';

interface Expected {
  title?: string | null;
  byline?: string | null;
  siteName?: string | null;
  publishedTime?: string | null;
  readerable?: boolean;
}

export interface PageResult {
  page: string;
  recall: number;
  precision: number;
  /** Per field: whether ours agrees with the expected value, or null when the page has none. */
  agrees: Record<'title' | 'byline' | 'date' | 'siteName', boolean | null>;
  /** Whether our title is the expected one less the site's name after it ("Getting LEAN | IAB"). */
  titleLessSite: boolean;
  /** Ours and theirs, per field that disagrees. */
  differences: { field: string; ours: string | null; theirs: string }[];
}

/** Words of `got` and `expected` counted with repeats: the share of each found in the other. */
function overlap(got: string[], expected: string[]): { recall: number; precision: number } {
  const counts = new Map<string, number>();
  for (const w of expected) counts.set(w, (counts.get(w) ?? 0) + 1);
  let common = 0;
  for (const w of got) {
    const n = counts.get(w) ?? 0;
    if (n > 0) {
      common++;
      counts.set(w, n - 1);
    }
  }
  return {
    recall: expected.length ? common / expected.length : 1,
    precision: got.length ? common / got.length : expected.length ? 0 : 1,
  };
}

/** Case, spacing and a leading "By" aside, the same text. */
function same(ours: string | null, theirs: string): boolean {
  const norm = (s: string): string =>
    collapseWhitespace(s)
      .replace(/^by\s+/i, '')
      .toLowerCase();
  return ours !== null && norm(ours) === norm(theirs);
}

/**
 * Whether `theirs` is `ours` followed by a separator and the site's name: Footnote keeps the
 * site's name as the article's source, not in its title, where Readability's heuristics sometimes
 * leave it.
 */
function lessSiteName(ours: string | null, theirs: string, siteName: string | null | undefined): boolean {
  if (!ours || !siteName) return false;
  return [' | ', ' - ', ' – ', ' — ', ' · ', ': '].some((sep) => same(`${ours}${sep}${siteName}`, theirs));
}

/** Measures one page folder (source.html, expected.html, expected-metadata.json); null for a page not an article. */
export function measurePage(dir: string): PageResult | null {
  const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected-metadata.json'), 'utf8')) as Expected;
  if (expected.readerable === false) return null;
  const parsed = parseHtml(fs.readFileSync(path.join(dir, 'source.html'), 'utf8'), 'source.html');
  const main = new DOMParser().parseFromString(fs.readFileSync(path.join(dir, 'expected.html'), 'utf8'), 'text/html');
  const { recall, precision } = overlap(words(parsed.text), words(main.documentElement?.textContent ?? ''));
  const field = (value: string | null | undefined, agree: (v: string) => boolean): boolean | null =>
    value ? agree(value) : null;
  const agrees = {
    title: field(expected.title, (v) => same(parsed.title, v)),
    byline: field(expected.byline, (v) => same(parsed.author, v)),
    date: field(expected.publishedTime, (v) => normalizeDate(v) === parsed.date),
    siteName: field(expected.siteName, (v) => same(parsed.source, v)),
  };
  const ours = { title: parsed.title, byline: parsed.author, date: parsed.date, siteName: parsed.source };
  const theirs = { ...expected, date: expected.publishedTime };
  return {
    page: path.basename(dir),
    recall,
    precision,
    agrees,
    titleLessSite: !!expected.title && lessSiteName(parsed.title, expected.title, expected.siteName),
    differences: (['title', 'byline', 'date', 'siteName'] as const)
      .filter((key) => agrees[key] === false)
      .map((key) => ({ field: key, ours: ours[key], theirs: theirs[key]! })),
  };
}

const percent = (n: number, of: number): string => `${((100 * n) / Math.max(of, 1)).toFixed(0)} %`;

runCommand(({ argv }) => {
  const [root, ...rest] = argv;
  if (!root || rest.length) throw new UsageError('usage: npm run eval:html -- DIR   (one folder per saved page)');
  const results = fs
    .readdirSync(root)
    .filter((name) => fs.existsSync(path.join(root, name, 'expected-metadata.json')))
    .sort()
    .map((name) => measurePage(path.join(root, name)))
    .filter((r): r is PageResult => r !== null);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
  const lines = [`${results.length} article pages`];
  lines.push(
    `word recall mean ${mean(results.map((r) => r.recall)).toFixed(3)}, ` +
      `precision mean ${mean(results.map((r) => r.precision)).toFixed(3)}`,
  );
  for (const key of ['title', 'byline', 'date', 'siteName'] as const) {
    const judged = results.filter((r) => r.agrees[key] !== null);
    const agreed = judged.filter((r) => r.agrees[key]).length;
    lines.push(`${key}: ${agreed}/${judged.length} agree (${percent(agreed, judged.length)})`);
  }
  const titled = results.filter((r) => r.agrees.title !== null);
  const lessSite = titled.filter((r) => r.agrees.title || r.titleLessSite).length;
  lines.push(
    `title without the site's name after it: ${lessSite}/${titled.length} agree (${percent(lessSite, titled.length)})`,
  );
  for (const r of results)
    for (const d of r.differences)
      lines.push(`  ${r.page}: ${d.field} ${JSON.stringify(d.ours)} vs ${JSON.stringify(d.theirs)}`);
  for (const r of results.filter((x) => x.recall < 0.9 || x.precision < 0.9)) {
    lines.push(`  ${r.page}: recall ${r.recall.toFixed(3)}, precision ${r.precision.toFixed(3)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
});
