import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { markupSize } from '../../src/articles/html/markup-size.js';
import { parseHtml } from '../../src/articles/parse-html.js';
import { assembleText } from '../../src/articles/article-text.js';
import { parseText } from '../../src/articles/parse-text.js';
import { approximateTokenCount, chunkArticle, type TokenCounter } from '../../src/core/text/passages.js';
import { builtTree } from '../support/dom-tree.js';
import { collapse } from '../support/setup.js';
import type { Article, ParsedArticle, Passage } from '../../src/core/types.js';

// Fixed, so a failure reproduces; fast-check prints the shrunk counterexample with the seed.
const SEED = 20141028;

// ---------------------------------------------------------------------------
// Generators: arbitrary text salted with what scraped news and web pages contain.
// ---------------------------------------------------------------------------

const NEWS_FRAGMENTS = [
  'date 2014-10-28',
  'date 2014-10-28 My Queue',
  'Published: Oct 28, 2014',
  'October 28, 2014 10:30 AM ET',
  'Tue, 28 Oct 2014',
  '2014-02-30',
  '---',
  '***',
  '...',
  '# Heading',
  '## Sub heading ##',
  '#',
  '######',
  'Heading',
  '=====',
  '-----',
  'Image credit: Reuters',
  'Photo courtesy: AP',
  'A caption',
  '(Reporting by Jane Doe in San Francisco; Editing by Bob Roe)',
  '(Reporting by',
  'By Jane Doe',
  'By Jane Doe | Reuters',
  'By Monday, the shares had fallen.',
  '3 min read',
  'Share',
  'Related:',
  '12 Comments',
  'This story originally appeared on Wired.',
  'Same Headline',
  '<p>',
  '</p>',
  '<script>x()</script>',
  '<!-- note -->',
  '<!--',
  '-->',
  '```',
  '~~~',
  '- item',
  '1. item',
  '* ',
  '> quote',
  '| a | b |',
  '|---|---|',
  '![img](x.png)',
  '[![i](a)](b)',
  '[link](http://x.com)',
  '**bold**',
  '_',
  '\\',
  'Mr. Ma said so.',
  'Apple Inc. rose 3.5%.',
  'the U.S. Army',
  'e.g.',
  'What?No',
  '1.Y',
  'end.Start',
  '"Quoted," he said.',
  'http://example.com/a/very/long/path?query=1&x=2',
  'title: x',
  'ÅÄÖ',
  'שלום עולם',
  'مرحبا',
  'e\u0301',
  '😀',
  '👨‍👩‍👧',
  '🇺🇸',
];

// Invisible, direction, line-separator and control characters, and white space \s does and does not match.
const ODD_CHARACTERS = [
  '\u200b',
  '\u200c',
  '\u200d',
  '\u200e',
  '\u200f',
  '\u202a',
  '\u202e',
  '\u2066',
  '\u2069',
  '\u2060',
  '\ufeff',
  '\u00ad',
  '\u0085',
  '\u2028',
  '\u2029',
  '\u00a0',
  '\u1680',
  '\u2003',
  '\u3000',
  '\u180e',
  '\t',
  '\v',
  '\f',
  '\r',
  '\n',
  '\r\n',
  '\u0000',
  '\u0007',
  '\u001b',
  '\u007f',
  '\ufffd',
  '\uffff',
];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const oddCharacter = fc.oneof(fc.constantFrom(...ODD_CHARACTERS), loneSurrogate);
const separator = fc.constantFrom(' ', '  ', '\n', '\n\n', '\r\n', '\r\n\r\n', '\t', '\n   \n', '');
const longLine = fc
  .tuple(fc.constantFrom('word ', 'x', 'Long sentence here. ', 'a-b/c?d=e&', 'ab. '), fc.integer({ min: 30, max: 600 }))
  .map(([s, n]) => s.repeat(n));

/** One piece of a document: mostly news-like fragments, sometimes arbitrary unicode or a very long line. */
function piece(extra: readonly string[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...NEWS_FRAGMENTS, ...extra) },
    { weight: 4, arbitrary: separator },
    { weight: 2, arbitrary: oddCharacter },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
    { weight: 1, arbitrary: longLine },
  );
}

