// Dev tool, `node --import tsx scripts/bench-markup.ts [--unchecked]`: how long parsing a page holds the event loop
// (parseHtml runs on it, start to end), for 10 MB pages made to be slow and for pages shaped like news articles.
// --unchecked parses the small pathological pages with no markup check, to show what the limits keep away.
// --thread parses them as the bot does, in the worker thread, and reports the longest the event loop was held.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { markupLimit, markupSize } from '../src/articles/html/markup-size.js';
import { parseDocument } from '../src/articles/html/dom.js';
import { readMainText, storyText } from '../src/articles/html/main-text.js';
import { closeParseThread, parseHtmlOffThread } from '../src/articles/html/parse-thread.js';
import { parseHtml } from '../src/articles/parse-html.js';

const MB = 1024 * 1024;
const SENTENCE = 'The council voted on Tuesday to extend the harbour ferry service through the winter months. ';
const STORY = `<p>${SENTENCE.repeat(3)}</p>`;

/** `unit` `n` times after a story (then a word and `close` as often), as an attacker would send a page. */
function repeated(unit: string, n: number, close = '', [open, end] = ['', '']): string {
  return `<html><body>${STORY}${open}${unit.repeat(n)}x${close.repeat(n)}${end}</body></html>`;
}

/** As many units as fit in `bytes`. */
const fill = (bytes: number, ...units: string[]): number => Math.floor(bytes / units.join('').length);

/** A page shaped like a news article's: navigation, 40 paragraphs, teasers and a footer, about `n` elements. */
function newsPage(n: number): string {
  const paragraph = (i: number): string => `<p>${SENTENCE}<a href="/s${i}">a related story</a>, <em>more</em></p>`;
  const teaser = (i: number): string =>
    `<div class="teaser"><a href="/t${i}"><img src="/i${i}.jpg" alt=""><h3>Teaser ${i}</h3></a><p>Summary.</p></div>`;
  const link = (i: number): string => `<li><a href="/n${i}">Section ${i}</a></li>`;
  const rest = Math.max(0, n - 200);
  const list = (k: number, item: (i: number) => string): string =>
    Array.from({ length: k }, (_, i) => item(i)).join('');
  const wrap = (html: string): string => `${'<div class="w">'.repeat(4)}${html}${'</div>'.repeat(4)}`;
  return `<!doctype html><html><head><title>Ferry | News</title></head><body>
    <header>${wrap(`<nav><ul>${list(Math.floor(rest / 8), link)}</ul></nav>`)}</header>
    <main>${wrap(`<article><h1>Ferry</h1>${list(40, paragraph)}</article>`)}
    <aside>${wrap(list(Math.floor(rest / 12), teaser))}</aside></main>
    <footer>${wrap(`<ul>${list(Math.floor(rest / 8), link)}</ul>`)}</footer></body></html>`;
}

const PAGES: Record<string, () => string> = {
  'a million small elements (10 MB)': () => repeated('<p>a</p>', fill(10 * MB, '<p>a</p>')),
  'a million elements in one (10 MB)': () => repeated('<i>a</i>', fill(10 * MB, '<i>a</i>'), '', ['<div>', '</div>']),
  'nested 950,000 deep (10 MB)': () => repeated('<div>', fill(10 * MB, '<div>', '</div>'), '</div>'),
  'one paragraph of text (10 MB)': () =>
    `<html><body><p>${SENTENCE.repeat(Math.floor((10 * MB) / 92))}</p></body></html>`,
  'news article, 1,000 elements': () => newsPage(1000),
  'news article, 3,000 elements': () => newsPage(3000),
  'news article, 10,000 elements': () => newsPage(10_000),
};

// Small enough to parse unchecked in a minute or so, large enough to show how the cost grows.
const UNCHECKED: Record<string, () => string> = {
  '10,000 small elements': () => repeated('<p>a</p>', 10_000),
  '100,000 small elements': () => repeated('<p>a</p>', 100_000),
  'nested 250 deep': () => repeated('<div>', 250, '</div>'),
  'nested 1,000 deep': () => repeated('<div>', 1000, '</div>'),
};

/** parseHtml without its markup check: what it cost before there was one. */
function parseUnchecked(html: string): void {
  readMainText(parseDocument(html));
  storyText(html);
}

async function measure(name: string, html: string, parse: (html: string) => unknown): Promise<void> {
  const size = markupSize(html);
  // The longest the event loop waited, sampled every millisecond: on the main thread, the whole parse.
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const started = performance.now();
  let outcome = 'parsed';
  try {
    await parse(html);
  } catch (error) {
    outcome = (error as Error).message;
  }
  const took = performance.now() - started;
  delay.disable();
  const ms = (ns: number): string => (ns / 1e6).toFixed(1);
  const held = values.thread
    ? `at most ${ms(delay.max)} (99th percentile ${ms(delay.percentile(99))}) while it took ${took.toFixed(0)}`
    : took.toFixed(0);
  const rss = process.memoryUsage().rss / MB;
  const counts = `${size.elements} elements, depth ${size.depth}, nesting ${size.nesting}`;
  process.stdout.write(
    `${name}: held the event loop ${held} ms (RSS ${rss.toFixed(0)} MiB); read ${size.read} of ` +
      `${html.length} characters to count ${counts} (${markupLimit(size)?.limit ?? 'within the limits'}); ${outcome}\n`,
  );
}

const { values } = parseArgs({ options: { unchecked: { type: 'boolean' }, thread: { type: 'boolean' } } });
// Compiled once before timing, so that the first page does not pay for it (nor for starting the worker).
parseHtml(newsPage(300), 'warm-up.html');
if (values.thread) await parseHtmlOffThread(newsPage(300), 'warm-up.html');
for (const [name, make] of Object.entries(values.unchecked ? UNCHECKED : PAGES)) {
  const parse = values.unchecked
    ? parseUnchecked
    : values.thread
      ? (html: string) => parseHtmlOffThread(html, 'page.html')
      : (html: string) => parseHtml(html, 'page.html');
  await measure(name, make(), parse);
}
await closeParseThread();
