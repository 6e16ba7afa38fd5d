import { describe, expect, it } from 'vitest';
import { LIMITS, renderAnswer, renderArticleList, renderShared, shorten } from '../../src/discord/render.js';
import type { Answer, Citation } from '../../src/core/types.js';
import { liveMarkup, shown } from '../support/discord-markdown.js';

function citation(n: number, quote: string, extra: Partial<Citation['article']> = {}): Citation {
  return {
    n,
    article: {
      id: `a${n}`,
      title: `Article ${n}`,
      date: '2014-10-28',
      source: 'Reuters',
      file: `a${n}.txt`,
      author: null,
      url: null,
      ...extra,
    },
    paragraph: n,
    quote,
    start: 0,
    end: quote.length,
    located: 'text',
    score: 0.9,
  };
}

function answer(citations: Citation[]): Answer {
  return {
    question: 'q',
    found: true,
    text: citations.map((c) => `${c.quote} [${c.n}]`).join(' '),
    citations,
    retrieval: { mode: 'dense', model: 'm' },
  };
}

/** What Discord shows, to compare with the article text. */
const unescape = shown;

// Links a page may give that Discord would read as more than one link, or as none: a space, a `>` that ends the
// <link> early, a `)` that ends a masked link's target and opens a second one.
const UNSAFE_LINKS = [
  'https://news.example/a story about ships',
  'https://news.example/a>b<https://evil.example/angle>',
  'https://news.example/a)[Verify your account](https://evil.example/masked)',
  'https://news.example/a)](https://evil.example/closed)',
];

