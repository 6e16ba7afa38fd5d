import { describe, expect, it } from 'vitest';
import type { ModelIdentity } from '../../src/models/embedder.js';
import {
  APPROXIMATE,
  planBuild,
  type BuildSettings,
  type PlanInput,
  type PreviousIndex,
} from '../../src/index/plan.js';
import { FORMAT_VERSION, type Manifest } from '../../src/store/manifest.js';
import type { Article } from '../../src/core/types.js';

const settings: BuildSettings = { chunkMaxTokens: 160, chunkOverlapSentences: 1, hnsw: { m: 16, efConstruction: 200 } };
const model: ModelIdentity = { id: 'test-model', dtype: 'fp32', fingerprint: 'files-1' };
const LIVE = '/index/g-live';

function article(id: string, hash = `${id}-1`): Article {
  const meta = { title: id, date: null, source: null, author: null, url: null };
  return { id, file: `${id}.md`, hash, ...meta, text: '', paragraphs: [], credits: [] };
}
const a = article('a');
const b = article('b');
const c = article('c');

/** The live index as a build of `articles` with `built` (null: without the model) left it, two passages an article. */
function live(
  articles: Article[],
  built: ModelIdentity | null = model,
  manifest: Partial<Manifest> = {},
): PreviousIndex {
  return {
    dir: LIVE,
    damage: null,
    manifest: {
      formatVersion: FORMAT_VERSION,
      model: built && { ...built, dims: 8 },
      chunking: { maxTokens: 160, overlapSentences: 1, tokenizer: built?.fingerprint ?? APPROXIMATE },
      hnsw: { space: 'ip', m: 16, efConstruction: 200 },
      articles: Object.fromEntries(articles.map((x) => [x.id, { file: x.file, hash: x.hash, passages: 2 }])),
      counts: { articles: articles.length, passages: 2 * articles.length },
      files: {},
      builtAt: '2024-01-01T00:00:00.000Z',
      buildSeconds: 1,
      ...manifest,
    },
  };
}

function plan(previous: PreviousIndex | null, articles: Article[], more: Partial<PlanInput> = {}) {
  const result = planBuild({ previous, articles, settings, model, vectors: 'if-available', ...more });
  const ids = (list: Article[]): string[] => list.map((x) => x.id);
  return { ...result, added: ids(result.added), changed: ids(result.changed), unchanged: ids(result.unchanged) };
}

const fullRebuild = { upToDate: false, added: ['a', 'b'], changed: [], unchanged: [], removed: [], carriedFrom: null };

