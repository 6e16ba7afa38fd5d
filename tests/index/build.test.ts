import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Footnote } from '../../src/library/footnote.js';
import { leadSentences, sentenceSpans } from '../../src/core/text/sentences.js';
import { currentGeneration } from '../../src/store/layout.js';
import { readManifest, writeManifest } from '../../src/store/manifest.js';
import { PassageIndex } from '../../src/store/passage-index.js';
import { contentTerms } from '../../src/core/text/words.js';
import { makeTestModel } from '../../scripts/make-model.js';
import { CORAL, ROOT, articlesCopy, collapse, silentLog, tempDir, testConfig } from '../support/setup.js';
import type { Span } from '../../src/core/types.js';

const open: Footnote[] = [];
function footnote(overrides: Record<string, string> = {}): Footnote {
  const f = new Footnote(testConfig(overrides), silentLog);
  open.push(f);
  return f;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

const EXTRA = {
  'markets/chip-tariffs.md': [
    '---',
    'title: Chip makers brace for new tariffs',
    'date: 2024-03-02',
    'source: Example Wire',
    '---',
    '',
    'Semiconductor makers warned on Tuesday that new tariffs on imported wafers would raise prices for laptops.',
    '',
    'The industry group said factories in Arizona and Texas would not be ready before 2027.',
  ].join('\n'),
  'science/coral-reefs.md': CORAL,
};

describe('building the index', () => {
  it('indexes every article and answers from a new process with the same results', async () => {
    const articles = articlesCopy(EXTRA);
    const config = { ARTICLES_DIR: articles };
    const f = footnote(config);
    const summary = await f.reindex();
    expect(summary).toMatchObject({ articles: 3, added: 3, changed: 0, removed: 0, updated: true });
    expect(summary.passages).toBeGreaterThanOrEqual(3);
    expect(summary.embedded).toBe(summary.passages);

    const manifest = readManifest(currentGeneration(f.config.indexDir)!)!;
    expect(manifest.counts).toEqual({ articles: 3, passages: summary.passages });
    expect(manifest.model?.id).toBe(f.config.embeddingModel);
    expect(Object.keys(manifest.articles).sort()).toEqual([
      'alibaba-jack-ma-open-to-apple-payments',
      'markets/chip-tariffs',
      'science/coral-reefs',
    ]);

    const question = 'Which factories will not be ready before 2027?';
    const here = await f.ask(question);
    const script = `
      import { Footnote } from './src/library/footnote.ts';
      import { loadConfig } from './src/config.ts';
      import pino from 'pino';
      const f = new Footnote(loadConfig(), pino({ level: 'silent' }));
      const a = await f.ask(${JSON.stringify(question)});
      process.stdout.write(JSON.stringify(a.citations));
      await f.close();`;
    const there = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, ...envOf(f) },
      encoding: 'utf8',
    });
    expect(JSON.parse(there)).toEqual(here.citations);
    expect(here.citations[0]?.article.id).toBe('markets/chip-tariffs');
  });

  it('records the mean passage vector, and averages the same itself for an index built before it was recorded', async () => {
    const f = footnote();
    await f.reindex();
    const dir = currentGeneration(f.config.indexDir)!;
    const manifest = readManifest(dir)!;
    const recorded = manifest.model!.meanVector!;
    expect(recorded).toHaveLength(manifest.model!.dims);
    writeManifest(dir, { ...manifest, model: { ...manifest.model!, meanVector: undefined } });
    const index = PassageIndex.open(f.config.indexDir)!;
    try {
      const averaged = [...index.meanVector!];
      expect(Math.max(...averaged.map((x, i) => Math.abs(x - recorded[i]!)))).toBeLessThan(1e-6);
    } finally {
      index.close();
    }
  });

  it.each(['hybrid', 'lexical'] as const)(
    "stores each passage's sentences and each article's lead, with their terms, as the answer step would find them (%s)",
    async (mode) => {
      const f = footnote({ RETRIEVAL_MODE: mode });
      await f.reindex();
      const index = f.index()!;
      const hits = index.searchText(['apple', 'payments', 'alibaba', 'mobile'], 50);
      expect(hits.length).toBeGreaterThan(1);
      const withTerms = (text: string, spans: Span[]) =>
        spans.map((s) => ({ ...s, terms: contentTerms(text.slice(s.start, s.end)) }));
      for (const { passage, article } of hits) {
        expect(passage.sentences).toEqual(
          withTerms(article.text, sentenceSpans(article.text, passage.start, passage.end)),
        );
        expect(article.lead).toEqual(withTerms(article.text, leadSentences(article.text)));
      }
      expect(hits[0]!.passage.sentences.some((s) => s.terms.includes('alibaba'))).toBe(true);
    },
  );

  it('re-embeds only the article that changed, and drops removed ones', async () => {
    const articles = articlesCopy(EXTRA);
    const f = footnote({ ARTICLES_DIR: articles });
    const first = await f.reindex();

    const unchanged = await f.reindex();
    expect(unchanged).toMatchObject({ updated: false, embedded: 0, unchanged: 3 });

    fs.appendFileSync(path.join(articles, 'science/coral-reefs.md'), '\nDivers will repeat the survey next spring.\n');
    const changed = await f.reindex();
    expect(changed).toMatchObject({ added: 0, changed: 1, removed: 0, unchanged: 2, updated: true });
    const coralPassages = readManifest(currentGeneration(f.config.indexDir)!)!.articles['science/coral-reefs']!
      .passages;
    expect(changed.embedded).toBe(coralPassages);
    expect(changed.embedded).toBeLessThan(first.passages);
    expect((await f.ask('When will divers repeat the survey?')).citations[0]?.quote).toContain(
      'repeat the survey next spring',
    );

    fs.rmSync(path.join(articles, 'markets/chip-tariffs.md'));
    const removed = await f.reindex();
    expect(removed).toMatchObject({ removed: 1, embedded: 0, articles: 2 });
    const answer = await f.ask('new tariffs on imported wafers for laptops factories in Arizona and Texas');
    expect(answer.citations.map((c) => c.article.id)).not.toContain('markets/chip-tariffs');
    expect(fs.readdirSync(f.config.indexDir).filter((n) => n.startsWith('g-'))).toHaveLength(1);
  });

  it('quotes an article as it is now: one edited or removed since the index was built is indexed again first', async () => {
    const articles = articlesCopy(EXTRA);
    const f = footnote({ ARTICLES_DIR: articles });
    await f.reindex();
    const file = path.join(articles, 'science/coral-reefs.md');
    fs.writeFileSync(file, CORAL.replace('half of the reef', 'a third of the reef'));
    const edited = await f.ask('How much of the reef was bleached?');
    expect(edited.citations[0]?.quote).toContain('Bleaching had hit a third of the reef');
    for (const c of edited.citations) {
      expect(collapse(fs.readFileSync(path.join(articles, c.article.file), 'utf8'))).toContain(collapse(c.quote));
    }

    fs.rmSync(file);
    const removed = await f.ask('How much of the reef was bleached?');
    expect(removed.citations.map((c) => c.article.id)).not.toContain('science/coral-reefs');
  });

  it('rebuilds instead of querying an index built with another model', async () => {
    const articles = articlesCopy(EXTRA);
    const first = footnote({ ARTICLES_DIR: articles });
    await first.reindex();
    const indexDir = first.config.indexDir;
    await first.close();

    const otherModel = tempDir('footnote-model-');
    await makeTestModel(otherModel, [fs.readFileSync(path.join(articles, 'science/coral-reefs.md'), 'utf8')], {
      dims: 32,
    });
    const second = footnote({ ARTICLES_DIR: articles, INDEX_DIR: indexDir, EMBEDDING_MODEL: otherModel });
    const answer = await second.ask('How much of the reef was bleached?');
    const manifest = readManifest(currentGeneration(indexDir)!)!;
    expect(manifest.model).toMatchObject({ id: otherModel, dims: 32 });
    expect(answer.retrieval.model).toBe(otherModel);

    const summary = await footnote({ ARTICLES_DIR: articles, INDEX_DIR: indexDir }).reindex();
    expect(summary.rebuiltBecause).toMatch(/built with .*EMBEDDING_MODEL is now/);
    expect(summary.embedded).toBe(summary.passages);
  });

  it('cuts the passages anew when the chunking settings change, also when it searches by words only', async () => {
    const articles = articlesCopy(EXTRA);
    const passages = (dir: string): number => readManifest(currentGeneration(dir)!)!.counts.passages;
    const first = footnote({ ARTICLES_DIR: articles });
    await first.reindex();
    const indexDir = first.config.indexDir;
    const before = passages(indexDir);
    await first.close();

    // Asked by words only, an index cut with other settings is not searched as it is.
    const lexical = footnote({
      ARTICLES_DIR: articles,
      INDEX_DIR: indexDir,
      RETRIEVAL_MODE: 'lexical',
      CHUNK_MAX_TOKENS: '32',
    });
    const answer = await lexical.ask('How much of the reef was bleached?');
    expect(answer.found).toBe(true);
    expect(readManifest(currentGeneration(indexDir)!)!.chunking.maxTokens).toBe(32);
    expect(passages(indexDir)).toBeGreaterThan(before);
    await lexical.close();

    const summary = await footnote({
      ARTICLES_DIR: articles,
      INDEX_DIR: indexDir,
      RETRIEVAL_MODE: 'lexical',
    }).reindex();
    expect(summary.rebuiltBecause).toBe(
      'CHUNK_MAX_TOKENS or CHUNK_OVERLAP_SENTENCES changed since the index was built',
    );
    expect(passages(indexDir)).toBe(before);
  });

  it('skips a file it cannot read, names it, and indexes the rest', async () => {
    const articles = articlesCopy({ 'broken.txt': '' });
    fs.writeFileSync(path.join(articles, 'latin1.txt'), Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0xff, 0xfe]));
    const summary = await footnote({ ARTICLES_DIR: articles }).reindex();
    expect(summary.articles).toBe(1);
    expect(summary.skipped.map((s) => s.file).sort()).toEqual(['broken.txt', 'latin1.txt']);
    for (const s of summary.skipped) expect(s.reason).not.toBe('');
  });
});

