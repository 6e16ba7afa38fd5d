import { describe, expect, it, vi } from 'vitest';
import { parseHtml } from '../../src/articles/parse-html.js';

// Readability rarely comes back empty-handed on real pages, so stand in for the case where it does.
vi.mock('@mozilla/readability', () => ({
  Readability: class {
    parse(): null {
      return null;
    }
  },
}));

describe('parseHtml without a Readability result', () => {
  it('reads the body minus its furniture', () => {
    const html = [
      '<!DOCTYPE html><html><head><title>Water Notice | Town Hall</title>',
      '<meta property="og:title" content="Water Notice"><style>p { color: red }</style></head><body>',
      '<header><a href="/">Town Hall</a><nav><a href="/news">News</a></nav></header>',
      '<div class="cookie-consent"><p>This site uses cookies.</p></div>',
      '<div id="page"><h1>Water Notice</h1>',
      '<p>Water will be shut off on Elm Street from 9 a.m. to 3 p.m. on Friday while a valve is replaced.</p>',
      '<script>track()</script><iframe src="https://maps.example/embed"></iframe>',
      '<p>Residents should store drinking water the night before.</p></div>',
      '<aside><p>Most read this week</p></aside>',
      '<footer><p>Town Hall, 1 Main Street</p></footer>',
      '</body></html>',
    ].join('');
    const article = parseHtml(html, 'water-notice.html');
    expect(article.title).toBe('Water Notice');
    expect(article.text).toBe(
      'Water will be shut off on Elm Street from 9 a.m. to 3 p.m. on Friday while a valve is replaced.\n\n' +
        'Residents should store drinking water the night before.',
    );
  });
});
