import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ROOT, testEnv } from './support/setup.js';

describe('configuration', () => {
  it('documents every variable it reads in .env.example and the README', () => {
    const read = new Set<string>();
    // The variables are found by watching which ones loadConfig looks up, so a new one cannot be missed.
    const env = new Proxy(testEnv(), {
      get: (target, name) => {
        if (typeof name === 'string') read.add(name);
        return target[name as string];
      },
    });
    loadConfig(env, ROOT);
    const names = [...read].filter((name) => /^[A-Z][A-Z0-9_]+$/.test(name));
    expect(names).toContain('MIN_DENSE_SCORE');
    const example = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8');
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(names.filter((name) => !new RegExp(`^#?\\s*${name}=`, 'm').test(example)), '.env.example').toEqual([]);
    expect(names.filter((name) => !readme.includes(`\`${name}\``)), 'README.md').toEqual([]);
  });
});
