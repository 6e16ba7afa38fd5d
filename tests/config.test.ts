import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RENAMED_VARIABLES, loadConfig } from '../src/config.js';
import { VectorIndex, searchBreadth } from '../src/store/vectors.js';
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
    const names = [...read].filter((name) => /^[A-Z][A-Z0-9_]+$/.test(name) && !(name in RENAMED_VARIABLES));
    expect(names).toContain('MEANING_MARGIN');
    const example = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8');
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(
      names.filter((name) => !new RegExp(`^#?\\s*${name}=`, 'm').test(example)),
      '.env.example',
    ).toEqual([]);
    expect(
      names.filter((name) => !readme.includes(`\`${name}\``)),
      'README.md',
    ).toEqual([]);
  });

  it('has .env.example set what an operator sets, and every other setting commented out at its true default', () => {
    const lines = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8').split('\n');
    const settings = (pattern: RegExp) =>
      lines.flatMap((line, n) => {
        const match = pattern.exec(line);
        return match ? [{ name: match[1]!, value: match[2]!, n }] : [];
      });
    const set = settings(/^([A-Z][A-Z0-9_]+)=(.*)$/);
    const commented = settings(/^#\s*([A-Z][A-Z0-9_]+)=(.*)$/);
    expect(set.map((s) => s.name)).toEqual([
      'DISCORD_TOKEN',
      'DISCORD_CLIENT_ID',
      'DISCORD_GUILD_ID',
      'ADMIN_USER_IDS',
      'HOME_SERVER_IDS',
      'ARTICLES_DIR',
    ]);
    // The settings to fill in come first; each variable is there once.
    expect(Math.max(...set.map((s) => s.n))).toBeLessThan(Math.min(...commented.map((s) => s.n)));
    const names = [...set, ...commented].map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    // Copied as it is, the file changes nothing; and each commented value is the default it says it is.
    const env = (entries: { name: string; value: string }[]) =>
      Object.fromEntries(entries.map((s) => [s.name, s.value]));
    const defaults = loadConfig({}, ROOT);
    expect(loadConfig(env(set), ROOT)).toEqual(defaults);
    for (const setting of commented) {
      expect(loadConfig(env([setting]), ROOT), `# ${setting.name}=${setting.value}`).toEqual(defaults);
    }
  });

  it('still reads a renamed variable by its old name, with a warning that names the new one', () => {
    expect(loadConfig(testEnv({ MIN_DENSE_SCORE: '5' }), ROOT)).toMatchObject({
      meaningMargin: 5,
      deprecations: [
        'MIN_DENSE_SCORE is deprecated and will be removed: rename it to MEANING_MARGIN (same meaning, same values).',
      ],
    });
    // The new name wins when both are set; an unset old name warns of nothing.
    expect(loadConfig(testEnv({ MIN_DENSE_SCORE: '5', MEANING_MARGIN: '9' }), ROOT).meaningMargin).toBe(9);
    expect(loadConfig(testEnv(), ROOT).deprecations).toEqual([]);
    // A bad value is reported under the name the operator wrote.
    expect(() => loadConfig(testEnv({ MIN_DENSE_SCORE: 'high' }), ROOT)).toThrow(/MIN_DENSE_SCORE/);
  });

  it('refuses a removed folder inside the articles folder, where the next build would index it again', () => {
    expect(() => loadConfig(testEnv({ ARTICLES_DIR: 'data', REMOVED_DIR: 'data/removed' }), ROOT)).toThrow(
      /REMOVED_DIR/,
    );
    expect(loadConfig(testEnv(), ROOT).removedDir).toBe(path.join(ROOT, 'data/removed'));
  });

  it('limits the feeds one server may follow to MAX_FEEDS_PER_SERVER, 20 unless set', () => {
    expect(loadConfig(testEnv(), ROOT).maxFeedsPerServer).toBe(20);
    expect(loadConfig(testEnv({ MAX_FEEDS_PER_SERVER: '5' }), ROOT).maxFeedsPerServer).toBe(5);
    expect(() => loadConfig(testEnv({ MAX_FEEDS_PER_SERVER: '0' }), ROOT)).toThrow(
      /MAX_FEEDS_PER_SERVER: expected a whole number from 1 to 1000/,
    );
  });

  it('runs one process unless DISCORD_SHARDS is auto or a shard count, and refuses any other value', () => {
    const shards = (value?: string) =>
      loadConfig(testEnv(value === undefined ? {} : { DISCORD_SHARDS: value }), ROOT).discord.shards;
    expect(shards()).toBeNull();
    expect(shards('')).toBeNull();
    expect(shards('auto')).toBe('auto');
    expect(shards(' AUTO ')).toBe('auto');
    expect(shards('4')).toBe(4);
    for (const wrong of ['0', '257', '2.5', '-1', 'two', '[0,1]'])
      expect(() => shards(wrong), wrong).toThrow(
        /DISCORD_SHARDS: ".*" is not a shard count: expected auto, or a whole/,
      );
  });

  it('takes Discord ids of 15 to 21 digits in ADMIN_USER_IDS, HOME_SERVER_IDS and DISCORD_GUILD_ID, and says so', () => {
    // Discord's oldest ids have 17 digits, and a 64-bit snowflake at most 20: the check is a digit or two wider.
    const ids = ['1'.repeat(15), '80351110224678912', '18446744073709551615', '9'.repeat(21)];
    const config = loadConfig(testEnv({ ADMIN_USER_IDS: ids.join(','), HOME_SERVER_IDS: ids.join(', ') }), ROOT);
    expect(config.discord.adminUserIds).toEqual(ids);
    expect(config.homeServerIds).toEqual(ids);
    expect(loadConfig(testEnv({ DISCORD_GUILD_ID: ' 80351110224678912 ' }), ROOT).discord.guildId).toBe(
      '80351110224678912',
    );
    for (const [name, id] of [
      ['ADMIN_USER_IDS', '1'.repeat(14)],
      ['ADMIN_USER_IDS', '1'.repeat(22)],
      ['HOME_SERVER_IDS', '<@80351110224678912>'],
      ['DISCORD_GUILD_ID', 'my-server'],
    ] as const) {
      expect(() => loadConfig(testEnv({ [name]: id }), ROOT)).toThrow(
        `${name}: "${id}" is not a Discord ${name === 'ADMIN_USER_IDS' ? 'user' : 'server'} id: ` +
          'expected digits only, 15 to 21 of them (Discord ids have 17 to 20) (see .env.example)',
      );
    }
  });

  it('searches HNSW with a candidate list that grows with the index, unless HNSW_EF_SEARCH sets one', () => {
    expect(loadConfig(testEnv({ HNSW_EF_SEARCH: '' }), ROOT).hnsw.efSearch).toBeNull();
    expect(loadConfig(testEnv({ HNSW_EF_SEARCH: '300' }), ROOT).hnsw.efSearch).toBe(300);
    expect(() => loadConfig(testEnv({ HNSW_EF_SEARCH: '5' }), ROOT)).toThrow(/HNSW_EF_SEARCH: expected a whole number/);
    expect([25_000, 50_000, 100_000, 300_000, 1_000_000].map(searchBreadth)).toEqual([160, 160, 256, 512, 512]);
    const graph = VectorIndex.create({ dims: 2, m: 16, efConstruction: 50 }, 3);
    [
      [1, 0],
      [0, 1],
      [0.6, 0.8],
    ].forEach((v, label) => graph.add(Float32Array.from(v), label));
    const efOf = (ef: number | null): number => {
      graph.search(Float32Array.from([1, 0]), 2, ef);
      return (graph as unknown as { hnsw: { getEf(): number } }).hnsw.getEf();
    };
    expect(efOf(null)).toBe(searchBreadth(3));
    expect(efOf(40)).toBe(40);
  });
});
