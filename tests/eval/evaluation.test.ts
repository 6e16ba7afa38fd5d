import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  evaluate,
  parseQuestions,
  QuestionFileError,
  sweepThresholds,
  type EvalAnswer,
  type EvalQuestion,
  type QuestionResult,
} from '../../src/library/evaluation.js';
import { ROOT, tempDir, testEnv } from '../support/setup.js';

const FILE = 'a.txt';

function citation(n: number, file: string, quote: string): EvalAnswer['citations'][number] {
  return {
    n,
    article: { id: file, title: file, date: null, source: null, file, author: null, url: null },
    paragraph: 1,
    quote,
    start: 0,
    end: quote.length,
    located: 'text',
    score: 0.5,
  };
}

/** A fake `ask`: each question's canned citations (none = not found), its mode and latency. */
function fakeAsk(canned: Map<string, { citations: EvalAnswer['citations']; mode: 'lexical' | 'hybrid'; ms: number }>) {
  return async (question: string): Promise<EvalAnswer> => {
    const c = canned.get(question)!;
    return {
      found: c.citations.length > 0,
      citations: c.citations,
      retrieval: { mode: c.mode, model: 'fake' },
      timings: { totalMs: c.ms },
    };
  };
}

describe('evaluate', () => {
  it('computes hit@1, hit@3, MRR, abstention precision and recall, latency percentiles and modes', async () => {
    const cases: [string, EvalQuestion['expect'], EvalAnswer['citations']][] = [
      ['first', { files: [FILE], quotes: ['Ma said'] }, [citation(1, FILE, 'Jack Ma said so.')]],
      [
        'second',
        { files: [FILE], quotes: ['Ma said'] },
        [citation(1, 'b.txt', 'Ma said'), citation(2, FILE, 'Ma said it.')],
      ],
      ['right file, other words', { files: [FILE], quotes: ['Tim Cook'] }, [citation(1, FILE, 'Apple Pay.')]],
      ['abstained wrongly', { files: [FILE], quotes: ['Ma said'] }, []],
      [
        'fourth',
        { files: [FILE], quotes: ['Ma said'] },
        [1, 2, 3].map((n) => citation(n, 'b.txt', 'Ma said')).concat(citation(4, FILE, 'Ma said')),
      ],
      ['file only', { files: [FILE] }, [citation(1, 'b.txt', 'x'), citation(2, 'c.txt', 'y'), citation(3, FILE, 'z')]],
      ['case differs', { files: [FILE], quotes: ['Apple Pay'] }, [citation(1, FILE, 'apple pay')]],
      [
        'white space differs',
        { files: [FILE], quotes: ['Apple  Pay\nmight'] },
        [citation(1, FILE, 'Alipay and Apple\n Pay might tie up')],
      ],
      [
        'one of several files and quotes',
        { files: ['b.txt', FILE], quotes: ['Tim Cook', 'Apple Pay'] },
        [citation(1, 'c.txt', 'Apple Pay'), citation(2, FILE, 'Apple Pay.')],
      ],
      ['abstained rightly', { found: false }, []],
      ['answered wrongly', { found: false }, [citation(1, FILE, 'Ma said')]],
    ];
    const questions: EvalQuestion[] = cases.map(([question, expect], i) => ({ question, expect, line: i + 1 }));
    const ask = fakeAsk(
      new Map(
        cases.map(([question, , citations], i) => [
          question,
          { citations, mode: i % 2 ? 'hybrid' : 'lexical', ms: i + 1 },
        ]),
      ),
    );

    const report = await evaluate(questions, ask);

    expect(report.results.map((r) => r.rank)).toEqual([1, 2, null, null, 4, 3, null, 1, 2, null, null]);
    expect(report.results.map((r) => r.passed)).toEqual([
      true,
      true,
      false,
      false,
      false,
      true,
      false,
      true,
      true,
      true,
      false,
    ]);
    expect(report).toMatchObject({
      questions: 11,
      answerable: 9,
      unanswerable: 2,
      hitAt1: { value: 2 / 9, count: 2, of: 9 },
      hitAt3: { value: 5 / 9, count: 5, of: 9 },
      wronglyNotFound: { value: 1 / 9, count: 1, of: 9 },
      abstention: {
        precision: { value: 1 / 2, count: 1, of: 2 },
        recall: { value: 1 / 2, count: 1, of: 2 },
      },
      latencyMs: { p50: 6, p95: 11 },
      modes: ['hybrid', 'lexical'],
    });
    expect(report.mrr).toBeCloseTo((1 + 1 / 2 + 0 + 0 + 1 / 4 + 1 / 3 + 0 + 1 + 1 / 2) / 9, 10);
    // 9 answers found something, with 16 citations between them.
    expect(report.quotesPerAnswer).toBeCloseTo(16 / 9, 10);
  });

  it('reports rates it cannot compute as null rather than as 0 or 1', async () => {
    const ask = fakeAsk(
      new Map([['q', { citations: [citation(1, FILE, 'Ma said')], mode: 'lexical' as const, ms: 3 }]]),
    );
    const report = await evaluate([{ question: 'q', expect: { files: [FILE] }, line: 1 }], ask);
    expect(report.hitAt1.value).toBe(1);
    expect(report.abstention.precision).toEqual({ value: null, count: 0, of: 0 });
    expect(report.abstention.recall).toEqual({ value: null, count: 0, of: 0 });
    expect(report.latencyMs).toEqual({ p50: 3, p95: 3 });
    expect(report.quotesPerAnswer).toBe(1);
    const none = await evaluate(
      [{ question: 'q', expect: { found: false }, line: 1 }],
      fakeAsk(new Map([['q', { citations: [], mode: 'lexical' as const, ms: 3 }]])),
    );
    expect(none.quotesPerAnswer).toBeNull();
    expect(none.hitAt3).toEqual({ value: null, count: 0, of: 0 });
  });
});

