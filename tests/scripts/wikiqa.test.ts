import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadArticles } from '../../src/articles/load.js';
import { evaluate, loadQuestions } from '../../src/library/evaluation.js';
import { Footnote } from '../../src/library/footnote.js';
import { middleWords, parseWikiQa } from '../../scripts/wikiqa.js';
import { ROOT, collapse, silentLog, tempDir, testConfig, testEnv } from '../support/setup.js';

// A few rows in WikiQA's own format (made up here: the real TSV is not part of the project).
const TSV = [
  'QuestionID\tQuestion\tDocumentID\tDocumentTitle\tSentenceID\tSentence\tLabel',
  'Q1\twhen was the harbor bridge opened\tD1\tHarbor Bridge (Riverton)\tD1-0\tThe Harbor Bridge is a steel arch bridge in Riverton .\t0',
  'Q1\twhen was the harbor bridge opened\tD1\tHarbor Bridge (Riverton)\tD1-2\tIt carries two tracks and six lanes of traffic across the harbor every day .\t0',
  'Q1\twhen was the harbor bridge opened\tD1\tHarbor Bridge (Riverton)\tD1-1\tThe bridge was opened to traffic on 19 March 1932 after eight years of work .\t1',
  'Q2\twho designed the harbor bridge\tD1\tHarbor Bridge (Riverton)\tD1-0\tThe Harbor Bridge is a steel arch bridge in Riverton .\t0',
  'Q2\twho designed the harbor bridge\tD1\tHarbor Bridge (Riverton)\tD1-1\tThe bridge was opened to traffic on 19 March 1932 after eight years of work .\t0',
  'Q2\twho designed the harbor bridge\tD1\tHarbor Bridge (Riverton)\tD1-2\tIt carries two tracks and six lanes of traffic across the harbor every day .\t0',
  'Q3\twhat do owls eat\tD2\tOwl\tD2-0\tOwls are birds of the order Strigiformes , hunting mostly at night .\t0',
  'Q3\twhat do owls eat\tD2\tOwl\tD2-1\tMost owls eat small mammals , insects and other birds .\t1',
].join('\n');

describe('WikiQA as an evaluation collection', () => {
  it('groups the rows into summaries in sentence order and questions with their labelled sentences', () => {
    const { documents, questions } = parseWikiQa(TSV);
    expect(documents.map((d) => [d.id, d.title, d.sentences.length])).toEqual([
      ['D1', 'Harbor Bridge (Riverton)', 3],
      ['D2', 'Owl', 2],
    ]);
    expect(documents[0]!.sentences[1]).toMatch(/^The bridge was opened/);
    expect(questions.map((q) => [q.id, q.document, q.answers.length])).toEqual([
      ['Q1', 'D1', 1],
      ['Q2', 'D1', 0],
      ['Q3', 'D2', 1],
    ]);
  });

  it('rejects a file that is not in its format, naming the line', () => {
    expect(() => parseWikiQa('a\tb\n')).toThrow(/not a WikiQA TSV/);
    expect(() => parseWikiQa(`${TSV}\nQ9\tbroken row`)).toThrow(/line 10: expected 7 tab-separated columns/);
  });

  it('expects the middle words of a labelled sentence, all of a short one', () => {
    expect(middleWords('one two three')).toBe('one two three');
    expect(middleWords('a b c d e f g h i j k l')).toBe('d e f g h i');
  });

  it('npm run corpus:wikiqa writes articles and questions that npm run eval scores', async () => {
    const out = tempDir('footnote-wikiqa-');
    const tsv = path.join(out, 'dev.tsv');
    fs.writeFileSync(tsv, TSV);
    const run = spawnSync('npm', ['run', '--silent', 'corpus:wikiqa', '--', tsv, out], {
      cwd: ROOT,
      env: { ...process.env, ...testEnv() },
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('3 questions (2 answerable, 1 not answered by their summary)');

    const articles = path.join(out, 'articles');
    const { articles: loaded } = await loadArticles(articles);
    expect(loaded.map((a) => [a.file, a.title, a.source])).toEqual([
      ['D1-harbor-bridge-riverton.txt', 'Harbor Bridge (Riverton)', 'Wikipedia'],
      ['D2-owl.txt', 'Owl', 'Wikipedia'],
    ]);
    // The summary is the sentences, verbatim and in order.
    expect(collapse(loaded[0]!.text)).toBe(collapse(parseWikiQa(TSV).documents[0]!.sentences.join(' ')));

    const questions = loadQuestions(path.join(out, 'questions.jsonl'));
    expect(questions.map((q) => q.expect)).toEqual([
      { files: ['D1-harbor-bridge-riverton.txt'], quotes: ['to traffic on 19 March 1932 after eight'] },
      { found: false },
      { files: ['D2-owl.txt'], quotes: ['eat small mammals , insects and other'] },
    ]);
    const footnote = new Footnote(testConfig({ ARTICLES_DIR: articles, RETRIEVAL_MODE: 'lexical' }), silentLog);
    try {
      await footnote.reindex();
      const report = await evaluate(questions, (q) => footnote.ask(q));
      expect(report.hitAt1).toMatchObject({ count: 2, of: 2 });
    } finally {
      await footnote.close();
    }
  });

  it('npm run corpus:wikiqa exits 2 with usage when arguments are missing or the file is unreadable', () => {
    const run = (args: string[]) =>
      spawnSync('npm', ['run', '--silent', 'corpus:wikiqa', '--', ...args], {
        cwd: ROOT,
        env: { ...process.env, ...testEnv() },
        encoding: 'utf8',
      });
    expect(run([]).status).toBe(2);
    const missing = run(['/nonexistent/WikiQA-dev.tsv', tempDir()]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('cannot read /nonexistent/WikiQA-dev.tsv');
  });
});
