import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { addArticle } from '../../src/library/add-article.js';
import { Libraries } from '../../src/library/libraries.js';
import { pruneRemoved } from '../../src/library/prune-removed.js';
import { CORAL, articlesCopy, logRecord, tempDir, testConfig } from '../support/setup.js';

// Removed articles' files in every library, deleted RETAIN_DAYS after their removal: the home library's removed
// folder and a server library's, its file removed through the library as /remove does.

const SERVER = '100000000000000001';
const DAY_MS = 24 * 60 * 60_000;

let libraries: Libraries | undefined;
afterEach(() => libraries?.close());

describe('pruning removed articles', () => {
  it('deletes every library’s removed files RETAIN_DAYS after their removal, with an audit line per folder', async () => {
    const config = testConfig({
      ARTICLES_DIR: articlesCopy(),
      LIBRARIES_DIR: tempDir('footnote-libraries-'),
      REMOVED_DIR: path.join(tempDir('footnote-removed-'), 'removed'),
      RETRIEVAL_MODE: 'lexical',
      RETAIN_DAYS: '90',
    });
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    libraries = new Libraries(config, log);
    const libs = libraries;
    fs.mkdirSync(config.removedDir, { recursive: true });
    fs.writeFileSync(path.join(config.removedDir, 'home-story.txt'), 'removed from the home library');
    const [serverRemoved, coral] = (await libs.withLibrary(
      SERVER,
      async (library) => {
        const added = await addArticle(library, library.config, { name: 'coral.txt', bytes: Buffer.from(CORAL) });
        const { movedTo } = await library.remove(added.article.id);
        return [library.config.removedDir, movedTo];
      },
      { create: true },
    ))!;
    const removedNow = Date.now();

    expect(await pruneRemoved(libs, log, removedNow + 89 * DAY_MS)).toBe(0);
    expect(fs.readdirSync(serverRemoved)).toEqual([coral]);
    expect(await pruneRemoved(libs, log, removedNow + 91 * DAY_MS)).toBe(2);
    expect(fs.readdirSync(config.removedDir)).toEqual([]);
    expect(fs.readdirSync(serverRemoved)).toEqual([]);
    expect(lines.map(logRecord).filter((l) => l.audit === 'removed files')).toEqual([
      expect.objectContaining({ folder: config.removedDir, deleted: ['home-story.txt'] }),
      expect.objectContaining({ folder: serverRemoved, deleted: [coral] }),
    ]);
  });
});
