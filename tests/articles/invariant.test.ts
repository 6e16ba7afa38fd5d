import fs from 'node:fs';
import path from 'node:path';
import { DOMParser } from 'linkedom';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadArticles, type LoadResult } from '../../src/articles/load.js';
import { parseHtml } from '../../src/articles/parse-html.js';
import { parseText } from '../../src/articles/parse-text.js';
import { ROOT, SHIPPED_ARTICLES, collapse } from '../support/setup.js';
import type { ParsedArticle } from '../../src/core/types.js';

/** What a quote from an article is checked against: the file's text, or for HTML the page's DOM text. */
function sourceText(content: string, file: string): string {
  if (!/\.html?$/i.test(file)) return collapse(content);
  const doc = new DOMParser().parseFromString(content, 'text/html') as unknown as {
    documentElement: { textContent: string | null };
  };
  return collapse(doc.documentElement.textContent ?? '');
}

function expectInvariant(article: ParsedArticle, source: string, label: string): void {
  const paragraphs = article.paragraphs.map((p) => article.text.slice(p.start, p.end));
  expect(
    article.paragraphs.map((p) => p.n),
    label,
  ).toEqual(paragraphs.map((_, i) => i + 1));
  expect(paragraphs.join('\n\n'), label).toBe(article.text);
  for (const p of paragraphs) {
    // Collapsed white space inside, nothing at the ends: each paragraph is already in quotable form.
    expect(p, label).toBe(collapse(p));
    expect(p, label).not.toBe('');
    expect(source.includes(p), `${label}: paragraph not verbatim in its source: ${p.slice(0, 80)}`).toBe(true);
  }
}

describe('paragraph invariant', () => {
  const dirs = [SHIPPED_ARTICLES, path.join(ROOT, 'tests/fixtures/articles')];
  const loaded = new Map<string, LoadResult>();

  beforeAll(async () => {
    for (const dir of dirs) loaded.set(dir, await loadArticles(dir));
  });

  it('holds for every shipped and fixture article, and none is skipped', () => {
    for (const [dir, { articles, skipped }] of loaded) {
      expect(skipped, dir).toEqual([]);
      expect(articles.length, dir).toBeGreaterThan(0);
      for (const article of articles) {
        const content = fs.readFileSync(path.join(dir, article.file), 'utf8');
        expectInvariant(article, sourceText(content, article.file), article.file);
      }
    }
  });

  it.each([
    [
      'crlf-tabs.txt',
      'Headline Here\r\n\r\nA line\twith   tabs and\u00a0no-break spaces,\r\nwrapped here.\r\n\r\n  Indented paragraph.  \r\n',
    ],
    [
      'mixed.md',
      '---\ntitle: Mixed\n---\n# Mixed\n\n> A quoted\n> passage.\n\n1. First\n2. Second\n\n| a | b |\n|---|---|\n\nText with <!-- a note --> inside.\n',
    ],
    [
      'header.txt',
      'date 2020-01-02 Save\n\nSection\n\nSame Headline\nSame Headline\nImage credit: Someone\nA caption\n3 min read\nBy A Writer\n\nBody paragraph one.\nShare\nBody paragraph two.\n',
    ],
  ])('holds for tricky text input %s', (file, content) => {
    expectInvariant(parseText(content, file), collapse(content), file);
  });

  it('holds for tricky HTML input', () => {
    const html =
      '<html><body><div><p>Line<br>broken <em>with</em> inline <a href="#">markup</a>&nbsp;and entities &amp; more.</p>' +
      'Loose text in a div<p>Then a paragraph</p><table><tr><td>Cell one</td><td>Cell two</td></tr></table>' +
      '<p>Text <script>skip()</script> around a script.</p></div></body></html>';
    expectInvariant(parseHtml(html, 'tricky.html'), sourceText(html, 'tricky.html'), 'tricky.html');
  });
});
