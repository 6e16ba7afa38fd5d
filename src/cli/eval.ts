// `npm run eval`: answer quality on a question file (hit@k, MRR, abstention), with threshold calibration.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { UsageError } from '../core/errors.js';
import {
  evaluate,
  expectsAbstention,
  loadQuestions,
  sweepThresholds,
  type EvalQuestion,
  type EvalReport,
  type QuestionResult,
  type Rate,
  type ThresholdRow,
} from '../library/evaluation.js';
import { Footnote } from '../library/footnote.js';
import { RETRIEVAL_MODES, isRetrievalMode } from '../core/retrieval/modes.js';
import { collapseWhitespace, shorten } from '../core/text/words.js';
import { downloadProgress, indexProgress } from './progress.js';
import { commandArguments } from './arguments.js';
import { runCommand } from './run.js';

const USAGE = `usage: npm run eval -- --questions FILE [options]
  --questions FILE  JSON lines: {"question": …, "expect": {"file": …, "quote": …}}
                    (or "files": […], "quotes": […]) or {"question": …, "expect": {"found": false}}
  --articles DIR    the articles to answer from (default ARTICLES_DIR); without --index, indexed into a
                    temporary folder first
  --index DIR       the index to use (default INDEX_DIR)
  --mode M          dense, lexical or hybrid (default RETRIEVAL_MODE)
  --calibrate       answer with no score threshold (MIN_SCORE, MIN_LEXICAL_SCORE) and show what each would give
  --json            print one JSON object instead of a table`;

runCommand(async ({ log, argv }) => {
  const parsed = commandArguments(
    argv,
    USAGE,
    {
      questions: { type: 'string' },
      articles: { type: 'string' },
      index: { type: 'string' },
      mode: { type: 'string' },
      json: { type: 'boolean' },
      calibrate: { type: 'boolean' },
    },
    { positionals: false },
  );
  if (!parsed) return;
  const options = parsed.values;
  if (!options.questions) throw new UsageError(`--questions FILE is required.\n${USAGE}`);
  if (options.mode !== undefined && !isRetrievalMode(options.mode)) {
    throw new UsageError(`--mode: expected one of ${RETRIEVAL_MODES.join(', ')}, got "${options.mode}"`);
  }
  const questions = loadQuestions(options.questions);

  const overrides: Record<string, string> = {};
  if (options.articles) overrides.ARTICLES_DIR = options.articles;
  if (options.index) overrides.INDEX_DIR = options.index;
  if (options.mode) overrides.RETRIEVAL_MODE = options.mode;
  // Calibration needs every question's best score, so nothing is held back as "not found".
  if (options.calibrate) Object.assign(overrides, { MIN_SCORE: '-1', MIN_LEXICAL_SCORE: '0' });
  const config = loadConfig({ ...process.env, ...overrides });

  checkArticlesPresent(questions, options.questions, config.articlesDir);

  // Without --index, --articles gets an index of its own rather than overwriting INDEX_DIR's.
  const temp = options.articles && !options.index ? fs.mkdtempSync(path.join(os.tmpdir(), 'footnote-eval-')) : null;
  try {
    const download = downloadProgress(config.embeddingModel);
    const progress = indexProgress();
    const footnote = new Footnote(temp ? { ...config, indexDir: temp } : config, log, {
      onDownload: download.update,
      onIndexProgress: progress.update,
    });
    try {
      if (temp) await footnote.reindex();
      // One untimed question first: loading the model and checking or building the index would
      // otherwise count as the first question's latency.
      await footnote.ask(questions[0]!.question);
      progress.stop();
      download.stop();
      const report = await evaluate(questions, (question) => footnote.ask(question));
      const context = {
        questionsFile: options.questions,
        articlesDir: config.articlesDir,
        model: config.embeddingModel,
      };
      if (options.calibrate) {
        const sweep = sweepThresholds(
          report.results,
          Array.from({ length: 21 }, (_, i) => i / 20),
        );
        process.stdout.write(options.json ? `${JSON.stringify({ ...context, sweep }, null, 2)}\n` : sweepTable(sweep));
      } else {
        process.stdout.write(
          options.json ? `${JSON.stringify({ ...context, ...report }, null, 2)}\n` : table(report, context),
        );
      }
    } finally {
      progress.stop();
      download.stop();
      await footnote.close();
    }
  } finally {
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
  }
});

