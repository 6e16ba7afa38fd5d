import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT, SHIPPED_ARTICLES, tempDir, testEnv } from '../support/setup.js';

describe('npm run eval:signals', () => {
  it('tabulates how scaling each weight of the answer step moves hit@1 and hit@3', () => {
    const questions = path.join(ROOT, 'tests/eval/shipped-article.jsonl');
    const run = spawnSync(
      'npm',
      ['run', '-s', 'eval:signals', '--', '--set', `shipped=${questions}:${SHIPPED_ARTICLES}`, '--cache', tempDir()],
      { cwd: ROOT, env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? ROOT, ...testEnv() }, encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    const rows = run.stdout.split('\n').filter((line) => line.startsWith('| '));
    expect(rows[0]).toBe('| weight | shipped hit@1 / hit@3 of 40 |');
    const base = rows.find((r) => r.startsWith('| as set |'))!.match(/\| (\d+) \/ (\d+) \|$/)!;
    // Lexical mode weighs six signals (not the model's), each scaled four ways.
    const scaled = rows.filter((r) => / ×[\d.]+ \|/.test(r));
    expect(scaled).toHaveLength(24);
    // Without the share of the question's words in the sentence, fewer answers rank first.
    const [, one] = rows.find((r) => r.startsWith('| sentence ×0 |'))!.match(/\| (\d+)/)!;
    expect(Number(one)).toBeLessThan(Number(base[1]));
  });
});
