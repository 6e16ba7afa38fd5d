import { describe, expect, it } from 'vitest';
import type { Answer, Citation } from '../../src/answer.js';
import { LIMITS, renderAnswer, shorten } from '../../src/discord/render.js';

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

/** Undoes escapeMarkdown, to compare what Discord shows with the article text. */
const unescape = (s: string): string => s.replace(/\\([\\*_~`|>#\-[\]()])/g, '$1');

function embedChars(payload: ReturnType<typeof renderAnswer>): number {
  return payload.embeds.reduce((n, e) => n + (e.title?.length ?? 0) + (e.description?.length ?? 0), 0);
}

describe('renderAnswer', () => {
  it('shows the answer with markers, then each citation as a quoted embed with its reference', () => {
    const payload = renderAnswer(
      answer([citation(1, 'Ma said he is open to working with Apple.', { url: 'https://example.com/a' })]),
    );
    expect(payload.content).toBe('Ma said he is open to working with Apple. [1]');
    expect(payload.embeds).toEqual([
      {
        title: '[1] Article 1',
        description: '> Ma said he is open to working with Apple.\n— Article 1 (Reuters, 2014-10-28), ¶1',
        url: 'https://example.com/a',
      },
    ]);
  });

  it('escapes Markdown so quotes show as written (mentions are off for the whole client, see bot.test.ts)', () => {
    const payload = renderAnswer(answer([citation(1, 'Shares *soared* on `launch` day, @everyone said <@&123>.')]));
    expect(payload.content).toContain('\\*soared\\*');
    expect(payload.content).toContain('\\`launch\\`');
    expect(unescape(payload.content)).toContain('Shares *soared* on `launch` day, @everyone said <@&123>.');
  });

  it('stays within every Discord limit with long quotes, shortening at word boundaries', () => {
    const long = (n: number): string => Array.from({ length: 900 }, (_, i) => `word${n}x${i}`).join(' ') + '.';
    const payload = renderAnswer(answer([citation(1, long(1)), citation(2, long(2)), citation(3, long(3))]));
    expect(payload.content.length).toBeLessThanOrEqual(LIMITS.content);
    expect(payload.embeds.length).toBeLessThanOrEqual(LIMITS.embedsPerMessage);
    expect(embedChars(payload)).toBeLessThanOrEqual(LIMITS.embedTotal);
    for (const [i, embed] of payload.embeds.entries()) {
      expect(embed.description!.length).toBeLessThanOrEqual(LIMITS.embedDescription);
      const quote = embed.description!.split('\n')[0]!.replace(/^> /, '');
      expect(quote.endsWith('…')).toBe(true);
      // What is left is a verbatim prefix of the quote, cut between words.
      const shown = quote.slice(0, -1);
      expect(long(i + 1).startsWith(shown)).toBe(true);
      expect(long(i + 1)[shown.length]).toBe(' ');
    }
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
