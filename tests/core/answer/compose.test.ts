import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import pino from 'pino';
import { stemmer } from 'stemmer';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Footnote, type AskOptions } from '../../../src/library/footnote.js';
import { NOT_A_QUESTION, NOT_FOUND } from '../../../src/core/answer/compose.js';
import {
  MAX_QUESTION_WORDS,
  MAX_SPELLING_LOOKUPS,
  MAX_SPELLING_STRINGS,
  boundedQuestion,
  normalizeQuestion,
  withSpellings,
  words,
  type SpellingWork,
} from '../../../src/core/text/words.js';
import { loadSotu, writeSotuArticles } from '../../../scripts/sotu.js';
import { makeTestModel } from '../../../scripts/make-model.js';
import type { Answer } from '../../../src/core/types.js';
import { SHIPPED_ARTICLE, articlesCopy, collapse, silentLog, tempDir, testConfig } from '../../support/setup.js';

let footnote: Footnote;
const file = collapse(fs.readFileSync(SHIPPED_ARTICLE, 'utf8'));

beforeAll(async () => {
  footnote = new Footnote(testConfig(), silentLog);
  await footnote.reindex();
});
afterAll(() => footnote.close());

describe('answers', () => {
  it('quotes the sentence that answers, verbatim, with its article, date, source and paragraph', async () => {
    const answer = await footnote.ask('Is Jack Ma open to working with Apple?');
    expect(answer.found).toBe(true);
    const [first] = answer.citations;
    expect(first).toMatchObject({
      n: 1,
      paragraph: 1,
      article: {
        id: 'alibaba-jack-ma-open-to-apple-payments',
        title: "Alibaba's Jack Ma Says He's Open to Working With Apple on Payments",
        date: '2014-10-28',
        source: 'Reuters',
        file: 'alibaba-jack-ma-open-to-apple-payments.txt',
      },
    });
    expect(first!.quote).toContain("Jack Ma said he's open to working with Apple Inc on mobile payments");
    expect(answer.text).toContain(`${first!.quote} [1]`);
  });

  it('never quotes text that is not in the article', async () => {
    const questions = [
      'Is Jack Ma open to working with Apple?',
      'What does Ma think of Tim Cook?',
      'Which studios will Ma visit in Hollywood?',
      'What will China become in the movie business?',
      'Who wrote the story?',
      'Does Alibaba handle more transactions than Amazon and eBay?',
      'What did Ma say about investing in the United States?',
    ];
    const article = footnote.index()!.article('alibaba-jack-ma-open-to-apple-payments')!;
    for (const question of questions) {
      const answer = await footnote.ask(question);
      for (const c of answer.citations) {
        expect(file).toContain(collapse(c.quote));
        expect(article.text.slice(c.start, c.end)).toBe(c.quote);
        const paragraph = article.paragraphs[c.paragraph - 1]!;
        expect(c.start).toBeGreaterThanOrEqual(paragraph.start);
        expect(c.start).toBeLessThan(paragraph.end);
      }
      const quotes = answer.citations.map((c) => [c.start, c.end] as const);
      for (const [i, [s, e]] of quotes.entries()) {
        for (const [s2, e2] of quotes.slice(i + 1)) expect(s < e2 && s2 < e).toBe(false);
      }
    }
  });

  it('says plainly when the articles hold no answer', async () => {
    const answer = await footnote.ask('What is the boiling point of mercury in kelvin?');
    expect(answer).toMatchObject({ found: false, text: NOT_FOUND, citations: [] });
  });

  it('restricts the answer to one article when asked to', async () => {
    await expect(footnote.ask('Apple payments', { articleId: 'no-such-article' })).rejects.toMatchObject({
      code: 'article.unknown',
      details: { id: 'no-such-article' },
    });
    const answer = await footnote.ask('Apple payments', { articleId: 'alibaba-jack-ma-open-to-apple-payments' });
    expect(answer.citations.every((c) => c.article.id === 'alibaba-jack-ma-open-to-apple-payments')).toBe(true);
  });
});

