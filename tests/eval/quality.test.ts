import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  evaluate,
  expectsAbstention,
  loadQuestions,
  type EvalReport,
  type QuestionResult,
} from '../../src/library/evaluation.js';
import { Footnote } from '../../src/library/footnote.js';
import { writeSotuArticles } from '../../scripts/sotu.js';
import { SHIPPED_ARTICLES, silentLog, tempDir, testConfig } from '../support/setup.js';

/** RETRIEVAL_MODE the floors are held in: the one that needs no model, so it is what every user gets at least. */
const MODE = 'lexical';

// Raise a floor as retrieval improves; never lower one to make a run pass.
const SETS = [
  {
    name: 'the shipped article',
    questions: path.join(import.meta.dirname, 'shipped-article.jsonl'),
    articles: (): string => SHIPPED_ARTICLES,
    floors: { hitAt1: 0.95, hitAt3: 0.95, recall: 0.9, precision: 0.9 },
  },
  {
    // 233 speeches, 1.8 M words: off-topic questions meet common words everywhere.
    name: 'the State of the Union corpus',
    questions: path.join(import.meta.dirname, 'sotu.jsonl'),
    articles: (): string => {
      const dir = tempDir('footnote-sotu-');
      writeSotuArticles(dir);
      return dir;
    },
    floors: { hitAt1: 0.3, hitAt3: 0.5, recall: 0.85, precision: 0.6 },
  },
];

/** The questions that missed, for the assertion message: what was expected and what came back. */
function failures(results: QuestionResult[]): string {
  return results
    .filter((r) => !r.passed)
    .map((r) => {
      const wanted = expectsAbstention(r.expect) ? 'no answer' : `“${r.expect.quotes?.[0] ?? r.expect.files[0]}”`;
      const got = r.found ? r.citations.map((c) => `[${c.n}] “${c.quote.slice(0, 60)}”`).join(' ') : 'no answer';
      return `line ${r.line} ${r.question} — expected ${wanted}, got ${got}`;
    })
    .join('\n');
}

describe.each(SETS)(`answer quality on $name (${MODE})`, ({ questions, articles, floors }) => {
  let footnote: Footnote;
  let report: EvalReport;

  beforeAll(async () => {
    footnote = new Footnote(testConfig({ RETRIEVAL_MODE: MODE, ARTICLES_DIR: articles() }), silentLog);
    await footnote.reindex();
    report = await evaluate(loadQuestions(questions), (question) => footnote.ask(question));
  });
  afterAll(() => footnote?.close());

  it(`answers in ${MODE} mode`, () => {
    expect(report.modes).toEqual([MODE]);
  });

  it(`cites the expected sentence first for at least ${floors.hitAt1 * 100}% of the questions`, () => {
    const answerable = report.results.filter((r) => !expectsAbstention(r.expect));
    expect(
      report.hitAt1.value,
      `hit@1 ${report.hitAt1.count}/${report.hitAt1.of}; misses:\n${failures(answerable.filter((r) => r.rank !== 1))}`,
    ).toBeGreaterThanOrEqual(floors.hitAt1);
  });

  it(`cites the expected sentence among the top 3 for at least ${floors.hitAt3 * 100}% of the questions`, () => {
    const answerable = report.results.filter((r) => !expectsAbstention(r.expect));
    expect(
      report.hitAt3.value,
      `hit@3 ${report.hitAt3.count}/${report.hitAt3.of}; misses:\n${failures(answerable)}`,
    ).toBeGreaterThanOrEqual(floors.hitAt3);
  });

  it(`says "not found" to at least ${floors.recall * 100}% of the off-topic questions (recall)`, () => {
    const offTopic = report.results.filter((r) => expectsAbstention(r.expect));
    expect(report.abstention.recall.value, failures(offTopic)).toBeGreaterThanOrEqual(floors.recall);
  });

  it(`says "not found" only to off-topic questions at least ${floors.precision * 100}% of the time (precision)`, () => {
    const abstainedWrongly = report.results.filter((r) => !expectsAbstention(r.expect) && !r.found);
    expect(
      report.abstention.precision.value,
      `abstained on answerable questions:\n${failures(abstainedWrongly)}`,
    ).toBeGreaterThanOrEqual(floors.precision);
  });
});
