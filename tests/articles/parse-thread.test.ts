import { threadId } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_ELEMENTS, MarkupTooLargeError } from '../../src/articles/html/markup-size.js';
import {
  PARSE_MEMORY_MB,
  closeParseThread,
  parseHtmlInThread,
  parseHtmlOffThread,
} from '../../src/articles/html/parse-thread.js';
import { parseHtml } from '../../src/articles/parse-html.js';

// HTML pages parsed in a worker thread: the same article as on this thread, the same errors, and a worker that
// dies is replaced.

const SENTENCE = 'The council voted on Tuesday to extend the harbour ferry service through the winter months. ';
const PAGE =
  '<!doctype html><html><head><title>Ferry</title>' +
  '<meta property="article:published_time" content="2024-10-20"><meta name="author" content="Mara Lind"></head>' +
  `<body><nav><a href="/">Home</a></nav><article><h1>Ferry</h1>${`<p>${SENTENCE.repeat(3)}</p>`.repeat(5)}` +
  '<p>(Reporting by Mara Lind; editing by Tom Hale)</p></article><footer>© Harbour News</footer></body></html>';

/** A page within the markup limits that takes many megabytes to read: 19,000 elements with text and attributes. */
const HEAVY = `<html><body><article>${`<p class="x" data-a="${'a'.repeat(200)}">${SENTENCE}</p>`.repeat(19_000)}</article></body></html>`;

afterAll(async () => {
  await closeParseThread();
});

describe('parsing HTML in a worker thread', () => {
  it('gives the article parseHtml gives, from another thread', async () => {
    const { article, threadId: parsedIn } = await parseHtmlInThread(PAGE, 'ferry.html');
    expect(parsedIn).not.toBe(threadId);
    expect(article).toStrictEqual(parseHtml(PAGE, 'ferry.html'));
    expect(article.credits.length).toBeGreaterThan(0);
  });

  it('keeps one worker for the pages that follow, and parses pages sent together in turn', async () => {
    const first = await parseHtmlInThread(PAGE, 'a.html');
    const all = await Promise.all(
      [1, 2, 3].map((n) => parseHtmlInThread(PAGE.replaceAll('Ferry', `Ferry ${n}`), 'b.html')),
    );
    expect(new Set(all.map((r) => r.threadId))).toEqual(new Set([first.threadId]));
    expect(all.map((r) => r.article.title)).toEqual(['Ferry 1', 'Ferry 2', 'Ferry 3']);
  });

  it('refuses a page with too much markup as parseHtml does', async () => {
    const html = '<p>a</p>'.repeat(MAX_ELEMENTS + 1);
    const error = await parseHtmlOffThread(html, 'page.html').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MarkupTooLargeError);
    expect(error).toMatchObject({ exceeded: { limit: 'elements', max: MAX_ELEMENTS } });
    expect((error as Error).message).toBe(
      (() => {
        try {
          parseHtml(html, 'page.html');
        } catch (e) {
          return (e as Error).message;
        }
      })(),
    );
  });

  it('replaces a worker that dies, and the next page parses', async () => {
    const before = (await parseHtmlInThread(PAGE, 'a.html')).threadId;
    await closeParseThread();
    const after = await parseHtmlInThread(PAGE, 'a.html');
    expect(after.threadId).not.toBe(before);
    expect(after.article.title).toBe('Ferry');
  });

  it('fails a page that needs more memory than the worker has as too complex, and goes on with the next', async () => {
    await closeParseThread(64);
    try {
      const heavy = parseHtmlOffThread(HEAVY, 'heavy.html');
      const next = parseHtmlOffThread(PAGE, 'next.html');
      await expect(heavy).rejects.toBeInstanceOf(MarkupTooLargeError);
      await expect(heavy).rejects.toMatchObject({ exceeded: { limit: 'memory', max: 64 } });
      expect((await next).title).toBe('Ferry');
    } finally {
      await closeParseThread(PARSE_MEMORY_MB);
    }
  });
});
