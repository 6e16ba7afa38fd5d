import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addArticle } from '../../src/library/add-article.js';
import { Libraries } from '../../src/library/libraries.js';
import { CORAL, SHIPPED_ARTICLES, silentLog, tempDir, testConfig } from '../support/setup.js';

const SERVER_A = '100000000000000001';
const SERVER_B = '100000000000000002';
const FERRY = 'Ferry Times\n\nThe Harrow ferry leaves at seven each morning and returns at dusk, except on Sundays.\n';

let libraries: Libraries | undefined;
afterEach(() => libraries?.close());

function open(env: Record<string, string> = {}): Libraries {
  const config = testConfig({ ARTICLES_DIR: SHIPPED_ARTICLES, LIBRARIES_DIR: tempDir('footnote-libraries-'), ...env });
  return (libraries = new Libraries(config, silentLog));
}

/** Adds `text` as a file to a server's library, making it on first use. */
async function addTo(libs: Libraries, server: string, name: string, text: string): Promise<void> {
  const source = { name, bytes: Buffer.from(text) };
  await libs.withLibrary(server, (library) => addArticle(library, library.config, source), { create: true });
}

describe('server libraries', () => {
  it("answer a server from its own articles and the home library's, saying which library each quote is from", async () => {
    const libs = open();
    await addTo(libs, SERVER_A, 'coral.txt', CORAL);
    expect(fs.readdirSync(path.join(libs.folderOf(SERVER_A), 'articles'))).toHaveLength(1);
    expect(fs.readdirSync(SHIPPED_ARTICLES)).not.toContain('coral.txt');
    const own = await libs.ask(SERVER_A, 'How much of the reef had bleaching hit?');
    expect(own.citations[0]?.article.library).toBe(SERVER_A);
    expect(own.citations[0]?.quote).toContain('Bleaching had hit half of the reef');
    const home = await libs.ask(SERVER_A, 'Is Jack Ma open to working with Apple?');
    expect(home.citations[0]?.article.library).toBe('home');
  });

  it("never answer another server, or a DM, from a server's articles", async () => {
    const libs = open();
    await addTo(libs, SERVER_A, 'coral.txt', CORAL);
    for (const where of [SERVER_B, null]) {
      const answer = await libs.ask(where, 'How much of the reef had bleaching hit?');
      expect(answer.citations.every((c) => c.article.library === 'home' && c.article.file !== 'coral.txt')).toBe(true);
    }
    expect(libs.exists(SERVER_B)).toBe(false);
  });

  it('answer from the server alone with SHARED_LIBRARY=false: "not found" where it has no articles', async () => {
    const libs = open({ SHARED_LIBRARY: 'false' });
    const none = await libs.ask(SERVER_B, 'Is Jack Ma open to working with Apple?');
    expect(none).toMatchObject({ found: false, citations: [] });
    await addTo(libs, SERVER_A, 'ferry.txt', FERRY);
    const answer = await libs.ask(SERVER_A, 'Is Jack Ma open to working with Apple?');
    expect(answer.citations.every((c) => c.article.library === SERVER_A)).toBe(true);
  });

  it('are the home library for HOME_SERVER_IDS: a bot run for one community', async () => {
    const libs = open({ HOME_SERVER_IDS: SERVER_A });
    expect(libs.isHome(SERVER_A)).toBe(true);
    const answer = await libs.ask(SERVER_A, 'Is Jack Ma open to working with Apple?');
    expect(answer.citations[0]?.article.library).toBe('home');
    expect(await libs.withLibrary(SERVER_A, (library) => Promise.resolve(library === libs.home))).toBe(true);
  });

  it("say whether the library a server changes is being rebuilt: another server's rebuild is not its own", async () => {
    const libs = open();
    await addTo(libs, SERVER_A, 'coral.txt', CORAL);
    const rebuilding = libs.withLibrary(SERVER_A, (library) => library.reindex());
    expect(libs.reindexing(SERVER_A)).toBe(true);
    expect([libs.reindexing(SERVER_B), libs.reindexing(null)]).toEqual([false, false]);
    await rebuilding;
    expect(libs.reindexing(SERVER_A)).toBe(false);
  });

  it('take only Discord ids as folder names', () => {
    const libs = open();
    for (const id of ['../outside', '..', 'abc', '1/2', '']) expect(() => libs.folderOf(id)).toThrow();
  });

  it('are kept open up to MAX_OPEN_LIBRARIES, the least recently used idle one closed first, none under a reader', async () => {
    const libs = open({ MAX_OPEN_LIBRARIES: '2' });
    const servers = ['100000000000000011', '100000000000000012', '100000000000000013', '100000000000000014'];
    for (const [i, server] of servers.entries())
      await addTo(libs, server, 'ferry.txt', FERRY.replace('seven', `${i + 6}`));
    expect(libs.openServers()).toEqual(servers.slice(2));
    // A library in use stays open while three others are opened and used after it; its answer is whole.
    const answer = await libs.withLibrary(servers[0]!, async (library) => {
      for (const other of servers.slice(1)) {
        await libs.ask(other, 'When does the ferry leave?');
        expect(libs.openServers()).toEqual([servers[0], other]);
      }
      return library.ask('When does the ferry leave?');
    });
    expect(answer?.citations[0]?.quote).toContain('leaves at 6 each morning');
    expect(libs.openServers()).toEqual([servers[0], servers[3]]);
  });
});

describe('a server library is bounded', () => {
  it('refuses an add beyond MAX_ARTICLES_PER_SERVER before reading it, naming the limit; the home library has none', async () => {
    const libs = open({ MAX_ARTICLES_PER_SERVER: '1' });
    await addTo(libs, SERVER_A, 'ferry.txt', FERRY);
    const articles = path.join(libs.folderOf(SERVER_A), 'articles');
    const before = fs.readdirSync(articles);
    await expect(addTo(libs, SERVER_A, 'coral.txt', CORAL)).rejects.toMatchObject({
      code: 'library.full',
      details: { max: 1 },
    });
    expect(fs.readdirSync(articles)).toEqual(before);
    // Another server has its own allowance.
    await addTo(libs, SERVER_B, 'coral.txt', CORAL);
    expect(fs.readdirSync(path.join(libs.folderOf(SERVER_B), 'articles'))).toHaveLength(1);
    expect(libs.config.maxArticles).toBeNull();
  });
});