describe('re-ranking with a cross-encoder (RERANK_MODEL)', () => {
  it('re-orders passages with the generated cross-encoder and still quotes verbatim', async () => {
    const reranked = new Footnote(testConfig({ RERANK_MODEL: inject('rerankModelDir') }), silentLog);
    try {
      const answer = await reranked.ask('Is Jack Ma open to working with Apple?');
      expect(answer.found).toBe(true);
      expect(answer.citations[0]!.quote).toContain(
        "Jack Ma said he's open to working with Apple Inc on mobile payments",
      );
      for (const c of answer.citations) expect(file).toContain(collapse(c.quote));
    } finally {
      await reranked.close();
    }
  });

  it('answers without re-ranking, with a warning, when the cross-encoder cannot be loaded', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const f = new Footnote(testConfig({ RERANK_MODEL: 'Xenova/ms-marco-MiniLM-L-6-v2', MODELS_DIR: tempDir() }), log);
    try {
      const answer = await f.ask('Is Jack Ma open to working with Apple?');
      expect(answer.found).toBe(true);
      expect(lines.join('')).toMatch(/re-ranking is off: .*ms-marco-MiniLM-L-6-v2/);
    } finally {
      await f.close();
    }
  });
});

describe('without the embedding model', () => {
  it('answers lexically while the model cannot be loaded, then picks dense search back up once it can', async () => {
    // A hub id whose files are not in the cache yet: loading fails without touching the network.
    const modelsDir = tempDir();
    // And a speech, whose long paragraphs the model's tokenizer would cut otherwise than the approximation.
    const articles = articlesCopy();
    writeSotuArticles(
      articles,
      loadSotu().filter((s) => s.year === 1982),
    );
    const f = new Footnote(
      testConfig({
        ARTICLES_DIR: articles,
        EMBEDDING_MODEL: 'footnote-test/bag-of-words',
        EMBEDDING_DTYPE: 'fp32',
        MODELS_DIR: modelsDir,
      }),
      silentLog,
      { modelRetryMs: 0 },
    );
    try {
      const offline = await f.ask('Is Jack Ma open to working with Apple?');
      expect(offline).toMatchObject({ found: true, retrieval: { mode: 'lexical' } });
      expect(f.degraded).toMatch(/footnote-test\/bag-of-words/);
      expect(f.index()!.hasVectors).toBe(false);
      const passagesOf = () =>
        f
          .index()!
          .articles()
          .map((a) => [a.file, a.passages]);
      const offlinePassages = passagesOf();

      // The model arrives in the cache (as a first download would put it there).
      fs.cpSync(inject('modelDir'), `${modelsDir}/footnote-test/bag-of-words`, { recursive: true });
      const online = await f.ask('Is Jack Ma open to working with Apple?');
      expect(online).toMatchObject({ found: true, retrieval: { mode: 'hybrid' } });
      expect(f.degraded).toBeNull();
      expect(f.index()!.hasVectors).toBe(true);
      // The passages are cut as without the model, so answering by words alone answers as before.
      expect(passagesOf()).toEqual(offlinePassages);
      const byWords = await f.ask('Is Jack Ma open to working with Apple?', { mode: 'lexical' });
      expect(byWords.citations).toEqual(offline.citations);
    } finally {
      await f.close();
    }
  });

  it('with RETRIEVAL_MODE=auto, answers lexically while the model is still loading when asked to (the bot), then with it', async () => {
    const builder = new Footnote(testConfig(), silentLog);
    await builder.reindex();
    await builder.close();
    const f = new Footnote(testConfig({ INDEX_DIR: builder.config.indexDir }), silentLog, {
      lexicalWhileLoading: true,
    });
    try {
      // The model loads in a worker: it cannot be ready before the next turn of the event loop.
      const loading = f.embedder();
      const early = await f.ask('Is Jack Ma open to working with Apple?');
      expect(early).toMatchObject({ found: true, retrieval: { mode: 'lexical' } });
      await loading;
      expect(await f.ask('Is Jack Ma open to working with Apple?')).toMatchObject({
        found: true,
        retrieval: { mode: 'hybrid' },
      });
    } finally {
      await f.close();
    }
  });

  it('says "not found" to off-topic questions and asks for words when there are none, in every mode', async () => {
    for (const mode of ['lexical', 'dense', 'hybrid'] as const) {
      for (const question of ['What is the capital of France?', 'How do I bake bread?']) {
        expect(await footnote.ask(question, { mode })).toMatchObject({ found: false, retrieval: { mode } });
      }
      const symbols = await footnote.ask('?? !!! 🙂 the of', { mode });
      expect(symbols).toMatchObject({ found: false, text: NOT_A_QUESTION, citations: [] });
    }
  });
});

