import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHtml } from '../../src/articles/parse-html.js';
import { ROOT } from '../support/setup.js';
import type { ParsedArticle } from '../../src/core/types.js';

const FIXTURE = path.join(ROOT, 'tests/fixtures/articles/harbor-library-late-hours.html');

function paragraphsOf(article: ParsedArticle): string[] {
  return article.paragraphs.map((p) => article.text.slice(p.start, p.end));
}

function page(head: string, body: string): string {
  return `<!DOCTYPE html><html><head>${head}</head><body>${body}</body></html>`;
}

const STORY = [
  '<article>',
  '<h1>Ferry Service Resumes After Storm</h1>',
  '<p>Ferries between the mainland and Gull Island resumed on Monday morning, four days after a storm damaged the main pier and cut the island off from deliveries of food and fuel.</p>',
  '<p>Crews worked through the weekend to replace two pilings and a section of the loading ramp, the port authority said. The first boat left the mainland at 6:40 a.m. carrying mostly supply trucks.</p>',
  '<p>Passenger service will run on a reduced schedule of four crossings a day until repairs to the waiting room are finished, which the authority expects to take about two weeks.</p>',
  '</article>',
].join('');

describe('parseHtml: a news page', () => {
  const article = parseHtml(fs.readFileSync(FIXTURE, 'utf8'), 'harbor-library-late-hours.html');
  const paragraphs = paragraphsOf(article);

  it('reads the metadata', () => {
    expect(article).toMatchObject({
      title: 'Harbor City Library to Stay Open Until Midnight During Exams',
      date: '2024-03-02',
      source: 'The Harbor Gazette',
      author: 'Priya Natarajan',
      url: 'https://www.harborgazette.example/news/library-late-hours',
    });
  });

  it('keeps the story paragraphs, subheading and quote, in order', () => {
    expect(paragraphs[0]).toMatch(/^The main branch of the Harbor City Public Library will stay open until midnight/);
    expect(paragraphs).toContain('Paying for the extra hours');
    expect(article.text).toContain(
      '“Every year we hear from students who have nowhere quiet to work after dinner,” Osei said.',
    );
    expect(paragraphs.at(-1)).toMatch(/^The board will review attendance figures in June/);
    expect(paragraphs).toHaveLength(7);
  });

  it('leaves out the page furniture, scripts, the byline and the title', () => {
    for (const furniture of [
      'cookies',
      'Accept all',
      'Sports',
      'Subscribe today',
      'All rights reserved',
      'Privacy',
      'dataLayer',
      'renderAd',
      'trackPage',
      'font-family',
      'Related stories',
      'City redraws',
      'Library board meeting video',
      'By Priya',
    ]) {
      expect(article.text).not.toContain(furniture);
    }
    expect(paragraphs).not.toContain(article.title);
  });
});

