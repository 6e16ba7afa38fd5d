// Evaluating answers against a question set: the questions read from their JSONL file, each answer scored against
// what it should cite, and the rates, latencies and score thresholds of the whole set.
import { readFileSync } from 'node:fs';
import type { TimedAnswer } from './footnote.js';
import { UsageError } from '../core/errors.js';
import { collapseWhitespace } from '../core/text/words.js';

/**
 * What a correct answer cites: one of these files (relative to ARTICLES_DIR) and, when quotes are
 * given, a quote holding the words of one of them. A file's `{"file", "quote"}` is the one-file case.
 */
export interface ExpectedCitation {
  files: string[];
  quotes?: string[];
}

/** One line of a question file. */
export interface EvalQuestion {
  question: string;
  /** `{ found: false }`: the articles do not answer it, and Footnote should say so. */
  expect: ExpectedCitation | { found: false };
  /** Line in the question file, for reports. */
  line: number;
}

/** The part of an answer the evaluation reads. */
export type EvalAnswer = Pick<TimedAnswer, 'found' | 'citations' | 'retrieval' | 'timings'>;

export interface QuestionResult {
  line: number;
  question: string;
  expect: EvalQuestion['expect'];
  found: boolean;
  /** Position (n) of the first correct citation; null when none is correct or it should abstain. */
  rank: number | null;
  /** Answerable: a correct citation within the top 3; unanswerable: it abstained. */
  passed: boolean;
  citations: { n: number; file: string; quote: string; score: number }[];
  mode: string;
  totalMs: number;
}

/** A rate with what it was computed from; `value` is null when the denominator is 0. */
export interface Rate {
  value: number | null;
  count: number;
  of: number;
}

export interface EvalReport {
  questions: number;
  /** Questions with an expected citation. */
  answerable: number;
  /** Questions expecting `found: false`. */
  unanswerable: number;
  hitAt1: Rate;
  hitAt3: Rate;
  /** Answerable questions answered "not found". */
  wronglyNotFound: Rate;
  /** Mean reciprocal rank over answerable questions (0 for a miss); null when there are none. */
  mrr: number | null;
  abstention: {
    /** Correct abstentions over all abstentions. */
    precision: Rate;
    /** Correct abstentions over questions that should abstain. */
    recall: Rate;
  };
  /** Mean citations of the answers that found something: how much a reader is shown (null: none found). */
  quotesPerAnswer: number | null;
  latencyMs: { p50: number | null; p95: number | null };
  /** The retrieval modes the answers reported, sorted. */
  modes: string[];
  results: QuestionResult[];
}

export type AskFunction = (question: string) => Promise<EvalAnswer>;

/** The question file's lines that are wrong: the CLI exits 2 for these. */
export class QuestionFileError extends UsageError {
  override name = 'QuestionFileError';
}

export function expectsAbstention(expect: EvalQuestion['expect']): expect is { found: false } {
  return 'found' in expect;
}

/** Whether a quote from `file` is a right citation: from an expected file, holding one of the expected quotes. */
export function holdsExpected(expect: ExpectedCitation, file: string, quote: string): boolean {
  if (!expect.files.includes(file)) return false;
  const text = collapseWhitespace(quote);
  return !expect.quotes || expect.quotes.some((w) => text.includes(collapseWhitespace(w)));
}

/** Position of the first right citation (see holdsExpected). */
function correctRank(expect: ExpectedCitation, citations: EvalAnswer['citations']): number | null {
  return citations.find((c) => holdsExpected(expect, c.article.file, c.quote))?.n ?? null;
}

/**
 * Asks every question in turn and scores the answers: hit@1, hit@3 and MRR of the expected
 * citation, how well Footnote abstains, and latency. An answer with `found: false` to an
 * answerable question is a miss.
 */
export async function evaluate(questions: readonly EvalQuestion[], ask: AskFunction): Promise<EvalReport> {
  const results: QuestionResult[] = [];
  for (const q of questions) {
    const answer = await ask(q.question);
    const rank = !expectsAbstention(q.expect) && answer.found ? correctRank(q.expect, answer.citations) : null;
    results.push({
      line: q.line,
      question: q.question,
      expect: q.expect,
      found: answer.found,
      rank,
      passed: expectsAbstention(q.expect) ? !answer.found : rank !== null && rank <= 3,
      citations: answer.citations.map((c) => ({ n: c.n, file: c.article.file, quote: c.quote, score: c.score })),
      mode: answer.retrieval.mode,
      totalMs: answer.timings.totalMs,
    });
  }
  return report(results);
}

function rate(count: number, of: number): Rate {
  return { value: of ? count / of : null, count, of };
}

