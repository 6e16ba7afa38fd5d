// A library's handle, behind the CLI and the bot: its questions, articles, status, removals and rebuilds.
import type { Collection } from '../core/answer/collection.js';
import { composeAnswer } from '../core/answer/compose.js';
import type { Weights } from '../core/answer/score.js';
import { changedSinceIndexed } from '../articles/changed.js';
import { moveToRemoved } from '../articles/set-aside.js';
import type { Config } from '../config.js';
import type { Embedder, ModelIdentity, ModelProgress } from '../models/embedder.js';
import { ModelLoadError, ReindexInProgressError, UsageError, UserError, errorMessage } from '../core/errors.js';
import { inConversation, type Conversation } from '../core/question/conversation.js';
import { IndexUpkeep } from '../index/upkeep.js';
import type { IndexSummary } from '../index/build.js';
import { LiveIndex } from '../index/live.js';
import type { Logger } from '../log.js';
import { HOME_LIBRARY } from './library-id.js';
import { ModelHost } from '../models/host.js';
import { needsVectors, type ModeSetting, type RetrievalMode } from '../core/retrieval/modes.js';
import { retrieve, type Retrieved } from '../core/retrieval/retrieve.js';
import type { PassageIndex } from '../store/passage-index.js';
import type { Manifest } from '../store/manifest.js';
import { normalizeQuestion } from '../core/text/words.js';
import type { Answer, ArticleEntry, IndexedArticle } from '../core/types.js';

export interface AskOptions {
  /** Restrict the answer to one article (its id). */
  articleId?: string;
  /** Overrides RETRIEVAL_MODE for this question. */
  mode?: ModeSetting;
  /** The conversation the question follows (a follow-up thread): its earlier questions and cited files. */
  conversation?: Conversation;
  /** Also say why the answer is what it is (Answer.explanation). */
  explain?: boolean;
  /** How many of the best-scored sentences the explanation lists (default 8). */
  explainSentences?: number;
  /** The answer step's signal weights (default WEIGHTS): the dev tools replay questions with others. */
  weights?: Weights;
}

export interface TimedAnswer extends Answer {
  timings: { totalMs: number };
}

/** What a library holds and how it answers now, as /status shows it. */
export interface LibraryStatus {
  /** The live index's counts, build time and model; null before a first build. */
  index: Pick<Manifest, 'counts' | 'builtAt' | 'model'> | null;
  /** The mode a question is answered in now (RETRIEVAL_MODE, or what `auto` comes to). */
  mode: RetrievalMode;
  /** Why `auto` answers by words only: the model cannot be loaded, or the index has no vectors. */
  lexicalBecause: 'model-unavailable' | 'no-vectors' | null;
  reindexing: boolean;
}

/** An article taken out: its file's new place under REMOVED_DIR, and the rebuild (null: one was already running). */
export interface Removal {
  article: IndexedArticle;
  movedTo: string;
  summary: IndexSummary | null;
}

export interface FootnoteOptions {
  /** Which library this is, as citations name it: "home" (the default) or a Discord server's id. */
  library?: string;
  /** The models are another's (a registry shares one set among libraries): close() leaves them open. */
  sharedModels?: boolean;
  /** The models, when not the ones the configuration names loaded as usual (a test holds a load back). */
  models?: ModelHost;
  onDownload?: (progress: ModelProgress) => void;
  onIndexProgress?: (done: number, total: number) => void;
  /** After the model failed to load, questions go lexical and the model is tried again this much later. */
  modelRetryMs?: number;
  /**
   * With RETRIEVAL_MODE=auto, answer lexically while the model is still loading instead of waiting
   * (the bot, so the first questions after a start are not held up).
   */
  lexicalWhileLoading?: boolean;
}

/**
 * The question pipeline, and the one object the CLI and the bot talk to: a question is
 * normalized, given a mode, searched in the live index, re-ranked and answered with quotes.
 * The models (ModelHost), the live index (LiveIndex) and its rebuilds (IndexUpkeep) are its parts.
 */
export class Footnote {
  private readonly models: ModelHost;
  private readonly live: LiveIndex;
  private readonly upkeep: IndexUpkeep;

  constructor(
    readonly config: Config,
    readonly log: Logger,
    private readonly options: FootnoteOptions = {},
  ) {
    this.models =
      options.models ?? new ModelHost(config, log, { onDownload: options.onDownload, retryMs: options.modelRetryMs });
    this.live = new LiveIndex(config.indexDir, log);
    this.upkeep = new IndexUpkeep(config, log, this.models, this.live);
  }

