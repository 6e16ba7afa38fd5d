import { parseArgs } from 'node:util';
import { WEIGHTS, type Signal, type Weights } from '../src/core/answer/score.js';
import { evaluate, expectsAbstention, loadQuestions, type EvalQuestion } from '../src/library/evaluation.js';
import type { Footnote } from '../src/library/footnote.js';
import { isRetrievalMode, needsVectors, type RetrievalMode } from '../src/core/retrieval/modes.js';
import { DEV_SET_OPTIONS, openDevSet } from './dev-set.js';

// Dev tool: how each weight of the answer step's signals moves hit@1 and hit@3 on the dev sets, in one run.
//   npm run eval:signals -- --set NAME=QUESTIONS:ARTICLES … [--model DIR] [--mode lexical] [--cache DIR]
// Each weight in turn is scaled (×0, ×0.5, ×1.5, ×2.5: the coordinate search that set WEIGHTS) and every
// answerable question answered again through the whole pipeline (its real quote selection: widening, joining, the
// relative floor, the thresholds and the count rule), counted as npm run eval counts it.
const { values } = parseArgs({
  options: {
    ...DEV_SET_OPTIONS,
    mode: { type: 'string', default: 'lexical' },
  },
});
if (!isRetrievalMode(values.mode)) throw new Error(`--mode: lexical, hybrid or dense, got "${values.mode}"`);
const mode: RetrievalMode = values.mode;

interface DevSet {
  name: string;
  footnote: Footnote;
  questions: EvalQuestion[];
}
const sets: DevSet[] = [];
for (const spec of values.set ?? []) {
  const { name, questionsFile, footnote } = await openDevSet(spec, { model: values.model, cache: values.cache });
  sets.push({ name, footnote, questions: loadQuestions(questionsFile).filter((q) => !expectsAbstention(q.expect)) });
}

/** Answerable questions right at the first citation and among the first three, answered with these weights. */
async function hits(set: DevSet, weights: Weights): Promise<[number, number]> {
  const report = await evaluate(set.questions, (q) => set.footnote.ask(q, { mode, weights }));
  return [report.hitAt1.count, report.hitAt3.count];
}

const base: [number, number][] = [];
for (const set of sets) base.push(await hits(set, WEIGHTS));
const cell = ([one, three]: [number, number], [b1, b3]: [number, number]): string => {
  const d = (x: number, b: number): string => (x === b ? `${x}` : `${x} (${x > b ? '+' : ''}${x - b})`);
  return `${d(one, b1)} / ${d(three, b3)}`;
};
console.log(`| weight | ${sets.map((s) => `${s.name} hit@1 / hit@3 of ${s.questions.length}`).join(' | ')} |`);
console.log(`|---|${sets.map(() => '---').join('|')}|`);
console.log(`| as set | ${base.map((b) => cell(b, b)).join(' | ')} |`);
// Only the signals this mode weighs (lexical has no meaning signal).
const weighed = (Object.keys(WEIGHTS) as Signal[]).filter((name) => name !== 'passageMeaning' || needsVectors(mode));
for (const name of weighed) {
  for (const factor of [0, 0.5, 1.5, 2.5]) {
    const row: string[] = [];
    for (const [i, set] of sets.entries())
      row.push(cell(await hits(set, { ...WEIGHTS, [name]: WEIGHTS[name] * factor }), base[i]!));
    console.log(`| ${name} ×${factor} | ${row.join(' | ')} |`);
  }
}
for (const set of sets) await set.footnote.close();