/** Nearest-rank percentile (`p` from 0 to 1): a value that was actually measured; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

function report(results: QuestionResult[]): EvalReport {
  const answerable = results.filter((r) => !expectsAbstention(r.expect));
  const unanswerable = results.filter((r) => expectsAbstention(r.expect));
  const abstained = results.filter((r) => !r.found);
  const correctAbstentions = unanswerable.filter((r) => !r.found).length;
  const ranks = answerable.map((r) => r.rank);
  const latencies = results.map((r) => r.totalMs);
  const answered = results.filter((r) => r.found);
  return {
    questions: results.length,
    answerable: answerable.length,
    unanswerable: unanswerable.length,
    hitAt1: rate(ranks.filter((r) => r === 1).length, answerable.length),
    hitAt3: rate(ranks.filter((r) => r !== null && r <= 3).length, answerable.length),
    wronglyNotFound: rate(answerable.filter((r) => !r.found).length, answerable.length),
    mrr: answerable.length
      ? ranks.reduce<number>((sum, r) => sum + (r === null ? 0 : 1 / r), 0) / answerable.length
      : null,
    abstention: {
      precision: rate(correctAbstentions, abstained.length),
      recall: rate(correctAbstentions, unanswerable.length),
    },
    quotesPerAnswer: answered.length
      ? answered.reduce((sum, r) => sum + r.citations.length, 0) / answered.length
      : null,
    latencyMs: { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95) },
    modes: [...new Set(results.map((r) => r.mode))].sort(),
    results,
  };
}

/**
 * Parses a question file: JSON lines of `{"question": …, "expect": {"file": …, "quote": …}}`
 * (or, where several citations are right, `"files": […], "quotes": […]`) or
 * `{"question": …, "expect": {"found": false}}`; blank lines and `//` comments are skipped.
 * A malformed line throws a QuestionFileError naming the file and line.
 */
export function parseQuestions(text: string, file: string): EvalQuestion[] {
  const questions: EvalQuestion[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('//')) return;
    const fail = (why: string): never => {
      throw new QuestionFileError(`${file}:${line}: ${why}`);
    };
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      return fail(`not valid JSON (${(error as Error).message})`);
    }
    if (!isRecord(value)) return fail('expected a JSON object {"question": …, "expect": …}');
    checkKeys(value, ['question', 'expect'], fail);
    const { question, expect } = value;
    if (typeof question !== 'string' || !question.trim()) return fail('"question" must be a non-empty string');
    if (!isRecord(expect)) return fail('"expect" must be an object: {"file": …, "quote": …} or {"found": false}');
    if ('found' in expect) {
      checkKeys(expect, ['found'], fail);
      if (expect.found !== false)
        return fail('"expect.found" can only be false; give "file" (and "quote") for an answerable question');
      questions.push({ question, expect: { found: false }, line });
      return;
    }
    checkKeys(expect, ['file', 'quote', 'files', 'quotes'], fail);
    if ('file' in expect && 'files' in expect) return fail('give "expect.file" or "expect.files", not both');
    if ('quote' in expect && 'quotes' in expect) return fail('give "expect.quote" or "expect.quotes", not both');
    const files = 'files' in expect ? expect.files : [expect.file];
    if (!Array.isArray(files) || !files.length || files.some((f) => typeof f !== 'string' || !f.trim())) {
      return fail(
        '"expect.file" must be the article\'s path relative to ARTICLES_DIR ' +
          '("expect.files": a non-empty list of such paths)',
      );
    }
    const quotes = 'quotes' in expect ? expect.quotes : 'quote' in expect ? [expect.quote] : undefined;
    if (
      quotes !== undefined &&
      (!Array.isArray(quotes) || !quotes.length || quotes.some((q) => typeof q !== 'string' || !collapseWhitespace(q)))
    ) {
      return fail('"expect.quote" must be a non-empty string when given ("expect.quotes": a non-empty list of them)');
    }
    questions.push({
      question,
      expect:
        quotes === undefined ? { files: files as string[] } : { files: files as string[], quotes: quotes as string[] },
      line,
    });
  });
  return questions;
}

/** Reads and parses a question file (see parseQuestions); one without questions is an error too. */
export function loadQuestions(file: string): EvalQuestion[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new QuestionFileError(`${file}: cannot read the question file (${(error as Error).message})`);
  }
  const questions = parseQuestions(text, file);
  if (!questions.length) throw new QuestionFileError(`${file}: no questions (one JSON object per line)`);
  return questions;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// A misspelt key ("qoute") would otherwise silently loosen what counts as correct.
function checkKeys(value: Record<string, unknown>, allowed: string[], fail: (why: string) => never): void {
  const extra = Object.keys(value).filter((k) => !allowed.includes(k));
  if (extra.length) fail(`unknown key ${extra.map((k) => `"${k}"`).join(', ')}; allowed: ${allowed.join(', ')}`);
}

export interface ThresholdRow {
  threshold: number;
  hitAt3: number;
  abstentionPrecision: number | null;
  abstentionRecall: number | null;
}

/**
 * What each "not found" threshold would give, from results run with no threshold at all: a
 * question is answered when its best citation scores at least the threshold. This is how
 * MIN_SCORE and MIN_LEXICAL_SCORE are calibrated.
 */
export function sweepThresholds(results: readonly QuestionResult[], thresholds: readonly number[]): ThresholdRow[] {
  const best = (r: QuestionResult): number => r.citations[0]?.score ?? Number.NEGATIVE_INFINITY;
  const answerable = results.filter((r) => !expectsAbstention(r.expect));
  const unanswerable = results.filter((r) => expectsAbstention(r.expect));
  return thresholds.map((threshold) => {
    const abstained = results.filter((r) => best(r) < threshold);
    const correct = abstained.filter((r) => expectsAbstention(r.expect)).length;
    return {
      threshold,
      hitAt3: answerable.length
        ? answerable.filter((r) => best(r) >= threshold && r.rank !== null && r.rank <= 3).length / answerable.length
        : 0,
      abstentionPrecision: abstained.length ? correct / abstained.length : null,
      abstentionRecall: unanswerable.length ? correct / unanswerable.length : null,
    };
  });
}
