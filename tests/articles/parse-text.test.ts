import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeDate } from '../../src/articles/dates.js';
import { parseText } from '../../src/articles/parse-text.js';
import { ROOT, SHIPPED_ARTICLE } from '../support/setup.js';
import type { ParsedArticle } from '../../src/core/types.js';

const FIXTURES = path.join(ROOT, 'tests/fixtures/articles');

function paragraphsOf(article: ParsedArticle): string[] {
  return article.paragraphs.map((p) => article.text.slice(p.start, p.end));
}

describe('parseText: the shipped scraped news article', () => {
  const article = parseText(fs.readFileSync(SHIPPED_ARTICLE, 'utf8'), path.basename(SHIPPED_ARTICLE));
  const paragraphs = paragraphsOf(article);
  const headline = "Alibaba's Jack Ma Says He's Open to Working With Apple on Payments";

  it('reads the metadata from the scraped header', () => {
    expect(article).toMatchObject({
      title: headline,
      date: '2014-10-28',
      source: 'Reuters',
      author: 'Deepa Seetharaman',
      url: null,
    });
  });

  it('keeps the body and the closing credit line, and nothing of the header', () => {
    // The file has nine body paragraphs, then the "(Reporting by …)" line.
    expect(paragraphs).toHaveLength(10);
    expect(paragraphs[0]).toMatch(/^Alibaba Group Holdings Ltd executive chairman Jack Ma said he's open/);
    expect(paragraphs.at(-2)).toMatch(/^Alibaba has acquired some smaller American companies/);
    expect(paragraphs.at(-1)).toBe('(Reporting by Deepa Seetharaman; Editing by Edwina Gibbs)');
    for (const furniture of [
      'Image credit',
      'min read',
      'My Queue',
      'originally appeared',
      'Mobile Payments',
      headline,
    ]) {
      expect(article.text).not.toContain(furniture);
    }
    // The caption is also how the first paragraph begins, so it must not survive as a paragraph of its own.
    expect(paragraphs).not.toContain('Alibaba Group Holdings Ltd executive chairman Jack Ma');
  });
});

describe('parseText: Markdown', () => {
  const file = 'riverton-bike-lanes.md';
  const article = parseText(fs.readFileSync(path.join(FIXTURES, file), 'utf8'), file);
  const paragraphs = paragraphsOf(article);

  it('reads front matter, with its aliases', () => {
    expect(article).toMatchObject({
      title: 'Riverton Council Approves Protected Bike Lanes on Main Street',
      date: '2023-05-14',
      source: 'Riverton Ledger',
      author: 'Maria Okafor, Tom Becker',
      url: 'https://www.rivertonledger.example/2023/05/14/main-street-bike-lanes',
    });
  });

  it('turns headings into paragraphs and drops images, comments, rules and the title heading', () => {
    expect(paragraphs[0]).toMatch(/^The Riverton city council voted 6 to 3/);
    expect(paragraphs).toContain('What the plan includes');
    expect(paragraphs).toContain('Opposition from shop owners');
    expect(paragraphs).not.toContain(article.title);
    expect(article.text).not.toMatch(/!\[|<!--|editor: confirm|^---$|^#/m);
  });

  it('keeps inline markup verbatim and list items as their own paragraphs', () => {
    expect(article.text).toContain('**protected bike lanes**');
    expect(article.text).toContain('[staff report](https://www.rivertonledger.example/docs/staff-report.pdf)');
    expect(paragraphs).toContain('- Concrete curbs between the bike lanes and car traffic');
    expect(paragraphs.at(-1)).toBe(
      'The council asked city staff to report back in a year on traffic speeds, crashes and shop sales.',
    );
  });

  it('takes a leading "# Heading" as the title when there is no front-matter title', () => {
    const md = parseText('# A Plain Title\n\nFirst paragraph.\n\n## Later section\n\nSecond paragraph.\n', 'x.md');
    expect(md.title).toBe('A Plain Title');
    expect(paragraphsOf(md)).toEqual(['First paragraph.', 'Later section', 'Second paragraph.']);
  });

  it('keeps a leading heading that differs from the front-matter title', () => {
    const md = parseText('---\ntitle: The Title\n---\n# Chapter one\n\nText.\n', 'x.md');
    expect(md.title).toBe('The Title');
    expect(paragraphsOf(md)).toEqual(['Chapter one', 'Text.']);
  });

  it('falls back to the first heading of any level, which stays a paragraph', () => {
    const md = parseText('Opening words here.\n\n## The Section\n\nMore.\n', 'x.md');
    expect(md.title).toBe('The Section');
    expect(paragraphsOf(md)).toEqual(['Opening words here.', 'The Section', 'More.']);
  });

  it('handles setext headings, fenced code, linked images, multi-line comments and inline comments', () => {
    const md = parseText(
      [
        'Big Title',
        '=========',
        '',
        'Intro text <!-- kept, it is inline --> continues.',
        '',
        '<!--',
        'a hidden note',
        '-->',
        '[![badge](https://x.example/b.svg)](https://x.example)',
        '',
        '```sh',
        '# a shell comment, not a heading',
        'ls -la',
        '```',
        '',
        'Sub Part',
        '--------',
        '',
        '* * *',
        '',
        'End.',
      ].join('\n'),
      'notes.markdown',
    );
    expect(md.title).toBe('Big Title');
    expect(paragraphsOf(md)).toEqual([
      'Intro text <!-- kept, it is inline --> continues.',
      '# a shell comment, not a heading ls -la',
      'Sub Part',
      'End.',
    ]);
  });

  it('keeps a line that holds text between two comments', () => {
    const md = parseText('<!-- a --> kept words <!-- b -->\n\nNext.\n', 'c.md');
    expect(paragraphsOf(md)).toEqual(['<!-- a --> kept words <!-- b -->', 'Next.']);
  });

  it('does not read Markdown syntax in plain text files', () => {
    const txt = parseText('# Not a heading\n\n![not](an-image.png)\n', 'plain.txt');
    expect(paragraphsOf(txt)).toEqual(['# Not a heading', '![not](an-image.png)']);
  });
});

describe('parseText: front matter', () => {
  it('accepts aliases for every field', () => {
    const a = parseText(
      '---\nTitle: T\npubDate: "October 28, 2014"\nsite_name: Wire\nbyline: Jo Bloggs\nlink: https://e.example/a\n---\nBody.\n',
      'a.txt',
    );
    expect(a).toMatchObject({
      title: 'T',
      date: '2014-10-28',
      source: 'Wire',
      author: 'Jo Bloggs',
      url: 'https://e.example/a',
    });
    const b = parseText(
      '---\ntitle: T\npublished_at: 2014/10/28\npublisher: { name: Wire }\nauthor: { name: Jo Bloggs }\n---\nBody.\n',
      'b.md',
    );
    expect(b).toMatchObject({ date: '2014-10-28', source: 'Wire', author: 'Jo Bloggs', url: null });
  });

  it('reports malformed YAML with its line in the file', () => {
    const bad = '---\ntitle: Fine\nauthor: [unclosed\ndate: 2020-01-01\n---\nBody.\n';
    expect(() => parseText(bad, 'bad.md')).toThrow(/invalid YAML front matter in bad\.md at line \d+, column \d+/i);
    expect(() => parseText('---\ntitle: a\ntitle: b\n---\nBody.\n', 'dup.md')).toThrow(/front matter.*line 3/i);
    expect(() => parseText('---\n- just\n- a list\n---\nBody.\n', 'list.md')).toThrow(/invalid YAML front matter/i);
  });

  it('treats an unclosed fence as a rule, not front matter', () => {
    const a = parseText('---\nTitle line without closing fence\n\nBody text.\n', 'a.txt');
    expect(paragraphsOf(a)).toEqual(['Title line without closing fence', 'Body text.']);
  });

  it('gives an impossible date as null', () => {
    expect(parseText('---\ndate: 2014-02-30\n---\nBody.\n', 'a.md').date).toBeNull();
  });
});

describe('parseText: scraped-news conventions', () => {
  it('takes a "By" line as the author and drops widget lines anywhere', () => {
    const a = parseText(
      [
        'Markets',
        '',
        'Shares Slip as Rates Rise',
        'Shares Slip as Rates Rise',
        'By Ana de la Cruz',
        'Published: Tue, 28 Oct 2014 10:30:00 GMT',
        '',
        'Stocks fell on Tuesday after the central bank raised rates for the third time this year.',
        'Share',
        'Tweet',
        '',
        'Advertisement',
        '',
        'Share prices of banks rose.',
        '',
        'Related:',
        'Read more',
        '12 Comments',
        '',
        '(Reporting by Lee Chan in Hong Kong and Sam Ortiz in New York; Editing by Kim Park)',
      ].join('\n'),
      'markets.txt',
    );
    expect(a).toMatchObject({ title: 'Shares Slip as Rates Rise', author: 'Ana de la Cruz', date: '2014-10-28' });
    expect(paragraphsOf(a)).toEqual([
      'Stocks fell on Tuesday after the central bank raised rates for the third time this year.',
      'Share prices of banks rose.',
      '(Reporting by Lee Chan in Hong Kong and Sam Ortiz in New York; Editing by Kim Park)',
    ]);
  });

  it('takes the author from a closing "(Reporting by …)" line when there is no byline', () => {
    const a = parseText(
      'Body text.\n\n(Reporting by Lee Chan in Hong Kong and Sam Ortiz; Editing by Kim Park)\n',
      'a.txt',
    );
    expect(a.author).toBe('Lee Chan and Sam Ortiz');
  });

  it('keeps body sentences that look a little like credit lines', () => {
    const line = 'Originally published in 1851, the novel sold poorly.';
    const a = parseText(`Body.\n\n${line}\n`, 'a.txt');
    expect(a.source).toBeNull();
    expect(paragraphsOf(a)).toEqual(['Body.', line]);
  });

  it('does not take a sentence that starts with "By" for a byline', () => {
    const a = parseText('By Monday, the shares had fallen\n\nBody.\n', 'a.txt');
    expect(a.author).toBeNull();
    expect(paragraphsOf(a)[0]).toBe('By Monday, the shares had fallen');
  });

  it('joins hard-wrapped lines but keeps one-line paragraphs apart', () => {
    const wrapped = parseText('A paragraph that was\nwrapped at a narrow width.\n\nNext one.\n', 'w.txt');
    expect(paragraphsOf(wrapped)).toEqual(['A paragraph that was wrapped at a narrow width.', 'Next one.']);
    const long =
      'This line is a whole paragraph of scraped text and it runs well past any hard-wrap width anyone uses.';
    const lines = parseText(`${long}\nShort one.\n${long}\n`, 'l.txt');
    expect(paragraphsOf(lines)).toEqual([long, 'Short one.', long]);
  });

  it('reads a file with no line breaks at all as one paragraph', () => {
    const sentence =
      'Mr. Speaker, Mr. President, and distinguished members of the Congress, I am honored to be here tonight. ';
    const speech = sentence.repeat(Math.ceil(50_000 / sentence.length)).trim();
    const a = parseText(speech, '1962-state-of-the-union.txt');
    expect(a.paragraphs).toHaveLength(1);
    expect(a.text).toBe(speech);
    expect(a.title).toBe('1962 state of the union');
  });

  it('falls back to the first short line, then the file name, for the title', () => {
    expect(parseText('Remarks at the Harbor\n\nThank you all.\n', 'r.txt').title).toBe('Remarks at the Harbor');
    expect(parseText('It was a dark and stormy night.\n', 'dark_and-stormy.txt').title).toBe('Dark and stormy');
  });
});

describe('normalizeDate', () => {
  it.each([
    ['October 28, 2014', '2014-10-28'],
    ['Oct. 28 2014', '2014-10-28'],
    ['Tuesday, Oct 28th, 2014', '2014-10-28'],
    ['28 Oct 2014', '2014-10-28'],
    ['28th of October, 2014', '2014-10-28'],
    ['Tue, 28 Oct 2014 10:00:00 GMT', '2014-10-28'],
    ['2014/10/28', '2014-10-28'],
    ['2014-10-28T23:30:00-05:00', '2014-10-28'],
    ['Sept. 5, 2014', '2014-09-05'],
    ['2016-02-29', '2016-02-29'],
  ])('%s → %s', (input, iso) => {
    expect(normalizeDate(input)).toBe(iso);
  });

  it.each(['2015-02-29', '2014-13-01', 'February 30, 2014', '31 Apr 2014', 'next Tuesday', '', null])(
    '%s → null',
    (input) => {
      expect(normalizeDate(input)).toBeNull();
    },
  );
});
