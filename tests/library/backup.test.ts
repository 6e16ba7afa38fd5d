import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { addArticle } from '../../src/library/add-article.js';
import { BACKUP_RECORD, backup } from '../../src/library/backup.js';
import { AnswerLog } from '../../src/library/feedback/answer-log.js';
import { Libraries } from '../../src/library/libraries.js';
import { currentGeneration } from '../../src/store/layout.js';
import { IndexDamagedError } from '../../src/store/passage-index.js';
import { SERVER_A, kept, listing, writeRecords } from '../support/kept-records.js';
import { CORAL, ROOT, articlesCopy, silentLog, tempDir, testConfig } from '../support/setup.js';

// Backups of the product's own files: an answer log another process keeps writing, indexes built with the test
// model, and the article folders; then a configuration pointed at the copy answers from it.

const REEF = 'How much of the reef had bleaching hit?';
const JACK_MA = 'Is Jack Ma open to working with Apple?';

const open: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0)) await thing.close();
});

/** A home library and server A's, each with a built index, the records of kept-records.ts, and a removed file. */
async function library(): Promise<Config> {
  const config = testConfig({ ARTICLES_DIR: articlesCopy(), REMOVED_DIR: path.join(tempDir(), 'removed') });
  writeRecords(config);
  fs.mkdirSync(config.removedDir);
  fs.writeFileSync(path.join(config.removedDir, 'old.txt'), 'Old news\n\nTaken out with /remove.\n');
  const libraries = new Libraries(config, silentLog);
  open.push(libraries);
  await libraries.home.reindex();
  const source = { name: 'coral.md', bytes: Buffer.from(CORAL) };
  await libraries.withLibrary(SERVER_A, (lib) => addArticle(lib, lib.config, source), { create: true });
  return config;
}

/** The settings of `config`, pointed at a backup as its README section tells an operator to restore it. */
function restored(dir: string): Config {
  return testConfig({
    ANSWERS_DB: path.join(dir, 'answers.db'),
    FEEDS_DB: path.join(dir, 'feeds.db'),
    ARTICLES_DIR: path.join(dir, 'articles'),
    REMOVED_DIR: path.join(dir, 'removed'),
    INDEX_DIR: path.join(dir, 'index'),
    LIBRARIES_DIR: path.join(dir, 'libraries'),
  });
}

const WRITER = `
import { AnswerLog } from ${JSON.stringify(path.join(ROOT, 'src/library/feedback/answer-log.ts'))};
const log = new AnswerLog(process.argv[1], 90);
const where = { guildId: '100000000000000001', channelId: '110' };
const record = (n) => log.record({ question: 'question ' + n, found: false, citations: [], mode: 'lexical',
  generation: null, userId: '300000000000000001', where, private: false });
let n = 0;
while (n < 200) record(n++);
process.stdout.write('ready\\n');
// Then without a pause, each answer its own transaction, until killed.
for (;;) record(n++);
`;