describe('a large collection (42 speeches)', () => {
  let articles: string;
  beforeAll(() => {
    articles = tempDir('footnote-speeches-');
    writeSotuArticles(
      articles,
      loadSotu().filter((s) => s.year >= 1980),
    );
  });

  /** Asks each question of a fresh Footnote over the speeches, configured by `overrides`. */
  async function askAll(overrides: Record<string, string>, questions: string[], options: AskOptions = {}) {
    const f = new Footnote(testConfig({ ARTICLES_DIR: articles, ...overrides }), silentLog);
    try {
      const answers = [];
      for (const question of questions) answers.push(await f.ask(question, options));
      return answers;
    } finally {
      await f.close();
    }
  }

  // Each has a word the speeches use often enough ("tonight", "tower", "won", "championship").
  const OFF_TOPIC = [
    'What should I cook for dinner tonight?',
    'How tall is the Eiffel Tower?',
    'Who won the basketball championship last season?',
  ];
  const SKUTNIK = 'Which federal worker dived into icy water to rescue a plane crash victim?';

  it('leaves words that a fifth of the passages hold out of the full-text search, unless every word is that common', async () => {
    const f = new Footnote(testConfig({ ARTICLES_DIR: articles, RETRIEVAL_MODE: 'lexical' }), silentLog);
    try {
      await f.ensureIndex('lexical');
      const index = f.index()!;
      const { passages, frequency } = index.termStatistics;
      expect(passages).toBeGreaterThan(1000);
      // Words that over a fifth of the speeches' passages hold.
      const common = ['people', 'american', 'year', 'america', 'tonight', 'world', 'new'].filter(
        (w) => frequency(stemmer(w)) > passages / 5,
      );
      expect(common.length).toBeGreaterThanOrEqual(2);
      // "Skutnik" is in one passage: a search for it and a common word finds that one.
      expect(frequency('skutnik')).toBe(1);
      const hits = index.searchText([common[0]!, 'Skutnik'], 16);
      expect(hits).toHaveLength(1);
      expect(hits[0]!.passage.text).toContain('Skutnik');
      // Only common words: the rarest is searched.
      expect(index.searchText(common.slice(0, 2), 16)).toHaveLength(16);
    } finally {
      await f.close();
    }
  });

  it('says "not found" when the question only shares words that meet there by chance, and still answers what the speeches hold', async () => {
    const answers = await askAll({ RETRIEVAL_MODE: 'lexical' }, [...OFF_TOPIC, SKUTNIK]);
    for (const [i, question] of OFF_TOPIC.entries()) {
      expect(answers[i], question).toMatchObject({ found: false, text: NOT_FOUND, citations: [] });
    }
    expect(answers.at(-1)!.found).toBe(true);
    expect(answers.at(-1)!.citations[0]!.article.file).toBe('1982-ronald-reagan.txt');
  });

  it('lets a sentence close in meaning answer although its words are common, as far as MEANING_MARGIN allows', async () => {
    const index = tempDir('footnote-index-');
    // Every word but the made-up one is common in the speeches: by words alone it could be chance.
    const question = ['Our job is to govern with a sense of responsibility, zorblat?'];
    const explain = { explain: true };
    // The test model knows no meanings: even this near-verbatim sentence stands only about 8 standard
    // deviations above the sample, at the default margin's edge, so the margin is set here.
    const [hybrid] = await askAll(
      { INDEX_DIR: index, RETRIEVAL_MODE: 'hybrid', MEANING_MARGIN: '6' },
      question,
      explain,
    );
    expect(hybrid!.found).toBe(true);
    expect(hybrid!.citations[0]).toMatchObject({
      quote: 'Our job is to govern with a sense of responsibility.',
      article: { file: '2009-barack-obama.txt' },
    });
    // The explanation says what let it count.
    expect(hybrid!.explanation!.decision).toMatchObject({ kind: 'answered', quotes: hybrid!.citations.length });
    expect(hybrid!.explanation!.sentences.find((s) => s.quoted)).toMatchObject({
      text: 'Our job is to govern with a sense of responsibility.',
      evidence: 'meaning',
    });
    expect(await askAll({ INDEX_DIR: index, RETRIEVAL_MODE: 'hybrid', MEANING_MARGIN: '100' }, question)).toMatchObject(
      [{ found: false, text: NOT_FOUND }],
    );
    const [lexical] = await askAll({ INDEX_DIR: index, RETRIEVAL_MODE: 'lexical' }, question, explain);
    expect(lexical).toMatchObject({ found: false, text: NOT_FOUND });
    // Without the model: it scores above the threshold, but its common words are no evidence.
    expect(lexical!.explanation!.decision).toMatchObject({ kind: 'no-evidence', threshold: 0.3 });
    const obama = lexical!.explanation!.sentences.find((s) => s.file === '2009-barack-obama.txt');
    expect(obama).toMatchObject({ evidence: null, quoted: false });
    expect(obama!.score).toBeGreaterThanOrEqual(0.3);
    expect(obama!.surprise).toBeLessThan(3);
  });

  it('says "not found" in hybrid mode even with a model under which all texts look alike', async () => {
    const model = tempDir('footnote-alike-model-');
    const texts = fs.readdirSync(articles).map((file) => fs.readFileSync(path.join(articles, file), 'utf8'));
    // Cosines of 0.9 and more between any two texts, far above MEANING_MARGIN taken as it is.
    await makeTestModel(model, texts, { sharedDirection: 1.5 });
    const answers = await askAll({ EMBEDDING_MODEL: model, RETRIEVAL_MODE: 'hybrid' }, [...OFF_TOPIC, SKUTNIK]);
    expect(answers.map((a) => a.retrieval.mode)).toEqual(['hybrid', 'hybrid', 'hybrid', 'hybrid']);
    expect(answers.map((a) => a.found)).toEqual([false, false, false, true]);
  });
});

