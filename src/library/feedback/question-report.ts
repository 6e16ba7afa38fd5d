// What the articles did not answer, over a period: the questions answered "not found", the answers voted down, and the
// most asked questions, each grouped with its near-duplicates. What an admin reads to decide which articles to add: a
// server's admins read only their server's, without private questions' words; the operator reads everything.
import { contentTerms } from '../../core/text/words.js';
import type { AnswerLog, LoggedRow } from './answer-log.js';

export interface QuestionGroup {
  /** The group's most frequent wording. */
  question: string;
  count: number;
}

/** What the answers of one place (or of one audience's view) come to. */
export interface Summary {
  answers: number;
  /** Of `answers`, those only their asker saw. */
  private: number;
  notFound: QuestionGroup[];
  votedDown: { question: string; score: number; votes: number; files: string[] }[];
  mostAsked: QuestionGroup[];
}

export interface Report extends Summary {
  /** ISO time the period starts. */
  since: string;
}

/** Where answers were given, as the operator's report names them. */
export type Where =
  | { where: 'server'; server: string }
  | { where: 'dm' }
  /** Recorded before answers kept where they were given: the home library's, the operator's alone. */
  | { where: 'unrecorded' };

/** Everything, for the operator: each place's answers on their own, private ones shown too. */
export interface OperatorReport extends Report {
  places: (Summary & Where)[];
}

const TOP = 10;

/**
 * What a server's admins read: the answers given in `guildId` since `since` (ms since the epoch).
 * A private answer is counted, and its question never shown; direct messages are not there.
 */
export function serverReport(log: AnswerLog, since: number, guildId: string): Report {
  const answers = log.since(since, guildId);
  return {
    since: new Date(since).toISOString(),
    ...summarize(
      answers,
      answers.filter((a) => !a.private),
    ),
  };
}

/** What the operator reads: every answer since `since` (with `server`, that server's), by where it was given. */
export function operatorReport(log: AnswerLog, since: number, server?: string): OperatorReport {
  const answers = log.since(since, server);
  const places = new Map<string, { where: Where; answers: LoggedRow[] }>();
  if (server !== undefined) places.set(server, { where: { where: 'server', server }, answers: [] });
  for (const answer of answers) {
    const where: Where =
      answer.guildId !== null
        ? { where: 'server', server: answer.guildId }
        : { where: answer.channelId === null ? 'unrecorded' : 'dm' };
    const key = where.where === 'server' ? where.server : where.where;
    const place = places.get(key) ?? { where, answers: [] };
    place.answers.push(answer);
    places.set(key, place);
  }
  // Servers first, the busiest at the top; then direct messages, then what was recorded before places were.
  const rank = ({ where }: { where: Where }): number => ['server', 'dm', 'unrecorded'].indexOf(where.where);
  const ordered = [...places.values()].sort((a, b) => rank(a) - rank(b) || b.answers.length - a.answers.length);
  return {
    since: new Date(since).toISOString(),
    ...summarize(answers, answers),
    places: ordered.map((p) => ({ ...p.where, ...summarize(p.answers, p.answers) })),
  };
}

/** `answers` counted, and the questions of `shown` (some or all of them) grouped. */
function summarize(answers: LoggedRow[], shown: LoggedRow[]): Summary {
  const votedDown = shown
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
    answers: answers.length,
    private: answers.filter((a) => a.private).length,
    notFound: groupQuestions(shown.filter((a) => !a.found).map((a) => a.question)).slice(0, TOP),
    votedDown,
    mostAsked: groupQuestions(shown.map((a) => a.question)).slice(0, TOP),
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

const answers = (n: number): string => `${n} answer${n === 1 ? '' : 's'}`;

const when = (report: Report): string => `Since ${report.since.slice(0, 16).replace('T', ' ')} UTC`;

/** A server's report as lines for its admins. */
export function reportText(report: Report): string {
  const privately = report.private ? `, ${report.private} of them private (counted, not shown)` : '';
  return [`${when(report)}: ${answers(report.answers)}${privately}.`, ...sections(report, '')].join('\n') + '\n';
}

/** The operator's report as lines: the totals, then each place's answers. */
export function operatorText(report: OperatorReport): string {
  const lines = [`${when(report)}: ${answers(report.answers)} (${report.private} private), everywhere asked.`];
  for (const place of report.places) {
    const name =
      place.where === 'server'
        ? `Server ${place.server}`
        : place.where === 'dm'
          ? 'Direct messages'
          : 'Before servers were recorded (home library)';
    lines.push('', `${name}: ${answers(place.answers)} (${place.private} private).`, ...sections(place, '  '));
  }
  return `${lines.join('\n')}\n`;
}

function sections(summary: Summary, indent: string): string[] {
  const lines: string[] = [];
  const section = (title: string, rows: string[]): void => {
    lines.push('', `${indent}${title}`, ...(rows.length ? rows : ['  (none)']).map((r) => `${indent}${r}`));
  };
  section(
    'Answered "not found":',
    summary.notFound.map((g) => `  ${g.count}× ${g.question}`),
  );
  section(
    'Voted down:',
    summary.votedDown.map(
      (v) => `  ${v.score} (${v.votes} votes) ${v.question}${v.files.length ? ` (cited ${v.files.join(', ')})` : ''}`,
    ),
  );
  section(
    'Most asked:',
    summary.mostAsked.map((g) => `  ${g.count}× ${g.question}`),
  );
  return lines;
}
