import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTICLE_EXTENSIONS, loadArticles, type LoadResult } from '../../src/articles/load.js';
import { tempDir } from '../support/setup.js';

function write(dir: string, file: string, content: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), content);
}

const BODY =
  'Council members met on Tuesday to discuss the budget for the coming year, and agreed to meet again in a week.\n';

describe('loadArticles', () => {
  let dir: string;
  let outside: string;
  let result: LoadResult;

  beforeAll(async () => {
    dir = tempDir('footnote-load-');
    outside = tempDir('footnote-outside-');
    write(dir, 'a.txt', `Budget Talks\n\n${BODY}`);
    write(dir, 'sub/b.md', `# Bridge Repairs\n\n${BODY}`);
    write(dir, 'sub/deeper/c.html', `<html><head><title>Parks</title></head><body><p>${BODY}</p></body></html>`);
    write(dir, 'sub/LOUD.TXT', BODY);
    write(dir, 'x.md', `# X in Markdown\n\n${BODY}`);
    write(dir, 'x.txt', `X in text\n\n${BODY}`);
    write(
      dir,
      'bom-crlf.txt',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Line one\r\nline two\r\rNext.\r\n')]),
    );
    write(dir, '.hidden.txt', BODY);
    write(dir, '.drafts/d.txt', BODY);
    write(dir, 'notes.json', '{}');
    write(dir, 'bad-utf8.txt', Buffer.from([0x48, 0x69, 0x20, 0xff, 0xfe, 0x21]));
    write(dir, 'empty.txt', '');
    write(dir, 'blank.md', '  \n\n\t\n');
    write(dir, 'bad-front-matter.md', '---\ntitle: [broken\n---\nBody.\n');
    write(outside, 'secret.txt', BODY);
    write(outside, 'folder/e.txt', BODY);
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'link-out.txt'));
    fs.symlinkSync(path.join(outside, 'folder'), path.join(dir, 'linked-folder'));
    fs.symlinkSync(path.join(dir, 'a.txt'), path.join(dir, 'sub/link-in.txt'));
    fs.symlinkSync(path.join(dir, 'missing.txt'), path.join(dir, 'dangling.txt'));
    // A loop back to the top must not be walked forever.
    fs.symlinkSync(dir, path.join(dir, 'sub/loop'));
    result = await loadArticles(dir);
  });

  afterAll(() => {
    for (const d of [dir, outside]) fs.rmSync(d, { recursive: true, force: true });
  });

  it('walks the tree recursively in sorted order, skipping dot-files and other extensions', () => {
    expect(result.articles.map((a) => a.file)).toEqual([
      'a.txt',
      'bom-crlf.txt',
      'sub/LOUD.TXT',
      'sub/b.md',
      'sub/deeper/c.html',
      'x.md',
      'x.txt',
    ]);
  });

  it('derives ids from paths, keeping the extension only where two files would clash', () => {
    expect(result.articles.map((a) => a.id)).toEqual([
      'a',
      'bom-crlf',
      'sub/LOUD',
      'sub/b',
      'sub/deeper/c',
      'x.md',
      'x.txt',
    ]);
  });

  it('hashes the bytes and normalises the text', () => {
    const bom = result.articles.find((a) => a.file === 'bom-crlf.txt')!;
    const bytes = fs.readFileSync(path.join(dir, 'bom-crlf.txt'));
    expect(bom.hash).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(bom.text).toBe('Line one line two\n\nNext.');
    const html = result.articles.find((a) => a.file === 'sub/deeper/c.html')!;
    expect(html.title).toBe('Parks');
    expect(html.text).toBe(BODY.trim());
  });

  it('reports the files it could not use, with reasons', () => {
    const reasons = Object.fromEntries(result.skipped.map((s) => [s.file, s.reason]));
    expect(Object.keys(reasons).sort()).toEqual([
      'bad-front-matter.md',
      'bad-utf8.txt',
      'blank.md',
      'dangling.txt',
      'empty.txt',
      'link-out.txt',
      'linked-folder',
      'sub/link-in.txt',
    ]);
    expect(reasons['bad-utf8.txt']).toBe('not valid UTF-8 text');
    expect(reasons['empty.txt']).toMatch(/empty/);
    expect(reasons['blank.md']).toMatch(/no article text/);
    expect(reasons['bad-front-matter.md']).toMatch(/invalid YAML front matter in bad-front-matter\.md at line 2/i);
    expect(reasons['link-out.txt']).toMatch(/outside the articles directory/);
    expect(reasons['linked-folder']).toMatch(/outside the articles directory/);
    expect(reasons['dangling.txt']).toMatch(/broken symlink/);
    // A symlink inside is followed, and found to be a second copy of the article it links to.
    expect(reasons['sub/link-in.txt']).toBe('same content as a.txt, which is indexed instead');
  });

  it('throws a clear error when the directory is missing or not a directory', async () => {
    const missing = path.join(dir, 'no-such-dir');
    await expect(loadArticles(missing)).rejects.toThrow(missing);
    await expect(loadArticles(missing)).rejects.toThrow(/ARTICLES_DIR/);
    await expect(loadArticles(path.join(dir, 'a.txt'))).rejects.toThrow(/not a directory/);
  });

  it('lists the extensions it reads', () => {
    expect([...ARTICLE_EXTENSIONS].sort()).toEqual(['.htm', '.html', '.markdown', '.md', '.txt']);
  });
});