describe('npm run backup', () => {
  it('copies the answer log while another process writes it: the copy opens whole, with every answer up to a moment', async () => {
    const config = testConfig();
    const writer = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', WRITER, config.answersDb], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const copied: number[] = [];
    try {
      const [ready] = (await once(writer.stdout, 'data')) as [Buffer];
      expect(ready.toString()).toBe('ready\n');
      const dir = path.join(tempDir(), 'backup');
      await backup(config, dir);

      const copy = new Database(path.join(dir, 'answers.db'), { readonly: true });
      const ids = copy.prepare('SELECT id FROM answers ORDER BY id').pluck().all() as number[];
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      copy.close();
      // A snapshot: answers 1 to n, none missing, at least those written before the backup began.
      expect(ids.length).toBeGreaterThanOrEqual(200);
      expect(ids).toEqual(ids.map((_, i) => i + 1));
      copied.push(...ids);
      const log = new AnswerLog(path.join(dir, 'answers.db'), 90);
      expect(log.since(0)).toHaveLength(ids.length);
      log.close();
    } finally {
      writer.kill('SIGKILL');
      await once(writer, 'exit');
    }
    // The writer went on past the moment the copy holds.
    const source = new AnswerLog(config.answersDb, 90);
    open.push(source);
    expect(source.since(0).length).toBeGreaterThan(copied.length);
  });

  it('holds everything Footnote keeps, laid out so that settings pointed at it answer as before, without a rebuild', async () => {
    const config = await library();
    const dir = tempDir('footnote-backup-');
    const summary = await backup(config, dir);

    const files = listing(dir).filter((p) => fs.lstatSync(path.join(dir, p)).isFile());
    const article = 'libraries/100000000000000001/articles/coral-reefs-recover-after-a-cool-summer.md';
    expect(files).toEqual(
      expect.arrayContaining(['answers.db', 'feeds.db', BACKUP_RECORD, 'index/CURRENT', 'removed/old.txt', article]),
    );
    expect(files).toContain(`articles/${fs.readdirSync(config.articlesDir)[0]}`);
    expect(files.some((p) => p.includes('build.lock') || p.startsWith('.partial'))).toBe(false);
    const copied = files.filter((p) => p !== BACKUP_RECORD);
    expect(summary).toEqual({
      dir,
      files: copied.length,
      bytes: copied.reduce((sum, p) => sum + fs.statSync(path.join(dir, p)).size, 0),
    });

    const copy = restored(dir);
    expect(kept(copy)).toEqual(kept(config));
    const libraries = new Libraries(copy, silentLog);
    open.push(libraries);
    expect((await libraries.ask(null, JACK_MA)).found).toBe(true);
    expect((await libraries.ask(SERVER_A, REEF)).citations[0]?.article.library).toBe(SERVER_A);
    // The same generations, checked and used as they are: no build was needed.
    const serverIndex = (c: Config): string | null => currentGeneration(path.join(c.librariesDir, SERVER_A, 'index'));
    expect(path.basename(currentGeneration(copy.indexDir)!)).toBe(path.basename(currentGeneration(config.indexDir)!));
    expect(path.basename(serverIndex(copy)!)).toBe(path.basename(serverIndex(config)!));
    expect(fs.readdirSync(copy.indexDir).filter((name) => name.startsWith('g-'))).toHaveLength(1);
  });

  it('refuses a folder with anything in it, or inside a folder it copies, and writes nothing', async () => {
    const config = testConfig({ ARTICLES_DIR: articlesCopy() });
    const used = tempDir();
    fs.writeFileSync(path.join(used, 'keep.txt'), 'mine');
    await expect(backup(config, used)).rejects.toMatchObject({ code: 'backup.not-empty', details: { dir: used } });
    expect(fs.readdirSync(used)).toEqual(['keep.txt']);
    await expect(backup(config, path.join(used, 'keep.txt'))).rejects.toMatchObject({ code: 'backup.not-empty' });

    for (const [variable, folder] of [
      ['ARTICLES_DIR', config.articlesDir],
      ['LIBRARIES_DIR', config.librariesDir],
    ] as const) {
      const inside = path.join(folder, 'backup');
      await expect(backup(config, inside)).rejects.toMatchObject({
        code: 'backup.inside-data',
        details: { dir: inside, variable, folder },
      });
      expect(fs.existsSync(inside)).toBe(false);
    }
  });

  it('leaves nothing behind when it fails: an index that fails its checksums is not backed up', async () => {
    const config = await library();
    const vectors = path.join(currentGeneration(config.indexDir)!, 'vectors.hnsw');
    const bytes = fs.readFileSync(vectors);
    bytes[bytes.length - 1] = bytes.at(-1)! ^ 0xff;
    fs.writeFileSync(vectors, bytes);

    const absent = path.join(tempDir(), 'backup');
    await expect(backup(config, absent)).rejects.toThrow(IndexDamagedError);
    expect(fs.existsSync(absent)).toBe(false);
    const empty = tempDir();
    await expect(backup(config, empty)).rejects.toThrow(/vectors\.hnsw does not match its checksum/);
    expect(fs.readdirSync(empty)).toEqual([]);
  });
});
