// What the articles did not answer, over a period: the questions answered "not found", the answers voted down, and the
// most asked questions, each grouped with its near-duplicates. What an admin reads to decide which articles to add.
import { contentTerms } from '../../core/text/words.js';
import type { AnswerLog } from './answer-log.js';

export interface QuestionGroup {
  /** The group's most frequent wording. */
  question: string;
  count: number;
}

export interface Report {
  /** ISO time the period starts. */
  since: string;
  answers: number;
  notFound: QuestionGroup[];
  votedDown: { question: string; score: number; votes: number; files: string[] }[];
  mostAsked: QuestionGroup[];
}

const TOP = 10;

/** The report for the answers logged since `since` (ms since the epoch). */
export function buildReport(log: AnswerLog, since: number): Report {
  const answers = log.since(since);
  const votedDown = answers
    .filter((a) => a.score < 0)
    .sort((a, b) => a.score - b.score)
    .slice(0, TOP)
    .map((a) => ({
      question: a.question,
      score: a.score,
      votes: a.votes,
      files: [...new Set((JSON.parse(a.citations) as { file: string }[]).map((c) => c.file))],
    }));
  return {
    since: new Date(since).toISOString(),
    answers: answers.length,
    notFound: groupQuestions(answers.filter((a) => !a.found).map((a) => a.question)).slice(0, TOP),
    votedDown,
    mostAsked: groupQuestions(answers.map((a) => a.question)).slice(0, TOP),
  };
}

// The word that says what a question asks for: "who founded" and "when was … founded" differ only by it.
const ASKS = /\b(who|whom|whose|what|when|where|which|why|how)\b/i;

/**
 * Questions grouped when they ask the same (the same wh-word) with the same words up to
 * stemming, case, stop words and order ("Who is Jack Ma?", "who's jack ma"), most asked first.
 */
export function groupQuestions(questions: string[]): QuestionGroup[] {
  const groups = new Map<string, Map<string, number>>();
  for (const question of questions) {
    const asks = ASKS.exec(question)?.[1]?.toLowerCase() ?? '';
    const key = `${asks}:${[...new Set(contentTerms(question))].sort().join(' ') || question.trim().toLowerCase()}`;
    const wordings = groups.get(key) ?? new Map<string, number>();
    wordings.set(question, (wordings.get(question) ?? 0) + 1);
    groups.set(key, wordings);
  }
  return [...groups.values()]
    .map((wordings) => {
      const [question] = [...wordings].sort((a, b) => b[1] - a[1])[0]!;
      return { question, count: [...wordings.values()].reduce((a, b) => a + b, 0) };
    })
    .sort((a, b) => b.count - a.count || a.question.localeCompare(b.question));
}

/** The report as lines for a person. */
export function reportText(report: Report): string {
  const lines = [`Since ${report.since.slice(0, 16).replace('T', ' ')} UTC: ${report.answers} answers.`];
  const section = (title: string, rows: string[]): void => {
    lines.push('', title, ...(rows.length ? rows : ['  (none)']));
  };
  section(
    'Answered "not found":',
    report.notFound.map((g) => `  ${g.count}× ${g.question}`),
  );
  section(
    'Voted down:',
    report.votedDown.map(
      (v) => `  ${v.score} (${v.votes} votes) ${v.question}${v.files.length ? ` (cited ${v.files.join(', ')})` : ''}`,
    ),
  );
  section(
    'Most asked:',
    report.mostAsked.map((g) => `  ${g.count}× ${g.question}`),
  );
  return `${lines.join('\n')}\n`;
}