const textDocument = fc.array(piece(), { maxLength: 40 }).map((parts) => parts.join(''));

const YAML_KEYS = [
  'title',
  'Title',
  'date',
  'published',
  'pubdate',
  'author',
  'authors',
  'byline',
  'source',
  'publisher',
  'url',
  'tags',
  '<<',
];
const YAML_VALUES = [
  'x',
  'Same Headline',
  '"quoted"',
  "'single'",
  '',
  '~',
  '12',
  'true',
  '2014-10-28',
  '2014-02-30',
  'Oct 28, 2014',
  '20141028',
  'Jane Doe',
  '{name: Jane Doe}',
  '[A, B]',
  '[1, {name: n}]',
  '{name: {name: Deep}}',
  'http://x.com',
  '|\n  literal\n  block',
  // Anchors that make a value contain itself, and aliases with no anchor: yaml resolves the one, throws on the other.
  '&a [*a]',
  '&a {name: *a}',
  '&a [x, *a]',
  '&a {name: [*a]}',
  '*missing',
  '!!binary aGk=',
  '!custom y',
  '!!timestamp no',
  '!!omap [a: 1, a: 2]',
  '!!set {a: 1}',
  // Broken YAML.
  '[a, b',
  '"unterminated',
  'b: c',
  '{a: 1',
  '@reserved',
  '`tick',
];
const YAML_BROKEN_LINES = [
  '- list item',
  ': :',
  '? complex',
  '\ttab: 1',
  'title: x\ntitle: y',
  '  indented: 1',
  // An alias bomb: yaml refuses to expand it.
  'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
];

// YAML front matter, mostly well-formed "key: value" lines, sometimes anything at all.
const yamlLines = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .uniqueArray(fc.tuple(fc.constantFrom(...YAML_KEYS), fc.constantFrom(...YAML_VALUES)), {
        selector: ([k]) => k,
        maxLength: 5,
      })
      .map((pairs) => pairs.map(([k, v]) => `${k}: ${v}`)),
  },
  { weight: 1, arbitrary: fc.array(fc.oneof(fc.constantFrom(...YAML_BROKEN_LINES), piece()), { maxLength: 5 }) },
);

// A front-matter fence, YAML and a body: exercises the one place parseText may throw.
const frontMatterDocument = fc
  .tuple(
    fc.constantFrom('---\n', '---\r\n', '--- \n'),
    yamlLines,
    fc.oneof(
      { weight: 4, arbitrary: fc.constant('---\n') },
      { weight: 1, arbitrary: fc.constantFrom('...\n', '---\r\n', '--- \n', '') },
    ),
    textDocument,
  )
  .map(([open, lines, close, body]) => `${open}${lines.join('\n')}\n${close}${body}`);

const HTML_FRAGMENTS = [
  '<html>',
  '</html>',
  '<head>',
  '</head>',
  '<body>',
  '</body>',
  '<!doctype html>',
  '<title>Same Headline | Site</title>',
  '<title>',
  '</title>',
  '<h1>',
  '</h1>',
  '<h2>',
  '</h2>',
  '<p>',
  '</p>',
  '<div>',
  '</div>',
  '<br>',
  '<hr>',
  '<span>',
  '</span>',
  '<em>',
  '</em>',
  '<a href="#">',
  '</a>',
  '<article>',
  '</article>',
  '<main>',
  '</main>',
  '<header>',
  '</header>',
  '<aside>',
  '</aside>',
  '<nav>',
  '</nav>',
  '<footer>',
  '</footer>',
  '<div class="share-bar">',
  '<div class="article-body related">',
  '<div hidden>',
  '<p aria-hidden="true">',
  '<div role="navigation">',
  '<section id="comments">',
  '<ul>',
  '<li>',
  '</li>',
  '</ul>',
  '<table><tr><td>',
  '</td><td>',
  '</td></tr></table>',
  '<pre>',
  '</pre>',
  '<blockquote>',
  '</blockquote>',
  '<script>var x = "<p>";</script>',
  '<script>',
  '</script>',
  '<style>p{}</style>',
  '<noscript>',
  '</noscript>',
  '<template><p>t</p></template>',
  '<svg><text>x</text></svg>',
  '<iframe src="x">',
  '<img src="x.png" alt="y">',
  '<script type="application/ld+json">{"@type":"NewsArticle","headline":"H","author":{"name":"A"},"datePublished":"2014-10-28"}</script>',
  '<script type="application/ld+json">{"@graph":[{"@type":["BlogPosting"],"author":[{"name":"B"}]}]}</script>',
  '<script type="application/ld+json">{broken</script>',
  '<meta property="og:title" content="T">',
  '<meta name="author" content="https://x.com/a">',
  '<link rel="canonical" href="http://x.com/a">',
  '<time datetime="2014-10-28">',
  '</time>',
  '<!--',
  '-->',
  '<!-- c -->',
  '<![CDATA[x]]>',
  '&amp;',
  '&nbsp;',
  '&#x1F600;',
  '&#0;',
  '&#xD800;',
  '&bogus;',
  '<',
  '>',
  '</',
  '<p class="byline">By Jane Doe</p>',
  '<p>date 2014-10-28</p>',
  '<p>Body text that goes on for a while, as articles do.</p>',
  '<!-- <html><body> -->',
  '</head>',
  '<script>document.write("<html><body>")</script>',
];