describe('renderAnswer', () => {
  it('shows each quote once with its number, then the sources as subtext with the link in <…>', () => {
    const payload = renderAnswer(
      answer([
        citation(1, 'Ma said he is open to working with Apple.', { url: 'https://example.com/a' }),
        citation(2, 'Apple Pay launched in October.', { id: 'a1', url: 'https://example.com/a' }),
        citation(3, 'Alipay has 300 million users.', { url: null, source: null }),
      ]),
    );
    expect(payload.embeds).toEqual([]);
    expect(payload.content).toBe(
      [
        '> Ma said he is open to working with Apple. [1]',
        '> Apple Pay launched in October. [2]',
        '> Alipay has 300 million users. [3]',
        '-# [1][2] Article 1 · Reuters, 2014-10-28 · ¶1, ¶2 <https://example.com/a>',
        '-# [3] Article 3 · 2014-10-28 · ¶3',
      ].join('\n'),
    );
  });

  it('escapes Markdown so quotes show as written (mentions are off for the whole client, see bot.test.ts)', () => {
    const quote = 'Shares *soared* on `launch` day, @everyone said <@&123>.';
    const payload = renderAnswer(answer([citation(1, quote), citation(2, '# Not a heading, nor a [link](http://x)')]));
    expect(payload.content).toContain('\\*soared\\*');
    expect(payload.content).toContain('\\`launch\\`');
    expect(unescape(payload.content)).toContain(quote);
    // A quoted line that opens like a heading, or holds a masked link, stays text.
    expect(payload.content).toContain('> \\# Not a heading, nor a \\[link\\](http\\://x) [2]');
  });

  it('leaves out a link Discord could not show as one', () => {
    const payload = renderAnswer(answer([citation(1, 'A quote.', { url: 'javascript:alert(1)' })]));
    expect(payload.content).not.toContain('javascript');
  });

  it.each(UNSAFE_LINKS)('shows the link %s percent-encoded: one link, to its site', (url) => {
    const { content } = renderAnswer(answer([citation(1, 'A quote.', { url })]));
    expect(content).not.toContain(url);
    expect(liveMarkup(content).filter((m) => m.kind === 'link')).toEqual([{ kind: 'link', what: 'news.example' }]);
  });

  it('stays within Discord’s limit with long quotes, shortening each at a word boundary', () => {
    const long = (n: number): string => Array.from({ length: 900 }, (_, i) => `word${n}x${i}`).join(' ') + '.';
    const payload = renderAnswer(answer([citation(1, long(1)), citation(2, long(2)), citation(3, long(3))]));
    expect(payload.content.length).toBeLessThanOrEqual(LIMITS.content);
    const quotes = payload.content.split('\n').filter((line) => line.startsWith('> '));
    expect(quotes).toHaveLength(3);
    for (const [i, line] of quotes.entries()) {
      const quote = line.replace(/^> /, '').replace(/ \[\d+\]$/, '');
      expect(quote.endsWith('…')).toBe(true);
      // What is left is a verbatim prefix of the quote, cut between words.
      const shown = quote.slice(0, -1);
      expect(long(i + 1).startsWith(shown)).toBe(true);
      expect(long(i + 1)[shown.length]).toBe(' ');
    }
    expect(payload.content).toMatch(/\n-# \[1\] Article 1 · Reuters, 2014-10-28 · ¶1\n/);
  });

  it('stays within Discord’s limit when shared with long quotes, and keeps every source line whole', () => {
    const long = (n: number): string => Array.from({ length: 900 }, (_, i) => `word${n}x${i}`).join(' ') + '.';
    const article = (n: number) => ({
      id: `a${n}`,
      title: `Title ${n} ${'long '.repeat(40)}`,
      source: `Source ${n} ${'wide '.repeat(30)}`,
      url: `https://news.example/${n}/${'x'.repeat(250)}`,
    });
    const cited = answer([1, 2, 3].map((n) => citation(n, long(n), article(n))));
    const privately = renderAnswer(cited, { shareable: true, answerId: 7 }).content;
    // A snowflake as long as Discord's get.
    const shared = renderShared(privately, '12345678901234567890');
    expect(shared.length).toBeLessThanOrEqual(LIMITS.content);
    const sources = privately.split('\n').filter((line) => line.startsWith('-# ['));
    expect(sources).toHaveLength(3);
    expect(shared.split('\n').slice(-3)).toEqual(sources);
    expect(shared.split('\n').filter((line) => line.startsWith('> '))).toHaveLength(3);
  });

  it('says plainly when nothing was found and points at /articles', () => {
    const payload = renderAnswer({
      question: 'q',
      found: false,
      text: "I couldn't find an answer to that in the articles.",
      citations: [],
      retrieval: { mode: 'dense', model: 'm' },
    });
    expect(unescape(payload.content)).toContain("I couldn't find an answer to that in the articles.");
    expect(payload.content).toContain('/articles');
    expect(payload.embeds).toEqual([]);
  });
});

describe('shorten', () => {
  it('leaves short text alone and cuts long text at a space with an ellipsis', () => {
    expect(shorten('short text', 20)).toBe('short text');
    expect(shorten('one two three four five', 12)).toBe('one two…');
  });
});

describe('the article list', () => {
  const article = (n: number, more: Partial<Parameters<typeof renderArticleList>[0][number]> = {}) => ({
    id: `article-${n}`,
    title: `Article ${n}`,
    source: 'Reuters',
    date: '2014-10-28',
    url: `https://example.com/${n}`,
    passages: 3,
    ...more,
  });

  it('links each title, a page of ten at a time', () => {
    const embed = renderArticleList(
      Array.from({ length: 12 }, (_, i) => article(i + 1)),
      2,
    );
    expect(embed.description!.split('\n')).toEqual([
      '**[Article 11](https://example.com/11)** — Reuters, 2014-10-28 · 3 passages',
      '**[Article 12](https://example.com/12)** — Reuters, 2014-10-28 · 3 passages',
    ]);
    expect(embed.footer!.text).toBe('Page 2 of 2 — /articles page:1 for more');
  });

  it('fits a page of long titles, sources and links in an embed, and links only what Discord shows as a link', () => {
    const long = Array.from({ length: 10 }, (_, i) =>
      article(i, {
        title: `A ${'very '.repeat(60)}long [bracketed] title`,
        source: 'S'.repeat(500),
        date: '2'.repeat(300),
        url: `https://example.com/${'x'.repeat(290)}`,
      }),
    );
    const embed = renderArticleList(long, null);
    expect(embed.description!.length).toBeLessThanOrEqual(LIMITS.embedDescription);
    expect(embed.description!.split('\n')).toHaveLength(10);
    const odd = renderArticleList([article(1, { title: 'Odd [one]', url: 'javascript:alert(1)' })], null);
    expect(odd.description).toBe('**Odd \\[one\\]** — Reuters, 2014-10-28 · 3 passages');
  });

  it.each(UNSAFE_LINKS)('links a title to %s percent-encoded: one link, to its site', (url) => {
    const { description } = renderArticleList([article(1, { title: 'Ships', url })], null);
    expect(description).not.toContain(url);
    expect(liveMarkup(description!).filter((m) => m.kind === 'link')).toEqual([{ kind: 'link', what: 'news.example' }]);
  });

  it('ends a line with its id when it is to be shown, whole, cutting what is before it first', () => {
    const embed = renderArticleList(
      [
        article(1, { showId: true }),
        article(2),
        article(3, { showId: true, id: 'odd`id', url: null }),
        article(4, {
          ...{ showId: true, id: `harbour/${'f'.repeat(150)}`, url: null },
          ...{ title: 'Long '.repeat(200), source: 'Source '.repeat(20) },
        }),
      ],
      null,
    );
    const lines = embed.description!.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      '**[Article 1](https://example.com/1)** — Reuters, 2014-10-28 · 3 passages · id `article-1`',
      '**[Article 2](https://example.com/2)** — Reuters, 2014-10-28 · 3 passages',
      // A backtick would end the code early: the id is shown escaped instead.
      '**Article 3** — Reuters, 2014-10-28 · 3 passages · id odd\\`id',
    ]);
    expect(lines[3]).toMatch(new RegExp(`^\\*\\*Long Long .*Source… · id \`harbour/f{150}\`$`));
    expect(lines[3]!.length).toBeLessThanOrEqual(Math.floor(LIMITS.embedDescription / 10) - 1);
    // A page of ten such lines still fits an embed.
    const full = renderArticleList(
      Array.from({ length: 10 }, (_, i) => article(i, { showId: true, id: 'x'.repeat(300), title: 'T'.repeat(300) })),
      null,
    );
    expect(full.description!.length).toBeLessThanOrEqual(LIMITS.embedDescription);
  });
});
