import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deleteRemovedBefore, moveToRemoved } from '../../src/articles/set-aside.js';
import { UserError } from '../../src/core/errors.js';
import { tempDir } from '../support/setup.js';

function folders(files: Record<string, string> = {}): { articles: string; removed: string } {
  const articles = tempDir('footnote-articles-');
  const removed = path.join(tempDir('footnote-removed-'), 'removed');
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(articles, name)), { recursive: true });
    fs.writeFileSync(path.join(articles, name), content);
  }
  return { articles, removed };
}

describe('moveToRemoved', () => {
  it('moves the file under the same relative path, byte for byte, creating the folders', async () => {
    const bytes = Buffer.from('Title\n\nCafé text\r\n\u0000?');
    const { articles, removed } = folders({ 'news/2024/story.md': 'x' });
    fs.writeFileSync(path.join(articles, 'news/2024/story.md'), bytes);
    expect(await moveToRemoved(articles, removed, 'news/2024/story.md')).toBe(path.join('news', '2024', 'story.md'));
    expect(fs.existsSync(path.join(articles, 'news/2024/story.md'))).toBe(false);
    expect(fs.readFileSync(path.join(removed, 'news/2024/story.md')).equals(bytes)).toBe(true);
  });

  it('never overwrites: a name already taken gets -2, then -3', async () => {
    const { articles, removed } = folders({ 'a.txt': 'first' });
    fs.mkdirSync(removed, { recursive: true });
    fs.writeFileSync(path.join(removed, 'a.txt'), 'already here');
    fs.writeFileSync(path.join(removed, 'a-2.txt'), 'also here');
    expect(await moveToRemoved(articles, removed, 'a.txt')).toBe('a-3.txt');
    expect(fs.readFileSync(path.join(removed, 'a.txt'), 'utf8')).toBe('already here');
    expect(fs.readFileSync(path.join(removed, 'a-2.txt'), 'utf8')).toBe('also here');
    expect(fs.readFileSync(path.join(removed, 'a-3.txt'), 'utf8')).toBe('first');
  });

  it('refuses a path out of the articles folder, by .. or through a link, and leaves it in place', async () => {
    const outside = folders({ 'secret.txt': 'secret' });
    const { articles, removed } = folders({ 'kept.txt': 'kept' });
    const escape = path.relative(articles, path.join(outside.articles, 'secret.txt'));
    await expect(moveToRemoved(articles, removed, escape)).rejects.toThrow(/not inside/);
    await expect(moveToRemoved(articles, removed, '.')).rejects.toThrow(/not inside/);
    fs.symlinkSync(outside.articles, path.join(articles, 'linked'));
    await expect(moveToRemoved(articles, removed, 'linked/secret.txt')).rejects.toThrow(/leads out of/);
    expect(fs.readFileSync(path.join(outside.articles, 'secret.txt'), 'utf8')).toBe('secret');
    expect(fs.existsSync(removed)).toBe(false);
  });

  it('refuses a link inside the folder (the person asking is told), and moves nothing', async () => {
    const { articles, removed } = folders({ 'real.txt': 'real' });
    fs.symlinkSync(path.join(articles, 'real.txt'), path.join(articles, 'alias.txt'));
    await expect(moveToRemoved(articles, removed, 'alias.txt')).rejects.toThrow(UserError);
    expect(fs.readlinkSync(path.join(articles, 'alias.txt'))).toBe(path.join(articles, 'real.txt'));
    expect(fs.existsSync(removed)).toBe(false);
  });
});

describe('deleteRemovedBefore', () => {
  const DAY_MS = 24 * 60 * 60_000;

  it('deletes exactly the files removed before the cutoff, in folders too, counting from their removal', async () => {
    const { articles, removed } = folders({
      'a.txt': 'a',
      'news/b.txt': 'b',
      'written-long-ago.txt': 'c',
      'd.txt': 'd',
    });
    const yearAgo = new Date(Date.now() - 365 * DAY_MS);
    fs.utimesSync(path.join(articles, 'written-long-ago.txt'), yearAgo, yearAgo);
    for (const file of ['a.txt', 'news/b.txt', 'written-long-ago.txt', 'd.txt']) {
      await moveToRemoved(articles, removed, file);
    }
    // Removed "60 days later" than the others (a file's removal is its later time).
    const later = new Date(Date.now() + 60 * DAY_MS);
    fs.utimesSync(path.join(removed, 'd.txt'), later, later);
    // A link is not a removed article: it stays, and what it points to too.
    fs.symlinkSync(path.join(articles, '..'), path.join(removed, 'link'));

    // Written a year ago, removed just now: kept.
    expect(await deleteRemovedBefore(removed, Date.now() - DAY_MS)).toEqual([]);
    expect(await deleteRemovedBefore(removed, Date.now() + 30 * DAY_MS)).toEqual([
      'a.txt',
      path.join('news', 'b.txt'),
      'written-long-ago.txt',
    ]);
    expect(fs.readdirSync(removed).sort()).toEqual(['d.txt', 'link', 'news']);
    expect(await deleteRemovedBefore(path.join(removed, 'not-made-yet'), Date.now())).toEqual([]);
  });
});
