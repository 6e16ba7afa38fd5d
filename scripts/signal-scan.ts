import { parseArgs } from 'node:util';
import { WEIGHTS } from '../src/core/answer/compose.js';
import { expectsAbstention, holdsExpected, loadQuestions } from '../src/library/evaluation.js';
import { isRetrievalMode } from '../src/core/retrieval/modes.js';
import { DEV_SET_OPTIONS, openDevSet } from './dev-set.js';

// Dev tool: how each weight of the answer step's signals moves hit@1 and hit@3 on the dev sets, in one run.
//   npm run eval:signals -- --set NAME=QUESTIONS:ARTICLES … [--model DIR] [--mode lexical] [--cache DIR]
// Each answerable question is answered once, with an explanation listing every candidate sentence and its
// signals; then each weight in turn is scaled (×0, ×0.5, ×1.5, ×2.5: the coordinate search that set WEIGHTS)
// and the candidates ranked again. A candidate is right as npm run eval counts a citation (holdsExpected); the
// best three with evidence stand for the quotes. Widening, joining, the relative floor, the thresholds and the count
// rule are not replayed, so the figures are the ranking's: confirm a change with npm run eval.
const { values } = parseArgs({
  options: {
    ...DEV_SET_OPTIONS,
    mode: { type: 'string', default: 'lexical' },
  },
});
const mode = values.mode;
if (!isRetrievalMode(mode)) throw new Error(`--mode: lexical, hybrid or dense, got "${mode}"`);
type Signals = Record<string, number>;
interface Candidate {
  signals: Signals;
  right: boolean;
  counts: boolean;
}

const sets: { name: string; questions: Candidate[][] }[] = [];
for (const spec of values.set ?? []) {
  const { name, questionsFile, footnote } = await openDevSet(spec, { model: values.model, cache: values.cache });
  const questions: Candidate[][] = [];
  for (const q of loadQuestions(questionsFile)) {
    if (expectsAbstention(q.expect)) continue;
    const expect = q.expect;
    const answer = await footnote.ask(q.question, { mode, explain: true, explainSentences: Infinity });
    questions.push(
      (answer.explanation?.sentences ?? []).map((s) => ({
        signals: s.signals,
        right: holdsExpected(expect, s.file, s.text),
        counts: s.evidence !== null,
      })),
    );
  }
  await footnote.close();
  sets.push({ name, questions });
}

/** hit@1 and hit@3 of the candidates ranked by these weights (the first three with evidence stand for the quotes). */
function hits(weights: Signals, questions: Candidate[][]): [number, number] {
  const score = (c: Candidate): number => Object.entries(c.signals).reduce((s, [k, v]) => s + (weights[k] ?? 0) * v, 0);
  let [one, three] = [0, 0];
  for (const candidates of questions) {
    const quoted = candidates
      .filter((c) => c.counts)
      .sort((a, b) => score(b) - score(a))
      .slice(0, 3);
    if (quoted[0]?.right) one++;
    if (quoted.some((c) => c.right)) three++;
  }
  return [one, three];
}

const base = sets.map((s) => hits(WEIGHTS, s.questions));
const cell = ([one, three]: [number, number], [b1, b3]: [number, number]): string => {
  const d = (x: number, b: number): string => (x === b ? `${x}` : `${x} (${x > b ? '+' : ''}${x - b})`);
  return `${d(one, b1)} / ${d(three, b3)}`;
};
console.log(`| weight | ${sets.map((s) => `${s.name} hit@1 / hit@3 of ${s.questions.length}`).join(' | ')} |`);
console.log(`|---|${sets.map(() => '---').join('|')}|`);
console.log(`| as set | ${base.map((b) => cell(b, b)).join(' | ')} |`);
// Only the signals this mode weighs (lexical has no meaning signal).
const weighed = new Set(sets.flatMap((s) => s.questions.flat().flatMap((c) => Object.keys(c.signals))));
for (const [name, weight] of Object.entries(WEIGHTS).filter(([name]) => weighed.has(name))) {
  for (const factor of [0, 0.5, 1.5, 2.5]) {
    const row = sets.map((s, i) => cell(hits({ ...WEIGHTS, [name]: weight * factor }, s.questions), base[i]!));
    console.log(`| ${name} ×${factor} | ${row.join(' | ')} |`);
  }
}
