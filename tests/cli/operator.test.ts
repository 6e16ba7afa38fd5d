import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { FORGOTTEN_USER } from '../../src/library/forget.js';
import { ALICE, BOB, SERVER_A, SERVER_B, everything, kept, writeRecords } from '../support/kept-records.js';
import { ROOT, tempDir, testEnv } from '../support/setup.js';

// The operator's npm run backup and npm run forget, run as an operator runs them, on files the product's own stores
// wrote. What they copy and delete is tested in tests/library/backup.test.ts and forget.test.ts.

function run(command: string[], env: Record<string, string>) {
  const result = spawnSync(command[0]!, command.slice(1), {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? ROOT, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const npm = (args: string[], env: Record<string, string>) => run(['npm', 'run', '-s', ...args], env);

/** An environment whose stores hold the records of kept-records.ts, and server A a library folder with one article. */
function withRecords(overrides: Record<string, string> = {}) {
  const env = testEnv(overrides);
  const config = loadConfig(env, ROOT);
  writeRecords(config);
  const articles = path.join(config.librariesDir, SERVER_A, 'articles');
  fs.mkdirSync(articles, { recursive: true });
  fs.writeFileSync(path.join(articles, 'coral.txt'), 'Coral\n\nThe reef recovered.\n');
  return { env, config };
}

describe('npm run backup', () => {
  it('prints one line (files, size, where), then refuses the same folder again with exit 2', () => {
    const { env } = withRecords();
    const dir = path.join(tempDir(), 'nightly');
    const first = npm(['backup', '--', dir], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^Backed up \\d+ files \\([\\d.]+ kB\\) to ${dir}\\n$`));
    const before = fs.readdirSync(dir).sort();
    expect(before).toEqual(['answers.db', 'articles', 'backup.json', 'feeds.db', 'libraries']);

    const again = run(['npx', 'footnote', 'backup', dir], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      `${dir} is not an empty folder: give a new or empty one, so that a backup never mixes with other files. Nothing was written.\n`,
    );
    expect(fs.readdirSync(dir).sort()).toEqual(before);
  });

  it('wants one folder', () => {
    const { code, stderr } = npm(['backup'], testEnv());
    expect(code).toBe(2);
    expect(stderr).toMatch(/^Give one folder to back up into\.\nusage: npm run backup -- DIR/);
  });
});

describe('npm run forget', () => {
  it('says what it would delete about a person and changes nothing without --yes; with it, deletes', () => {
    const { env, config } = withRecords();
    const before = everything(config);
    const dry = npm(['forget', '--', '--user', ALICE], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe(
      `Would forget user ${ALICE}: 2 answers given to them (with the votes on them), 1 vote they cast, 4 records of their recent questions and adds (the limits) and their name on 2 feeds (it stays with its server, added by "forgotten").\n` +
        'Nothing was changed: run again with --yes to delete it.\n',
    );
    expect(everything(config)).toBe(before);

    const done = npm(['forget', '--', '--user', ALICE, '--yes'], env);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(new RegExp(`^Forgot user ${ALICE}: 2 answers given to them .*\\.\\n$`));
    expect(kept(config)).toMatchObject({
      questions: ['bob in A', 'bob in B'],
      limits: 1,
      feeds: [`${SERVER_A} by ${FORGOTTEN_USER}`, `home by ${FORGOTTEN_USER}`, `${SERVER_B} by ${BOB}`],
    });
  });

  it('says what it would delete about a server, then deletes its answers, feeds and library', () => {
    const { env, config } = withRecords();
    const before = everything(config);
    const folder = path.join(config.librariesDir, SERVER_A);
    const dry = run(['npx', 'footnote', 'forget', '--server', SERVER_A], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      new RegExp(
        `^Would forget server ${SERVER_A}: 2 answers given there \\(with 2 votes on them\\), 1 feed it follows ` +
          `\\(with 2 items seen\\) and its library, ${folder} \\(1 article; 1 file, 27 bytes\\)\\.\\n` +
          'Nothing was changed: run again with --yes to delete it\\.\\n$',
      ),
    );
    expect(everything(config)).toBe(before);

    const done = npm(['forget', '--', '--server', SERVER_A, '--yes'], env);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(new RegExp(`^Forgot server ${SERVER_A}: 2 answers given there`));
    expect(kept(config).questions).toEqual(['alice in a DM', 'bob in B']);
    expect(fs.existsSync(folder)).toBe(false);
  });

  it('says a HOME_SERVER_IDS server keeps the home library', () => {
    const { env } = withRecords({ HOME_SERVER_IDS: SERVER_A });
    const { code, stdout } = npm(['forget', '--', '--server', SERVER_A], env);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /; its library is the home library \(HOME_SERVER_IDS\), which stays, with the articles its feeds took\.\n/,
    );
  });

  it.each([
    [
      ['--user', 'alice'],
      /^--user must be a Discord user id: digits only, 15 to 21 of them .*\(got "alice"\)\nusage: npm run forget/,
    ],
    [
      ['--server', '12', '--yes'],
      /^--server must be a Discord server id: digits only, 15 to 21 of them .*\(got "12"\)\n/,
    ],
    [['--server', '../home'], /^--server must be a Discord server id/],
    [[], /^Give --user ID or --server ID, one of them\.\n/],
    [['--user', ALICE, '--server', SERVER_A], /^Give --user ID or --server ID, one of them\.\n/],
  ])('exits 2 for %j, naming the flag, and changes nothing', (args, words) => {
    const { env, config } = withRecords();
    const before = everything(config);
    const { code, stdout, stderr } = npm(['forget', '--', ...args], env);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(words);
    expect(everything(config)).toBe(before);
  });
});
