import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Footnote } from '../../src/library/footnote.js';
import { CORAL, articlesCopy, silentLog, tempDir, testConfig } from '../support/setup.js';

let open: Footnote[] = [];
afterEach(async () => {
  for (const footnote of open) await footnote.close();
  open = [];
});

describe('the live index', () => {
  it('answers from what another process built since it opened, as from its own rebuild', async () => {
    const articles = articlesCopy();
    const config = testConfig({ ARTICLES_DIR: articles, INDEX_DIR: tempDir('footnote-index-') });
    // The bot, serving; then `npm run index` (another Footnote on the same folders, as another process would be).
    const bot = new Footnote(config, silentLog);
    const shell = new Footnote(config, silentLog);
    open = [bot, shell];
    await bot.reindex();
    const question = 'How much of the reef had bleaching hit?';
    expect((await bot.ask(question)).citations.some((c) => c.quote.includes('Bleaching'))).toBe(false);

    fs.writeFileSync(path.join(articles, 'coral.txt'), CORAL);
    await shell.reindex();
    const answer = await bot.ask(question);
    expect(answer.citations[0]?.quote).toContain('Bleaching had hit half of the reef');
    expect(bot.articles().map((a) => a.file)).toContain('coral.txt');
    // The bot's own next build finds nothing left to do.
    expect((await bot.reindex()).added).toBe(0);
  });
});
