import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Footnote } from '../../src/library/footnote.js';
import { CORAL, articlesCopy, silentLog, tempDir, testConfig } from '../support/setup.js';

describe("a library's handle: articles, status and removal", () => {
  let articles: string;
  let removed: string;
  let footnote: Footnote;
  beforeAll(async () => {
    articles = articlesCopy({ 'coral.txt': CORAL });
    removed = tempDir('footnote-removed-');
    footnote = new Footnote(testConfig({ ARTICLES_DIR: articles, REMOVED_DIR: removed }), silentLog);
    await footnote.reindex();
  });
  afterAll(() => footnote.close());

  it('lists its articles without their text, and gives one whole by its id', () => {
    const listed = footnote.articles();
    expect(listed.map((a) => a.file).sort()).toEqual(['alibaba-jack-ma-open-to-apple-payments.txt', 'coral.txt']);
    expect(listed.every((a) => !('text' in a))).toBe(true);
    const coral = footnote.article(listed.find((a) => a.file === 'coral.txt')!.id)!;
    expect(coral.text).toContain('Bleaching had hit half of the reef');
    expect(footnote.article('no-such-article')).toBeNull();
  });

  it('says what it holds and the mode it answers in, once, for every adapter', () => {
    const status = footnote.status();
    expect(status.index?.counts.articles).toBe(2);
    expect(status.index?.model).not.toBeNull();
    expect(status).toMatchObject({ mode: 'hybrid', lexicalBecause: null, reindexing: false });
  });

  it('refuses an unknown id with its code and moves nothing', async () => {
    const before = fs.readdirSync(articles).sort();
    await expect(footnote.remove('no-such-article')).rejects.toMatchObject({
      code: 'article.unknown',
      details: { id: 'no-such-article' },
    });
    expect(fs.readdirSync(articles).sort()).toEqual(before);
    expect(fs.readdirSync(removed)).toEqual([]);
  });

  it('moves a removed article aside and answers without it', async () => {
    const id = footnote.articles().find((a) => a.file === 'coral.txt')!.id;
    const { article, movedTo, summary } = await footnote.remove(id);
    expect(article.file).toBe('coral.txt');
    expect(fs.existsSync(path.join(articles, 'coral.txt'))).toBe(false);
    expect(fs.readFileSync(path.join(removed, movedTo), 'utf8')).toBe(CORAL);
    expect(summary?.articles).toBe(1);
    expect(footnote.article(id)).toBeNull();
    const answer = await footnote.ask('How much of the reef had bleaching hit?');
    expect(answer.citations.some((c) => c.article.file === 'coral.txt')).toBe(false);
  });
});
