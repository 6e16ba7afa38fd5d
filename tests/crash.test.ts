import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadSotu, writeSotuArticles } from '../scripts/sotu.js';
import { Footnote } from '../src/footnote.js';
import { currentGeneration } from '../src/store/layout.js';
import { readManifest } from '../src/store/manifest.js';
import { PassageIndex } from '../src/store/passage-index.js';
import { ROOT, articlesCopy, silentLog, testConfig, testEnv } from './support/setup.js';

/** Starts `npm run index`'s program and SIGKILLs it after `afterMs` (or lets it finish first). */
function indexAndKill(env: Record<string, string>, afterMs: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/build-index.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? ROOT, ...env },
    stdio: 'ignore',
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), afterMs);
  return new Promise((resolve) =>
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    }),
  );
}

describe('a reindex killed with SIGKILL', () => {
  it('leaves an index that loads and answers, whenever it is killed', { timeout: 120_000 }, async () => {
    const articles = articlesCopy();
    const env = testEnv({ ARTICLES_DIR: articles });
    const first = new Footnote(testConfig(env), silentLog);
    await first.reindex();
    await first.close();
    // Enough new text that a rebuild takes a few seconds: kills land before, during and after it.
    writeSotuArticles(path.join(articles, 'sotu'), loadSotu().slice(0, 20));

    const outcomes: string[] = [];
    for (const afterMs of [500, 2500, 3200, 3900, 4600, 9000]) {
      await indexAndKill(env, afterMs);
      const generation = currentGeneration(env.INDEX_DIR!);
      expect(generation, `killed after ${afterMs} ms`).not.toBeNull();
      const manifest = readManifest(generation!)!;
      expect([1, 21]).toContain(manifest.counts.articles);
      outcomes.push(`${afterMs} ms: ${manifest.counts.articles === 1 ? 'old index' : 'new index'}`);
      // Opening checks every file against the manifest's checksums.
      PassageIndex.open(env.INDEX_DIR!)!.close();
      const footnote = new Footnote(testConfig(env), silentLog);
      try {
        const answer = await footnote.ask('Is Jack Ma open to working with Apple?', { mode: 'lexical' });
        expect(answer.citations[0]?.quote).toContain('open to working with Apple Inc on mobile payments');
      } finally {
        await footnote.close();
      }
    }

    console.info(`SIGKILL during reindex: ${outcomes.join(', ')}`);

    // The next build takes over a lock a killed one left, finishes, and clears the leftovers.
    const last = new Footnote(testConfig(env), silentLog);
    try {
      const summary = await last.reindex();
      expect(summary.articles).toBe(21);
    } finally {
      await last.close();
    }
    expect(fs.readdirSync(env.INDEX_DIR!).filter((name) => name.startsWith('g-'))).toHaveLength(1);
    expect(fs.existsSync(path.join(env.INDEX_DIR!, 'build.lock'))).toBe(false);
  });
});