/** Every article the questions expect is in the articles folder, or the operator is told which are not. */
function checkArticlesPresent(questions: EvalQuestion[], questionsFile: string, articlesDir: string): void {
  const missing = [...new Set(questions.flatMap((q) => (expectsAbstention(q.expect) ? [] : q.expect.files)))].filter(
    (file) => !fs.existsSync(path.join(articlesDir, file)),
  );
  if (missing.length) {
    throw new UsageError(
      `${questionsFile} expects articles that are not in ${articlesDir}: ` +
        `${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}; ` +
        'pass --articles DIR',
    );
  }
}

function fraction(rate: Rate): string {
  return rate.value === null ? 'n/a' : `${rate.value.toFixed(3)}  (${rate.count}/${rate.of})`;
}

function ms(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(1)} ms`;
}

function expected(result: QuestionResult): string {
  if (expectsAbstention(result.expect)) return 'no answer (found: false)';
  const { files, quotes } = result.expect;
  const quoted = quotes?.map((q) => `“${shorten(collapseWhitespace(q), 90)}”`).join(' or ');
  return quoted ? `${files.join(' or ')} ${quoted}` : files.join(' or ');
}

function got(result: QuestionResult): string[] {
  if (!result.found) return ['no answer (found: false)'];
  const note = result.rank !== null ? `correct citation only at [${result.rank}]` : null;
  return [
    ...(note ? [note] : []),
    ...result.citations.map((c) => `[${c.n}] ${c.file} “${shorten(collapseWhitespace(c.quote), 90)}” (${c.score})`),
  ];
}

function table(report: EvalReport, context: { questionsFile: string; articlesDir: string; model: string }): string {
  const rows: [string, string][] = [
    ['questions', `${report.questions}  (${report.answerable} answerable, ${report.unanswerable} unanswerable)`],
    ['mode', report.modes.join(', ')],
    ['hit@1', fraction(report.hitAt1)],
    ['hit@3', fraction(report.hitAt3)],
    ['answerable, "not found"', fraction(report.wronglyNotFound)],
    ['MRR', report.mrr === null ? 'n/a' : report.mrr.toFixed(3)],
    ['abstention precision', fraction(report.abstention.precision)],
    ['abstention recall', fraction(report.abstention.recall)],
    ['quotes per answer', report.quotesPerAnswer === null ? 'n/a' : report.quotesPerAnswer.toFixed(2)],
    ['latency p50', ms(report.latencyMs.p50)],
    ['latency p95', ms(report.latencyMs.p95)],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = [
    `${context.questionsFile} against ${context.articlesDir}`,
    `model ${context.model}`,
    '',
    ...rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`),
  ];
  const failures = report.results.filter((r) => !r.passed);
  lines.push('', failures.length ? `Failures (${failures.length}):` : 'No failures.');
  const label = (name: string): string => `    ${name.padEnd(10)}`;
  for (const r of failures) {
    lines.push(`  line ${r.line}: ${r.question}`, `${label('expected')}${expected(r)}`);
    got(r).forEach((g, i) => lines.push(`${label(i ? '' : 'got')}${g}`));
  }
  return `${lines.join('\n')}\n`;
}

function sweepTable(rows: ThresholdRow[]): string {
  const value = (x: number | null): string => (x === null ? '  n/a' : x.toFixed(3));
  const lines = ['threshold  hit@3  abstention precision  recall'];
  for (const r of rows)
    lines.push(
      [
        r.threshold.toFixed(2).padStart(9),
        value(r.hitAt3),
        value(r.abstentionPrecision).padStart(20),
        value(r.abstentionRecall),
      ].join('  '),
    );
  return `${lines.join('\n')}\n`;
}