describe('parseHtml: metadata sources', () => {
  it('reads meta tags when there is no JSON-LD, and ignores a profile URL as author', () => {
    const a = parseHtml(
      page(
        [
          '<title>Ferry Service Resumes | Island Times</title>',
          '<meta property="og:site_name" content="Island Times">',
          '<meta property="og:url" content="https://islandtimes.example/ferry">',
          '<meta property="article:published_time" content="2021-11-08T07:00:00Z">',
          '<meta property="article:author" content="https://facebook.example/someone">',
        ].join(''),
        STORY,
      ),
      'ferry.html',
    );
    expect(a).toMatchObject({
      date: '2021-11-08',
      source: 'Island Times',
      author: null,
      url: 'https://islandtimes.example/ferry',
    });
    // The <title> is a shortened headline plus the site name; the h1 is the full headline.
    expect(a.title).toBe('Ferry Service Resumes After Storm');
    expect(paragraphsOf(a)[0]).toMatch(/^Ferries between the mainland/);
  });

  it("takes the site's name after a dash off a <title> with no headline, keeping a short title whole", () => {
    const body = STORY.replace(/<h1>.*?<\/h1>/, '');
    const title = (t: string): string => parseHtml(page(`<title>${t}</title>`, body), 'ferry.html').title;
    expect(title('Ferries Run Again to Gull Island – Island Times')).toBe('Ferries Run Again to Gull Island');
    expect(title('Ferries Run Again to Gull Island — Island Times')).toBe('Ferries Run Again to Gull Island');
    // Four words or fewer may be the headline's own dash ("Ferries – a history") and stay as they are.
    expect(title('Gull Island Ferries – Island Times')).toBe('Gull Island Ferries – Island Times');
  });

  it("does not take the site's heading for the headline: an h1 like the part of the <title> after the last dash", () => {
    const a = parseHtml(
      page(
        '<title>Evolve: Shared Mutable History — evolve extension for Mercurial</title>',
        `<h1>evolve extension for Mercurial</h1>${STORY.replace(/<h1>.*?<\/h1>/, '')}`,
      ),
      'evolve.html',
    );
    expect(a.title).toBe('Evolve: Shared Mutable History — evolve extension for Mercurial');
  });

  it('reads JSON-LD in a @graph, with a list of authors, and skips broken JSON-LD', () => {
    const ld = {
      '@context': 'https://schema.org',
      '@graph': [
        { '@type': 'WebSite', name: 'Not this' },
        {
          '@type': ['ReportageNewsArticle'],
          headline: 'Ferry Service Resumes After Storm',
          datePublished: '2021-11-08',
          author: [
            { '@type': 'Person', name: 'Ines Alvarez' },
            { '@type': 'Person', name: 'Ken Mori' },
          ],
          publisher: { '@type': 'Organization', name: 'Island Times' },
          mainEntityOfPage: { '@id': 'https://islandtimes.example/ferry' },
        },
      ],
    };
    const a = parseHtml(
      page(
        `<script type="application/ld+json">{ not json </script><script type="application/ld+json">${JSON.stringify(ld)}</script>`,
        STORY,
      ),
      'ferry.html',
    );
    expect(a).toMatchObject({
      title: 'Ferry Service Resumes After Storm',
      date: '2021-11-08',
      source: 'Island Times',
      author: 'Ines Alvarez, Ken Mori',
      url: 'https://islandtimes.example/ferry',
    });
    expect(paragraphsOf(a)).not.toContain('Ferry Service Resumes After Storm');
  });

  it('finds the article as the mainEntity of a WebPage', () => {
    const ld = {
      '@type': 'WebPage',
      mainEntity: { '@type': 'NewsArticle', headline: 'Ferry Back', datePublished: 'Nov 8, 2021' },
    };
    const a = parseHtml(page(`<script type="application/ld+json">${JSON.stringify(ld)}</script>`, STORY), 'ferry.html');
    expect(a).toMatchObject({ title: 'Ferry Back', date: '2021-11-08' });
  });

  it('takes the byline Readability finds in the page furniture, and Dublin Core before Open Graph', () => {
    const a = parseHtml(
      page(
        '<meta name="DC.creator" content="Ines Alvarez"><meta property="og:site_name" content="Island Times">' +
          '<meta name="author" content="Web Desk">',
        `<header class="masthead"><nav><a href="/">Home</a></nav></header>${STORY}`,
      ),
      'ferry.html',
    );
    expect(a).toMatchObject({ author: 'Ines Alvarez', source: 'Island Times' });
    const titled = parseHtml(
      page(
        '<meta name="DC.title" content="Ferry Back in Service"><meta property="og:title" content="Ferry News">',
        STORY,
      ),
      'ferry.html',
    );
    expect(titled.title).toBe('Ferry Back in Service');
    const b = parseHtml(
      page('', STORY.replace('</h1>', '</h1><div class="byline">By <a rel="author" href="/mara">Mara Lind</a></div>')),
      'ferry.html',
    );
    expect(b.author).toBe('Mara Lind');
  });

  it('does not take a dateline for a byline, but for the date', () => {
    const dated = STORY.replace('</h1>', '</h1><p class="byline">April 28, 2019 at 6:01 am</p>');
    const a = parseHtml(page('', dated), 'ferry.html');
    expect(a).toMatchObject({ author: null, date: '2019-04-28' });
  });

  it('takes the date from <time datetime> and the author from meta name=author', () => {
    const a = parseHtml(
      page(
        '<meta name="author" content="Ines Alvarez">',
        STORY.replace('</h1>', '</h1><time datetime="2021-11-08T07:00">Nov 8</time>'),
      ),
      'ferry.html',
    );
    expect(a).toMatchObject({ date: '2021-11-08', author: 'Ines Alvarez' });
  });
});

