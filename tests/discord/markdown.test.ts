import { describe, expect, it } from 'vitest';
import { inline, plain, safeLink, unescaped } from '../../src/discord/markdown.js';
import { liveMarkup, shown } from '../support/discord-markdown.js';

// The escaping every echo of a user's or a page's text goes through; tests/discord/hostile-echo.test.ts checks each
// message that carries one.

const HOSTILE = [
  '[Verify your account](https://evil.example)',
  '@everyone <@123456789012345678> <#1> <@&2> </ask:3> <t:4:R> <:e:5>',
  '`code` ```block``` ||spoiler|| **bold** __under__ *it* _it_ ~~struck~~',
  '# Heading\n## Two\n-# Subtext\n> quote\n>>> rest\n- item\n* item\n+ item\n12. item\n   # indented',
  'https://evil.example/bare and _https://evil.example/after-underscore',
  '\\[escaped](https://evil.example) \\',
];

describe('plain', () => {
  it.each(HOSTILE)('shows %j as written, with nothing live', (text) => {
    expect(liveMarkup(plain(text))).toEqual([]);
    expect(shown(plain(text))).toBe(text.replace(/\s+/g, ' ').trim());
    expect(unescaped(plain(text))).toBe(text);
  });

  it('leaves ordinary words alone', () => {
    expect(plain('Jack Ma, 50, said: “yes” (twice) — 3.5% of it.')).toBe(
      'Jack Ma, 50, said: “yes” (twice) — 3.5% of it.',
    );
  });
});

describe('inline', () => {
  it('keeps to one line and to its length, escapes counted, with nothing live where it is cut', () => {
    const text = `${'*bold* '.repeat(40)}\n# Heading`;
    const line = inline(text, 100);
    expect(line).not.toContain('\n');
    expect(line.length).toBeLessThanOrEqual(100);
    expect(liveMarkup(line)).toEqual([]);
  });
});

describe('safeLink', () => {
  it('percent-encodes what would end a <link> or a masked link’s target, and leads to the same place', () => {
    const url = "https://en.wikipedia.org/wiki/Foo_(bar)?q=[a b]&r='c'#<frag>";
    const link = safeLink(url)!;
    expect(link).toBe('https://en.wikipedia.org/wiki/Foo_%28bar%29?q=%5Ba%20b%5D&r=%27c%27#%3Cfrag%3E');
    expect(decodeURIComponent(link)).toBe(decodeURIComponent(new URL(url).href));
    expect(liveMarkup(`<${link}>`)).toEqual([{ kind: 'link', what: 'en.wikipedia.org' }]);
    expect(liveMarkup(`[title](${link})`)).toEqual([{ kind: 'link', what: 'en.wikipedia.org' }]);
  });

  it.each([
    ['another scheme', 'javascript:alert(1)'],
    ['a user name, posing as the site', 'https://news.example@evil.example/'],
    ['a bracketed IPv6 host', 'https://[2001:db8::1]/story'],
    ['no address at all', 'not a link'],
    ['an address longer than a message should give it', `https://news.example/${'x'.repeat(300)}`],
  ])('shows no link for %s', (_what, url) => {
    expect(safeLink(url)).toBeNull();
  });
});
