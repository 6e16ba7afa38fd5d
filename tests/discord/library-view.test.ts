import { afterEach, describe, expect, it } from 'vitest';
import { findArticle, visibleArticles } from '../../src/discord/library-view.js';
import { addArticle } from '../../src/library/add-article.js';
import { Libraries } from '../../src/library/libraries.js';
import { CORAL, SHIPPED_ARTICLES, silentLog, tempDir, testConfig } from '../support/setup.js';

// What each place on Discord sees of the libraries (tests/discord/two-servers.test.ts: through the bot).

const SERVER_A = '100000000000000001';
const SERVER_B = '100000000000000002';
const HOME_SERVER = '100000000000000003';

let libraries: Libraries | undefined;
afterEach(() => libraries?.close());

async function open(env: Record<string, string> = {}): Promise<{ libs: Libraries; coral: string; shipped: string }> {
  const config = testConfig({
    ARTICLES_DIR: SHIPPED_ARTICLES,
    LIBRARIES_DIR: tempDir('footnote-libraries-'),
    HOME_SERVER_IDS: HOME_SERVER,
    ...env,
  });
  const libs = (libraries = new Libraries(config, silentLog));
  await libs.home.reindex();
  const source = { name: 'coral.md', bytes: Buffer.from(CORAL) };
  const added = await libs.withLibrary(SERVER_A, (l) => addArticle(l, l.config, source), { create: true });
  return { libs, coral: added!.article.id, shipped: libs.home.articles()[0]!.id };
}

describe('what a place sees', () => {
  it("shows a server its own articles, then the home library's marked shared; a DM and a home server the home library", async () => {
    const { libs, coral, shipped } = await open();
    const a = await visibleArticles(libs, SERVER_A);
    expect(a[0]).toMatchObject({ article: { id: coral }, shared: false });
    expect(a.slice(1).every((s) => s.shared)).toBe(true);
    expect(a).toHaveLength(libs.home.articles().length + 1);
    for (const where of [SERVER_B, null, HOME_SERVER]) {
      const seen = await visibleArticles(libs, where);
      expect(seen.map((s) => s.article.id)).not.toContain(coral);
      expect(seen.map((s) => s.article.id)).toContain(shipped);
      expect(seen.every((s) => s.shared === (where === SERVER_B))).toBe(true);
    }
  });

  it('finds an article in the library a place changes, a shared one as shared, and another server’s as nothing', async () => {
    const { libs, coral, shipped } = await open();
    expect(await findArticle(libs, SERVER_A, coral)).toMatchObject({ own: { id: coral } });
    expect(await findArticle(libs, SERVER_A, shipped)).toMatchObject({ shared: { id: shipped } });
    expect(await findArticle(libs, SERVER_B, coral)).toBeNull();
    expect(await findArticle(libs, SERVER_B, 'no-such-id')).toBeNull();
    for (const where of [null, HOME_SERVER]) {
      expect(await findArticle(libs, where, shipped)).toMatchObject({ own: { id: shipped } });
      expect(await findArticle(libs, where, coral)).toBeNull();
    }
  });

  it('shows a server only its own articles with SHARED_LIBRARY=false: a home article is as unknown there', async () => {
    const { libs, coral, shipped } = await open({ SHARED_LIBRARY: 'false' });
    expect((await visibleArticles(libs, SERVER_A)).map((s) => s.article.id)).toEqual([coral]);
    expect(await visibleArticles(libs, SERVER_B)).toEqual([]);
    expect(await findArticle(libs, SERVER_A, shipped)).toBeNull();
  });
});
