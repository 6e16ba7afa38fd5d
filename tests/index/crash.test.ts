import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadSotu, writeSotuArticles } from '../../scripts/sotu.js';
import { Footnote } from '../../src/library/footnote.js';
import { currentGeneration } from '../../src/store/layout.js';
import { readManifest } from '../../src/store/manifest.js';
import { PassageIndex } from '../../src/store/passage-index.js';
import { ROOT, articlesCopy, silentLog, testConfig, testEnv } from '../support/setup.js';

/** Starts `npm run index`'s program (or `command`) and SIGKILLs it after `afterMs` (or lets it finish first). */
function indexAndKill(
  env: Record<string, string>,
  afterMs: number,
  command = ['src/cli/build-index.ts'],
): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...command], {
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

/** The index opens (which checks every file against the manifest's checksums) and answers. */
async function expectIndexAnswers(env: Record<string, string>): Promise<void> {
  PassageIndex.open(env.INDEX_DIR!)!.close();
  const footnote = new Footnote(testConfig(env), silentLog);
  try {
    const answer = await footnote.ask('Is Jack Ma open to working with Apple?', { mode: 'lexical' });
    expect(answer.citations[0]?.quote).toContain('open to working with Apple Inc on mobile payments');
  } finally {
    await footnote.close();
  }
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
      await expectIndexAnswers(env);
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

describe('an add killed with SIGKILL', () => {
  it(
    'leaves the new file whole or not there at all, and an index that loads and answers',
    { timeout: 120_000 },
    async () => {
      const articles = articlesCopy();
      const env = testEnv({ ARTICLES_DIR: articles });
      const first = new Footnote(testConfig(env), silentLog);
      await first.reindex();
      await first.close();
      // The longest speech, so that its add takes long enough for kills to land in each step.
      const source = path.join(
        writeSotuArticles(
          path.join(ROOT, 'tests/.cache', `crash-add-${process.pid}`),
          [...loadSotu()].sort((a, b) => b.text.length - a.text.length).slice(0, 1),
        )[0]!,
      );
      const content = fs.readFileSync(source, 'utf8');
      const shipped = fs.readdirSync(articles);
      const outcomes: string[] = [];
      try {
        for (const afterMs of [300, 1200, 1800, 2500, 3500, 15000]) {
          await indexAndKill(env, afterMs, ['src/cli/add.ts', source]);
          const added = fs.readdirSync(articles).filter((f) => !shipped.includes(f));
          const saved = added.filter((f) => !f.startsWith('.'));
          outcomes.push(
            `${afterMs} ms: ${saved.length ? 'added' : added.length ? 'a temporary file only' : 'nothing'}`,
          );
          // Never a half-written article: the file is there whole, or only a dot-temp file is.
          for (const file of saved) {
            expect(fs.readFileSync(path.join(articles, file), 'utf8'), `killed after ${afterMs} ms`).toBe(content);
          }
          await expectIndexAnswers(env);
          // Each kill starts from the same articles and index.
          for (const file of added) fs.rmSync(path.join(articles, file));
          const reset = new Footnote(testConfig(env), silentLog);
          await reset.reindex();
          await reset.close();
        }
        console.info(`SIGKILL during add: ${outcomes.join(', ')}`);
      } finally {
        fs.rmSync(path.dirname(source), { recursive: true, force: true });
      }
    },
  );
});
