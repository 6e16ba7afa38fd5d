import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT, SHIPPED_ARTICLES, modelDir, tempDir, testEnv } from '../support/setup.js';

describe('scripts/eval-matrix.ts', () => {
  it('prints a row per set and mode, and what the best choice between the modes per question would score', () => {
    const questions = path.join(ROOT, 'tests/eval/shipped-article-synonyms.jsonl');
    const run = spawnSync(
      'node',
      [
        ...['--import', 'tsx', 'scripts/eval-matrix.ts'],
        ...['--set', `synonyms=${questions}:${SHIPPED_ARTICLES}`, '--model', modelDir(), '--modes', 'lexical,dense'],
        ...['--cache', tempDir()],
      ],
      { cwd: ROOT, env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? ROOT, ...testEnv() }, encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    const rows = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('| synonyms |'))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    expect(rows.map((r) => r[2])).toEqual(['lexical', 'dense', 'best of lexical/dense']);
    // hit@1 and hit@3 of each row.
    const [lexical, dense, best] = rows.map((r) => ({ one: Number(r[3]), three: Number(r[4]) }));
    // A question counts when either mode cites right: at least as many as either, and here more (the
    // two modes get different questions right).
    for (const k of ['one', 'three'] as const) {
      expect(best![k]).toBeGreaterThanOrEqual(Math.max(lexical![k], dense![k]));
      expect(best![k]).toBeLessThanOrEqual(Math.min(1, lexical![k] + dense![k]));
    }
    expect(best!.one).toBeGreaterThan(Math.max(lexical!.one, dense!.one));
  });
});