describe('any question', () => {
  let f: Footnote;
  let vocabulary: string[];
  beforeAll(async () => {
    const speeches = loadSotu().slice(0, 15);
    const articles = tempDir('footnote-speeches-');
    writeSotuArticles(articles, speeches);
    vocabulary = [...new Set(speeches.flatMap((s) => s.text.match(/[A-Za-z]+/g) ?? []))];
    f = new Footnote(testConfig({ ARTICLES_DIR: articles, RETRIEVAL_MODE: 'lexical' }), silentLog);
    await f.ensureIndex('lexical');
  });
  afterAll(() => f.close());

  /** What `answer` must be for any question: found with its citations, at most 3, verbatim and apart. */
  const expectWellFormed = (q: string, answer: Answer): void => {
    const index = f.index()!;
    expect(answer.found).toBe(answer.citations.length > 0);
    expect(answer.citations.length).toBeLessThanOrEqual(3);
    answer.citations.forEach((c, i) => {
      expect(c.n).toBe(i + 1);
      expect(index.article(c.article.id)!.text.slice(c.start, c.end)).toBe(c.quote);
      for (const o of answer.citations.slice(i + 1)) {
        if (o.article.id === c.article.id)
          expect(c.start < o.end && o.start < c.end, `${q}: [${c.n}] and [${o.n}] overlap`).toBe(false);
      }
    });
  };

  it('gets at most 3 verbatim, numbered citations that do not overlap, or "not found"', async () => {
    const question = fc
      .tuple(fc.array(fc.constantFrom(...vocabulary), { minLength: 1, maxLength: 8 }), fc.constantFrom('?', '', '.'))
      .map(([words, end]) => `${words.join(' ')}${end}`);
    await fc.assert(
      fc.asyncProperty(question, async (q) => expectWellFormed(q, await f.ask(q))),
      { seed: 20141028, numRuns: 300 },
    );
  });

  it('costs a bounded number of words, candidate strings and term lookups, up to 100,000 characters', async () => {
    const letter = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz');
    // The speeches' words with one letter changed: words the index lacks, one edit from one it holds.
    const misspelled = fc
      .tuple(fc.constantFrom(...vocabulary), fc.nat(), letter)
      .map(([w, i, c]) => w.slice(0, i % w.length) + c + w.slice((i % w.length) + 1));
    const word = fc.oneof(fc.string({ unit: letter, minLength: 1, maxLength: 9 }), misspelled);
    const question = fc
      .oneof(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 100_000, size: 'max' }),
        fc.string({ unit: letter, minLength: 1, maxLength: 100_000, size: 'max' }),
        fc.array(word, { minLength: 1, maxLength: 20_000, size: 'max' }).map((words) => words.join(' ')),
      )
      .map((q) => q.slice(0, 100_000));
    const statistics = f.index()!.termStatistics;
    const frequency = statistics.frequency;
    const looked = new Set<string>();
    statistics.frequency = (term) => {
      looked.add(term);
      return frequency(term);
    };
    try {
      await fc.assert(
        fc.asyncProperty(question, async (q) => {
          // What retrieval reads of the question: its first words, their other spellings within the budget.
          const bounded = boundedQuestion(normalizeQuestion(q));
          expect(normalizeQuestion(q).startsWith(bounded)).toBe(true);
          expect(new Set(words(bounded)).size).toBeLessThanOrEqual(MAX_QUESTION_WORDS);
          const work: SpellingWork = { strings: 0, lookups: 0 };
          let lookups = 0;
          withSpellings(bounded, (term) => (lookups++, frequency(term) > 0), work);
          expect(work.lookups).toBe(lookups);
          expect(work.lookups).toBeLessThanOrEqual(MAX_SPELLING_LOOKUPS);
          expect(work.strings).toBeLessThanOrEqual(MAX_SPELLING_STRINGS);
          // The whole answer: the terms it looked up in SQLite are the spellings' and a few per word read.
          looked.clear();
          if (!normalizeQuestion(q)) return;
          expectWellFormed(q, await f.ask(q));
          expect(looked.size).toBeLessThanOrEqual(MAX_SPELLING_LOOKUPS + 2 * MAX_QUESTION_WORDS);
        }),
        { seed: 20141028, numRuns: 40 },
      );
    } finally {
      statistics.frequency = frequency;
    }
  }, 180_000);
});

