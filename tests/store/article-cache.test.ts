import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Footnote } from '../../src/library/footnote.js';
import { silentLog, tempDir, testConfig } from '../support/setup.js';

describe('articles and passages read from the index', () => {
  it('are kept in memory up to a bound, and read again correctly once let go', async () => {
    const dir = tempDir('footnote-articles-');
    const count = 600;
    for (let i = 0; i < count; i++) {
      fs.writeFileSync(
        path.join(dir, `note-${i}.txt`),
        `Note ${i}\n\nThe harbour log for day ${i} records word${i}.\n`,
      );
    }
    const footnote = new Footnote(testConfig({ ARTICLES_DIR: dir, RETRIEVAL_MODE: 'lexical' }), silentLog);
    try {
      await footnote.reindex();
      const index = footnote.index()!;
      const ids = index.articles().map((a) => a.id);
      expect(ids).toHaveLength(count);
      for (const round of [1, 2]) {
        for (const id of ids)
          expect(index.article(id)!.text, `round ${round}`).toContain(`word${id.replace('note-', '')}.`);
      }
      expect((index as unknown as { articleCache: { size: number } }).articleCache.size).toBe(512);
      // Passages found again come from memory, each still the one its id names.
      for (const round of [1, 2]) {
        for (const i of [0, 299, 599]) {
          const [hit] = index.searchText([`word${i}`], 1);
          expect(hit!.passage.text, `round ${round}`).toContain(`word${i}.`);
          expect(hit!.article.id).toBe(`note-${i}`);
        }
      }
    } finally {
      await footnote.close();
    }
  });
});
