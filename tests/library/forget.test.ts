import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { addArticle } from '../../src/library/add-article.js';
import { FORGOTTEN_USER, forgetServer, forgetUser } from '../../src/library/forget.js';
import { Libraries } from '../../src/library/libraries.js';
import { IndexLockedError, lockIndex } from '../../src/store/lock.js';
import { ALICE, BOB, SERVER_A, SERVER_B, everything, kept, listing, writeRecords } from '../support/kept-records.js';
import { CORAL, articlesCopy, silentLog, testConfig } from '../support/setup.js';

// Forgetting a person or a server on the product's own files: answers and votes written by the AnswerLog, the limits'
// counts by the LimitStore, feeds by the FeedStore, and server libraries with real indexes built with the test model.

const FERRY = 'Ferry Times\n\nThe Harrow ferry leaves at seven each morning and returns at dusk, except on Sundays.\n';
const REEF = 'How much of the reef had bleaching hit?';

let libraries: Libraries | undefined;
afterEach(async () => {
  await libraries?.close();
  libraries = undefined;
});

/** A configuration with the records of kept-records.ts, and (with `libraries`) servers A and B each with a library. */
async function setUp(env: Record<string, string> = {}, withLibraries = false): Promise<Config> {
  const config = testConfig({ ARTICLES_DIR: articlesCopy(), ...env });
  writeRecords(config);
  if (withLibraries) {
    libraries = new Libraries(config, silentLog);
    await libraries.home.reindex();
    await addTo(libraries, SERVER_A, 'coral.txt', CORAL);
    await addTo(libraries, SERVER_B, 'ferry.txt', FERRY);
  }
  return config;
}

async function addTo(libs: Libraries, server: string, name: string, text: string): Promise<void> {
  const source = { name, bytes: Buffer.from(text) };
  await libs.withLibrary(server, (library) => addArticle(library, library.config, source), { create: true });
}

describe('forgetting a person', () => {
  it('says what it would delete and changes nothing without being told to apply it', async () => {
    const config = await setUp();
    const before = everything(config);
    expect(forgetUser(config, ALICE, false)).toEqual({ answers: 2, votes: 1, limits: 4, feeds: 2 });
    expect(everything(config)).toBe(before);
  });

  it('deletes their answers (with the votes and thread on them), their votes and limits, and takes their name off feeds', async () => {
    const config = await setUp();
    expect(forgetUser(config, ALICE, true)).toEqual({ answers: 2, votes: 1, limits: 4, feeds: 2 });
    expect(kept(config)).toEqual({
      questions: ['bob in A', 'bob in B'],
      // Bob's vote went with Alice's answer, Alice's on Bob's answer with her; her thread with her answer.
      votes: 0,
      threads: 0,
      // Bob's question is still counted.
      limits: 1,
      feeds: [`${SERVER_A} by ${FORGOTTEN_USER}`, `home by ${FORGOTTEN_USER}`, `${SERVER_B} by ${BOB}`],
    });
    // Nothing left to find under her id; Bob's records are whole.
    expect(forgetUser(config, ALICE, false)).toEqual({ answers: 0, votes: 0, limits: 0, feeds: 0 });
    expect(forgetUser(config, BOB, false)).toEqual({ answers: 2, votes: 0, limits: 1, feeds: 1 });
  });

  it('finds nothing, and makes no file, where nothing was ever recorded', () => {
    const config = testConfig();
    expect(forgetUser(config, ALICE, true)).toEqual({ answers: 0, votes: 0, limits: 0, feeds: 0 });
    expect(fs.existsSync(config.answersDb) || fs.existsSync(config.feedsDb)).toBe(false);
  });
});

describe('forgetting a server', () => {
  it("deletes its answers, feeds and library, and nothing of another server's, the home library or the limits", async () => {
    const config = await setUp({}, true);
    const homeBefore = [listing(config.articlesDir), listing(config.indexDir)];
    const serverB = listing(path.join(config.librariesDir, SERVER_B));
    const before = everything(config);
    const forgotten = forgetServer(config, SERVER_A, false);
    expect(everything(config)).toBe(before);

    expect(forgetServer(config, SERVER_A, true)).toEqual(forgotten);
    expect(forgotten).toMatchObject({ answers: 2, votes: 2, feeds: 1, feedItems: 2 });
    expect(forgotten.library).toMatchObject({ kind: 'own', folder: path.join(config.librariesDir, SERVER_A) });
    expect(forgotten.library).toMatchObject({ articles: 1, files: expect.any(Number), bytes: expect.any(Number) });
    expect(kept(config)).toEqual({
      questions: ['alice in a DM', 'bob in B'],
      votes: 0,
      threads: 0,
      // The limits are each person's, wherever they asked.
      limits: 5,
      feeds: [`home by ${ALICE}`, `${SERVER_B} by ${BOB}`],
    });
    expect(fs.readdirSync(config.librariesDir)).toEqual([SERVER_B]);
    expect(listing(path.join(config.librariesDir, SERVER_B))).toEqual(serverB);
    expect([listing(config.articlesDir), listing(config.indexDir)]).toEqual(homeBefore);
  });

  it('keeps the home library of a HOME_SERVER_IDS server, forgetting its answers and feeds', async () => {
    const config = await setUp({ HOME_SERVER_IDS: SERVER_A });
    const home = listing(config.articlesDir);
    expect(forgetServer(config, SERVER_A, true)).toEqual({
      answers: 2,
      votes: 2,
      feeds: 1,
      feedItems: 2,
      library: { kind: 'home' },
    });
    expect(kept(config).questions).toEqual(['alice in a DM', 'bob in B']);
    expect(listing(config.articlesDir)).toEqual(home);
  });

  it('deletes nothing while its library is being built', async () => {
    const config = await setUp({}, true);
    // A live process (this one) holds the library's build lock, as a build in the running bot does.
    const release = lockIndex(path.join(config.librariesDir, SERVER_A, 'index'));
    const before = everything(config);
    try {
      expect(() => forgetServer(config, SERVER_A, true)).toThrow(IndexLockedError);
      expect(everything(config)).toBe(before);
    } finally {
      release();
    }
  });

  it('leaves a running bot answering: its open library is gone, and a new first add makes a new one', async () => {
    const config = await setUp({}, true);
    const libs = libraries!;
    const own = await libs.ask(SERVER_A, REEF);
    expect(own.citations[0]?.article.library).toBe(SERVER_A);
    expect(libs.openServers()).toContain(SERVER_A);

    forgetServer(config, SERVER_A, true);
    const after = await libs.ask(SERVER_A, REEF);
    expect(after.citations.every((c) => c.article.library === 'home')).toBe(true);
    expect(libs.exists(SERVER_A)).toBe(false);
    expect(fs.existsSync(path.join(config.librariesDir, SERVER_A))).toBe(false);

    await addTo(libs, SERVER_A, 'ferry.txt', FERRY);
    const again = await libs.ask(SERVER_A, 'When does the Harrow ferry leave?');
    expect(again.citations[0]).toMatchObject({ article: { library: SERVER_A, file: 'ferry-times.txt' } });
  });
});