describe('parseQuestions', () => {
  it('reads JSON lines, skipping blank lines and // comments, and keeps line numbers', () => {
    const text = [
      '// a comment',
      '',
      '{"question": "Who?", "expect": {"file": "a.txt", "quote": "Ma said"}}',
      '  ',
      '{"question": "Capital of France?", "expect": {"found": false}}',
      '{"question": "Where?", "expect": {"file": "b.txt"}}',
      '{"question": "Which?", "expect": {"files": ["b.txt", "c.txt"], "quotes": ["one", "two"]}}',
    ].join('\n');
    expect(parseQuestions(text, 'q.jsonl')).toEqual([
      { question: 'Who?', expect: { files: ['a.txt'], quotes: ['Ma said'] }, line: 3 },
      { question: 'Capital of France?', expect: { found: false }, line: 5 },
      { question: 'Where?', expect: { files: ['b.txt'] }, line: 6 },
      { question: 'Which?', expect: { files: ['b.txt', 'c.txt'], quotes: ['one', 'two'] }, line: 7 },
    ]);
  });

  it.each([
    ['{"question": "Who?", "expect": {"file": "a.txt"}', /not valid JSON/],
    ['["Who?"]', /expected a JSON object/],
    ['{"question": "", "expect": {"found": false}}', /"question" must be a non-empty string/],
    ['{"question": "Who?"}', /"expect" must be an object/],
    ['{"question": "Who?", "expect": {"found": true}}', /can only be false/],
    ['{"question": "Who?", "expect": {"quote": "Ma"}}', /"expect.file"/],
    ['{"question": "Who?", "expect": {"file": "a.txt", "qoute": "Ma"}}', /unknown key "qoute"/],
    ['{"question": "Who?", "expect": {"file": "a.txt", "quote": 3}}', /"expect.quote"/],
    ['{"question": "Who?", "expect": {"files": []}}', /"expect.files"/],
    ['{"question": "Who?", "expect": {"files": ["a.txt"], "quotes": ["Ma", ""]}}', /"expect.quotes"/],
    ['{"question": "Who?", "expect": {"file": "a.txt", "files": ["b.txt"]}}', /not both/],
  ])('rejects %s naming the file and line', (line, reason) => {
    const parse = () => parseQuestions(`// first line\n${line}\n`, 'q.jsonl');
    expect(parse).toThrow(QuestionFileError);
    expect(parse).toThrow(/^q\.jsonl:2: /);
    expect(parse).toThrow(reason);
  });
});

describe('npm run eval', () => {
  it('exits 2 naming the file and line of a malformed question, or the bad flag', () => {
    const file = path.join(tempDir('footnote-eval-'), 'bad.jsonl');
    fs.writeFileSync(file, '{"question": "Who?", "expect": {"found": false}}\n{"question": "Who?"\n');
    const run = (args: string[]) =>
      spawnSync('npm', ['run', '--silent', 'eval', '--', ...args], {
        cwd: ROOT,
        env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? ROOT, ...testEnv() },
        encoding: 'utf8',
        timeout: 60_000,
      });

    const malformed = run(['--questions', file]);
    expect(malformed.status).toBe(2);
    expect(malformed.stderr).toContain(`${file}:2: not valid JSON`);

    const badMode = run(['--questions', file, '--mode', 'fuzzy']);
    expect(badMode.status).toBe(2);
    expect(badMode.stderr).toMatch(/--mode: expected one of hybrid, dense, lexical/);
  });
});

describe('sweepThresholds', () => {
  it('tells what each "not found" threshold would give', () => {
    const result = (
      line: number,
      expect: QuestionResult['expect'],
      score: number | null,
      rank: number | null,
    ): QuestionResult => ({
      line,
      question: `q${line}`,
      expect,
      found: score !== null,
      rank,
      passed: false,
      mode: 'lexical',
      totalMs: 1,
      citations: score === null ? [] : [{ n: 1, file: 'a.txt', quote: 'x', score }],
    });
    const results = [
      result(1, { files: ['a.txt'] }, 0.8, 1),
      result(2, { files: ['a.txt'] }, 0.3, 1),
      result(3, { found: false }, 0.2, null),
      result(4, { found: false }, null, null),
    ];
    expect(sweepThresholds(results, [0, 0.25, 0.5])).toEqual([
      { threshold: 0, hitAt3: 1, abstentionPrecision: 1, abstentionRecall: 0.5 },
      { threshold: 0.25, hitAt3: 1, abstentionPrecision: 1, abstentionRecall: 1 },
      { threshold: 0.5, hitAt3: 0.5, abstentionPrecision: 2 / 3, abstentionRecall: 1 },
    ]);
  });
});