  get model(): ModelIdentity {
    return this.models.model;
  }

  embedder(): Promise<Embedder> {
    return this.models.embedder();
  }

  /** Why questions are answered without the model right now, or null when it is in use. */
  get degraded(): string | null {
    return this.models.degraded;
  }

  /** The indexed articles (metadata only), newest first; none before a first build. */
  articles(): ArticleEntry[] {
    return this.live.current()?.articles() ?? [];
  }

  /** One indexed article with its text, or null for an id the index does not hold. */
  article(id: string): IndexedArticle | null {
    return this.live.current()?.article(id) ?? null;
  }

  /** The open index, for the tools that read it below the use cases (feeds and adding check for duplicates). */
  index(): PassageIndex | null {
    return this.live.current();
  }

  status(): LibraryStatus {
    const manifest = this.live.current()?.manifest ?? null;
    const setting = this.config.retrievalMode;
    const index = manifest && { counts: manifest.counts, builtAt: manifest.builtAt, model: manifest.model };
    const lexicalBecause =
      setting !== 'auto' ? null : this.degraded ? 'model-unavailable' : manifest?.model ? null : 'no-vectors';
    const mode: RetrievalMode = setting !== 'auto' ? setting : lexicalBecause ? 'lexical' : 'hybrid';
    return { index, mode, lexicalBecause, reindexing: this.reindexing };
  }

  /**
   * Takes an article out of the library: its file moves to REMOVED_DIR (deleted RETAIN_DAYS later) and the index is
   * rebuilt without it. Refused while a reindex runs, as moving a file under it would leave its outcome unclear.
   */
  async remove(articleId: string): Promise<Removal> {
    if (this.reindexing) throw new ReindexInProgressError('index.busy', {});
    const article = this.article(articleId);
    if (!article) throw new UserError('article.unknown', { id: articleId });
    const movedTo = await moveToRemoved(this.config.articlesDir, this.config.removedDir, article.file);
    try {
      return { article, movedTo, summary: await this.reindex() };
    } catch (error) {
      // Another rebuild started in the moment since the check; the next one leaves the article out.
      if (error instanceof ReindexInProgressError) return { article, movedTo, summary: null };
      throw error;
    }
  }

  get reindexing(): boolean {
    return this.upkeep.reindexing;
  }

  /** Builds or updates the index, then answers from the new one (see IndexUpkeep.reindex). */
  reindex(onProgress = this.options.onIndexProgress): Promise<IndexSummary> {
    return this.upkeep.reindex(onProgress);
  }

  /** Builds the index when there is none, or one that cannot serve `mode`. */
  ensureIndex(mode: RetrievalMode = 'hybrid'): Promise<void> {
    return this.upkeep.ensure(mode);
  }

  async ask(question: string, options: AskOptions = {}): Promise<TimedAnswer> {
    return this.answer(question, options, performance.now(), false);
  }