describe('quote context', () => {
  it('widens a quote that leans on the sentence before it, and keeps a split quotation whole', async () => {
    const articles = articlesCopy({
      'harbor.md': [
        '---',
        'title: Harbor expansion',
        'date: 2023-02-01',
        'source: Coast Times',
        '---',
        '',
        'Port director Ana Ruiz presented the harbor expansion plan on Tuesday. She said the new container cranes would arrive in 2026.',
        '',
        '"We will double capacity. The dredging starts in spring," Ruiz told reporters.',
      ].join('\n'),
    });
    const f = new Footnote(testConfig({ ARTICLES_DIR: articles }), silentLog);
    try {
      const cranes = await f.ask('When will the new container cranes arrive?');
      expect(cranes.citations[0]!.quote).toBe(
        'Port director Ana Ruiz presented the harbor expansion plan on Tuesday. She said the new container cranes would arrive in 2026.',
      );
      const dredging = await f.ask('When does the dredging start?');
      expect(dredging.citations[0]!.quote).toBe(
        '"We will double capacity. The dredging starts in spring," Ruiz told reporters.',
      );
    } finally {
      await f.close();
    }
  });

  /** The answer by words from the articles plus `extra` (file name → Markdown). */
  async function askWithArticles(extra: Record<string, string>, question: string) {
    const f = new Footnote(testConfig({ ARTICLES_DIR: articlesCopy(extra), RETRIEVAL_MODE: 'lexical' }), silentLog);
    try {
      return await f.ask(question);
    } finally {
      await f.close();
    }
  }

  it('joins a quote that leans on an already quoted sentence to it rather than dropping it', async () => {
    const rescue =
      'Rescue workers pulled crash victims from the icy river on Monday. And a young clerk, Lenny Skutnik, dived into the water to save one more.';
    const answer = await askWithArticles(
      {
        'rescue.md': [
          '---',
          'title: Winter crash',
          'date: 2023-01-20',
          '---',
          '',
          rescue,
          '',
          'The airport reopened the next day.',
        ].join('\n'),
      },
      'Which clerk dived into the icy water to rescue crash victims?',
    );
    expect(answer.citations.map((c) => c.quote)).toEqual([rescue]);
  });

  it('quotes a sentence once when articles carry it word for word or lightly edited, but not one with other numbers', async () => {
    const story = (source: string, sentence: string) =>
      ['---', 'title: Port strike ends', `source: ${source}`, '---', '', sentence].join('\n');
    const extra = {
      'wire.md': story(
        'Wire',
        'Dock workers ended their strike on Tuesday after the port agreed to a 6 percent raise.',
      ),
      'daily.md': story('Daily', 'Dock workers ended their strike Tuesday after the port agreed to a 6 percent raise.'),
      'weekly.md': story(
        'Weekly',
        'Dock workers ended their strike on Tuesday after the port agreed to a 6 percent raise.',
      ),
      // Another fact, though nearly all its words are the same: quoted too.
      'later.md': story(
        'Later',
        'Dock workers ended their strike on Tuesday after the port agreed to a 7 percent raise.',
      ),
    };
    const answer = await askWithArticles(extra, 'Why did the dock workers end their strike?');
    const raises = answer.citations
      .filter((c) => c.quote.includes('Dock workers ended'))
      .map((c) => c.quote.match(/\d+ percent/)![0]);
    expect(raises.sort()).toEqual(['6 percent', '7 percent']);
  });

  it('quotes the answer after a question the text asks itself', async () => {
    const answer = await askWithArticles(
      {
        'surplus.md': [
          '---',
          'title: Budget speech',
          'date: 2023-03-01',
          '---',
          '',
          'The budget will show a surplus next year. What should the council do with the projected surplus? Repair every school roof first.',
        ].join('\n'),
      },
      'What will the council do with the projected surplus?',
    );
    expect(answer.citations[0]!.quote).toBe(
      'What should the council do with the projected surplus? Repair every school roof first.',
    );
  });
});
