import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collection } from '../../../src/core/answer/collection.js';
import { NOT_FOUND, composeAnswer } from '../../../src/core/answer/compose.js';
import { Footnote } from '../../../src/library/footnote.js';
import { retrieve, type RankedPassage, type Retrieved } from '../../../src/core/retrieval/retrieve.js';
import { contentTerms } from '../../../src/core/text/words.js';
import { SHIPPED_ARTICLE, collapse, silentLog, tempDir, testConfig } from '../../support/setup.js';
import type { IndexedArticle } from '../../../src/core/types.js';

// Each knob that decides an answer, shown to decide one: these tests fail when it is ignored.

const FILLER = [
  'The committee met on Tuesday and adjourned early.',
  'Weather delayed several trains across the region.',
  'Local schools announced their holiday calendar.',
  'A new bakery opened near the station last spring.',
];

/** An article file with front matter and paragraphs. */
function article(meta: Record<string, string>, paragraphs: string[]): string {
  const header = Object.entries(meta).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  return ['---', ...header, '---', '', paragraphs.join('\n\n'), ''].join('\n');
}

/** A folder of articles: the shipped one plus `files`. */
function collection(files: Record<string, string>): string {
  const dir = tempDir('footnote-knobs-');
  fs.copyFileSync(SHIPPED_ARTICLE, path.join(dir, path.basename(SHIPPED_ARTICLE)));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('knobs that decide an answer', () => {
  let articles: string;
  let footnote: Footnote;

  beforeAll(async () => {
    articles = collection({
      // One long article about the harbor, every passage full of the question's words…
      'harbor-history.txt': article(
        { title: 'A History of the Harbor Ferries', author: 'Ann Lowe', date: '2020-05-01' },
        [
          ...Array.from(
            { length: 14 },
            (_, i) =>
              `In year ${i + 1} the harbor ferries carried more harbor commuters across the harbor, and the ferries ran late. ${FILLER[i % FILLER.length]}`,
          ),
          'Ferry crews walked out once, in year 15, over the new timetable.',
        ],
      ),
      // …and a short one that answers with fewer of them.
      'ferry-strike.txt': article({ title: 'Ferry Crews Strike', author: 'Raj Patel', date: '2021-03-09' }, [
        'Ferry crews walked out on Monday over pay, leaving harbor commuters stranded.',
        FILLER[0]!,
      ]),
      'river-ferries.txt': article({ title: 'River Ferries Return', author: 'Mina Ortiz', date: '2019-07-15' }, [
        'The ferries on the river will run again this summer after repairs to the piers.',
        'Tickets for the ferries cost two dollars.',
      ]),
    });
    footnote = new Footnote(testConfig({ ARTICLES_DIR: articles, RETRIEVAL_MODE: 'lexical' }), silentLog);
    await footnote.reindex();
  });
  afterAll(() => footnote?.close());

  it('MIN_LEXICAL_SCORE: a weak best sentence is an answer above it and "not found" below', async () => {
    const question = 'Why did the ferry crews walk out?';
    const answered = await footnote.ask(question);
    expect(answered.found).toBe(true);
    const best = answered.citations[0]!.score;
    const strict = new Footnote(
      testConfig({
        ARTICLES_DIR: articles,
        INDEX_DIR: footnote.config.indexDir,
        RETRIEVAL_MODE: 'lexical',
        MIN_LEXICAL_SCORE: String(Math.min(1, best + 0.01)),
      }),
      silentLog,
    );
    try {
      const refused = await strict.ask(question, { explain: true });
      expect(refused).toMatchObject({ found: false, text: NOT_FOUND });
      // The explanation names the score that fell short and the threshold it fell short of.
      expect(refused.explanation!.decision).toEqual({
        kind: 'below-threshold',
        best,
        threshold: Math.min(1, best + 0.01),
      });
      expect(refused.explanation!.sentences[0]).toMatchObject({ score: best, quoted: false });
    } finally {
      await strict.close();
    }
  });

  it('MIN_SCORE: the same in hybrid mode', async () => {
    const index = tempDir('footnote-index-');
    const ask = async (minScore: string) => {
      const f = new Footnote(
        testConfig({ ARTICLES_DIR: articles, INDEX_DIR: index, RETRIEVAL_MODE: 'hybrid', MIN_SCORE: minScore }),
        silentLog,
      );
      try {
        return await f.ask('Why did the ferry crews walk out?');
      } finally {
        await f.close();
      }
    };
    const answered = await ask('0.3');
    expect(answered).toMatchObject({ found: true, retrieval: { mode: 'hybrid' } });
    expect(await ask(String(Math.min(1, answered.citations[0]!.score + 0.01)))).toMatchObject({ found: false });
  });

  it('the article scope: a question asked of one article is answered from that article only', async () => {
    const question = 'Why did the ferry crews walk out?';
    const open = await footnote.ask(question);
    expect(open.citations[0]!.article.file).toBe('ferry-strike.txt');
    const scoped = await footnote.ask(question, { articleId: 'harbor-history' });
    expect(scoped.found).toBe(true);
    expect(scoped.citations[0]!.quote).toBe('Ferry crews walked out once, in year 15, over the new timetable.');
    expect(scoped.citations.map((c) => c.article.file)).toEqual(scoped.citations.map(() => 'harbor-history.txt'));
  });

  it("an article's opening sentence is weighed, and can answer, though its passage was not retrieved", async () => {
    const meeting = (body: string, day: string, item: string): string =>
      `The ${body} committee met on a quiet ${day} and discussed the ${item} budget for the coming season.`;
    const filler = [
      ['parish', 'Tuesday', 'roads'],
      ['school', 'Monday', 'library'],
      ['harbor', 'Friday', 'pier'],
      ['market', 'Sunday', 'stall'],
      ['council', 'Thursday', 'lamp'],
      ['garden', 'Wednesday', 'fence'],
    ]
      .map(([body, day, item]) => meeting(body!, day!, item!))
      .join(' ');
    const dir = collection({
      // The opening shares its passage with a long paragraph, so a short later passage that
      // spreads the question's words over five sentences has the better BM25.
      'farmland-birds.txt': article({ title: 'Farmland Birds' }, [
        'The barn owl is the most widely distributed species of owl.',
        filler,
        'Owl numbers are counted each spring. Most counts are kept by volunteers. Species lists are printed. ' +
          'The birds are widely loved. Their range is distributed over farmland.',
        filler,
        filler,
      ]),
    });
    const f = new Footnote(testConfig({ ARTICLES_DIR: dir, RETRIEVAL_MODE: 'lexical', TOP_K: '1' }), silentLog);
    try {
      const question = 'What is the most widely distributed owl species?';
      const answer = await f.ask(question, { explain: true });
      expect(answer.explanation!.passages).toEqual([expect.objectContaining({ paragraphs: [3, 3] })]);
      expect(answer.citations[0]).toMatchObject({
        quote: 'The barn owl is the most widely distributed species of owl.',
        paragraph: 1,
      });
    } finally {
      await f.close();
    }
  });

  it('the per-article cap: a long article does not crowd a short one out of the passages retrieved', async () => {
    const index = footnote.index()!;
    const retrieved = await retrieve(index, null, 'harbor commuters ferries', { mode: 'lexical', k: 4, efSearch: 64 });
    const files = retrieved.hits.slice(0, 4).map((h) => h.article.file);
    expect(files.filter((f) => f === 'harbor-history.txt').length).toBe(3);
    expect(files).toContain('ferry-strike.txt');
  });

  it('an article the question names by its author is searched even when others match its words better', async () => {
    const question = 'What did Raj Patel report about the harbor commuters?';
    // Two passages retrieved: both are the long article's, by words alone.
    const narrow = new Footnote(
      testConfig({
        ARTICLES_DIR: articles,
        INDEX_DIR: footnote.config.indexDir,
        RETRIEVAL_MODE: 'lexical',
        TOP_K: '2',
      }),
      silentLog,
    );
    try {
      const byWords = await retrieve(narrow.index()!, null, 'harbor commuters', {
        mode: 'lexical',
        k: 2,
        efSearch: 64,
      });
      expect(byWords.hits.slice(0, 2).map((h) => h.article.file)).toEqual(['harbor-history.txt', 'harbor-history.txt']);
      const answer = await narrow.ask(question);
      expect(answer.found).toBe(true);
      expect(answer.citations[0]!.article.file).toBe('ferry-strike.txt');
    } finally {
      await narrow.close();
    }
  });
});

describe('an article the question names', () => {
  let footnote: Footnote;

  beforeAll(async () => {
    const articles = collection({
      // Every passage a passage of its own (CHUNK_MAX_TOKENS below); the answer is the almanac's
      // third best by words, after two that repeat them.
      'almanac.txt': article({ title: 'The Island Almanac', author: 'Tove Lind', date: '2018-02-02' }, [
        'The lighthouse lamp, the lighthouse lamp: the lighthouse lamp is the island, its keepers say, and always was.',
        'The lighthouse lamp was cleaned on Fridays, and the lighthouse lamp was cleaned again before every storm.',
        `Until 1890 the lighthouse lamp burned whale oil, carried up the stairs each evening. ${FILLER.join(' ')}`,
        FILLER[1]!,
      ]),
      'harbour-lights.txt': article({ title: 'Harbour Lights', author: 'Ann Lowe', date: '2022-06-01' }, [
        'Lighthouse lamp after lighthouse lamp after lighthouse lamp: lighthouse lamps, lighthouse lamps everywhere.',
        'A lighthouse lamp, a lighthouse lamp, a lighthouse lamp and one more lighthouse lamp for the ferry slip.',
      ]),
    });
    footnote = new Footnote(
      testConfig({ ARTICLES_DIR: articles, RETRIEVAL_MODE: 'lexical', CHUNK_MAX_TOKENS: '32', TOP_K: '2' }),
      silentLog,
    );
    await footnote.reindex();
  });
  afterAll(() => footnote?.close());

  it('has its three best passages searched, though other articles match the words better', async () => {
    const index = footnote.index()!;
    const options = { mode: 'lexical' as const, k: 2, efSearch: 64 };
    const byWords = await retrieve(index, null, 'lighthouse lamp', options);
    expect(byWords.hits.map((h) => h.article.file)).toEqual(['harbour-lights.txt', 'harbour-lights.txt']);
    const named = await retrieve(index, null, 'What did Tove Lind write about the lighthouse lamp?', options);
    const almanac = named.hits.filter((h) => h.article.file === 'almanac.txt').map((h) => h.passage.text);
    expect(almanac).toHaveLength(3);
    expect(almanac[2]).toMatch(/^Until 1890 the lighthouse lamp burned whale oil/);
  });
});

describe('further quotes', () => {
  it("are nearly as good as the best, except the opening of the best one's article, quoted with evidence", async () => {
    const dir = collection({
      'gull-point.txt': article({ title: 'Harbor Lighthouse' }, [
        'The Gull lighthouse has guided ships into the harbor for a century.',
        `${FILLER[0]} ${FILLER[1]}`,
        'Its keeper retired in 1990, when the Gull Point lamp was automated.',
      ]),
    });
    const f = new Footnote(testConfig({ ARTICLES_DIR: dir, RETRIEVAL_MODE: 'lexical' }), silentLog);
    try {
      const answer = await f.ask('When was the Gull Point lamp automated?', { explain: true });
      const listed = answer.explanation!.sentences.map((s) => s.text);
      // "…met on Tuesday…" (a day answers "when") scores above the opening, both under the relative floor.
      expect(listed.indexOf('The committee met on Tuesday and adjourned early.')).toBeLessThan(
        listed.indexOf('The Gull lighthouse has guided ships into the harbor for a century.'),
      );
      expect(answer.citations.map((c) => [c.quote, c.paragraph])).toEqual([
        ['Its keeper retired in 1990, when the Gull Point lamp was automated.', 3],
        ['The Gull lighthouse has guided ships into the harbor for a century.', 1],
      ]);
    } finally {
      await f.close();
    }
  });
});

describe('questions about the article itself', () => {
  let footnote: Footnote;
  const file = fs.readFileSync(SHIPPED_ARTICLE, 'utf8');

  beforeAll(async () => {
    footnote = new Footnote(testConfig({ RETRIEVAL_MODE: 'lexical' }), silentLog);
    await footnote.reindex();
  });
  afterAll(() => footnote?.close());

  it.each([
    ['Who was the editor?', '(Reporting by Deepa Seetharaman; Editing by Edwina Gibbs)', 'text'],
    ['Who wrote the article?', '(Reporting by Deepa Seetharaman; Editing by Edwina Gibbs)', 'text'],
    ['When was the story published?', 'date 2014-10-28', 'file'],
    ['Where did this story first appear?', 'This story originally appeared on Reuters', 'file'],
    ['Which news agency published the Alibaba story?', 'This story originally appeared on Reuters', 'file'],
    // Named by its source alone: no passage holds "Reuters", so none is retrieved.
    ['Who wrote the Reuters story?', '(Reporting by Deepa Seetharaman; Editing by Edwina Gibbs)', 'text'],
    ['When was the Reuters story published?', 'date 2014-10-28', 'file'],
    ['Where did the Reuters story first appear?', 'This story originally appeared on Reuters', 'file'],
  ])('%s quotes the file’s own line', async (question, quote, located) => {
    const answer = await footnote.ask(question);
    expect(answer.found).toBe(true);
    const [citation] = answer.citations;
    expect(citation).toMatchObject({ quote, located });
    // start/end locate it in the cleaned text, or for lines the cleaned text leaves out, in the file.
    const text = located === 'file' ? file : footnote.index()!.article('alibaba-jack-ma-open-to-apple-payments')!.text;
    expect(text.slice(citation!.start, citation!.end)).toBe(quote);
    expect(citation!.paragraph).toBe(located === 'file' ? 0 : 10);
    expect(collapse(file)).toContain(collapse(citation!.quote));
  });

  it('does not take a question about another work for one about the article', async () => {
    expect(await footnote.ask('Who wrote Pride and Prejudice?')).toMatchObject({ found: false });
    // The article names Alibaba Group, but the question points at the company, not at the text.
    expect(await footnote.ask('Who is the editor at Alibaba Group?')).not.toMatchObject({
      citations: [{ quote: '(Reporting by Deepa Seetharaman; Editing by Edwina Gibbs)' }],
    });
  });
});

describe('signals that decide between sentences and between answer and "not found"', () => {
  let footnote: Footnote;

  beforeAll(async () => {
    const articles = collection({
      'elvis-presley.txt': article({ title: 'Elvis Presley' }, [
        'Elvis Aaron Presley (January 8, 1935 – August 16, 1977) was an American singer and actor.',
        'His records sold in great numbers, and his films drew large audiences.',
      ]),
      'city-museum.txt': article({ title: 'City Museum' }, [
        'Crowds gathered when the museum opened its new wing to visitors.',
        'The museum opened its new wing on 3 May 2019.',
      ]),
      'harbor-ferries.txt': article({ title: 'Harbor Ferries' }, [
        'The ferries were built to cross the bay in any weather.',
        FILLER[1]!,
      ]),
      'pitbull.txt': article({ title: 'Pitbull (rapper)' }, [
        'Armando Christian Pérez, known as Pitbull, is a rapper from Miami.',
        FILLER[2]!,
      ]),
      'apollo-eleven.txt': article({ title: 'Apollo Eleven' }, ['Neil Armstrong commanded Apollo Eleven.', FILLER[0]!]),
      'apollo-twelve.txt': article({ title: 'Apollo Twelve' }, [
        'Pete Conrad commanded Apollo Twelve, the Apollo flight after the Apollo landing.',
        FILLER[1]!,
      ]),
      'kennedy-funeral.txt': article({ title: 'State funeral of John F. Kennedy' }, [
        'After the service the late president was buried at Arlington.',
        FILLER[2]!,
      ]),
      'lincoln-burial.txt': article({ title: 'Lincoln in Springfield' }, [
        'Lincoln was buried in Springfield, buried beside his sons.',
        FILLER[3]!,
      ]),
      'neverending-story.txt': article({ title: 'The NeverEnding Story (song)' }, [
        '"The NeverEnding Story" is the theme of the film, performed by Limahl.',
        FILLER[3]!,
      ]),
    });
    footnote = new Footnote(testConfig({ ARTICLES_DIR: articles, RETRIEVAL_MODE: 'lexical' }), silentLog);
    await footnote.reindex();
  });
  afterAll(() => footnote?.close());

  it('a question that names an article by its title is answered from it, though its other words are not there', async () => {
    // Only "Elvis" is found, a single word, which chance alone could explain; but it names the article.
    const answer = await footnote.ask('What year was Elvis born?');
    expect(answer.found).toBe(true);
    expect(answer.citations[0]!.quote).toMatch(/^Elvis Aaron Presley \(January 8, 1935/);
  });

  it('a word matches the same word written with diacritics, as the full-text index reads them', async () => {
    const answer = await footnote.ask('Who is Perez?');
    expect(answer.found).toBe(true);
    expect(answer.citations[0]!.quote).toMatch(/^Armando Christian Pérez/);
  });

  it('two words of the question match the one word the article writes them as', async () => {
    // "never" and "ending" are nowhere in the articles; "neverending" is.
    const answer = await footnote.ask('Who sings the song never ending story?');
    expect(answer.found).toBe(true);
    expect(answer.citations[0]!.quote).toBe('"The NeverEnding Story" is the theme of the film, performed by Limahl.');
  });

  it('a misspelled word matches the word the articles hold one letter away', async () => {
    const answer = await footnote.ask('Who is Armstrung?');
    expect(answer.found).toBe(true);
    expect(answer.citations[0]!.quote).toBe('Neil Armstrong commanded Apollo Eleven.');
  });

  it('a misspelled word is searched as the articles spell it in hybrid mode too', async () => {
    const hybrid = new Footnote(
      testConfig({ ARTICLES_DIR: footnote.config.articlesDir, RETRIEVAL_MODE: 'hybrid' }),
      silentLog,
    );
    try {
      await hybrid.reindex();
      const answer = await hybrid.ask('Who is Armstrung?');
      expect(answer.retrieval.mode).toBe('hybrid');
      expect(answer.question).toBe('Who is Armstrung?');
      expect(answer.citations[0]?.quote).toBe('Neil Armstrong commanded Apollo Eleven.');
    } finally {
      await hybrid.close();
    }
  });

  it("a name's initials name the article whose title holds it", async () => {
    const answer = await footnote.ask('Where was JFK buried?');
    expect(answer.citations[0]!.quote).toBe('After the service the late president was buried at Arlington.');
  });

  it('a number in digits matches the number the article writes in words', async () => {
    const answer = await footnote.ask('Who commanded Apollo 11?');
    expect(answer.citations[0]!.quote).toBe('Neil Armstrong commanded Apollo Eleven.');
  });

  it('a "when" question prefers the sentence that holds a date', async () => {
    const answer = await footnote.ask('When did the museum open its new wing?');
    expect(answer.citations[0]!.quote).toBe('The museum opened its new wing on 3 May 2019.');
  });
});

describe('the meaning of the passage, with the model', () => {
  // Two articles carry the same sentence in passages alike in words (the same BM25); only the
  // passages' cosines to the question tell them apart.
  const sentence = 'Ferry crews walked out over pay.';
  const stored = (id: string): IndexedArticle => {
    const text = `${sentence} ${FILLER[0]}`;
    const lead = [{ start: 0, end: sentence.length, terms: contentTerms(sentence) }];
    return {
      ...{ id, file: `${id}.txt`, hash: id, title: id, date: null, source: null, author: null, url: null },
      ...{ text, paragraphs: [{ n: 1, start: 0, end: text.length }], credits: [], passages: 1, lead },
    };
  };
  const hit = (article: IndexedArticle, dense: number): RankedPassage => ({
    passage: {
      ...{ id: dense * 100, articleId: article.id, ordinal: 0, paragraphStart: 1, paragraphEnd: 1 },
      ...{ start: 0, end: article.text.length, tokens: 20, text: article.text, sentences: article.lead },
    },
    article,
    score: 0,
    dense,
    lexical: 5,
  });
  const unit = (x: number): Float32Array => Float32Array.from([x, Math.sqrt(1 - x * x)]);
  const collection: Collection = {
    terms: { passages: 5000, frequency: () => 3 },
    metadata: { articles: 2, frequency: () => 0 },
    passageMean: null,
    // The question's cosines to a sample of passages spread from 0 to 0.4.
    vectorSample: [0, 0.1, 0.2, 0.3, 0.4].map(unit),
    sentenceSample: [],
    sentenceVectors: () => new Map(),
    soleArticle: () => null,
    namedArticles: () => [],
  };

  it('puts first, of two sentences alike in words, the one whose passage is nearer the question', () => {
    const [near, far] = [stored('near'), stored('far')];
    const question = 'Why did the ferry crews walk out?';
    // The farther passage ranks first by fusion: only its meaning can put the nearer one's sentence first.
    const retrieved: Retrieved = {
      mode: 'hybrid',
      question,
      queryVector: unit(1),
      hits: [hit(far, 0.2), hit(near, 0.9)],
    };
    const answer = composeAnswer(question, retrieved, collection, { minScore: 0.2, meaningMargin: 8, model: 'test' });
    expect(answer.citations.map((c) => c.article.file)).toEqual(['near.txt']);
    // Without the model's signals the two tie, and the first retrieved goes first.
    const lexical = composeAnswer(question, { ...retrieved, mode: 'lexical', queryVector: null }, collection, {
      minScore: 0.2,
      meaningMargin: 8,
      model: 'test',
    });
    expect(lexical.citations.map((c) => c.article.file)).toEqual(['far.txt']);
  });
});

describe('a question that asks for a count', () => {
  const ask = async (files: Record<string, string>, question: string) => {
    const f = new Footnote(testConfig({ ARTICLES_DIR: collection(files), RETRIEVAL_MODE: 'lexical' }), silentLog);
    try {
      return await f.ask(question, { explain: true });
    } finally {
      await f.close();
    }
  };
  const bay = {
    'bay-ferries.txt': article({ title: 'Bay Ferries' }, [
      'The ferries cross the bay from the old pier, painted blue.',
      FILLER[0]!,
    ]),
  };

  it('is answered only by a sentence that gives a count, in digits or in words', async () => {
    // Every word of the question is there, but no number: "not found", and the explanation says why.
    const countless = await ask(bay, 'How many ferries cross the bay?');
    expect(countless).toMatchObject({ found: false, text: NOT_FOUND });
    expect(countless.explanation!.decision).toMatchObject({ kind: 'no-count' });
    // The same words, asked for something else, are answered by the same sentence.
    const which = await ask(bay, 'Which ferries cross the bay?');
    expect(which.citations[0]!.quote).toBe('The ferries cross the bay from the old pier, painted blue.');
    // A sentence that gives the count answers it.
    const fleet = {
      ...bay,
      'ferry-fleet.txt': article({ title: 'The Ferry Fleet' }, ['Eleven ferries cross the bay each day.', FILLER[1]!]),
    };
    const counted = await ask(fleet, 'How many ferries cross the bay?');
    expect(counted.found).toBe(true);
    expect(counted.citations.map((c) => c.quote)).toContain('Eleven ferries cross the bay each day.');
  });
});