const htmlDocument = fc.array(piece(HTML_FRAGMENTS), { maxLength: 40 }).map((parts) => parts.join(''));

const textFileName = fc.constantFrom('a.txt', 'notes.md', 'Story.MARKDOWN', 'sub/alibaba-jack-ma_2014.txt', '.txt');

// ---------------------------------------------------------------------------
// Parsers.
// ---------------------------------------------------------------------------

function paragraphsOf(article: ParsedArticle): string[] {
  return article.paragraphs.map((p) => article.text.slice(p.start, p.end));
}

/** The shape every parser's output has, whatever it was given. */
function expectWellFormed(article: ParsedArticle): void {
  const paragraphs = paragraphsOf(article);
  expect(article.paragraphs.map((p) => p.n)).toEqual(paragraphs.map((_, i) => i + 1));
  expect(paragraphs.join('\n\n')).toBe(article.text);
  for (const p of paragraphs) {
    expect(p).not.toBe('');
    expect(p).toBe(p.trim());
    expect(p).toBe(collapse(p));
  }
  expect(article.title).not.toBe('');
  if (article.date !== null)
    expect(new Date(`${article.date}T00:00:00Z`).toISOString().slice(0, 10)).toBe(article.date);
}

/** Runs a parser; returns null when it threw a proper error that `allowed` accepts. */
function parseOrError(parse: () => ParsedArticle, allowed: (message: string) => boolean): ParsedArticle | null {
  try {
    return parse();
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).not.toBe('');
    expect(allowed(message), message).toBe(true);
    return null;
  }
}

describe('parseText properties', () => {
  // yaml reports unknown tags (`!custom`) through process.emitWarning: noise in this test's output.
  beforeAll(() => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  });
  afterAll(() => {
    vi.restoreAllMocks();
  });

  const check = (content: string, fileName: string): void => {
    // Only YAML front matter may be rejected, and the reason names the file.
    const article = parseOrError(
      () => parseText(content, fileName),
      (m) => m.startsWith(`Invalid YAML front matter in ${fileName}`),
    );
    if (!article) return;
    expectWellFormed(article);
    // As the loader hands the content over: line endings normalized.
    const source = collapse(content.replace(/\r\n?/g, '\n'));
    for (const p of paragraphsOf(article)) expect(source.includes(p), p).toBe(true);
  };

  it('turns any text into verbatim, well-formed paragraphs', () => {
    fc.assert(fc.property(textDocument, textFileName, check), { seed: SEED, numRuns: 500 });
  });

  it('rejects bad front matter only with an Error naming the file, and parses the rest', () => {
    fc.assert(fc.property(frontMatterDocument, textFileName, check), { seed: SEED, numRuns: 400 });
  });
});

