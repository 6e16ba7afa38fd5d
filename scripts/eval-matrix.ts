import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { evaluate, loadQuestions, type EvalReport } from '../src/library/evaluation.js';
import { RETRIEVAL_MODES, isRetrievalMode } from '../src/core/retrieval/modes.js';
import { DEV_SET_OPTIONS, openDevSet } from './dev-set.js';

// Dev tool: every question set × mode in one process, as one Markdown table. node --import tsx scripts/eval-matrix.ts
// --set NAME=QUESTIONS:ARTICLES … [--model DIR] [--modes lexical,hybrid,dense] Indexes are kept in --cache (one per set
// and model) and updated incrementally between runs;
// --verbose also writes each set × mode's results there as JSON. With several modes, a "best of" row per set counts
// a question right when any mode answers it right: how far a perfect choice between the modes' answers could go.
const { values } = parseArgs({
  options: {
    ...DEV_SET_OPTIONS,
    modes: { type: 'string', default: 'lexical,hybrid,dense' },
    json: { type: 'string' },
    verbose: { type: 'boolean' },
  },
});
const rows: Record<string, unknown>[] = [];
const f = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(3));
console.log(
  '| set | mode | hit@1 | hit@3 | MRR | wrongly not found | abstention R | abstention P | quotes/answer | p50 ms |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const spec of values.set ?? []) {
  const { name, questionsFile, footnote } = await openDevSet(spec, { model: values.model, cache: values.cache });
  const modelName = values.model ? path.basename(values.model) : 'none';
  const questions = loadQuestions(questionsFile);
  const reports: [string, EvalReport][] = [];
  for (const mode of values.modes.split(',')) {
    if (!isRetrievalMode(mode))
      throw new Error(`--modes: expected some of ${RETRIEVAL_MODES.join(', ')}, got "${mode}"`);
    if (mode !== 'lexical' && !values.model) continue;
    const report: EvalReport = await evaluate(questions, (q) => footnote.ask(q, { mode }));
    reports.push([mode, report]);
    rows.push({ name, mode, ...report, results: values.verbose ? report.results : undefined });
    const cells = [
      name,
      mode,
      f(report.hitAt1.value),
      f(report.hitAt3.value),
      f(report.mrr),
      `${report.wronglyNotFound.count}/${report.wronglyNotFound.of}`,
      `${report.abstention.recall.count}/${report.abstention.recall.of}`,
      f(report.abstention.precision.value),
      report.quotesPerAnswer?.toFixed(2) ?? 'n/a',
      report.latencyMs.p50?.toFixed(1),
    ];
    console.log(`| ${cells.join(' | ')} |`);
    if (values.verbose)
      fs.writeFileSync(
        path.join(values.cache, `${name}-${mode}-${modelName}.json`),
        JSON.stringify(report.results, null, 1),
      );
  }
  if (reports.length > 1) {
    // Every mode answered the same questions in the same order; a rank is null for a miss and for "not found".
    const within = (k: number): string => {
      const [, first] = reports[0]!;
      const right = first.results.filter((_, i) => reports.some(([, r]) => (r.results[i]!.rank ?? Infinity) <= k));
      return first.answerable ? (right.length / first.answerable).toFixed(3) : 'n/a';
    };
    const cells = [name, `best of ${reports.map(([mode]) => mode).join('/')}`, within(1), within(3)];
    console.log(`| ${[...cells, ...Array.from({ length: 6 }, () => '–')].join(' | ')} |`);
  }
  await footnote.close();
}
if (values.json) fs.writeFileSync(values.json, JSON.stringify(rows, null, 2));