describe('parseHtml: paragraphs', () => {
  it('splits at line breaks and nested blocks without repeating text', () => {
    const a = parseHtml(
      page(
        '<title>Poem</title>',
        '<div><p>First line<br>second line</p><ul><li>Outer<ul><li>Inner</li></ul></li></ul><blockquote><p>Quoted</p></blockquote></div>',
      ),
      'poem.html',
    );
    expect(paragraphsOf(a)).toEqual(['First line', 'second line', 'Outer', 'Inner', 'Quoted']);
  });

  it('reads a fragment without html/head/body, titled from its file name', () => {
    const a = parseHtml('<p>Just a fragment.</p><p>And more.</p>', 'loose-fragment.htm');
    expect(a.title).toBe('Loose fragment');
    expect(paragraphsOf(a)).toEqual(['Just a fragment.', 'And more.']);
  });

  it('gives empty text for a page with nothing to read', () => {
    expect(parseHtml('', 'empty.html').text).toBe('');
    expect(parseHtml(page('<title>x</title>', '<script>var a = 1;</script><nav>Home</nav>'), 'x.html').text).toBe('');
  });
});

describe('parseHtml: a story the page marks as furniture', () => {
  const STORY_PARAGRAPHS = [...STORY.matchAll(/<p>(.*?)<\/p>/g)].map((m) => m[1]!);
  const SIDEBAR =
    '<div class="sidebar"><p>Subscribe to our newsletter for the week in island news, every Friday.</p></div>';

  // The shapes of three of Readability's test pages where removing marked blocks removed the story.
  it.each([
    [
      'a layout panel whose long class name holds "sidebar"',
      `<div class="panel-display panel-two-col-sidebar-right-mix"><div class="column">${STORY}</div></div>${SIDEBAR}`,
    ],
    [
      'an article shown in a "modal" overlay, beside a hidden copy of the page',
      `<div id="render-target-main" aria-hidden="true"><p>Home News Sport Weather</p></div>` +
        `<div class="render-target-active render-target-modal" id="render-target-modal">${STORY}</div>`,
    ],
    [
      'sections whose ids are headings slugged with "sharing"',
      '<div class="document"><h1>Ferry Service Resumes After Storm</h1>' +
        STORY_PARAGRAPHS.map(
          (p, i) =>
            `<div class="section" id="sharing-with-island-${i}"><h2>Part ${i + 1} of the story</h2><p>${p}</p></div>`,
        ).join('') +
        '</div>',
    ],
  ])('keeps the story in %s', (_shape, body) => {
    const a = parseHtml(page('<title>Ferry Service Resumes After Storm</title>', body), 'ferry.html');
    const paragraphs = paragraphsOf(a);
    for (const p of STORY_PARAGRAPHS) expect(paragraphs).toContain(p);
  });

  it('still leaves out marked furniture when the story stands apart from it', () => {
    const a = parseHtml(page('<title>Ferry Service Resumes After Storm</title>', `${STORY}${SIDEBAR}`), 'ferry.html');
    expect(paragraphsOf(a)).toEqual(STORY_PARAGRAPHS);
  });
});
