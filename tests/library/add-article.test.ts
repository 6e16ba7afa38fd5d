import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addArticle, saveArticle, type AddOptions, type Batch } from '../../src/library/add-article.js';
import { MAX_ELEMENTS } from '../../src/articles/html/markup-size.js';
import { slugFromTitle } from '../../src/articles/save.js';
import { UserError } from '../../src/core/errors.js';
import { Footnote } from '../../src/library/footnote.js';
import { articlesCopy, closeServer, testConfig } from '../support/setup.js';

// Adding articles from links and files, on a real index, with pages from a local server that the
// test names resolve to; nothing but loopback is ever connected to.

const LIGHTHOUSE =
  '---\ntitle: The Lighthouse Keeper\nurl: https://news.example/lighthouse\n---\n\n' +
  'The keeper on Skerry Island logs every ship that passes in a leather ledger, and has done so for thirty one years.\n';

const page = (title: string, body: string, head = ''): string =>
  `<!doctype html><html><head><title>${title}</title>${head}</head><body><article><h1>${title}</h1>${body}</article></body></html>`;
const ORCHARD_BODY =
  '<p class="byline">By Mara Lind</p><p>The quince orchard behind the old mill at Harrow gives its fruit in late October, ' +
  'and the village presses it into a dark amber jelly that is sold at the winter market.</p>' +
  '<p>Forty trees stand in the orchard; the oldest was planted by the miller’s grandmother in 1921.</p>';
const PAGES: Record<string, { type: string; body: string }> = {
  '/orchard': {
    type: 'text/html; charset=utf-8',
    body: page('The Quince Orchard', ORCHARD_BODY, '<meta property="article:published_time" content="2024-10-20">'),
  },
  // The same story under another address (a syndicated copy): the same text.
  '/copy-of-orchard': { type: 'text/html', body: page('The Quince Orchard', ORCHARD_BODY) },
  // A page that names the lighthouse story as its canonical link.
  '/lighthouse-amp': {
    type: 'text/html',
    body: page(
      'Lighthouse (AMP)',
      '<p>An accelerated copy of the lighthouse story: the keeper on Skerry Island logs every ship that passes in a leather ledger.</p>',
      '<link rel="canonical" href="https://news.example/lighthouse">',
    ),
  },
  '/notes.txt': {
    type: 'text/plain',
    body: 'Ferry notes\n\nThe night ferry to Vardo leaves at eleven from the north pier, except on Sundays in winter, when it does not sail at all.\n',
  },
  '/empty': { type: 'text/html', body: page('Sign in', '<p>Please sign in.</p>') },
  // A page that needs scripts: one sentence, under the 20 words an article needs, but more than a handful.
  '/script-shell': {
    type: 'text/html',
    body: page('Harbour news', '<p>Please enable JavaScript to read this story.</p>'),
  },
  '/latin1': {
    type: 'text/plain; charset=iso-8859-1',
    body: 'Caf\xe9 notes\n\nThe caf\xe9 on the harbour front opens at six and serves fish soup, bread and strong coffee to the crews of the early boats.\n',
  },
};

let server: http.Server;
let port: number;
const connected: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const found = PAGES[req.url ?? ''];
    if (!found) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': found.type });
    res.end(Buffer.from(found.body, found.type.includes('iso-8859-1') ? 'latin1' : 'utf8'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await closeServer(server);
  expect(connected.every((a) => a === '127.0.0.1')).toBe(true);
});

const fetching: AddOptions = {
  fetch: {
    resolve: async (host) => (host === 'pages.test' ? ['127.0.0.1'] : host === 'intranet.test' ? ['10.1.2.3'] : []),
    onConnect: (address) => {
      if (address !== '127.0.0.1') throw new Error(`connected to ${address}`);
      connected.push(address);
    },
  },
};
const link = (p: string, host = 'pages.test') => `http://${host}:${port}${p}`;

function setUp(files: Record<string, string> = { 'lighthouse.md': LIGHTHOUSE }) {
  const articles = articlesCopy(files);
  const config = testConfig({ ARTICLES_DIR: articles, FETCH_ALLOW_HOSTS: 'pages.test', RETRIEVAL_MODE: 'lexical' });
  const footnote = new Footnote(config, pino({ level: 'silent' }));
  const listing = () => fs.readdirSync(articles).sort();
  return { articles, config, footnote, listing };
}