function envOf(f: Footnote): Record<string, string> {
  return {
    ARTICLES_DIR: f.config.articlesDir,
    INDEX_DIR: f.config.indexDir,
    EMBEDDING_MODEL: f.config.embeddingModel,
    ALLOW_REMOTE_MODELS: 'false',
    MODELS_DIR: f.config.modelsDir,
  };
}

describe('a damaged index', () => {
  it.each([
    ['truncated', 'vectors.hnsw', (file: string) => fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2))],
    [
      'corrupted',
      'passages.db',
      (file: string) => {
        const bytes = fs.readFileSync(file);
        bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
        fs.writeFileSync(file, bytes);
      },
    ],
    ['missing', 'vectors.hnsw', (file: string) => fs.rmSync(file)],
  ])('is detected when a file is %s, named in the log, and rebuilt from the articles', async (_, name, damage) => {
    const first = footnote({ ARTICLES_DIR: articlesCopy(EXTRA) });
    await first.reindex();
    const { indexDir, articlesDir } = first.config;
    await first.close();
    const damaged = currentGeneration(indexDir)!;
    damage(path.join(damaged, name));

    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const second = new Footnote(testConfig({ ARTICLES_DIR: articlesDir, INDEX_DIR: indexDir }), log);
    open.push(second);
    const answer = await second.ask('Which factories will not be ready before 2027?');
    expect(answer.citations[0]?.article.id).toBe('markets/chip-tariffs');
    expect(lines.join('\n')).toContain(name);
    // Answered from a rebuilt generation, whether the damage showed at open (a file missing or cut
    // short) or only in the checksums read while the question was already being answered.
    expect(currentGeneration(indexDir)).not.toBe(damaged);
    expect(readManifest(currentGeneration(indexDir)!)!.counts.articles).toBe(3);
  });
});