describe('parseHtml properties', () => {
  it('counts the elements, depth and nesting of any markup as linkedom builds them, before it is parsed', () => {
    fc.assert(
      fc.property(htmlDocument, (content) => {
        expect(markupSize(content)).toMatchObject(builtTree(content));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('never throws on any markup and returns well-formed paragraphs', () => {
    fc.assert(
      fc.property(htmlDocument, (content) => {
        // HTML has no front matter: nothing is a reason to throw.
        const article = parseOrError(
          () => parseHtml(content, 'page.html'),
          () => false,
        );
        if (article) expectWellFormed(article);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------
// Chunker.
// ---------------------------------------------------------------------------

const countWords: TokenCounter = (text) => text.match(/\S+/g)?.length ?? 0;

const COUNTERS: Array<[string, TokenCounter]> = [
  ['approximateTokenCount', approximateTokenCount],
  ['word counter', countWords],
];

// Paragraph text: sentences and words, with overlong "words" (URLs) and sometimes far more text
// than any passage holds, including more than sentenceSpans segments at once.
const paragraphText = fc.oneof(
  { weight: 8, arbitrary: fc.array(piece(), { minLength: 1, maxLength: 30 }).map((parts) => parts.join(' ')) },
  { weight: 2, arbitrary: fc.array(piece(), { minLength: 1, maxLength: 30 }).map((parts) => parts.join('')) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          'Mr. Ma went to the U.S. Army base. ',
          'One two three four five six seven eight nine ten. ',
          'y',
        ),
        fc.integer({ min: 100, max: 400 }),
      )
      .map(([s, n]) => s.repeat(n)),
  },
);

const article = fc.array(paragraphText, { maxLength: 10 }).map((texts): Article => {
  const { text, paragraphs } = assembleText(texts.map(collapse).filter((t) => t !== ''));
  const meta = { title: 'Prop', date: null, source: null, author: null, url: null };
  return { id: 'prop', file: 'prop.txt', hash: '', ...meta, text, paragraphs, credits: [] };
});

/**
 * What is wrong with `passages` as a chunking of `a`: plain checks, as an expect per passage costs more than the
 * chunking.
 */
function chunkingProblems(
  a: Article,
  passages: readonly Passage[],
  countTokens: TokenCounter,
  maxTokens: number,
): string[] {
  const problems: string[] = [];
  const covered = new Uint8Array(a.text.length);
  passages.forEach((p, i) => {
    const problem = (what: string): void => {
      problems.push(`passage ${i} ${JSON.stringify(p.text.slice(0, 60))}: ${what}`);
    };
    if (p.ordinal !== i) problem(`ordinal ${p.ordinal}`);
    if (p.articleId !== a.id) problem(`article ${p.articleId}`);
    if (p.text === '' || p.text !== a.text.slice(p.start, p.end)) problem(`not the slice [${p.start}, ${p.end})`);
    if (i > 0 && p.start <= passages[i - 1]!.start) problem(`starts at ${p.start}, not after the previous passage`);
    const first = a.paragraphs[p.paragraphStart - 1];
    const last = a.paragraphs[p.paragraphEnd - 1];
    if (!first || !last || p.paragraphStart > p.paragraphEnd || p.start < first.start || p.end > last.end) {
      problem(`not within paragraphs ${p.paragraphStart}-${p.paragraphEnd}`);
    }
    const tokens = countTokens(p.text);
    if (p.tokens !== tokens) problem(`records ${p.tokens} tokens, has ${tokens}`);
    // A single overlong "word" (a URL, a table row) is kept whole rather than cut inside.
    if (tokens > maxTokens && /\s/.test(p.text)) problem(`${tokens} tokens over the budget of ${maxTokens}`);
    covered.fill(1, p.start, p.end);
  });
  for (const para of a.paragraphs) {
    for (let i = para.start; i < para.end; i++) {
      if (!covered[i] && !/\s/.test(a.text[i]!)) problems.push(`offset ${i} of paragraph ${para.n} in no passage`);
    }
  }
  return problems;
}

describe('chunkArticle properties', () => {
  it.each(COUNTERS)('cuts any article into exact, ordered, covering passages within budget (%s)', (_, countTokens) => {
    fc.assert(
      fc.property(
        article,
        fc.constantFrom(2, 8, 16, 64, 160),
        fc.integer({ min: 0, max: 2 }),
        (a, maxTokens, overlapSentences) => {
          const passages = chunkArticle(a, countTokens, { maxTokens, overlapSentences });
          expect(chunkingProblems(a, passages, countTokens, maxTokens)).toEqual([]);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});