describe('planning a build', () => {
  it('adds every article on a first build, with vectors unless the policy is none', () => {
    expect(plan(null, [a, b])).toEqual({ ...fullRebuild, rebuiltBecause: null, vectors: true });
    expect(plan(null, [a, b], { vectors: 'none' })).toMatchObject({ upToDate: false, vectors: false });
  });

  it.each(['required', 'if-available', 'none'] as const)(
    'writes nothing when nothing changed (vectors %s)',
    (vectors) => {
      expect(plan(live([a, b]), [a, b], { vectors })).toEqual({
        upToDate: true,
        added: [],
        changed: [],
        unchanged: ['a', 'b'],
        removed: [],
        passages: 4,
        vectors: true,
      });
    },
  );

  it.each([
    ['changed', [a, article('b', 'b-2')], { changed: ['b'], unchanged: ['a'], removed: [] }],
    ['added', [a, b, c], { added: ['c'], unchanged: ['a', 'b'], removed: [] }],
    ['removed', [a], { unchanged: ['a'], removed: ['b'] }],
  ])('carries the other articles over when one is %s', (_, now, changes) => {
    expect(plan(live([a, b]), now)).toEqual({
      upToDate: false,
      added: [],
      changed: [],
      ...changes,
      rebuiltBecause: null,
      carriedFrom: LIVE,
      vectors: true,
    });
  });

  it('rebuilds everything, and says why, for an index built with another model or other model files', () => {
    expect(plan(live([a, b], { ...model, id: 'other-model' }), [a, b])).toEqual({
      ...fullRebuild,
      rebuiltBecause: 'the index was built with other-model (fp32), EMBEDDING_MODEL is now test-model (fp32)',
      vectors: true,
    });
    expect(plan(live([a, b], { ...model, fingerprint: 'files-2' }), [a, b])).toMatchObject({
      ...fullRebuild,
      rebuiltBecause: 'the model files of test-model changed since the index was built',
    });
  });

  it.each(['if-available', 'none'] as const)(
    'rebuilds everything for an index in another format (vectors %s)',
    (vectors) => {
      expect(plan(live([a, b], model, { formatVersion: FORMAT_VERSION - 1 }), [a, b], { vectors })).toMatchObject({
        ...fullRebuild,
        rebuiltBecause: `the index was written in format ${FORMAT_VERSION - 1}, this version reads ${FORMAT_VERSION}`,
      });
    },
  );

  it('rebuilds everything when the chunking settings changed', () => {
    expect(plan(live([a, b]), [a, b], { settings: { ...settings, chunkMaxTokens: 200 } })).toEqual({
      ...fullRebuild,
      rebuiltBecause: 'CHUNK_MAX_TOKENS or CHUNK_OVERLAP_SENTENCES changed since the index was built',
      vectors: true,
    });
  });

  it('rebuilds everything when the index is damaged, even if nothing changed', () => {
    expect(plan({ ...live([a, b]), damage: '/index/g-live/vectors.hnsw is missing' }, [a, b])).toEqual({
      ...fullRebuild,
      rebuiltBecause: 'the index was damaged (/index/g-live/vectors.hnsw is missing)',
      vectors: true,
    });
  });

  it('writes the index anew with other graph settings, carrying every article over: nothing is embedded', () => {
    expect(plan(live([a, b]), [a, b], { settings: { ...settings, hnsw: { m: 32, efConstruction: 200 } } })).toEqual({
      upToDate: false,
      added: [],
      changed: [],
      unchanged: ['a', 'b'],
      removed: [],
      rebuiltBecause: null,
      carriedFrom: LIVE,
      vectors: true,
    });
  });

  describe('an index built without vectors', () => {
    const lexical = live([a, b], null);

    it('is rebuilt with vectors once the model is available', () => {
      expect(plan(lexical, [a, b])).toEqual({
        ...fullRebuild,
        rebuiltBecause: 'the index was built without the embedding model (lexical search only)',
        vectors: true,
      });
    });

    it('is cut anew when the chunking settings changed, though nothing else did', () => {
      expect(plan(lexical, [a, b], { vectors: 'none', settings: { ...settings, chunkOverlapSentences: 0 } })).toEqual({
        ...fullRebuild,
        rebuiltBecause: 'CHUNK_MAX_TOKENS or CHUNK_OVERLAP_SENTENCES changed since the index was built',
        vectors: false,
      });
    });

    it('stays as it is while the model cannot be loaded, and is updated without it', () => {
      expect(plan(lexical, [a, b], { modelUnavailable: true })).toMatchObject({ upToDate: true, vectors: false });
      expect(plan(lexical, [a, c], { modelUnavailable: true })).toEqual({
        upToDate: false,
        added: ['c'],
        changed: [],
        unchanged: ['a'],
        removed: ['b'],
        rebuiltBecause: null,
        carriedFrom: LIVE,
        vectors: false,
      });
    });
  });

  describe('a build without the model, of an index with vectors', () => {
    it('keeps the index, vectors and all, when nothing changed', () => {
      expect(plan(live([a, b]), [a, b], { modelUnavailable: true })).toMatchObject({ upToDate: true, vectors: true });
    });

    it('rebuilds everything without vectors when the chunking settings changed', () => {
      expect(
        plan(live([a, b]), [a, b], { modelUnavailable: true, settings: { ...settings, chunkMaxTokens: 200 } }),
      ).toEqual({
        ...fullRebuild,
        rebuiltBecause: 'CHUNK_MAX_TOKENS or CHUNK_OVERLAP_SENTENCES changed since the index was built',
        vectors: false,
      });
    });

    it('rebuilds everything without vectors when an article changed', () => {
      expect(plan(live([a, b]), [a, article('b', 'b-2')], { vectors: 'none' })).toEqual({
        ...fullRebuild,
        rebuiltBecause: 'the embedding model is not available, so passages are measured and searched without it',
        vectors: false,
      });
    });
  });
});