describe('adding an article', () => {
  it('from a link: saves its main text with its metadata as a new file, indexes it and answers from it', async () => {
    const { articles, config, footnote } = setUp();
    try {
      const result = await addArticle(footnote, config, { url: link('/orchard') }, fetching);
      expect(result).toMatchObject({
        added: true,
        article: { title: 'The Quince Orchard', file: 'the-quince-orchard.txt' },
      });
      if (!result.added) throw new Error('not added');
      expect(result.passages).toBeGreaterThan(0);
      expect(result.firstParagraph).toMatch(/^The quince orchard behind the old mill/);
      const saved = fs.readFileSync(path.join(articles, 'the-quince-orchard.txt'), 'utf8');
      expect(saved).toMatch(/^---\ntitle: The Quince Orchard\n/);
      expect(saved).toContain(`url: ${link('/orchard')}`);
      expect(result.article).toMatchObject({ author: 'Mara Lind', date: '2024-10-20', url: link('/orchard') });
      const answer = await footnote.ask('When was the oldest quince tree planted?');
      expect(answer.citations[0]).toMatchObject({ article: { file: 'the-quince-orchard.txt' } });
      expect(answer.citations[0]!.quote).toContain('1921');
    } finally {
      await footnote.close();
    }
  });

  it('from a text page, and from a page in another character set', async () => {
    const { config, footnote } = setUp();
    try {
      expect(await addArticle(footnote, config, { url: link('/notes.txt') }, fetching)).toMatchObject({
        added: true,
        article: { title: 'Ferry notes', file: 'ferry-notes.txt' },
      });
      const cafe = await addArticle(footnote, config, { url: link('/latin1') }, fetching);
      expect(cafe).toMatchObject({ added: true, article: { title: 'Café notes' } });
      expect((await footnote.ask('What does the café serve?')).citations[0]!.quote).toContain('fish soup');
    } finally {
      await footnote.close();
    }
  });

  it('does not add the same link twice, nor a page whose canonical link is an indexed article’s, nor the same text', async () => {
    const { config, footnote, listing } = setUp();
    try {
      await addArticle(footnote, config, { url: link('/orchard') }, fetching);
      const before = listing();
      expect(await addArticle(footnote, config, { url: `${link('/orchard')}#comments` }, fetching)).toMatchObject({
        added: false,
        because: 'same link',
        article: { file: 'the-quince-orchard.txt' },
      });
      expect(await addArticle(footnote, config, { url: link('/lighthouse-amp') }, fetching)).toMatchObject({
        added: false,
        because: 'same link',
        article: { file: 'lighthouse.md' },
      });
      expect(await addArticle(footnote, config, { url: link('/copy-of-orchard') }, fetching)).toMatchObject({
        added: false,
        because: 'same text',
        article: { file: 'the-quince-orchard.txt' },
      });
      expect(listing()).toEqual(before);
    } finally {
      await footnote.close();
    }
  });

  it('saves a story once when two saves of one batch (a round of feed polls) read it at once, and counts each once', async () => {
    const { config, footnote, listing } = setUp();
    try {
      await footnote.ensureIndex('lexical');
      const indexed = footnote.articles().length;
      const before = listing();
      const batch: Batch = { links: new Set(), texts: new Set(), files: new Set() };
      const save = (page: string, maxArticles: number | null = null) =>
        saveArticle(() => footnote.index(), { ...config, maxArticles }, { url: link(page) }, fetching, batch);
      // The same text under two links, fetched together.
      const both = await Promise.all([save('/orchard'), save('/copy-of-orchard')]);
      expect(both.filter((r) => 'file' in r)).toHaveLength(1);
      expect(both.filter((r) => !('file' in r))).toEqual([{ added: false, article: null }]);
      expect(listing()).toHaveLength(before.length + 1);
      // A library with room for one more than it had: the batch's article, not yet indexed, takes it.
      await expect(save('/notes.txt', indexed + 1)).rejects.toMatchObject({ code: 'library.full' });
      // Indexed, the batch's article is counted once, not again as the batch's.
      await footnote.reindex();
      await expect(save('/notes.txt', indexed + 2)).resolves.toEqual({ file: 'ferry-notes.txt' });
    } finally {
      await footnote.close();
    }
  });

  it('refuses a page with no readable text, a refused address or a missing page, and changes nothing', async () => {
    const { config, footnote, listing } = setUp();
    try {
      await footnote.reindex();
      const before = listing();
      const built = footnote.index()!.articles().length;
      for (const [url, failure] of [
        [link('/empty'), { code: 'article.no-text', details: { from: { page: link('/empty') } } }],
        [link('/script-shell'), { code: 'article.no-text', details: { from: { page: link('/script-shell') } } }],
        [link('/missing'), { code: 'fetch.status', details: { status: 404 } }],
        [link('/orchard', 'intranet.test'), { code: 'fetch.refused', details: { host: 'intranet.test' } }],
        ['file:///etc/passwd', { code: 'fetch.scheme' }],
      ] as const) {
        await expect(addArticle(footnote, config, { url }, fetching)).rejects.toMatchObject(failure);
      }
      await expect(addArticle(footnote, config, { url: link('/empty') }, fetching)).rejects.toBeInstanceOf(UserError);
      expect(listing()).toEqual(before);
      expect(footnote.index()!.articles()).toHaveLength(built);
    } finally {
      await footnote.close();
    }
  });

  it('from a file: a Markdown file is kept as it was sent, a web page as its main text; other files are refused', async () => {
    const { articles, config, footnote, listing } = setUp();
    try {
      const markdown =
        '---\ntitle: Tide Tables\n---\n\nHigh tide at Harrow falls an hour later each day; the harbour master posts the table on the church door every Monday.\n';
      const md = await addArticle(footnote, config, { name: '../../etc/tide tables.md', bytes: Buffer.from(markdown) });
      // No part of the sent name becomes a path: the file is named from its title, in the articles folder.
      expect(md).toMatchObject({ added: true, article: { file: 'tide-tables.md', title: 'Tide Tables' } });
      expect(fs.readFileSync(path.join(articles, 'tide-tables.md'), 'utf8')).toBe(markdown);
      const html = await addArticle(footnote, config, {
        name: 'saved page.HTM',
        bytes: Buffer.from(page('The Quince Orchard', ORCHARD_BODY)),
      });
      expect(html).toMatchObject({ added: true, article: { file: 'the-quince-orchard.txt', author: 'Mara Lind' } });

      const before = listing();
      await expect(
        addArticle(footnote, config, { name: 'scan.pdf', bytes: Buffer.from('%PDF-1.7') }),
      ).rejects.toMatchObject({ code: 'article.not-article-file', details: { file: 'scan.pdf' } });
      await expect(
        addArticle(footnote, config, { name: 'binary.txt', bytes: Buffer.from([0x68, 0x69, 0x00, 0x01]) }),
      ).rejects.toMatchObject({
        code: 'article.unreadable',
        details: { from: { file: 'binary.txt' }, reason: expect.stringMatching(/contains NUL bytes/) },
      });
      await expect(
        addArticle(footnote, config, { name: 'bad.txt', bytes: Buffer.from([0xc3, 0x28, 0x41, 0x42]) }),
      ).rejects.toMatchObject({
        code: 'article.unreadable',
        details: { reason: expect.stringMatching(/not valid UTF-8/) },
      });
      // A million small elements in 8 MB: refused before it is parsed, which would hold the bot for minutes.
      await expect(
        addArticle(footnote, config, { name: 'page.html', bytes: Buffer.from('<p>a</p>'.repeat(1024 * 1024)) }),
      ).rejects.toMatchObject({
        code: 'article.too-complex',
        details: { from: { file: 'page.html' }, limit: 'elements', max: MAX_ELEMENTS },
      });
      expect(listing()).toEqual(before);
    } finally {
      await footnote.close();
    }
  });

  it('names a second article with the same title -2, and leaves no temporary file', async () => {
    const { config, footnote, listing } = setUp();
    try {
      const text = (n: number) =>
        `Harbour news\n\nIssue ${n}: the harbour wall was repaired this week after the storm, and the fish market reopened on the quay.\n`;
      await addArticle(footnote, config, { name: 'a.txt', bytes: Buffer.from(text(1)) });
      await addArticle(footnote, config, { name: 'b.txt', bytes: Buffer.from(text(2)) });
      expect(listing().filter((f) => f.startsWith('harbour'))).toEqual(['harbour-news-2.txt', 'harbour-news.txt']);
      expect(listing().filter((f) => f.startsWith('.'))).toEqual([]);
    } finally {
      await footnote.close();
    }
  });
});