  /** `ask`, once the index is updated when `updated` (an article it quoted had changed). */
  private async answer(question: string, options: AskOptions, started: number, updated: boolean): Promise<TimedAnswer> {
    const normalized = normalizeQuestion(question);
    if (!normalized) throw new UserError('question.empty', {});
    const setting = options.mode ?? this.config.retrievalMode;
    let { mode, embedder } = await this.modeFor(setting);
    try {
      await this.upkeep.ensure(mode);
    } catch (error) {
      // A build this question waited for (the bot's start, in hybrid) failed to load the model: with auto, words.
      if (setting !== 'auto' || !(error instanceof ModelLoadError)) throw error;
      [mode, embedder] = ['lexical', null];
      await this.upkeep.ensure(mode);
    }
    const index = this.live.current();
    if (!index) throw new Error(`No index in ${this.config.indexDir}: run npm run index`);
    // An index built while the model was missing has no vectors: words only until the next reindex.
    if (!index.hasVectors && needsVectors(mode)) {
      if (setting !== 'auto') {
        throw new UsageError(
          `The index in ${this.config.indexDir} was built without the embedding model; ` +
            `run npm run index to add vectors for ${mode} search.`,
        );
      }
      mode = 'lexical';
      embedder = null;
    }
    if (options.articleId && !index.article(options.articleId)) {
      throw new UserError('article.unknown', { id: options.articleId });
    }
    // A reindex may swap in a new index while this question is answered: the one it started
    // with stays open until it is done.
    const answer = await this.live.use(index, async () => {
      const { conversation } = options;
      const cited = new Set(conversation?.files ?? []);
      const retrieved = await retrieve(index, embedder, inConversation(normalized, conversation), {
        mode,
        k: this.config.topK,
        efSearch: this.config.hnsw.efSearch,
        articleId: options.articleId,
        preferArticles: cited.size ? index.articles().flatMap((a) => (cited.has(a.file) ? [a.id] : [])) : undefined,
      });
      const reranked = await this.rerank(retrieved.question, retrieved);
      const composed = composeAnswer(retrieved.question, reranked, collectionOf(index, needsVectors(mode)), {
        minScore: mode === 'lexical' ? this.config.minLexicalScore : this.config.minScore,
        meaningMargin: this.config.meaningMargin,
        model: this.config.embeddingModel,
        explain: options.explain,
        explainSentences: options.explainSentences,
        weights: options.weights,
      });
      // The answer is to the question asked, however it was read.
      return { ...composed, question: normalized };
    });
    if (!answer) {
      // The index failed its checksums: what was read may be wrong, so the question is asked again
      // of a rebuilt one.
      this.upkeep.recheck();
      return this.answer(question, options, started, updated);
    }
    // Every quote must be in its article as the file is now: when one quoted was edited or removed
    // since the index was built, the index is updated (what changed only) and the question asked again.
    const quoted = [...new Map(answer.citations.map((c) => [c.article.id, index.article(c.article.id)!])).values()];
    const changed = updated
      ? []
      : await changedSinceIndexed(this.config.articlesDir, quoted, this.config.maxArticleBytes);
    if (changed.length) {
      this.log.info(`${changed.join(', ')} changed since the index was built: updating the index`);
      await this.upkeep.update();
      return this.answer(question, options, started, true);
    }
    const library = this.options.library ?? HOME_LIBRARY;
    const citations = answer.citations.map((c) => ({ ...c, article: { ...c.article, library } }));
    return { ...answer, citations, timings: { totalMs: Number((performance.now() - started).toFixed(1)) } };
  }

  /**
   * The mode a question is answered in: the one asked for, or with `auto` hybrid when the model
   * loads and lexical (with a warning) when it does not.
   */
  private async modeFor(setting: ModeSetting): Promise<{ mode: RetrievalMode; embedder: Embedder | null }> {
    const lexical = { mode: 'lexical' as const, embedder: null };
    if (setting === 'lexical') return lexical;
    if (setting === 'auto' && this.models.failedRecently) return lexical;
    if (setting === 'auto' && this.options.lexicalWhileLoading && this.models.loading) return lexical;
    try {
      return { mode: setting === 'auto' ? 'hybrid' : setting, embedder: await this.models.embedder() };
    } catch (error) {
      if (setting !== 'auto' || !(error instanceof ModelLoadError)) throw error;
      this.log.warn(`answering by lexical search only: ${errorMessage(error).split('\n')[0]}`);
      return lexical;
    }
  }

  /** Re-orders the retrieved passages with the cross-encoder, when one is configured and loads. */
  private async rerank(question: string, retrieved: Retrieved): Promise<Retrieved> {
    if (!this.config.rerankModel || retrieved.hits.length < 2) return retrieved;
    const reranker = await this.models.reranker();
    if (!reranker) return retrieved;
    const scores = await reranker.score(
      question,
      retrieved.hits.map((h) => h.passage.text),
    );
    const order = retrieved.hits.map((hit, i) => ({ hit, score: scores[i]! })).sort((a, b) => b.score - a.score);
    return { ...retrieved, hits: order.map((o) => o.hit) };
  }

  async close(): Promise<void> {
    this.live.close();
    if (!this.options.sharedModels) await this.models.close();
  }
}

// Articles a question about an article's credits is checked against beyond those retrieved: the
// best named few (each is read whole to check the naming words).
const NAMED_FOR_FACTS = 3;

/** What the answer step reads of the index besides the retrieved passages. */
function collectionOf(index: PassageIndex, withVectors: boolean): Collection {
  return {
    terms: index.termStatistics,
    metadata: index.metadataStatistics,
    passageMean: withVectors ? index.meanVector : null,
    vectorSample: withVectors ? index.vectorSample : [],
    sentenceSample: withVectors ? index.sentenceSample : [],
    sentenceVectors: (keys: { articleId: string; start: number }[]) =>
      withVectors ? index.sentenceVectors(keys) : new Map<string, Float32Array>(),
    soleArticle: () => {
      const all = index.articles();
      return all.length === 1 ? index.article(all[0]!.id) : null;
    },
    namedArticles: (terms) => index.namedArticles(terms, NAMED_FOR_FACTS).flatMap((id) => index.article(id) ?? []),
  };
}