describe('after a crash mid-add', () => {
  it('a half-written file was never an article, and the next add clears it away', async () => {
    const { articles, config, footnote, listing } = setUp();
    try {
      // What a process killed while writing leaves: a dot file, which the loader never reads.
      const leftover = path.join(articles, '.adding-0123456789ab');
      fs.writeFileSync(leftover, 'Harbour news\n\nIssue 1: the harbour wall was rep');
      const hourAgo = new Date(Date.now() - 3_600_000);
      fs.utimesSync(leftover, hourAgo, hourAgo);
      const summary = await footnote.reindex();
      expect(summary.skipped).toEqual([]);
      expect(
        footnote
          .index()!
          .articles()
          .map((a) => a.file),
      ).not.toContain('.adding-0123456789ab');
      const text =
        'Harbour news\n\nThe harbour wall was repaired this week after the storm, and the fish market reopened on the quay.\n';
      await addArticle(footnote, config, { name: 'news.txt', bytes: Buffer.from(text) });
      expect(listing().filter((f) => f.startsWith('.'))).toEqual([]);
    } finally {
      await footnote.close();
    }
  });
});

describe('file names from titles', () => {
  it.each([
    ['Alibaba’s Jack Ma: open to Apple!', 'alibabas-jack-ma-open-to-apple'],
    ['../../etc/passwd', 'etc-passwd'],
    ['/absolute/name', 'absolute-name'],
    ['Ça va? Déjà vu', 'ca-va-deja-vu'],
    ['東京', 'article'],
    ['', 'article'],
    ['x'.repeat(200), 'x'.repeat(80)],
  ])('%s → %s', (title, slug) => {
    expect(slugFromTitle(title)).toBe(slug);
  });
});
